"""Apache Avro with fastavro: object container files, schemaless datums and single-object encoding.

Spans come from a walk over the container that follows the spec: the magic,
the metadata map (each key and value), the sync marker, and each block (record
count, byte size, data, sync marker). The same walk checks every compressed
block's inflated size against the limit before fastavro reads any of it.
"""

from __future__ import annotations

import bz2
import io
import json
import lzma
import zlib
from collections.abc import Callable
from typing import Any

import cramjam
import fastavro
from backports import zstd
from fastavro.read import SchemaResolutionError
from fastavro.schema import SchemaParseException, UnknownType, fingerprint, parse_schema, to_parsing_canonical_form

from formatlens.codecs.base import SchemaCodec, Sniff
from formatlens.codecs.support.binwalk import ByteWalker, preview
from formatlens.convert.infer import coerce, infer_records, to_avro, to_rows
from formatlens.core.checkpoints import TOP
from formatlens.core.document import Document, Finding, Schema, Span, SpanKind, Traits
from formatlens.core.limits import current

MAGIC = b"Obj\x01"
SINGLE_OBJECT = b"\xc3\x01"
CODECS = ("null", "deflate", "snappy", "zstandard", "bzip2", "xz")
PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}


class _Container(ByteWalker):
    """Walks an object container file: header, then blocks; records counts and sizes on the way."""

    format = "avro"

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.metadata: dict[str, bytes] = {}
        self.sync = b""
        self.blocks: list[dict] = []
        self.records = 0
        """Records in the blocks walked so far."""
        self.end = len(data)
        """Where the last whole block ends: bytes after it too few to be a block are a stray tail."""

    def long(self, pos: int) -> tuple[int, int]:
        """Avro's long: a zigzag-encoded varint."""
        result, after = self.varint(pos, len(self.data))
        return (result >> 1) ^ -(result & 1), after

    def sized(self, pos: int, what: str) -> tuple[Span, Span, int]:
        length, start = self.long(pos)
        self.need(start, length, what)
        return (
            Span(pos, start, "length", f"length {length:,}"),
            Span(start, start + length, "value", what),
            start + length,
        )

    def items(self) -> list[Span]:
        if not self.data.startswith(MAGIC):
            raise self.fail("not an Avro container: it must start with Obj\\x01", 0)
        spans = [Span(0, 4, "magic", "magic Obj\\x01"), self.header(4)]
        pos = spans[-1].end
        self.sync = self.data[pos : pos + 16]
        self.need(pos, 16, "the sync marker")
        spans.append(Span(pos, pos + 16, "magic", f"sync marker {self.sync.hex()}"))
        pos += 16
        codec = self.codec
        index, marks = 0, self.checkpoints
        if marks is not None and self.window is not None:  # a far window: from the last checkpoint before it
            pos, (index, self.records) = marks.start(TOP, pos, (index, self.records), self.window[0])
        while pos < len(self.data):
            if self.window is not None and self.window.past(pos):
                break  # past a span window (blocks before it are cheap: their lengths are read, not their records)
            if marks is not None:
                marks.note(TOP, pos, (index, self.records))
            if len(self.data) - pos < 18 and index:  # count, size and a 16-byte sync cannot fit
                self.end = pos
                spans.append(
                    Span(pos, len(self.data), "padding", f"stray bytes after the last block ({len(self.data) - pos})")
                )
                break
            block = self.block(pos, index, codec)
            spans.append(block)
            pos = block.end
            index += 1
        return spans

    def unreadable_metadata(self) -> list[str]:
        """User metadata keys whose values are not UTF-8 (fastavro reads every value as text)."""
        out = []
        for key, value in self.metadata.items():
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                out.append(key)
        return out

    @property
    def codec(self) -> str:
        return self.metadata.get("avro.codec", b"null").decode("ascii", "replace") or "null"

    def uncompressed(self, spans: list[Span]) -> bytes:
        """The same container with every block inflated (codec null), refusing past the inflate limit.

        Inflating here, under the cap, and handing fastavro the result means each block is
        inflated once, and a deflate or zstd bomb stops at the limit instead of in memory.
        """
        codec = self.codec
        binary = [key for key in self.unreadable_metadata() if key not in ("avro.schema", "avro.codec")]
        if codec == "null" and not binary:
            return self.data[: self.end]
        budget = current().max_decompressed_bytes
        header = {k: v for k, v in self.metadata.items() if k not in binary} | {"avro.codec": b"null"}
        out = bytearray(MAGIC) + _long(len(header))
        for key, value in header.items():
            out += _long(len(key.encode())) + key.encode() + _long(len(value)) + value
        out += _long(0) + self.sync
        for block, info in zip((s for s in spans if s.label.startswith("block ")), self.blocks):
            data_span = block.children[2]
            raw = self.data[data_span.start : data_span.end]
            payload = raw if codec == "null" else self.inflate(raw, codec, budget, data_span.start)
            budget -= len(payload)
            out += _long(info["records"]) + _long(len(payload)) + payload + self.sync
        return bytes(out)

    def inflate(self, raw: bytes, codec: str, budget: int, offset: int) -> bytes:
        try:
            if codec == "deflate":
                inflater = zlib.decompressobj(-15)
                payload = inflater.decompress(raw, max(budget, 0) + 1)
            elif codec == "zstandard":
                payload = zstd.ZstdDecompressor().decompress(raw, max_length=max(budget, 0) + 1)
            elif codec == "snappy":  # 4 bytes of CRC-32 follow the snappy data
                declared = cramjam.snappy.decompress_raw_len(raw[:-4])
                if declared > budget:
                    payload = b"\0" * (budget + 1)  # what it would inflate to: over the budget
                else:
                    payload = bytes(cramjam.snappy.decompress_raw(raw[:-4]))
            elif codec == "bzip2":  # the specification's optional codecs, both in the standard library
                payload = bz2.BZ2Decompressor().decompress(raw, max_length=max(budget, 0) + 1)
            elif codec == "xz":
                payload = lzma.LZMADecompressor().decompress(raw, max_length=max(budget, 0) + 1)
            else:
                raise self.fail(f"unknown codec {codec!r}", 0)
        except (zlib.error, zstd.ZstdError, cramjam.DecompressionError, OSError, lzma.LZMAError, EOFError) as exc:
            raise self.fail(f"{codec} data is corrupt: {exc}", offset) from None
        if len(payload) > budget:
            current().check(
                "max_decompressed_bytes",
                current().max_decompressed_bytes + 1,
                what="the inflated size of the Avro blocks",
                offset=offset,
            )
        return payload

    def header(self, pos: int) -> Span:
        start, entries = pos, []
        while True:
            count, after = self.long(pos)
            entries.append(Span(pos, after, "length", f"{abs(count)} metadata entries" if count else "end of map"))
            pos = after
            if count == 0:
                break
            if count < 0:  # a negative count is followed by the block's byte size
                _size, pos = self.long(pos)
                count = -count
            for _ in range(count):
                key_length, key_value, after_key = self.sized(pos, "key")
                key = self.data[key_value.start : key_value.end].decode("utf-8", "replace")
                value_length, value_bytes, after_value = self.sized(after_key, "value")
                raw = self.data[value_bytes.start : value_bytes.end]
                self.metadata[key] = raw
                entries.append(
                    Span(
                        pos,
                        after_value,
                        "entry",
                        f"{key}: {preview(raw.decode('utf-8', 'replace'))}",
                        (),
                        (
                            Span(pos, after_key, "key", f"key {key!r}", (), (key_length, key_value)),
                            Span(after_key, after_value, "value", f"value of {key}", (), (value_length, value_bytes)),
                        ),
                    )
                )
                pos = after_value
        return Span(start, pos, "metadata", "header metadata map", (), tuple(entries))

    def block(self, pos: int, index: int, codec: str) -> Span:
        count, after_count = self.long(pos)
        size, after_size = self.long(after_count)
        if count < 0 or size < 0:
            raise self.fail(f"block {index} has a negative count or size", pos)
        self.need(after_size, size + 16, f"block {index} with its sync marker")
        data_end = after_size + size
        marker = self.data[data_end : data_end + 16]
        if marker != self.sync:
            raise self.fail(f"block {index}: sync marker does not match the header's", data_end)
        self.blocks.append({"offset": pos, "records": count, "bytes": size})
        first_record = self.records  # a running total: summing the blocks before each one was quadratic
        self.records += count
        kind: SpanKind = "value" if codec == "null" else "compressed"
        return Span(
            pos,
            data_end + 16,
            "value",
            f"block {index}: {count:,} records, {size:,} bytes",
            (),
            (
                Span(pos, after_count, "length", f"record count {count:,}"),
                Span(after_count, after_size, "length", f"byte size {size:,}"),
                Span(
                    after_size,
                    data_end,
                    kind,
                    f"records {first_record:,}-{first_record + count - 1:,}"
                    + ("" if codec == "null" else f" ({codec})"),
                    (first_record,) if count else (),  # an empty block's data stands for no record
                ),
                Span(data_end, data_end + 16, "magic", "sync marker"),
            ),
        )


