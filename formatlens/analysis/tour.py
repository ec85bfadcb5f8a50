"""The data behind the Tour's live views, built from the shipped samples (no Streamlit here).

Each function answers one step of the seed tutorial's story with real bytes:
sizes of the same users in every format, one record as text and as binary,
protobuf with and without its schema, a Parquet file's layout on its bytes,
what a conversion loses, and a dangerous pickle next to a signed safe one.
"""

from __future__ import annotations

import difflib
import gzip
import json
from dataclasses import dataclass

from backports import zstd

from formatlens.analysis import pickle_lab
from formatlens.analysis.diff import diff
from formatlens.analysis.samples import read_sample, schema_for
from formatlens.convert.adapt import to_jsonable
from formatlens.core import registry
from formatlens.core.api import convert, convert_value, load
from formatlens.core.document import Document, Span
from formatlens.core.errors import FormatError
from formatlens.render.hexdump import span_for_path


def users_value() -> list[dict]:
    """The tutorial's 100 users, as the users.json sample holds them."""
    return load(read_sample("users.json"), "json").value


def sizes_in_every_format(value: object) -> list[dict]:
    """Rows (format, encoding, bytes): raw, gzip and zstd for each format that can hold the value."""
    rows = []
    for codec in registry.available():
        try:
            data = convert_value(value, codec.name).data
        except FormatError:
            continue  # a format that cannot hold the data has no bar
        for encoding, size in (
            ("raw", len(data)),
            ("gzip", len(gzip.compress(data, compresslevel=6, mtime=0))),
            ("zstd", len(zstd.compress(data))),
        ):
            rows.append({"format": codec.name, "encoding": encoding, "bytes": size})
    return rows


@dataclass(frozen=True)
class Written:
    """One value written in one format, decoded back so its bytes carry spans."""

    format: str
    data: bytes
    document: Document
    field: Span | None
    """The span of the highlighted field in these bytes."""


def one_record(fields: tuple[str, ...] = ("email",), formats: tuple[str, ...] = ("json", "msgpack")) -> list[Written]:
    """The first user written in each format, with the span of ``fields`` (a path) in its bytes."""
    record = users_value()[0]
    out = []
    for name in formats:
        data = convert_value(record, name).data
        document = load(data, name)
        out.append(Written(name, data, document, span_for_path(document.spans, fields)))
    return out


@dataclass(frozen=True)
class SchemaPair:
    data: bytes
    without: Document
    with_schema: Document
    proto: str
    field: Span | None
    """The first record's email field, as the schemaless decoder marks it (field 3)."""


def protobuf_with_and_without_schema(sample: str = "users.pb") -> SchemaPair:
    data = read_sample(sample)
    proto = schema_for(sample) or ""
    without = load(data, "protobuf")
    with_schema = load(data, "protobuf", schema=proto)
    return SchemaPair(data, without, with_schema, proto, span_for_path(without.spans, ("1", 0, "3")))


def first_record_keys(value: object) -> object:
    """The first record of a decoded protobuf message (its single repeated field), for a side-by-side view."""
    if isinstance(value, dict) and len(value) == 1:
        (items,) = value.values()
        if isinstance(items, list) and items:
            return items[0]
    return value


STRUCTURE = "(structure)"
"""Bytes that belong to no field: magic, headers, type bytes, footers."""


def parquet_layout(document: Document) -> list[dict]:
    """Each region of a Parquet file, in byte order: magic, each column chunk of each row group, footer.

    A column chunk's ``field`` is its column; everything else is STRUCTURE.
    """
    regions = []
    for span in document.spans:
        if span.children and span.label.startswith("row group"):
            group = span.label.split(":", 1)[0]
            for child in span.children:
                column = child.label.removeprefix("column chunk ").split(":", 1)[0]
                regions.append(_region(child, f"{group}: {child.label}", "column chunk", column))
        else:
            regions.append(_region(span, span.label, span.kind, STRUCTURE))
    return regions


def record_layout(document: Document) -> list[dict]:
    """A row format's bytes by field: each record's fields one after another (keys count with their field).

    Works on any codec whose spans carry (row, field) paths, such as MessagePack, CBOR or BSON.
    """
    regions: list[dict] = []

    def add(start: int, end: int, field: str) -> None:
        if regions and regions[-1]["field"] == field and regions[-1]["end"] == start:
            regions[-1]["end"] = end
            regions[-1]["bytes"] = end - regions[-1]["start"]
        else:
            regions.append({"start": start, "end": end, "bytes": end - start, "region": field, "field": field})

    def walk(spans: tuple[Span, ...] | list[Span], covered_to: int) -> int:
        for span in spans:
            if span.start > covered_to:
                add(covered_to, span.start, STRUCTURE)
            if len(span.path) == 2:
                add(max(span.start, covered_to), span.end, str(span.path[1]))
                covered_to = max(covered_to, span.end)
            elif span.children:
                covered_to = walk(span.children, max(covered_to, span.start))
                if span.end > covered_to:
                    add(covered_to, span.end, STRUCTURE)
                    covered_to = span.end
            else:
                add(max(span.start, covered_to), span.end, STRUCTURE)
                covered_to = max(covered_to, span.end)
        return covered_to

    end = walk(document.spans, 0)
    if end < len(document.data):
        add(end, len(document.data), STRUCTURE)
    return regions


