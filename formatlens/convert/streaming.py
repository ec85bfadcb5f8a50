"""Streaming conversion of files larger than memory: ``fl.convert_file(src, dst, target)``.

Sources (CSV, JSON Lines, Parquet, Avro, MessagePack streams) are read as Arrow record batches;
targets (Parquet, CSV, JSON Lines, Avro) are written batch by batch, so memory stays bounded by
a few batches whatever the file's size. Sources of records (Avro, MessagePack) take their Arrow
types from the first batch (the same inference convert() uses); CSV, JSON Lines and Avro targets
go through the same reshape/adapt step as convert(), so the loss report has the same sentences.

The output is written under a temporary name beside ``dst`` and renamed at the end: a bad row
in the middle stops the conversion with that row's number and leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from formatlens.convert.adapt import adapt
from formatlens.convert.infer import coerce, infer_records, to_arrow_schema, to_avro
from formatlens.core import registry
from formatlens.core.document import Conversion, Schema
from formatlens.core.errors import EncodeError, FormatError

BLOCK_BYTES = 1 << 20
"""CSV / JSON Lines read block (pyarrow's default): one record batch per block."""
RECORD_BATCH_ROWS = 10_000
"""Rows per batch for sources of records (Avro, MessagePack)."""
ROW_GROUP_BYTES = 64 << 20
"""Parquet: batches are buffered up to this much Arrow data per row group (bounded memory, sane row groups)."""
SOURCES = ("csv", "jsonl", "parquet", "avro", "msgpack")
TARGETS = ("parquet", "csv", "jsonl", "avro")

Progress = Callable[[int, int], None]
"""progress(bytes_read, total_bytes), called after each batch."""


@dataclass(frozen=True, slots=True)
class FileConversion(Conversion):
    """A streaming conversion: the output is the file at ``path`` (``data`` stays empty)."""

    path: str = ""
    rows: int = 0
    bytes_written: int = 0


class BadRow(FormatError):
    """A row the conversion could not read or write; ``row`` is its 1-based number among the data rows."""

    def __init__(self, message: str, *, row: int | None, hint: str | None = None, format: str | None = None) -> None:
        self.row = row
        super().__init__(message, hint=hint, format=format)


def source_format(path: str, given: str | None) -> str:
    if given:
        name = given.lower()
        return "jsonl" if name in ("jsonl", "ndjson", "json") else registry.get(name).name
    suffix = Path(str(path).split("?")[0]).suffix.lower()
    by_suffix = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
    by_suffix |= {".parquet": "parquet", ".pq": "parquet", ".avro": "avro", ".msgpack": "msgpack", ".mpk": "msgpack"}
    if suffix in by_suffix:
        return by_suffix[suffix]
    raise FormatError(f"cannot tell the format of {path} from its name", hint="give it with --from / source=")


def convert_file(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    target: str,
    *,
    source: str | None = None,
    progress: Progress | None = None,
    compression: str = "snappy",
    **options: Any,
) -> FileConversion:
    """Convert the file ``src`` to ``target`` at ``dst`` in bounded memory; losses as convert() reports them."""
    target = "jsonl" if target.lower() in ("jsonl", "ndjson", "json") else registry.get(target).name
    if target not in TARGETS:
        raise FormatError(f"streaming conversion writes {', '.join(TARGETS)}, not {target}", hint="use convert()")
    fmt = source_format(str(src), source)
    if fmt not in SOURCES:
        raise FormatError(f"streaming conversion reads {', '.join(SOURCES)}, not {fmt}", hint="use convert()")
    dst_path = Path(dst)
    temp = dst_path.with_name(f".{dst_path.name}.{os.getpid()}.part")
    losses: list[str] = []
    with _open_source(src) as (stream, size):
        batches = READERS[fmt](stream, losses, options)
        try:
            writer = WRITERS[target](temp, losses, compression, options)
            rows = 0
            try:
                for batch in batches:
                    try:
                        writer.write(batch)
                    except BadRow as exc:
                        raise BadRow(
                            f"row {rows + (exc.row or 1):,}: {exc.message}", row=rows + (exc.row or 1), hint=exc.hint
                        ) from None
                    rows += batch.num_rows
                    if progress is not None:
                        progress(_position(stream), size)
                schema = writer.close()
            except BaseException:
                writer.abort()
                raise
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
    os.replace(temp, dst_path)
    return FileConversion(
        data=b"",
        format="jsonl" if target == "jsonl" else target,
        source_format=fmt,
        losses=list(dict.fromkeys(losses)),
        schema=schema,
        path=str(dst_path),
        rows=rows,
        bytes_written=dst_path.stat().st_size,
    )


@contextlib.contextmanager
def _open_source(src: Any) -> Iterator[tuple[Any, int]]:
    from formatlens.sources.filesystems import filesystem_for, is_url
    from formatlens.sources.rangefile import remote_call

    text = os.fspath(src)
    if not is_url(text):
        try:
            stream = pa.OSFile(text, "rb")
        except (OSError, pa.ArrowException) as exc:  # pyarrow raises FileNotFoundError / ArrowIOError
            raise FormatError(f"cannot read {text}: {exc}") from None
        with contextlib.closing(stream):
            yield stream, stream.size()
        return
    fs, path = filesystem_for(text)
    size = int(remote_call(text, lambda: fs.info(path)).get("size") or 0)
    remote = remote_call(text, lambda: fs.open(path, "rb", block_size=BLOCK_BYTES))
    with contextlib.closing(remote):
        yield remote, size


def _position(stream: Any) -> int:
    try:
        return int(stream.tell())
    except (OSError, ValueError):
        return 0


# -- readers: each yields Arrow record batches


def _read_csv(stream: Any, losses: list[str], options: dict) -> Iterator[pa.RecordBatch]:
    delimiter = options.get("delimiter") or ","
    rows = 0
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
        )
        for batch in reader:
            rows += batch.num_rows
            yield batch
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        row = _find_bad_csv_row(stream, rows, delimiter, reader.schema if rows else None)
        raise BadRow(
            f"{'row ' + format(row, ',') + ': ' if row else ''}{_arrow_message(exc)}",
            row=row,
            format="csv",
            hint=f"{rows:,} rows before it were fine; nothing was written",
        ) from None


