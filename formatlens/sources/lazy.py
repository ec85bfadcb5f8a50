"""``fl.open``: a Document for a file where it lives, reading what is shown rather than the whole file.

Small files (up to EAGER_BYTES) are read whole and decoded exactly like an upload. Larger ones:

- Parquet: schema, layout, row-group statistics and the byte spans from the footer (range reads
  of the file's tail); ``value``/``table`` are the first rows, read from the first pages only.
- Avro: the header (schema, codec, metadata) and the records of the first blocks.
- CSV and JSON Lines: the first rows, from the first HEAD_BYTES.
- Other formats: read whole when within FORMATLENS_MAX_INPUT_BYTES, refused beyond it.

``Document.data`` of a lazy document is a LazyBytes: slicing it is a range read (hexdump windows).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from formatlens.core import registry
from formatlens.core.api import load
from formatlens.core.document import Document, Finding, Span
from formatlens.core.errors import FormatError, UnknownFormatError
from formatlens.core.limits import current
from formatlens.sources.filesystems import filesystem_for
from formatlens.sources.policy import RemotePolicy
from formatlens.sources.rangefile import LazyBytes, RangeFile, remote_call

EAGER_BYTES = 4 * 1024 * 1024
"""Files up to this size are read whole: every view (spans, full value) is then exact."""
HEAD_BYTES = 1024 * 1024
"""CSV / JSON Lines: the first rows come from this much of the file."""
PREVIEW_ROWS = 100
"""Rows a lazy document's value holds."""
SNIFF_BYTES = 4096


def open_document(
    path_or_url: Any,
    *,
    format: str | None = None,
    schema: str | bytes | None = None,
    message: str | None = None,
    policy: RemotePolicy | None = None,
    eager_bytes: int = EAGER_BYTES,
    **options: Any,
) -> Document:
    """Open a local path or URL lazily; ``policy`` applies a shared server's URL rules."""
    from formatlens.sources.dataset import is_dataset_path, open_dataset

    name = str(path_or_url)
    fs, path = filesystem_for(path_or_url, policy)
    if is_dataset_path(path):
        return open_dataset(fs, path, name)
    info = remote_call(name, lambda: fs.info(path))
    if info.get("type") == "directory":
        return open_dataset(fs, path, name)
    size = info.get("size")
    if size is None:
        raise FormatError(
            f"cannot read {name} lazily: the server does not say how long it is",
            hint="serve it with a Content-Length, or download it and open the local file",
        )
    file = RangeFile(fs, path, int(size), name=name)
    if format is None:
        format = _detect(file, name)
    format = registry.get(format).name
    if schema is not None:
        options["schema"] = schema
    if message is not None:
        options["message"] = message
    if file.size <= eager_bytes or (format not in LAZY and format != "json"):
        return _whole(file, format, name, options)
    if format == "json":
        return _json_lines(file, name)
    return LAZY[format](file, options)


def _detect(file: RangeFile, name: str) -> str:
    head = file.pread(0, SNIFF_BYTES)
    # Parquet's sniff looks at both ends: give it the tail's magic too when the head is not all of it.
    probe = head + file.pread(file.size - 4, 4) if file.size > len(head) and head.startswith(b"PAR1") else head
    ranking = registry.detect(probe, name)
    if not ranking:
        raise UnknownFormatError("no format recognised these bytes", offset=0, hint="choose the format by hand")
    return ranking[0][0]


def _whole(file: RangeFile, format: str, name: str, options: dict) -> Document:
    current().check("max_input_bytes", file.size, what=f"{name} ({file.size:,} bytes)")
    data = file.pread(0, file.size)
    return load(data, format, filename=name, **options)


