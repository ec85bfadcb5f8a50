"""Apache Parquet with pyarrow.

Everything but the rows comes from the footer: the schema (Parquet's message
type and the Arrow schema), the layout (row groups, column chunks, encodings,
compression, sizes, statistics) and the byte spans, which are drawn from the
chunk offsets the footer records, without reading a page. The rows are read
only when ``value`` or ``table`` is asked for, after the footer's declared
uncompressed size has been checked against the limit (a decompression bomb is
refused before anything is inflated).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from formatlens.codecs.base import SchemaCodec, Sniff
from formatlens.convert.infer import coerce, for_parquet, infer_records, to_arrow_schema, to_rows
from formatlens.convert.schema_tree import arrow_tree
from formatlens.core.document import Document, Finding, Schema, Span, Traits
from formatlens.core.limits import current

MAGIC = b"PAR1"
ENCRYPTED_MAGIC = b"PARE"  # Parquet Modular Encryption with an encrypted footer
COMPRESSIONS = ("none", "snappy", "gzip", "zstd", "brotli", "lz4")


class ParquetCodec(SchemaCodec):
    name = "parquet"
    title = "Apache Parquet"
    media_type = "application/vnd.apache.parquet"
    extensions = (".parquet", ".pq")
    traits = Traits(textual=False, schema_based=True, shape="tabular", orientation="column", portable=True)
    library = "pyarrow"
    summary = "Columnar, compressed files for analytics: read only the columns and row groups you need."
    snippet = (
        "import pyarrow as pa, pyarrow.parquet as pq\n"
        'pq.write_table(pa.Table.from_pylist(users), "users.parquet")\n'
        'table = pq.read_table("users.parquet", columns=["id", "name"])'
    )
    sample = "users.parquet"
    holds = frozenset(
        {"null", "bool", "number", "nonfinite", "bytes", "datetime", "date", "time", "timedelta", "decimal"}
    )

    # pyarrow's errors for a corrupt file: ArrowInvalid (bad Thrift, bad pages), ArrowIOError (short
    # reads) and ArrowNotImplementedError (an encoding or compression this build cannot read).
    bad_input = (pa.ArrowInvalid, pa.ArrowIOError, pa.ArrowNotImplementedError, UnicodeDecodeError)
    bad_value = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError)
    choices = {"compression": ("snappy", "none", "gzip", "zstd", "brotli", "lz4")}

    def sniff(self, data: bytes) -> Sniff:
        if data.startswith(ENCRYPTED_MAGIC):
            return Sniff(0.9, "magic bytes PARE (an encrypted Parquet file)")
        if data.startswith(MAGIC):
            if data.endswith(MAGIC) and len(data) >= 12:
                return Sniff(0.99, "magic bytes PAR1 at the start and the end")
            return Sniff(0.6, "magic bytes PAR1 at the start, but not at the end (cut short?)")
        return Sniff(0.0, "no PAR1 magic")

    def decode(self, data: bytes, *, columns: list[str] | None = None, filters: Any = None) -> Document:
        if data.startswith(ENCRYPTED_MAGIC):
            raise self.error(
                "the file is encrypted (Parquet Modular Encryption, magic PARE)",
                offset=0,
                hint="formatlens has no keys to decrypt it; its footer and pages are ciphertext",
            )
        footer = read_footer(pa.BufferReader(data))

        def read_table() -> pa.Table:
            current().check(
                "max_decompressed_bytes",
                footer.declared,
                what=f"the uncompressed size the footer declares ({footer.declared:,} bytes)",
            )
            try:
                if filters is None:  # no pushdown: ParquetFile skips the dataset machinery (15x on small files)
                    threads = len(data) > 8 << 20  # a thread pool costs more than it saves on small files
                    return pq.ParquetFile(pa.BufferReader(data)).read(columns=columns, use_threads=threads)
                return pq.read_table(pa.BufferReader(data), columns=columns, filters=filters)
            except self.bad_input as exc:
                raise self.error(f"cannot read the rows: {exc}", hint="a page or its encoding is corrupt") from None

        document: Document = self.document(
            data,
            value_factory=lambda: table_to_records(document.table, document.findings),
            table_factory=read_table,
            spans_factory=footer.spans,
            schema=footer.schema,
            details=footer.details,
        )
        return document

    def reshape(self, value: Any, losses: list[str]) -> Any:
        rows, row_losses = to_rows(value)
        losses.extend(f"Parquet holds a table: {loss}" for loss in row_losses)
        return rows

    def encode_with_schema(  # type: ignore[override]  # its own keyword-only options
        self,
        value: Any,
        *,
        compression: str = "snappy",
        row_group_size: int | None = None,
        use_dictionary: bool = True,
        schema: Any = None,
    ) -> tuple[bytes, Schema]:
        if compression not in COMPRESSIONS:
            raise self.error(f"unknown compression {compression!r}", hint="one of " + ", ".join(COMPRESSIONS))
        if isinstance(value, pa.Table):  # a table as read (same-format conversion): its schema exactly
            sink = pa.BufferOutputStream()
            pq.write_table(
                value, sink, compression=compression, row_group_size=row_group_size, use_dictionary=use_dictionary
            )
            return sink.getvalue().to_pybytes(), Schema("arrow", value.schema.to_string(), {"inferred": False})
        rows, inference, _losses = infer_records(value)
        node = for_parquet(inference.type, inference.notes)
        if not node.fields:
            raise self.error(
                "a Parquet table needs at least one column: the records have no fields",
                hint="records with no fields hold nothing Parquet can write",
            )
        arrow_schema = schema if isinstance(schema, pa.Schema) else to_arrow_schema(node)
        table = pa.Table.from_pylist([coerce(row, node) for row in rows], schema=arrow_schema)
        sink = pa.BufferOutputStream()
        pq.write_table(
            table, sink, compression=compression, row_group_size=row_group_size, use_dictionary=use_dictionary
        )
        shown = Schema(
            "arrow", arrow_schema.to_string(), {"inferred": not isinstance(schema, pa.Schema), "notes": inference.notes}
        )
        return sink.getvalue().to_pybytes(), shown


@dataclass
class Footer:
    """What a Parquet file's footer says: everything but the rows."""

    metadata: pq.FileMetaData
    schema: Schema
    details: dict
    declared: int
    """The uncompressed size of all column chunks, as declared (checked before any page is read)."""
    size: int
    footer_start: int
    footer_length: int

    def spans(self) -> list[Span]:
        return _spans(self.size, self.metadata, self.footer_start, self.footer_length)