def _find_bad_csv_row(stream: Any, good_rows: int, delimiter: str, schema: pa.Schema | None) -> int | None:
    """The exact bad row, found by re-reading from the start with the csv module (only on failure)."""
    import csv

    try:
        stream.seek(0)
    except (OSError, ValueError):
        return None
    text = io.TextIOWrapper(io.BufferedReader(_Readable(stream)), encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return None
    for number, record in enumerate(reader, 1):
        if number <= good_rows:
            continue
        if len(record) != len(header):
            return number
        if schema is not None:
            for value, field in zip(record, schema):
                try:
                    cell = io.StringIO()
                    csv.writer(cell).writerow([value])
                    pacsv.read_csv(
                        io.BytesIO(b"x\n" + cell.getvalue().encode("utf-8")),
                        convert_options=pacsv.ConvertOptions(column_types={"x": field.type}),
                    )
                except (pa.ArrowInvalid, pa.ArrowTypeError):
                    return number
        if number > good_rows + 1_000_000:
            return None
    return None


class _Readable(io.RawIOBase):
    """A pyarrow NativeFile or fsspec file as a Python raw stream (for the csv module's re-read)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_jsonl(stream: Any, losses: list[str], options: dict) -> Iterator[pa.RecordBatch]:
    rows = 0
    try:
        reader = pajson.open_json(stream, read_options=pajson.ReadOptions(block_size=BLOCK_BYTES))
        for batch in reader:
            rows += batch.num_rows
            yield batch
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        row = _find_bad_json_line(stream, rows, reader.schema if rows else None)
        raise BadRow(
            f"{'line ' + format(row, ',') + ': ' if row else ''}{_arrow_message(exc)}",
            row=row,
            format="jsonl",
            hint=f"{rows:,} rows before it were fine; nothing was written",
        ) from None


def _find_bad_json_line(stream: Any, good_rows: int, schema: pa.Schema | None) -> int | None:
    try:
        stream.seek(0)
    except (OSError, ValueError):
        return None
    number = 0
    for line in io.BufferedReader(_Readable(stream)):
        if not line.strip():
            continue
        number += 1
        if number <= good_rows:
            continue
        try:
            record = json.loads(line)
            if schema is not None:
                pa.Table.from_pylist([record], schema=schema)
        except (json.JSONDecodeError, UnicodeDecodeError, pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return number
        if number > good_rows + 1_000_000:
            return None
    return None


def _read_parquet(stream: Any, losses: list[str], options: dict) -> Iterator[pa.RecordBatch]:
    try:
        reader = pq.ParquetFile(stream)
        yield from reader.iter_batches(batch_size=64 * 1024)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
        raise FormatError(_arrow_message(exc), format="parquet", hint="a page or the footer is corrupt") from None


def _records_to_batches(records: Iterator[Any], losses: list[str], fmt: str) -> Iterator[pa.RecordBatch]:
    """Record dicts as Arrow batches; the types come from the first batch (as convert() infers them)."""
    node = schema = None
    rows = 0
    while True:
        chunk = [r for _, r in zip(range(RECORD_BATCH_ROWS), records)]
        if not chunk:
            return
        if node is None:
            shaped, inference, row_losses = infer_records(chunk)
            losses.extend(row_losses)
            losses.extend(f"schema: {note}" for note in inference.notes)
            node, schema = inference.type, to_arrow_schema(inference.type)
        else:
            shaped = chunk
        try:
            batch = pa.RecordBatch.from_pylist([coerce(r, node) for r in shaped], schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, AttributeError):
            index = _first_bad(shaped, node, schema)
            raise BadRow(
                f"row {rows + index + 1:,} does not fit the types of the first {RECORD_BATCH_ROWS:,} rows",
                row=rows + index + 1,
                format=fmt,
                hint="the types are inferred from the first rows; convert a file with uniform rows",
            ) from None
        rows += len(chunk)
        yield batch


def _first_bad(rows: list, node: Any, schema: pa.Schema) -> int:
    for index, row in enumerate(rows):
        try:
            pa.RecordBatch.from_pylist([coerce(row, node)], schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, AttributeError):
            return index
    return 0


def _read_avro(stream: Any, losses: list[str], options: dict) -> Iterator[pa.RecordBatch]:
    import fastavro

    from formatlens.codecs.avro import AvroCodec

    try:
        yield from _records_to_batches(iter(fastavro.reader(io.BufferedReader(_Readable(stream)))), losses, "avro")
    except AvroCodec.bad_input as exc:  # fastavro's errors for corrupt containers, as the codec declares them
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"{type(exc).__name__}: {exc}", format="avro", hint="a block is corrupt") from None


def _read_msgpack(stream: Any, losses: list[str], options: dict) -> Iterator[pa.RecordBatch]:
    import msgpack

    unpacker = msgpack.Unpacker(_Readable(stream), raw=False, strict_map_key=False, max_buffer_size=64 << 20)

    def records() -> Iterator[Any]:
        for item in unpacker:
            if isinstance(item, list):  # one array of records in the stream: its items are the rows
                yield from item
            else:
                yield item

    try:
        yield from _records_to_batches(records(), losses, "msgpack")
    except (msgpack.exceptions.UnpackException, ValueError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"{type(exc).__name__}: {exc}", format="msgpack", hint="the stream is corrupt") from None


def _arrow_message(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


READERS: dict[str, Callable[[Any, list[str], dict], Iterator[pa.RecordBatch]]] = {
    "csv": _read_csv,
    "jsonl": _read_jsonl,
    "parquet": _read_parquet,
    "avro": _read_avro,
    "msgpack": _read_msgpack,
}


# -- writers: write(batch), close() -> schema, abort()


class _ParquetWriter:
    def __init__(self, path: Path, losses: list[str], compression: str, options: dict) -> None:
        self.path, self.compression, self.options = path, compression, options
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.RecordBatch] = []
        self.pending_bytes = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(str(self.path), batch.schema, compression=self.compression)
        self.pending.append(batch)
        self.pending_bytes += batch.nbytes
        if self.pending_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self.pending and self.writer is not None:
            self.writer.write_table(pa.Table.from_batches(self.pending))
        self.pending, self.pending_bytes = [], 0

    def close(self) -> Schema | None:
        self._flush()
        if self.writer is None:
            raise FormatError("the source holds no rows", hint="nothing to write")
        schema = self.writer.schema
        self.writer.close()
        return Schema("arrow", schema.to_string(show_schema_metadata=False), {"inferred": False})

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                self.writer.close()


class _RowsWriter:
    """Targets written from Python rows (CSV, JSON Lines): the rows go through reshape + adapt like convert()."""

    def __init__(self, path: Path, losses: list[str], target: str) -> None:
        self.codec = registry.get("json" if target == "jsonl" else target)
        self.target, self.losses = target, losses
        self.file: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed in close()/abort()
        self.first = True

    def rows(self, batch: pa.RecordBatch) -> list:
        from formatlens.codecs.parquet import table_to_records

        records = table_to_records(pa.Table.from_batches([batch]), [])
        shaped = records if self.target == "jsonl" else self.codec.reshape(records, self.losses)
        return adapt(shaped, self.codec.holds, self.losses)

    def write(self, batch: pa.RecordBatch) -> None:
        rows = self.rows(batch)
        if self.target == "csv":
            self.file.write(self.codec.encode(rows, header=self.first, lineterminator="\n"))
        else:
            try:
                self.file.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
            except (TypeError, ValueError) as exc:
                raise EncodeError(f"cannot write JSON: {exc}", format="json") from None
        self.first = False

    def close(self) -> Schema | None:
        self.file.close()
        return None

    def abort(self) -> None:
        self.file.close()


class _AvroWriter(_RowsWriter):
    """Avro: the schema is inferred from the first batch; fastavro writes one block per batch."""

    def __init__(self, path: Path, losses: list[str], codec: str, options: dict) -> None:
        super().__init__(path, losses, "avro")
        self.avro_codec = options.get("avro_codec", "null")
        self.node: Any = None
        self.schema: Schema | None = None
        self.writer: Any = None

    def write(self, batch: pa.RecordBatch) -> None:
        import fastavro

        rows = self.rows(batch)
        if self.node is None:
            rows, inference, row_losses = infer_records(rows)
            self.losses.extend(row_losses)
            self.losses.extend(f"schema: {note}" for note in inference.notes)
            self.node = inference.type
            written = to_avro(inference.type, "Record")
            self.schema = Schema("avro", json.dumps(written, indent=2), {"inferred": True, "notes": inference.notes})
            self.writer = fastavro.write.Writer(self.file, fastavro.parse_schema(written), codec=self.avro_codec)
        for index, row in enumerate(rows):
            try:
                self.writer.write(coerce(row, self.node))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise BadRow(f"cannot write it as Avro: {exc}", row=index + 1, format="avro") from None
        self.writer.flush()

    def close(self) -> Schema | None:
        if self.writer is not None:
            self.writer.flush()
        self.file.close()
        return self.schema


WRITERS: dict[str, Callable[[Path, list[str], str, dict], Any]] = {
    "parquet": _ParquetWriter,
    "csv": lambda path, losses, compression, options: _RowsWriter(path, losses, "csv"),
    "jsonl": lambda path, losses, compression, options: _RowsWriter(path, losses, "jsonl"),
    "avro": _AvroWriter,
}


def tqdm_progress(total_label: str) -> tuple[Progress, Callable[[], None]]:
    """A progress bar on standard error (only drawn on a terminal) and its closer."""
    import sys

    from tqdm import tqdm

    bar = tqdm(total=0, unit="B", unit_scale=True, desc=total_label, disable=not sys.stderr.isatty(), leave=False)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(max(0, done - bar.n))

    return update, bar.close


__all__ = ["BadRow", "FileConversion", "convert_file"]