def _parquet(file: RangeFile, options: dict) -> Document:
    from formatlens.codecs.parquet import ParquetCodec, read_footer, table_to_records

    footer = read_footer(file)

    def first_rows() -> pa.Table:
        # A buffered stream reads the first pages of each column, not whole column chunks.
        reader = pq.ParquetFile(file, buffer_size=64 * 1024, pre_buffer=False)
        batches = reader.iter_batches(batch_size=PREVIEW_ROWS, columns=options.get("columns"))
        batch = next(batches, None)
        return pa.Table.from_batches([batch]) if batch is not None else reader.schema_arrow.empty_table()

    findings = [_preview_finding(footer.details["rows"], "rows")]
    document = Document(
        "parquet",
        LazyBytes(file),  # type: ignore[arg-type]
        value_factory=lambda: table_to_records(document.table, document.findings),
        table_factory=first_rows,
        spans_factory=footer.spans,
        schema=footer.schema,
        findings=findings,
        details={**footer.details, "read_lazily": True},
    )
    document.bad_input = ParquetCodec.bad_input  # the lazy reads meet the same errors as the codec's
    return document


def _avro(file: RangeFile, options: dict) -> Document:
    import fastavro

    from formatlens.codecs.avro import AvroCodec, _schema, _table

    file.seek(0)
    try:
        reader = fastavro.reader(io.BufferedReader(file, buffer_size=64 * 1024))
        records = list(islice(reader, PREVIEW_ROWS))
    except AvroCodec.bad_input as exc:  # fastavro's errors for bad bytes, as the codec declares them
        raise FormatError(
            f"{type(exc).__name__}: {exc}", format="avro", hint="the header or a block is corrupt"
        ) from None
    read_to = file.position  # fastavro read the header and whole blocks up to here (and some read-ahead)
    metadata = {k: v for k, v in reader.metadata.items() if k != "avro.schema"}
    details = {"codec": reader.codec, "metadata": metadata, "records_shown": len(records), "read_lazily": True}
    return Document(
        "avro",
        LazyBytes(file),  # type: ignore[arg-type]
        value=records,
        schema=_schema(reader.writer_schema, details),
        findings=[Finding("info", f"the first {len(records)} records (the rest of the file is not read)")],
        spans_factory=lambda: _avro_spans(file, read_to),
        table_factory=lambda: _table(records),
        details=details,
    )


def _avro_spans(file: RangeFile, read_to: int) -> list[Span]:
    """The codec's spans for the bytes already read: magic, header map, sync marker, and each block
    that lies whole within them (the rest of the file stays unannotated: it was not read)."""
    from formatlens.codecs.avro import _Container

    head = file.pread(0, min(file.size, read_to))
    walker = _Container(head)
    spans = [Span(0, 4, "magic", "magic Obj\\x01"), walker.header(4)]
    pos = spans[-1].end
    walker.sync = head[pos : pos + 16]
    spans.append(Span(pos, pos + 16, "magic", f"sync marker {walker.sync.hex()}"))
    pos += 16
    codec = walker.codec
    while len(head) - pos >= 20:  # room for the count and size varints (10 bytes each at most)
        _count, after_count = walker.long(pos)
        size, after_size = walker.long(after_count)
        if size < 0 or after_size + size + 16 > len(head):
            break  # this block goes on past what was read
        block = walker.block(pos, len(walker.blocks), codec)
        spans.append(block)
        pos = block.end
    return spans


def _head(file: RangeFile) -> bytes:
    """The first HEAD_BYTES, cut after the last complete line."""
    head = file.pread(0, HEAD_BYTES)
    return head[: head.rfind(b"\n") + 1] or head


def _csv(file: RangeFile, options: dict) -> Document:
    head = _head(file)
    part = load(head, "csv", **options)
    rows = part.details.get("rows", 0)
    return Document(
        "csv",
        LazyBytes(file),  # type: ignore[arg-type]
        value=part.value,
        schema=part.schema,
        findings=[*part.findings, _preview_finding(None, "rows", rows, len(head), file.size)],
        spans_factory=lambda: part.spans,
        details={**part.details, "read_lazily": True, "bytes_read_for_rows": len(head)},
    )