def _region(span: Span, label: str, kind: str, field: str) -> dict:
    return {
        "start": span.start,
        "end": span.end,
        "bytes": span.end - span.start,
        "region": label,
        "kind": kind,
        "field": field,
    }


@dataclass(frozen=True)
class Loss:
    source: str
    target: str
    losses: list[str]
    """What the conversion said it did, one sentence each."""
    changes: list[dict]
    """fl.diff's strict changes in the first record: field, kind, before, after."""
    per_field: dict[str, int]
    """How many values of each field changed, over every record."""
    total: int
    equal_by_meaning: bool
    """fl.diff's default: 1 equals "1", a datetime its ISO string."""
    diff: list[str]
    """A unified diff of the first record before and after, as typed JSON text."""


def conversion_loss(sample: str = "users.pickle", target: str = "csv") -> Loss:
    """Convert a sample, and compare it with the result using fl.diff: strictly, and by meaning."""
    data = read_sample(sample)
    conversion = convert(data, target)
    strict = diff(data, conversion.data, format_b=target, strict=True)
    first = [c for c in strict.changes if c.path[:1] == (0,)]
    changes = [
        {
            "field": "/".join(str(p) for p in c.path[1:]),
            "kind": c.kind,
            "before": _typed_text(c.old),
            "after": _typed_text(c.new),
        }
        for c in first
    ]
    per_field: dict[str, int] = {}
    for change in strict.changes:
        name = str(change.path[-1])
        per_field[name] = per_field.get(name, 0) + 1
    by_meaning = diff(strict.a, strict.b).equal
    before, after = strict.a.value, strict.b.value
    if isinstance(before, list) and isinstance(after, list):
        before, after = before[:1], after[:1]
    text = list(
        difflib.unified_diff(
            _pretty(before).splitlines(), _pretty(after).splitlines(), f"{sample}", f"as {target}", lineterm="", n=1
        )
    )
    return Loss(sample, target, conversion.losses, changes, per_field, len(strict.changes), by_meaning, text)


def _typed_text(value: object) -> str:
    return f"{to_jsonable(value)!r} ({type(value).__name__})"


def _pretty(value: object) -> str:
    """JSON text where a rich value keeps its type name, so a diff shows a datetime turning into a string."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=_typed)


def _typed(value: object) -> str:
    return f"<{type(value).__name__}> {to_jsonable(value)}"


DEMO_KEY = b"formatlens tour demo key"
"""The tour's HMAC key: public on purpose, it only shows how a signature is checked."""


@dataclass(frozen=True)
class PickleTwins:
    dangerous: bytes
    document: Document
    safe: bytes
    signed: bytes
    safe_verifies: bool
    dangerous_verifies: bool
    """Whether the dangerous payload, given the safe one's tag, passes the check (it must not)."""


def pickle_twins() -> PickleTwins:
    """The shell-command pickle read as data, and a safe pickle signed with HMAC-SHA256."""
    dangerous = read_sample("runs-shell-command.pickle")
    safe = read_sample("users.pickle")
    signed = pickle_lab.sign(safe, DEMO_KEY)
    forged = signed[: pickle_lab.TAG_SIZE] + dangerous  # the safe tag glued onto the dangerous bytes
    return PickleTwins(
        dangerous,
        load(dangerous, "pickle"),
        safe,
        signed,
        pickle_lab.verify(signed, DEMO_KEY)[0],
        pickle_lab.verify(forged, DEMO_KEY)[0],
    )


@dataclass(frozen=True)
class KafkaMessage:
    data: bytes
    schema: str
    schema_id: int
    document: Document
    """The message peeled by formatlens: its Confluent layer, then the Avro datum read with the schema."""
    without_schema: Document
    """The same bytes peeled without the schema: the layer is found, the datum stays unparsed."""


KAFKA_SCHEMA_ID = 42


def kafka_message() -> KafkaMessage:
    """The first user as a Kafka message value in Confluent's wire format: 0x00, schema id, Avro datum."""
    import io

    import fastavro

    record = users_value()[0]
    schema = convert_value(record, "avro").schema
    assert schema is not None  # Avro is schema-based: convert_value always reports its schema
    datum = io.BytesIO()
    fastavro.schemaless_writer(datum, fastavro.parse_schema(json.loads(schema.text)), record)
    data = b"\x00" + KAFKA_SCHEMA_ID.to_bytes(4, "big") + datum.getvalue()
    return KafkaMessage(data, schema.text, KAFKA_SCHEMA_ID, load(data, schema=schema.text), load(data))


def layer_rows(document: Document) -> list[dict]:
    """The document's layers, outermost first, then the format inside: what each is and where its bytes are."""
    rows = [
        {
            "layer": layer.kind,
            "bytes": f"{layer.start:,}–{layer.end:,}",
            "what it says": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in layer.details.items()),
        }
        for layer in document.layers
    ]
    inner = document.layers[-1].spans[-1].end if document.layers and document.layers[-1].spans else 0
    rows.append({"layer": document.format, "bytes": f"{inner:,}–{len(document.data):,}", "what it says": "the payload"})
    return rows