def far_walk(data: bytes) -> tuple[Callable[[], list[Span]], Callable[[Span], Any]] | None:
    """A far window's walk of the container ``data`` without decoding its records (runtime.annotate): the
    header and the blocks' lengths walked (from a checkpoint, core.checkpoints), and a function that gives
    the value a block's data span stands for (its first record, as a decode's value holds it), read by
    fastavro from the header and that block's data alone. None when fastavro cannot read the header as it
    is (binary metadata: the decode sets those aside first)."""
    if not data.startswith(MAGIC):
        return None
    probe = _Container(data)
    header_end = probe.header(4).end + 16
    if [key for key in probe.unreadable_metadata() if key not in ("avro.schema", "avro.codec")]:
        return None
    header, sync = data[:header_end], data[header_end - 16 : header_end]

    def first_record(span: Span) -> Any:
        # the block's data as a block of one record: fastavro reads just that one (null codec: only its
        # data spans stand for a value; compressed ones are of kind "compressed")
        payload = data[span.start : span.end]
        block = _long(1) + _long(len(payload)) + payload + sync
        return next(iter(fastavro.reader(io.BytesIO(header + block))))

    return lambda: _Container(data).items(), first_record


def _long(value: int) -> bytes:
    """Avro's zigzag varint."""
    value = (value << 1) ^ (value >> 63)
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class AvroCodec(SchemaCodec):
    name = "avro"
    title = "Apache Avro"
    media_type = "application/avro"
    extensions = (".avro", ".avsc")
    aliases = ("avsc",)
    traits = Traits(textual=False, schema_based=True, shape="tabular", orientation="row", portable=True)
    library = "fastavro"
    summary = "Row-oriented binary records with the writer's schema in the file; Kafka and Hadoop pipelines."
    snippet = (
        "import fastavro, io\n"
        "out = io.BytesIO(); fastavro.writer(out, fastavro.parse_schema(schema), users)\n"
        "users = list(fastavro.reader(io.BytesIO(out.getvalue())))"
    )
    sample = "users.avro"
    holds = frozenset({"null", "bool", "number", "nonfinite", "bytes", "datetime", "date", "time", "decimal", "uuid"})

    # fastavro has no error class of its own for bad bytes: a corrupt block or a datum that does not
    # match its schema surfaces as one of these, raised by the reader.
    bad_input = (
        EOFError,
        ValueError,
        IndexError,
        KeyError,
        OverflowError,
        UnicodeDecodeError,
        SchemaResolutionError,
        SchemaParseException,
        UnknownType,
    )  # SchemaParseException, UnknownType: the schema in the header is corrupt
    bad_value = (ValueError, TypeError, AttributeError, OverflowError)  # fastavro's writer on a value off-schema
    choices = {"codec": CODECS}

    def sniff(self, data: bytes) -> Sniff:
        if data.startswith(MAGIC):
            return Sniff(0.99, "magic bytes Obj\\x01 (an Avro object container file)")
        return Sniff(0.0, "no Avro container magic Obj\\x01")

    def decode(
        self, data: bytes, *, schema: str | bytes | None = None, reader_schema: str | bytes | None = None, **_: Any
    ) -> Document:
        if not data.startswith(MAGIC):
            if schema is None:
                raise self.error(
                    "not an Avro container file (no Obj\\x01 magic)",
                    offset=0,
                    hint="for schemaless datums or single-object encoding, supply the writer schema",
                )
            return self._schemaless(data, _parse(schema, "schema"))
        walker = _Container(data)
        uncompressed = walker.uncompressed(walker.items())
        reader = _parse(reader_schema, "reader schema") if reader_schema is not None else None
        try:
            container = fastavro.reader(io.BytesIO(uncompressed), reader_schema=reader)
            records = list(container)
        except AvroCodec.bad_input as exc:
            raise self.error(
                f"{type(exc).__name__}: {exc}",
                offset=walker.first_bad_offset(data),
                hint="the container's header or a block is corrupt",
            ) from None
        writer = container.writer_schema
        findings: list[Finding] = []
        if walker.end < len(data):
            stray = len(data) - walker.end
            findings.append(
                Finding(
                    "warning",
                    f"{stray} stray byte{'s' if stray > 1 else ''} after the last block (at byte {walker.end}): "
                    "too few to be a block, ignored",
                    Span(walker.end, len(data), "padding", "stray bytes"),
                    code="avro.trailing",
                    subject=str(stray),
                )
            )
        binary = [k for k in walker.unreadable_metadata() if k not in ("avro.schema", "avro.codec")]
        if binary:
            findings.append(
                Finding(
                    "info",
                    "metadata " + ", ".join(repr(k) for k in binary) + " holds binary values (shown as hex): "
                    "set aside so the records can be read (fastavro reads metadata as text)",
                    code="avro.binary-metadata",
                    subject=", ".join(binary),
                )
            )
        details: dict[str, Any] = {
            "codec": walker.codec,
            "sync_marker": walker.sync.hex(),
            "metadata": {
                k: v.hex() if k in binary else v.decode("utf-8", "replace")
                for k, v in walker.metadata.items()
                if k != "avro.schema"
            },
            "blocks": walker.blocks,
            "records": len(records),
        }
        if reader is not None:
            details["evolution"] = evolution(writer, container.reader_schema or reader)
            findings += [
                Finding(
                    "info",
                    f"reader schema: field {c['field']!r} {c['change']}",
                    code="avro.evolution",
                    subject=c["field"],
                )
                for c in details["evolution"]
                if c["change"] != "unchanged"
            ]
        return self.document(
            data,
            value=records,
            findings=findings,
            details=details,
            schema=_schema(writer, details),
            spans_factory=lambda: _Container(data).items(),
            table_factory=lambda: _table(records),
        )

    def _schemaless(self, data: bytes, writer: Any) -> Document:
        body, findings, offset = data, [], 0
        if data.startswith(SINGLE_OBJECT):
            declared = data[2:10]
            expected = bytes.fromhex(fingerprint(to_parsing_canonical_form(writer), "CRC-64-AVRO"))
            if declared not in (expected, expected[::-1]):
                raise self.error(
                    f"single-object fingerprint {declared.hex()} is not the schema's ({expected.hex()})",
                    offset=2,
                    hint="the data was written with another schema",
                )
            body, offset = data[10:], 10
            findings.append(
                Finding(
                    "info",
                    f"single-object encoding, schema fingerprint {declared.hex()}",
                    code="avro.single-object",
                    subject=declared.hex(),
                )
            )
        stream = io.BytesIO(body)
        datums = []
        try:
            while stream.tell() < len(body):
                datums.append(fastavro.schemaless_reader(stream, writer))
        except AvroCodec.bad_input as exc:
            raise self.error(
                f"{type(exc).__name__}: {exc}", offset=offset + stream.tell(), hint="the schema does not match the data"
            ) from None
        value = datums[0] if len(datums) == 1 else datums
        spans = (
            [Span(0, 2, "magic", "single-object marker C3 01"), Span(2, 10, "header", "schema fingerprint")]
            if offset
            else []
        )
        spans.append(Span(offset, len(data), "value", f"{len(datums)} datum(s)"))
        return self.document(
            data,
            value=value,
            findings=findings,
            schema=_schema(writer, {"schemaless": True}),
            spans_factory=lambda: spans,
            details={"datums": len(datums)},
        )

    def reshape(self, value: Any, losses: list[str]) -> Any:
        rows, row_losses = to_rows(value)
        losses.extend(f"Avro container holds records: {loss}" for loss in row_losses)
        return rows

    def encode_with_schema(  # type: ignore[override]  # its own keyword-only options
        self,
        value: Any,
        *,
        schema: str | bytes | dict | None = None,
        codec: str = "null",
        sync_marker: bytes | None = None,
        schemaless: bool = False,
    ) -> tuple[bytes, Schema]:
        if codec == "zstd":
            codec = "zstandard"
        if codec not in CODECS:
            raise self.error(f"unknown Avro codec {codec!r}", hint="one of " + ", ".join(CODECS))
        if schemaless and schema is not None:  # bare datums, as a schemaless source was written
            written = _parse(schema, "schema")
            out = io.BytesIO()
            array = isinstance(written, dict) and written.get("type") == "array"
            for datum in value if isinstance(value, list) and not array else [value]:
                fastavro.schemaless_writer(out, written, datum)
            return out.getvalue(), Schema("avro", json.dumps(written, indent=2), {"inferred": False})
        rows, inference, _losses = infer_records(value)
        if schema is None:
            written = to_avro(inference.type, "Record")
            shown = Schema("avro", json.dumps(written, indent=2), {"inferred": True, "notes": inference.notes})
            rows = [coerce(row, inference.type) for row in rows]
        else:
            written = _parse(schema, "schema")
            shown = Schema("avro", json.dumps(written, indent=2), {"inferred": False})
        out = io.BytesIO()
        # The sync marker is random unless given (the spec's advice); give one for byte-identical files.
        fastavro.writer(out, parse_schema(written), rows, codec=codec, sync_marker=sync_marker or b"")  # b"": random
        return out.getvalue(), shown


