"""Schema diff and compatibility: is the new schema able to read the old data, and the old schema the new?

- Avro: the specification's schema-resolution rules, checked by Apache Avro's
  own ReaderWriterCompatibilityChecker (promotions int -> long -> float ->
  double, string <-> bytes, reader defaults, field and type aliases, enum
  symbols, union branches). BACKWARD: the new schema reads data written with
  the old; FORWARD: the old reads the new; FULL: both.
- Protocol Buffers: buf's wire rules that matter most: a field number reused
  for another field or given a wire-incompatible type, a field removed without
  ``reserved``, a reserved number taken, an enum value removed, a message removed.
  Any of these breaks both directions (old and new readers disagree on the bytes).
- Parquet / Arrow: columns added, removed, retyped (widening int32 -> int64 and
  float -> double is safe), nullability changed; nested struct fields by path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from formatlens.core.document import Document
from formatlens.core.errors import FormatError

Direction = Literal["backward", "forward", "both"]


@dataclass(frozen=True, slots=True)
class Breaking:
    """One change that breaks reading in ``direction``, where it is, and why."""

    direction: Direction
    path: str
    message: str


@dataclass(frozen=True)
class SchemaComparison:
    """The verdict and the field-by-field changes between an old (a) and a new (b) schema."""

    kind: str
    """"avro", "proto" or "arrow"."""
    backward: bool
    forward: bool
    breaking: list[Breaking] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    """{"path", "change", "old", "new"} for every difference, breaking or not."""

    @property
    def full(self) -> bool:
        return self.backward and self.forward

    @property
    def verdict(self) -> str:
        """FULL, BACKWARD, FORWARD or NONE (Confluent's names for the same rules)."""
        if self.full:
            return "FULL"
        return "BACKWARD" if self.backward else "FORWARD" if self.forward else "NONE"

    @property
    def first_breaking(self) -> Breaking | None:
        return self.breaking[0] if self.breaking else None


def compare_documents(a: Document, b: Document) -> SchemaComparison | None:
    """Compare the schemas two documents carry, when both have one of the same family."""
    schema_a, schema_b = a.schema, b.schema
    if schema_a is None or schema_b is None:
        return None
    if schema_a.kind == schema_b.kind == "avro":
        return avro_compatibility(schema_a.text, schema_b.text)
    if schema_a.kind == schema_b.kind == "proto":
        return proto_compatibility(schema_a.text, schema_b.text)
    tabular = ("parquet", "arrow")
    if schema_a.kind in tabular and schema_b.kind in tabular and a.table is not None and b.table is not None:
        return arrow_compatibility(a.table.schema, b.table.schema)
    return None


# -- Avro ---------------------------------------------------------------------------------------------

_AVRO_WHY = {
    "name_mismatch": "the named type's name differs (and no alias maps it)",
    "fixed_size_mismatch": "the fixed type's size differs",
    "missing_enum_symbols": "the reader's enum lacks symbols the writer may write",
    "reader_field_missing_default_value": "the reader has a field the writer lacks, without a default",
    "type_mismatch": "the types cannot be resolved (no promotion applies)",
    "missing_union_branch": "a union branch of the writer has no match in the reader",
}


def _parse_avro(text: str | dict) -> tuple[Any, Any]:
    import avro.errors
    import avro.schema

    try:
        raw = json.loads(text) if isinstance(text, (str, bytes)) else text
        return raw, avro.schema.parse(json.dumps(raw))
    except (ValueError, avro.errors.AvroException) as exc:  # JSONDecodeError is a ValueError
        raise FormatError(f"not a valid Avro schema: {exc}", format="avro") from None


def avro_compatibility(old: str | dict, new: str | dict) -> SchemaComparison:
    """BACKWARD / FORWARD / FULL between two Avro schemas, per the spec's resolution rules."""
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    from formatlens.codecs.avro import evolution

    raw_old, parsed_old = _parse_avro(old)
    raw_new, parsed_new = _parse_avro(new)
    checker = ReaderWriterCompatibilityChecker()
    breaking: list[Breaking] = []
    verdicts = {}
    directions: tuple[tuple[Direction, Any, Any, Any], ...] = (
        ("backward", parsed_new, parsed_old, raw_new),
        ("forward", parsed_old, parsed_new, raw_old),
    )
    for direction, reader, writer, raw_reader in directions:
        result = checker.get_compatibility(reader, writer)
        ok = result.compatibility is SchemaCompatibilityType.compatible
        verdicts[direction] = ok
        if not ok:
            locations = sorted(result.locations - {"/"}, key=_location_order) or ["/"]
            why = "; ".join(_AVRO_WHY.get(i.value, i.value) for i in dict.fromkeys(result.incompatibilities))
            detail = ", ".join(sorted(result.messages))
            who = (
                "the new schema cannot read old data"
                if direction == "backward"
                else "the old schema cannot read new data"
            )
            breaking.append(
                Breaking(
                    direction,
                    _avro_path(raw_reader, locations[0]),
                    f"{who}: {why}" + (f" ({detail})" if detail else ""),
                )
            )
    changes = [
        {"path": row["field"], "change": row["change"], "old": row["writer"], "new": row["reader"]}
        for row in evolution(raw_old, raw_new)
        if row["change"] != "unchanged"
    ]
    return SchemaComparison("avro", verdicts["backward"], verdicts["forward"], breaking, changes)


def _location_order(location: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in location.strip("/").split("/"))


def _avro_path(schema: Any, location: str) -> str:
    """'/fields/2/type' as a person reads it: 'User.email (type)'."""
    parts = [p for p in location.split("/") if p]
    names = [schema.get("name", "") if isinstance(schema, dict) else ""]
    node: Any = schema
    index = 0
    while index < len(parts):
        part = parts[index]
        if part == "fields" and index + 1 < len(parts) and isinstance(node, dict):
            fields = node.get("fields", [])
            position = int(parts[index + 1])
            node = fields[position] if position < len(fields) else {}
            names.append(node.get("name", "?"))
            index += 2
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        if part not in ("type",):
            names.append(f"({part})")
        index += 1
    return ".".join(n for n in names if n) or "(top)"


# -- Protocol Buffers -----------------------------------------------------------------------------------

# Types that share a wire encoding and read each other's values (the protobuf language guide's list).
_WIRE_GROUPS = [
    {"int32", "uint32", "int64", "uint64", "bool", "enum"},
    {"sint32", "sint64"},
    {"fixed32", "sfixed32"},
    {"fixed64", "sfixed64"},
    {"string", "bytes"},
    {"bytes", "message"},
]


def proto_compatibility(old: str, new: str) -> SchemaComparison:
    """Field numbers reused or retyped, fields removed without ``reserved``, enum values removed."""
    from formatlens.codecs.protobuf.codec import compile_proto

    before = _proto_shapes(compile_proto(old))
    after = _proto_shapes(compile_proto(new))
    breaking: list[Breaking] = []
    changes: list[dict] = []

    def flag(path: str, change: str, old_v: Any, new_v: Any, breaks: bool) -> None:
        changes.append({"path": path, "change": change, "old": old_v, "new": new_v})
        if breaks:
            breaking.append(Breaking("both", path, change))

    for name, shape in before["messages"].items():
        now = after["messages"].get(name)
        if now is None:
            flag(name, "message removed", name, None, True)
            continue
        for number, (fname, ftype, label, shown) in shape["fields"].items():
            path = f"{name}.{fname} = {number}"
            current = now["fields"].get(number)
            if current is None:
                reserved = _reserved(now, number, fname)
                flag(
                    path,
                    "removed, its number reserved" if reserved else "removed without reserving its number",
                    f"{shown} {fname}",
                    None,
                    not reserved,
                )
                continue
            new_name, new_type, new_label, new_shown = current
            if new_name != fname:
                flag(
                    path,
                    f"field number {number} reused (or renamed): "
                    f"was {fname!r} ({shown}), now {new_name!r} ({new_shown})",
                    f"{shown} {fname}",
                    f"{new_shown} {new_name}",
                    True,
                )
            elif not _wire_compatible(ftype, new_type):
                flag(path, f"retyped from {shown} to {new_shown} (the wire encodings differ)", shown, new_shown, True)
            elif shown != new_shown:
                flag(
                    path, f"type changed from {shown} to {new_shown} (the same wire encoding)", shown, new_shown, False
                )
            if label != new_label and new_name == fname:
                flag(path, f"changed from {label} to {new_label}", label, new_label, True)
        for number, (fname, _kind, _label, shown) in now["fields"].items():
            if number not in shape["fields"]:
                taken = _reserved(shape, number, fname)
                flag(
                    f"{name}.{fname} = {number}",
                    "added on a number the old schema reserved" if taken else "added",
                    None,
                    f"{shown} {fname}",
                    taken,
                )
    for name, values in before["enums"].items():
        now_values = after["enums"].get(name, {"values": {}, "reserved": ([], [])})
        for number, value_name in values["values"].items():
            if number not in now_values["values"]:
                flag(f"{name}.{value_name} = {number}", "enum value removed", value_name, None, True)
    return SchemaComparison("proto", not breaking, not breaking, breaking, changes)


def _proto_shapes(compiled) -> dict:
    """{"messages": {full name: {"fields": {number: (name, type, label)}, "reserved": ...}}, "enums": {...}}"""
    from google.protobuf import descriptor_pb2
    from google.protobuf.descriptor import FieldDescriptor

    type_names = {
        getattr(FieldDescriptor, name): name.removeprefix("TYPE_").lower()
        for name in dir(FieldDescriptor)
        if name.startswith("TYPE_")
    }
    messages: dict = {}
    enums: dict = {}

    def add_enum(enum) -> None:
        enums[enum.full_name] = {"values": {v.number: v.name for v in enum.values}}

    for full_name in compiled.messages:
        message = compiled.descriptor(full_name)
        proto = descriptor_pb2.DescriptorProto()
        message.CopyToProto(proto)
        fields = {}
        for f in message.fields:
            kind = type_names.get(f.type, str(f.type))
            if kind in ("message", "group"):
                kind = "message"
                shown = f.message_type.full_name
            elif kind == "enum":
                shown = f.enum_type.full_name
            else:
                shown = kind
            label = "repeated" if _is_repeated(f) else "singular"
            fields[f.number] = (f.name, kind, label, shown)
        messages[full_name] = {
            "fields": fields,
            "reserved": ([(r.start, r.end) for r in proto.reserved_range], list(proto.reserved_name)),
        }
        for enum in message.enum_types:
            add_enum(enum)
    file = compiled.descriptor(compiled.messages[0]).file if compiled.messages else None
    if file is not None:
        for enum in file.enum_types_by_name.values():
            add_enum(enum)
    return {"messages": messages, "enums": enums}


def _is_repeated(f) -> bool:
    from formatlens.codecs.protobuf.wire import is_repeated

    return bool(is_repeated(f))


def _reserved(shape: dict, number: int, name: str) -> bool:
    ranges, names = shape["reserved"]
    return any(start <= number < end for start, end in ranges) or name in names


def _wire_compatible(old: str, new: str) -> bool:
    return old == new or any(old in group and new in group for group in _WIRE_GROUPS)


# -- Parquet / Arrow --------------------------------------------------------------------------------------

_SAFE_WIDENING = {
    ("int8", "int16"),
    ("int8", "int32"),
    ("int8", "int64"),
    ("int16", "int32"),
    ("int16", "int64"),
    ("int32", "int64"),
    ("float", "double"),
    ("halffloat", "float"),
    ("halffloat", "double"),
    ("uint8", "uint16"),
    ("uint8", "uint32"),
    ("uint8", "uint64"),
    ("uint16", "uint32"),
    ("uint16", "uint64"),
    ("uint32", "uint64"),
    ("string", "large_string"),
    ("binary", "large_binary"),
}


def arrow_compatibility(old, new) -> SchemaComparison:
    """Columns added, removed, retyped and nullability changes between two pyarrow schemas."""
    changes: list[dict] = []
    breaking: list[Breaking] = []
    _compare_fields(list(old), list(new), "", changes, breaking)
    backward = not any(b.direction in ("backward", "both") for b in breaking)
    forward = not any(b.direction in ("forward", "both") for b in breaking)
    return SchemaComparison("arrow", backward, forward, breaking, changes)


def _compare_fields(old: list, new: list, prefix: str, changes: list, breaking: list) -> None:
    import pyarrow as pa

    before = {f.name: f for f in old}
    after = {f.name: f for f in new}

    def note(path: str, change: str, a: Any, b: Any, direction: Direction | None) -> None:
        changes.append({"path": path, "change": change, "old": a, "new": b})
        if direction is not None:
            breaking.append(Breaking(direction, path, change))

    for name, f in before.items():
        path = prefix + name
        g = after.get(name)
        if g is None:
            # A reader of the new schema never asks for it; an old reader misses it (unless it may be null).
            note(path, "column removed", str(f.type), None, None if f.nullable else "forward")
            continue
        if pa.types.is_struct(f.type) and pa.types.is_struct(g.type):
            _compare_fields(list(f.type), list(g.type), path + ".", changes, breaking)
        elif f.type != g.type:
            widening = (str(f.type), str(g.type)) in _SAFE_WIDENING
            note(
                path,
                f"retyped from {f.type} to {g.type}" + (" (a widening)" if widening else ""),
                str(f.type),
                str(g.type),
                "forward" if widening else "both",
            )
        if f.nullable != g.nullable:
            if g.nullable:
                note(path, "may now be null", "not null", "nullable", "forward")
            else:
                note(path, "may no longer be null", "nullable", "not null", "backward")
    for name, g in after.items():
        if name not in before:
            note(prefix + name, "column added", None, str(g.type), None if g.nullable else "backward")