def read_footer(source: Any) -> Footer:
    """Read a Parquet file's footer from a seekable source (pyarrow file, Python file, or path) and no page.

    This is all the schema, layout and hexdump views need, whatever the file's size.
    """
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        source = pa.OSFile(str(source))
    size = source.seek(0, 2)
    if size < 12:
        raise codec.error("not a Parquet file: too short", offset=0)
    source.seek(0)
    head = source.read(4)
    source.seek(size - 8)
    tail = source.read(8)
    if head == ENCRYPTED_MAGIC:
        raise codec.error(
            "the file is encrypted (Parquet Modular Encryption, magic PARE)",
            offset=0,
            hint="formatlens has no keys to decrypt it; its footer is ciphertext",
        )
    if head != MAGIC or tail[4:] != MAGIC:
        raise codec.error(
            "not a Parquet file: it must start and end with PAR1",
            offset=0 if head != MAGIC else size - 4,
            hint="the file may be truncated",
        )
    (footer_length,) = struct.unpack("<i", tail[:4])
    footer_start = size - 8 - footer_length
    if footer_length <= 0 or footer_start < 4:
        raise codec.error(f"footer length {footer_length} does not fit the file", offset=size - 8)
    source.seek(0)
    try:
        parquet_file = pq.ParquetFile(source)
        metadata = parquet_file.metadata
        parquet_schema = parquet_file.schema
        arrow_schema = parquet_file.schema_arrow
    except ParquetCodec.bad_input as exc:
        encrypted = "encrypt" in str(exc).lower()
        raise codec.error(
            f"cannot read the footer: {exc}",
            offset=footer_start,
            hint="the file is encrypted (Parquet Modular Encryption); formatlens has no keys to read it"
            if encrypted
            else "the Thrift footer is corrupt",
        ) from None
    layout = _layout(metadata, footer_start)
    declared = sum(chunk["uncompressed"] for group in layout["row_groups"] for chunk in group["columns"])
    schema = Schema(
        "parquet",
        _message_type(parquet_schema),
        {
            "fields": arrow_tree(arrow_schema),
            "arrow_schema": arrow_schema.to_string(show_schema_metadata=False),
            **layout,
        },
    )
    details = {
        "rows": metadata.num_rows,
        "columns": metadata.num_columns,
        "row_groups": metadata.num_row_groups,
        "created_by": metadata.created_by,
        "format_version": metadata.format_version,
        "uncompressed_bytes": declared,
    }
    return Footer(metadata, schema, details, declared, size, footer_start, footer_length)