def _parse(schema: Any, what: str) -> Any:
    try:
        text = schema.decode("utf-8") if isinstance(schema, bytes) else schema
        return parse_schema(json.loads(text) if isinstance(text, str) else text)
    # fastavro's parse_schema reports a malformed schema with these (and plain Python errors on odd JSON).
    except (SchemaParseException, UnknownType, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise codec.error(
            f"the {what} is not a valid Avro schema: {exc}", hint="give the schema as Avro JSON (.avsc)"
        ) from None


def _schema(writer: Any, details: dict) -> Schema:
    fields = (
        [{"name": f["name"], "type": _type_name(f["type"])} for f in writer.get("fields", [])]
        if isinstance(writer, dict)
        else []
    )
    return Schema("avro", json.dumps(writer, indent=2), {"fields": fields, **details})


def _type_name(avro_type: Any) -> str:
    if isinstance(avro_type, list):
        return " | ".join(_type_name(t) for t in avro_type)
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        base = avro_type.get("name") if avro_type.get("type") in ("record", "enum", "fixed") else avro_type.get("type")
        if avro_type.get("type") == "array":
            base = f"array<{_type_name(avro_type.get('items'))}>"
        elif avro_type.get("type") == "map":
            base = f"map<{_type_name(avro_type.get('values'))}>"
        return f"{base} ({logical})" if logical else str(base)
    return str(avro_type)


def _table(records: list[Any]):
    import pyarrow as pa

    return pa.Table.from_pylist(records)


def evolution(writer: Any, reader: Any) -> list[dict]:
    """Field by field, how the reader schema sees the writer's records."""
    writer_fields = {f["name"]: f for f in writer.get("fields", [])} if isinstance(writer, dict) else {}
    reader_fields = {f["name"]: f for f in reader.get("fields", [])} if isinstance(reader, dict) else {}
    changes = []
    for name, field in reader_fields.items():
        source = writer_fields.get(name) or next(
            (writer_fields[a] for a in field.get("aliases", []) if a in writer_fields), None
        )
        if source is None:
            change = (
                "defaulted (added in the reader schema)"
                if "default" in field
                else "added without a default: incompatible"
            )
            changes.append({"field": name, "change": change, "writer": None, "reader": _type_name(field["type"])})
            continue
        w, r = _type_name(source["type"]), _type_name(field["type"])
        if w == r:
            change = "unchanged" if source["name"] == name else f"renamed from {source['name']!r}"
        elif (w, r) in PROMOTIONS:
            change = f"promoted from {w} to {r}"
        else:
            change = f"type changed from {w} to {r}"
        changes.append({"field": name, "change": change, "writer": w, "reader": r})
    for name, field in writer_fields.items():
        if name not in reader_fields and not any(name in f.get("aliases", []) for f in reader_fields.values()):
            changes.append(
                {
                    "field": name,
                    "change": "dropped (not in the reader schema)",
                    "writer": _type_name(field["type"]),
                    "reader": None,
                }
            )
    return changes


codec = AvroCodec()
