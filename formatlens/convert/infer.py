"""Schema inference: one type tree from a value, rendered as Avro, .proto, Arrow and JSON Schema.

Every language gets the same decisions, and each decision that was not obvious
is reported once as a note:

- a field that is missing or None in some records is optional (nullable);
- ints mixed with floats become floats; any other mix of types becomes strings;
- a field that is always None, and the items of lists that are always empty, are strings;
- integers outside the 64-bit range are strings;
- keys that are not identifiers make a map (string keys) instead of a record;
- sets and tuples are lists.

``coerce()`` then rewrites a value to fit the tree (so a mixed field really holds strings).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SCALARS = ("null", "bool", "int", "float", "string", "bytes", "datetime", "date", "time", "duration", "decimal", "uuid")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
INT64 = (-(2**63), 2**63 - 1)


@dataclass
class Type:
    """A node of the inferred type tree."""

    kind: str
    """One of SCALARS, or "record", "list", "map"."""
    optional: bool = False
    fields: dict[str, Type] = field(default_factory=dict)
    """For records: field name -> type, in first-seen order."""
    items: Type | None = None
    """For lists (the item type) and maps (the value type)."""
    precision: int = 0
    scale: int = 0
    """For decimals: the widest digits seen on each side of the point."""
    wrapper: bool = False
    """A record added around a list or map that a language cannot nest directly (proto's repeated repeated)."""
    drop_nulls: bool = False
    """For lists whose items may be None, in a language whose lists cannot hold null (proto's repeated)."""

    @property
    def item(self) -> Type:
        """The item type of a list, the value type of a map (always set for those two kinds)."""
        if self.items is None:
            raise TypeError(f"a {self.kind} type has no item type")
        return self.items


@dataclass
class Inference:
    type: Type
    notes: list[str]
    """The ambiguous cases and how they were resolved, one sentence each."""


def _scalar_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if INT64[0] <= value <= INT64[1] else "bigint"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, dt.timedelta):
        return "duration"
    if isinstance(value, Decimal) or type(value).__name__ == "Decimal128":
        return "decimal"
    if isinstance(value, uuid.UUID):
        return "uuid"
    return "other"


class Inferrer:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, sentence: str) -> None:
        if sentence not in self.notes:
            self.notes.append(sentence)

    def of(self, value: Any, where: str) -> Type:
        if isinstance(value, dict):
            if value and not all(isinstance(k, str) and _IDENT.match(k) for k in value):
                self.note(f"{where}: keys that are not identifiers make a map of string keys")
                return Type("map", items=self.merge_all(list(value.values()), f"{where} values"))
            return Type("record", fields={k: self.of(v, f"{where}.{k}") for k, v in value.items()})
        if isinstance(value, (list, tuple, set, frozenset)):
            return Type("list", items=self.merge_all(list(value), f"{where}[]"))
        kind = _scalar_kind(value)
        if kind == "bigint":
            self.note(f"{where}: integers outside the 64-bit range are strings")
            return Type("string")
        if kind == "other":
            self.note(f"{where}: {type(value).__name__} values are strings")
            return Type("string")
        node = Type(kind)
        if kind == "null":
            node.optional = True
        if kind == "decimal":
            node.precision, node.scale = _decimal_digits(value)
        return node

    def merge_all(self, values: list[Any], where: str) -> Type:
        merged: Type | None = None
        for value in values:
            node = self.of(value, where)
            merged = node if merged is None else self.merge(merged, node, where)
        if merged is None:
            self.note(f"{where}: always empty, so its items are strings")
            return Type("string")
        return self.settle(merged, where)

    def merge(self, a: Type, b: Type, where: str) -> Type:
        optional = a.optional or b.optional
        if a.kind == "null":
            return _with(b, optional=True)
        if b.kind == "null":
            return _with(a, optional=True)
        if a.kind == b.kind == "record":
            fields = {}
            for name in dict.fromkeys([*a.fields, *b.fields]):
                if name in a.fields and name in b.fields:
                    fields[name] = self.merge(a.fields[name], b.fields[name], f"{where}.{name}")
                else:
                    self.note(f"{where}.{name}: missing in some records, so null there")
                    fields[name] = _with(a.fields.get(name) or b.fields[name], optional=True)
            return Type("record", optional, fields)
        if a.kind == b.kind and a.kind in ("list", "map"):
            return Type(a.kind, optional, items=self.merge(a.item, b.item, where))
        if a.kind == b.kind == "decimal":
            return Type(
                "decimal",
                optional,
                precision=max(a.precision - a.scale, b.precision - b.scale) + max(a.scale, b.scale),
                scale=max(a.scale, b.scale),
            )
        if a.kind == b.kind:
            return Type(a.kind, optional)
        if {a.kind, b.kind} == {"int", "float"}:
            self.note(f"{where}: ints mixed with floats are floats")
            return Type("float", optional)
        self.note(f"{where}: mixed {a.kind} and {b.kind} values are strings")
        return Type("string", optional)

    def settle(self, node: Type, where: str) -> Type:
        """A type that stayed "null" (always None) becomes an optional string."""
        if node.kind == "null":
            self.note(f"{where}: always None, so it is an optional string")
            return Type("string", optional=True)
        if node.kind == "record":
            node.fields = {k: self.settle(v, f"{where}.{k}") for k, v in node.fields.items()}
        elif node.items is not None:
            node.items = self.settle(node.items, where)
        return node