def _message_type(schema: pq.ParquetSchema) -> str:
    """Parquet's own schema text (its message type), without pyarrow's object header line."""
    lines = str(schema).strip().splitlines()
    return "\n".join(line for line in lines if not line.startswith("<pyarrow"))


def table_to_records(table: pa.Table, findings: list[Finding]) -> list[dict]:
    """Rows as dicts; columns with dates beyond Python's range show their raw integers instead."""
    try:
        return table.to_pylist()
    except (OverflowError, ValueError):
        pass
    columns = []
    for name, column in zip(table.column_names, table.columns):
        try:
            columns.append(column.to_pylist())
        except (OverflowError, ValueError):
            columns.append(column.cast(_without_temporal(column.type)).to_pylist())
            findings.append(
                Finding(
                    "warning",
                    f"column {name!r} holds dates or times outside Python's range: shown as their stored integers",
                    code="parquet.temporal-range",
                    subject=name,
                )
            )
    return [dict(zip(table.column_names, row)) for row in zip(*columns)]


def _without_temporal(arrow_type: pa.DataType) -> pa.DataType:
    if pa.types.is_date32(arrow_type) or pa.types.is_time32(arrow_type):
        return pa.int32()
    if pa.types.is_temporal(arrow_type):
        return pa.int64()
    if pa.types.is_struct(arrow_type):
        return pa.struct([f.with_type(_without_temporal(f.type)) for f in arrow_type])
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return pa.list_(arrow_type.value_field.with_type(_without_temporal(arrow_type.value_type)))
    if pa.types.is_map(arrow_type):
        return pa.map_(arrow_type.key_type, _without_temporal(arrow_type.item_type))
    return arrow_type


def _layout(metadata: pq.FileMetaData, footer_start: int) -> dict:
    """Row groups and column chunks as the footer records them."""
    groups = []
    columns = metadata.schema
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        chunks = []
        if group.num_columns != len(columns):
            raise codec.error(
                f"row group {g} has {group.num_columns} column chunks, the schema {len(columns)} columns",
                offset=footer_start,
                hint="the Thrift footer is corrupt",
            )
        for c in range(group.num_columns):
            chunk = group.column(c)
            # pyarrow aborts the whole process (an uncaught C++ exception) when it reads the statistics
            # of a chunk whose physical type differs from its column's: refuse such a footer first.
            if chunk.physical_type != columns.column(c).physical_type:
                raise codec.error(
                    f"column chunk {chunk.path_in_schema!r} of row group {g} is stored as {chunk.physical_type}, "
                    f"but the schema declares {columns.column(c).physical_type}",
                    offset=footer_start,
                    hint="the Thrift footer is corrupt",
                )
            stats = chunk.statistics if chunk.is_stats_set else None
            chunks.append(
                {
                    "path": chunk.path_in_schema,
                    "physical_type": chunk.physical_type,
                    "logical_type": str(stats.logical_type) if stats is not None else None,
                    "encodings": list(chunk.encodings),
                    "compression": chunk.compression,
                    "compressed": chunk.total_compressed_size,
                    "uncompressed": chunk.total_uncompressed_size,
                    "values": chunk.num_values,
                    "min": _stat(stats, "min"),
                    "max": _stat(stats, "max"),
                    "null_count": stats.null_count if stats is not None else None,
                    "dictionary_page_offset": chunk.dictionary_page_offset,
                    "data_page_offset": chunk.data_page_offset,
                    "has_dictionary_page": chunk.has_dictionary_page,
                    "has_column_index": chunk.has_column_index,
                    "has_offset_index": chunk.has_offset_index,
                    "bloom_filter_offset": chunk.bloom_filter_offset,
                }
            )
        groups.append({"rows": group.num_rows, "bytes": group.total_byte_size, "columns": chunks})
    key_value = {
        k.decode("utf-8", "replace"): v.decode("utf-8", "replace")[:2000] for k, v in (metadata.metadata or {}).items()
    }
    return {"row_groups": groups, "key_value_metadata": key_value, "num_rows": metadata.num_rows}