def _json_lines(file: RangeFile, name: str) -> Document:
    head = _head(file)
    records, spans, start = [], [], 0
    for number, line in enumerate(head.splitlines(keepends=True), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise FormatError(
                    f"line {number} is not JSON: {exc}",
                    offset=start,
                    format="json",
                    hint="a file this large is read lazily only as JSON Lines (one value per line)",
                ) from None
            spans.append(Span(start, start + len(line), "entry", f"line {number}", (len(records) - 1,)))
        start += len(line)
    return Document(
        "json",
        LazyBytes(file),  # type: ignore[arg-type]
        value=records,
        findings=[_preview_finding(None, "lines", len(records), len(head), file.size)],
        spans_factory=lambda: spans,
        details={"json_lines": True, "read_lazily": True, "bytes_read_for_rows": len(head)},
    )


READ_LAZILY = "remote.read-lazily"
"""The code of the finding that says a value holds only the first rows of a file read lazily."""


def _preview_finding(total: int | None, what: str, shown: int | None = None, read: int = 0, size: int = 0) -> Finding:
    if total is not None:
        message = f"read lazily: the value shows the first {min(total, PREVIEW_ROWS):,} of {total:,} {what}"
    else:
        message = f"read lazily: the first {shown:,} {what}, from the first {read:,} of {size:,} bytes"
    return Finding("info", message, code=READ_LAZILY)


LAZY: dict[str, Callable[[RangeFile, dict], Document]] = {"parquet": _parquet, "avro": _avro, "csv": _csv}


def fetch_whole(path_or_url: Any, policy: RemotePolicy | None = None) -> tuple[str, bytes]:
    """(name, bytes) of a file or URL within FORMATLENS_MAX_INPUT_BYTES (the app's URL source)."""
    name = str(path_or_url)
    size = remote_size(path_or_url, policy)
    current().check("max_input_bytes", size, what=f"{name} ({size:,} bytes)")
    fs, path = filesystem_for(path_or_url, policy)
    file = RangeFile(fs, path, size, name=name)
    return os.path.basename(path.rstrip("/")) or name, file.pread(0, file.size)


def lazy_preview(path_or_url: str, policy: RemotePolicy | None) -> tuple[Document, int]:
    """What a worker does for a large remote file (the app's URL source): open it lazily and compute
    every part a view shows (value = first rows, spans, schema, findings) from the bytes that needs.

    Returns the Document without its bytes (a range-reading file does not cross processes: the
    server opens its own for the hexdump) and how many bytes were fetched. The worker, not the
    server, parses what the remote file holds.
    """
    document = open_document(path_or_url, policy=policy)
    if not isinstance(document.data, LazyBytes):
        raise FormatError(
            f"{path_or_url} is not one file read lazily",
            hint="give the URL of one Parquet, Avro, CSV or JSON Lines file",
        )
    for part in ("value", "spans", "table", "schema", "findings"):
        getattr(document, part)
    fetched = document.data.file.fetched
    document.details["bytes_fetched"] = fetched
    document.data = b""
    return document, fetched


def remote_bytes(path_or_url: str, size: int, policy: RemotePolicy | None) -> LazyBytes:
    """The server's own range-reading view of a remote file (hexdump windows); nothing is parsed."""
    fs, path = filesystem_for(path_or_url, policy)
    return LazyBytes(RangeFile(fs, path, size, name=str(path_or_url)))


def remote_size(path_or_url: str, policy: RemotePolicy | None) -> int:
    """The length of one remote file (a metadata request: nothing of the file is read)."""
    name = str(path_or_url)
    fs, path = filesystem_for(path_or_url, policy)
    info = remote_call(name, lambda: fs.info(path))
    size = info.get("size")
    if info.get("type") == "directory" or size is None:
        raise FormatError(f"{name} is not a single file of known length", hint="give the URL of one file")
    return int(size)