def _with(node: Type, **changes: Any) -> Type:
    return Type(**{**node.__dict__, **changes})


def _decimal_digits(value: Any) -> tuple[int, int]:
    if type(value).__name__ == "Decimal128":
        value = value.to_decimal()
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN, Infinity
        return 1, 0
    scale = max(-exponent, 0)
    return max(len(digits), scale) + max(exponent, 0), scale


def to_rows(value: Any) -> tuple[list[dict], list[str]]:
    """The value as a list of records (what Avro, Parquet and a table hold), and what fitting it lost."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value, []
    if (
        isinstance(value, dict)
        and len(value) == 1
        and isinstance(next(iter(value.values())), list)
        and all(isinstance(v, dict) for v in next(iter(value.values())))
    ):
        key = next(iter(value))
        return value[key], [f"the rows are the list under {key!r}"]
    if isinstance(value, dict):
        return [value], ["the document was written as a single record"]
    if isinstance(value, list):
        return [{"value": v} for v in value], ["each item was written as a record {'value': item}"]
    return [{"value": value}], ["the value was written as one record {'value': ...}"]


def infer_records(value: Any) -> tuple[list[dict], Inference, list[str]]:
    """to_rows(), and the record type of those rows."""
    rows, losses = to_rows(value)
    inferrer = Inferrer()
    node = inferrer.merge_all(rows, "record")
    if node.kind != "record":  # rows with non-identifier keys
        rows = [{"value": row} for row in rows]
        node = inferrer.merge_all(rows, "record")
        losses.append("records with keys that are not identifiers were nested under 'value'")
    return rows, Inference(node, inferrer.notes), losses


def infer(value: Any) -> Inference:
    inferrer = Inferrer()
    node = inferrer.settle(inferrer.of(value, "value"), "value")
    return Inference(node, inferrer.notes)


# -- fitting values to the tree


def coerce(value: Any, node: Type) -> Any:
    """``value`` rewritten to the inferred type (mixed values to strings, ints to floats, sets to lists)."""
    kind = node.kind
    if value is None or kind == "null":
        return None
    if kind == "record":
        if node.wrapper and not isinstance(value, dict):
            value = {next(iter(node.fields)): value}
        if not isinstance(value, dict):
            return None
        return {name: coerce(value.get(name), child) for name, child in node.fields.items()}
    if kind == "map":
        if not isinstance(value, dict):
            return None
        return {str(k): coerce(v, node.item) for k, v in value.items() if not (node.drop_nulls and v is None)}
    if kind == "list":
        if not isinstance(value, (list, tuple, set, frozenset)):
            return None
        if node.drop_nulls:
            return [coerce(v, node.item) for v in value if v is not None]
        return [coerce(v, node.item) for v in value]
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "string" and not isinstance(value, str):
        return _as_text(value)
    if kind == "decimal" and type(value).__name__ == "Decimal128":
        return value.to_decimal()
    if kind == "bytes" and not isinstance(value, bytes):
        return bytes(value)
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (dict, list)):
        from formatlens.convert.adapt import to_jsonable

        return json.dumps(to_jsonable(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- renderers


def _names() -> dict[str, int]:
    return {}


def to_avro(node: Type, name: str = "Record", _seen: dict[str, int] | None = None) -> Any:
    """The Avro schema (as JSON data) of a type tree; records get unique names."""
    seen = _seen if _seen is not None else _names()

    def unique(base: str) -> str:
        base = re.sub(r"\W", "_", base[:1].upper() + base[1:]) or "Record"
        seen[base] = seen.get(base, 0) + 1
        return base if seen[base] == 1 else f"{base}{seen[base]}"

    def avro(n: Type, field_name: str) -> Any:
        if n.kind == "record":
            return {
                "type": "record",
                "name": unique(field_name),
                "fields": [_avro_field(k, v, avro) for k, v in n.fields.items()],
            }
        if n.kind == "list":
            return {"type": "array", "items": _nullable(n.item, avro(n.item, field_name + "_item"))}
        if n.kind == "map":
            return {"type": "map", "values": _nullable(n.item, avro(n.item, field_name + "_value"))}
        return AVRO_SCALARS[n.kind](n)

    schema = avro(node, name)
    return schema


def _nullable(node: Type, schema: Any) -> Any:
    """Items and map values that may be None are a union with null."""
    return ["null", schema] if node.optional and schema != "null" else schema


def _avro_field(name: str, node: Type, avro) -> dict:
    schema = avro(node, name)
    if node.optional:
        return {"name": name, "type": ["null", schema], "default": None}
    return {"name": name, "type": schema}


AVRO_SCALARS = {
    "null": lambda n: "null",
    "bool": lambda n: "boolean",
    "int": lambda n: "long",
    "float": lambda n: "double",
    "string": lambda n: "string",
    "bytes": lambda n: "bytes",
    "datetime": lambda n: {"type": "long", "logicalType": "timestamp-micros"},
    "date": lambda n: {"type": "int", "logicalType": "date"},
    "time": lambda n: {"type": "long", "logicalType": "time-micros"},
    "duration": lambda n: {"type": "long", "logicalType": "duration-micros-formatlens"},
    "decimal": lambda n: {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": max(n.precision, 1),
        "scale": n.scale,
    },
    "uuid": lambda n: {"type": "string", "logicalType": "uuid"},
}


def for_parquet(node: Type, notes: list[str] | None = None, where: str = "record") -> Type:
    """The tree with nested records that have no fields made null columns (Parquet cannot write a
    struct without children); each is named in ``notes``. Use it for coerce() and to_arrow()."""
    if node.kind == "record":
        if not node.fields and where != "record":
            if notes is not None:
                sentence = f"{where}: an empty record is written as null (Parquet cannot hold a struct with no fields)"
                if sentence not in notes:
                    notes.append(sentence)
            return Type("null", optional=True)
        return _with(node, fields={k: for_parquet(v, notes, f"{where}.{k}") for k, v in node.fields.items()})
    if node.kind in ("list", "map"):
        return _with(node, items=for_parquet(node.item, notes, f"{where}[]"))
    return node


def to_arrow(node: Type):
    """The Arrow type of a type tree (records become structs)."""
    import pyarrow as pa

    def arrow(n: Type):
        if n.kind == "record":
            return pa.struct([pa.field(k, arrow(v), nullable=True) for k, v in n.fields.items()])
        if n.kind == "list":
            return pa.list_(arrow(n.item))
        if n.kind == "map":
            return pa.map_(pa.string(), arrow(n.item))
        return ARROW_SCALARS[n.kind](n)

    ARROW_SCALARS = {
        "null": lambda n: pa.null(),
        "bool": lambda n: pa.bool_(),
        "int": lambda n: pa.int64(),
        "float": lambda n: pa.float64(),
        "string": lambda n: pa.string(),
        "bytes": lambda n: pa.binary(),
        "datetime": lambda n: pa.timestamp("us", tz="UTC"),
        "date": lambda n: pa.date32(),
        "time": lambda n: pa.time64("us"),
        "duration": lambda n: pa.duration("us"),
        "decimal": lambda n: pa.decimal128(min(max(n.precision, 1), 38), n.scale),
        "uuid": lambda n: pa.string(),
    }
    return arrow(node)


def to_arrow_schema(node: Type):
    import pyarrow as pa

    struct = to_arrow(node)
    return pa.schema([pa.field(f.name, f.type, nullable=True) for f in struct])


JSON_SCHEMA_SCALARS = {
    "null": {"type": "null"},
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "string": {"type": "string"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "duration": {"type": "number", "description": "seconds"},
    "decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    "uuid": {"type": "string", "format": "uuid"},
}


def to_json_schema(node: Type, *, top: bool = True) -> dict:
    if node.kind == "record":
        schema: dict = {
            "type": "object",
            "properties": {k: to_json_schema(v, top=False) for k, v in node.fields.items()},
            "required": [k for k, v in node.fields.items() if not v.optional],
        }
    elif node.kind == "list":
        schema = {"type": "array", "items": to_json_schema(node.item, top=False)}
    elif node.kind == "map":
        schema = {"type": "object", "additionalProperties": to_json_schema(node.item, top=False)}
    else:
        schema = dict(JSON_SCHEMA_SCALARS[node.kind])
    if node.optional and not top:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if top:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return schema


PROTO_SCALARS = {
    "bool": "bool",
    "int": "int64",
    "float": "double",
    "string": "string",
    "bytes": "bytes",
    "datetime": "google.protobuf.Timestamp",
    "duration": "google.protobuf.Duration",
    "date": "string",
    "time": "string",
    "decimal": "string",
    "uuid": "string",
    "null": "string",
}


def for_proto(node: Type, notes: list[str] | None = None, where: str = "value") -> Type:
    """The tree with a wrapper record around every list or map held directly by a list or map
    (proto has no ``repeated repeated`` and no map of maps), and nulls dropped from lists (a repeated
    field cannot hold one; each such list is named in ``notes``). Use it for coerce() and to_proto()."""
    if node.kind == "record":
        return _with(node, fields={k: for_proto(v, notes, f"{where}.{k}") for k, v in node.fields.items()})
    if node.kind in ("list", "map"):
        inner = for_proto(node.item, notes, f"{where}[]")
        if inner.kind in ("list", "map"):
            wrap = "items" if inner.kind == "list" else "entries"
            if notes is not None:
                sentence = f"{where}[]: a {inner.kind} inside a {node.kind} is written as a message {{{wrap}: ...}}"
                if sentence not in notes:
                    notes.append(sentence)
            inner = Type("record", fields={wrap: inner}, wrapper=True)
        drop = node.item.optional
        if drop and notes is not None:
            what = "list were dropped (a repeated field" if node.kind == "list" else "map were dropped (a map"
            sentence = f"{where}: nulls inside the {what} cannot hold null)"
            if sentence not in notes:
                notes.append(sentence)
        return _with(node, items=inner, drop_nulls=drop)
    return node


def to_proto(node: Type, name: str = "Record", package: str = "formatlens.inferred") -> str:
    """.proto (proto3) text for a record type tree (after for_proto); nested records become nested messages."""
    lines = ['syntax = "proto3";', "", f"package {package};", ""]
    imports = set()

    def message(n: Type, msg_name: str, indent: str) -> list[str]:
        out = [f"{indent}message {msg_name} {{"]
        number = 1
        for field_name, child in n.fields.items():
            out += field_lines(field_name, child, number, indent + "  ")
            number += 1
        out.append(f"{indent}}}")
        return out

    def type_name(n: Type, field_name: str, indent: str, nested: list[str]) -> str:
        if n.kind == "record":
            nested_name = _camel(field_name)
            nested.extend(message(n, nested_name, indent))
            return nested_name
        scalar = PROTO_SCALARS[n.kind]
        if scalar.startswith("google.protobuf."):
            imports.add(f'import "google/protobuf/{scalar.split(".")[-1].lower()}.proto";')
        return scalar

    def field_lines(field_name: str, n: Type, number: int, indent: str) -> list[str]:
        nested: list[str] = []
        if n.kind == "list":
            item = type_name(n.item, field_name + "_item", indent, nested)
            line = f"{indent}repeated {item} {field_name} = {number};"
        elif n.kind == "map":
            value = type_name(n.item, field_name + "_value", indent, nested)
            line = f"{indent}map<string, {value}> {field_name} = {number};"
        else:
            optional = "optional " if n.optional and n.kind != "record" else ""
            line = f"{indent}{optional}{type_name(n, field_name, indent, nested)} {field_name} = {number};"
        return [*nested, line]

    body = message(node, name, "")
    return "\n".join([*lines[:2], *sorted(imports), *([""] if imports else []), *lines[2:], *body, ""])


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part) or "Nested"