def _stat(stats: Any, name: str) -> Any:
    """A chunk's min or max as its logical type, else its raw bytes: a writer may store statistics
    that have no Python form (a string column's bound that is not UTF-8, a type pyarrow cannot box)."""
    if stats is None or not stats.has_min_max:
        return None
    try:
        return getattr(stats, name)
    except (pa.ArrowException, ValueError, OverflowError):
        return getattr(stats, f"{name}_raw")


def _spans(size: int, metadata: pq.FileMetaData, footer_start: int, footer_length: int) -> list[Span]:
    # A column chunk holds one column of many rows, so its spans point at no single place in the value.
    spans = [Span(0, 4, "magic", "PAR1 magic")]
    chunks_end = 4
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        children = []
        for c in range(group.num_columns):
            chunk = group.column(c)
            data_page = chunk.data_page_offset
            dictionary = chunk.dictionary_page_offset if chunk.has_dictionary_page else None
            start = dictionary if dictionary is not None and 0 < dictionary < data_page else data_page
            end = min(start + chunk.total_compressed_size, footer_start)
            if not 4 <= start < end:
                continue  # offsets a writer got wrong: leave those bytes unannotated
            name = chunk.path_in_schema
            pages = []
            if start < data_page < end:
                pages.append(Span(start, data_page, "compressed", f"{name}: dictionary page"))
            pages.append(
                Span(
                    max(start, data_page),
                    end,
                    "compressed",
                    f"{name}: data pages ({chunk.compression}, {', '.join(chunk.encodings)})",
                    (),
                )
            )
            children.append(
                Span(
                    start,
                    end,
                    "value",
                    f"column chunk {name}: {chunk.total_compressed_size:,} bytes "
                    f"({chunk.total_uncompressed_size:,} uncompressed)",
                    (),
                    tuple(pages),
                )
            )
        children.sort(key=lambda s: s.start)
        children = [s for i, s in enumerate(children) if i == 0 or s.start >= children[i - 1].end]
        if children:
            spans.append(
                Span(
                    children[0].start,
                    children[-1].end,
                    "value",
                    f"row group {g}: {group.num_rows:,} rows",
                    (),
                    tuple(children),
                )
            )
            chunks_end = max(chunks_end, children[-1].end)
    spans = [s for i, s in enumerate(spans) if i == 0 or s.start >= spans[i - 1].end]
    if footer_start > chunks_end:
        chunks = [
            metadata.row_group(g).column(c) for g in range(metadata.num_row_groups) for c in range(metadata.num_columns)
        ]
        indexed = any(c.has_column_index or c.has_offset_index or c.bloom_filter_offset for c in chunks)
        label = "page indexes and bloom filters" if indexed else "bytes between the column chunks and the footer"
        spans.append(Span(chunks_end, footer_start, "metadata", label))
    spans += [
        Span(footer_start, size - 8, "footer", f"footer: Thrift FileMetaData, {footer_length:,} bytes"),
        Span(size - 8, size - 4, "length", f"footer length {footer_length:,}"),
        Span(size - 4, size, "magic", "PAR1 magic"),
    ]
    return spans


codec = ParquetCodec()
