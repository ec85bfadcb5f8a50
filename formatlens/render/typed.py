"""Every value with its type: a type name and a short preview per value, and the typed JSON encoding.

An inspector that shows ``ObjectId('5f…')`` as a plain string, or NaN as ``null``,
is not telling the truth. This module is the one place that names a value's
type; the CLI text, ``inspect --json`` and the app's tree are built on it.

- :func:`type_name` / :func:`preview` / :func:`children` / :func:`node`: what a
  tree row shows (``datetime, naive`` ``2024-05-01T12:00:00``; ``bytes (12)``
  ``00 01 02 …``; ``float`` ``NaN``) and what it expands into.
- :func:`to_typed_json` / :func:`from_typed_json`: the typed JSON encoding.

Typed JSON
----------
Plain JSON values stay themselves (``null``, booleans, strings, finite floats,
lists, objects with string keys; Python ints of any size as JSON numbers with
their exact digits). Every other value becomes a one-key or ``$type`` object:

* **MongoDB Extended JSON v2** wherever it has a form: ``{"$oid": …}``,
  ``{"$numberLong": "…"}`` (bson Int64), ``{"$numberDecimal": "…"}`` (bson
  Decimal128), ``{"$numberDouble": "NaN" | "Infinity" | "-Infinity"}``,
  ``{"$binary": {"base64": …, "subType": "00"}}`` (bytes; bson Binary keeps its
  subtype), ``{"$date": "2024-05-01T12:00:00+00:00"}`` (aware datetimes, offset
  kept; bson DatetimeMS as ``{"$date": {"$numberLong": "…"}}``),
  ``{"$regularExpression": {"pattern": …, "options": …}}``, ``{"$timestamp":
  {"t": …, "i": …}}``, ``{"$code": …}`` (+ ``"$scope"``), ``{"$minKey": 1}``,
  ``{"$maxKey": 1}``, ``{"$uuid": "…"}``, ``{"$undefined": true}``, DBRef as
  ``{"$ref": …, "$id": …}`` (+ ``"$db"``).
* **formatlens's own** ``{"$type": NAME, "value": PAYLOAD}`` for what Extended
  JSON has no form for: ``datetime`` (naive: ISO text without offset),
  ``date``, ``time``, ``timedelta`` (``{"days", "seconds", "microseconds"}``),
  ``Decimal`` (Python's, as text), ``tuple``, ``set``, ``frozenset``,
  ``bytearray``, ``complex`` (``[real, imag]``), ``Fraction`` (``"n/d"``),
  ``OrderedDict``, ``map`` (a dict whose keys are not all strings, or whose
  keys start with ``$``: a list of ``[key, value]`` pairs),
  ``msgpack.ExtType`` (``{"code", "data"}``), ``msgpack.Timestamp``
  (``{"seconds", "nanoseconds"}``), ``cbor2.CBORTag`` (``{"tag", "value"}``),
  ``cbor2.CBORSimpleValue`` (its number); anything else as
  ``{"$type": "module.Class", "value": repr}`` (shown, never rebuilt).

YAML tags and pickle placeholders are already data (``{"!tag": "!Ref",
"value": "Env"}``, ``{"!call": "os.system", "args": [...]}``) and are written as
such. :func:`from_typed_json` reads the encoding back: for the types above,
``from_typed_json(to_typed_json(v)) == v`` with the same types.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import math
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from formatlens.core.limits import current

PREVIEW_WIDTH = 60


class TypedNode(NamedTuple):
    """One row of a typed tree."""

    type: str
    """The type as a person reads it: ``ObjectId``, ``datetime, UTC``, ``bytes (12)``, ``list (3)``."""
    preview: str
    """The value in one short line (containers: their size)."""
    container: bool
    """Whether :func:`children` has something to expand."""


def _module(value: Any) -> str:
    return type(value).__module__.split(".")[0]


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _zone(value: dt.datetime | dt.time) -> str:
    if value.tzinfo is None:
        return "naive"
    key = getattr(value.tzinfo, "key", None)  # zoneinfo.ZoneInfo
    if key:
        return str(key)
    offset = value.utcoffset()
    if offset == dt.timedelta(0):
        return "UTC"
    total = int(offset.total_seconds()) if offset is not None else 0
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def type_name(value: Any) -> str:
    """The type of ``value`` as a tree or the CLI shows it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    module, name = _module(value), type(value).__name__
    if module == "bson":
        if name == "Binary":
            return f"Binary (subtype {value.subtype}, {len(value)} bytes)"
        if name in ("Timestamp", "Code", "Regex", "SON"):
            return f"bson.{name}"
        return name
    if module in ("msgpack", "cbor2"):
        if name == "CBORTag":
            return f"CBORTag {value.tag}"
        return f"{module}.{name}"
    if isinstance(value, int):
        return "int" if type(value) is int else name
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"{name} ({len(value)})"
    if isinstance(value, dt.datetime):
        return f"datetime, {_zone(value)}"
    if isinstance(value, dt.time):
        return "time" if value.tzinfo is None else f"time, {_zone(value)}"
    if isinstance(value, (dt.date, dt.timedelta, Decimal, uuid.UUID, complex, Fraction)):
        return name
    if isinstance(value, dict):
        tag = value.get("!tag") if "!tag" in value else None
        if isinstance(tag, str):
            return f"tag {tag}"
        return f"{name} ({len(value)})"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"{name} ({len(value)})"
    return f"{type(value).__module__}.{type(value).__qualname__}"


def preview(value: Any, width: int = PREVIEW_WIDTH) -> str:
    """``value`` in one line of at most ``width`` characters."""
    text = _preview(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _preview(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    module, name = _module(value), type(value).__name__
    if module == "bson":
        if name == "Regex":
            return f"/{value.pattern}/{_regex_flags(value)}"
        if name == "Binary":
            return _hex(bytes(value))
        if name == "Timestamp":
            return f"time={value.time} inc={value.inc}"
        if name in ("MinKey", "MaxKey"):
            return name
        if name == "DBRef":
            return f"{value.collection} {value.id}"
        return str(value)
    if module == "msgpack" and name == "ExtType":
        return f"code {value.code}: {_hex(value.data)}"
    if module == "msgpack" and name == "Timestamp":
        return f"{value.seconds} s {value.nanoseconds} ns"
    if module == "cbor2" and name == "CBORTag":
        return _preview(value.value)
    if module == "cbor2" and name == "CBORSimpleValue":
        return f"simple({value.value})"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _hex(bytes(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        if isinstance(value.get("!tag"), str) and "value" in value:
            return _preview(value["value"])
        return "{" + ", ".join(_key_text(k) for k in list(value)[:6]) + (", …}" if len(value) > 6 else "}")
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"{len(value)} items" if value else "[]"
    return str(value) if isinstance(value, (int, Decimal, uuid.UUID, complex, Fraction, dt.timedelta)) else repr(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    text = repr(key) if isinstance(key, (tuple, bytes)) else _preview(key)
    return f"{text} ({type(key).__name__})"


def _hex(data: bytes) -> str:
    shown = data[:16].hex(" ")
    return shown + (" …" if len(data) > 16 else "") if data else "(empty)"


def _regex_flags(regex: Any) -> str:
    flags = regex.flags
    if isinstance(flags, str):
        return flags
    import re

    letters = {re.I: "i", re.L: "l", re.M: "m", re.S: "s", re.U: "u", re.X: "x"}
    return "".join(letter for flag, letter in letters.items() if flags & flag)


def children(value: Any) -> list[tuple[Any, Any]]:
    """What a tree row expands into: (key or index, child) pairs; empty for leaves."""
    if _module(value) == "msgpack":  # ExtType is a namedtuple, but one value
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, (list, tuple)):
        return list(enumerate(value))
    if isinstance(value, (set, frozenset)):
        return list(enumerate(sorted(value, key=repr)))
    if _module(value) == "cbor2" and type(value).__name__ == "CBORTag":
        return [("value", value.value)]
    if _module(value) == "bson" and type(value).__name__ == "DBRef":
        return [("$ref", value.collection), ("$id", value.id)] + ([("$db", value.database)] if value.database else [])
    return []


def node(value: Any, width: int = PREVIEW_WIDTH) -> TypedNode:
    """The tree row of ``value``."""
    return TypedNode(type_name(value), preview(value, width), bool(children(value)))


# -- the typed JSON encoding


def _wrap(name: str, payload: Any) -> dict:
    return {"$type": name, "value": payload}


def _binary(data: bytes, subtype: int = 0) -> dict:
    return {"$binary": {"base64": base64.b64encode(data).decode("ascii"), "subType": f"{subtype:02x}"}}


def to_typed_json(value: Any) -> Any:
    """``value`` as JSON-ready data in the typed encoding (see the module docstring).

    Bounded like every walk over a decoded value: nesting past ``max_depth`` and
    more than ``max_nodes`` values raise LimitExceeded; a container inside itself
    (a recursive pickle) is written as ``{"$type": "recursive", "value": null}``."""
    limits = current()
    state = _Walk(limits.max_depth, limits.max_nodes)
    return state.typed(value, 0)


class _Walk:
    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth, self.max_nodes = max_depth, max_nodes
        self.nodes = 0
        self.on_path: set[int] = set()

    def typed(self, value: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            current().check("max_nodes", self.nodes, what="the number of values rendered")
        if depth > self.max_depth:
            current().check("max_depth", depth, what="the nesting depth rendered")
        if isinstance(value, (dict, list, tuple, set, frozenset)):
            if id(value) in self.on_path:
                return _wrap("recursive", None)
            self.on_path.add(id(value))
            try:
                return self.encode(value, depth + 1)
            finally:
                self.on_path.discard(id(value))
        return self.encode(value, depth + 1)

    def encode(self, value: Any, depth: int) -> Any:
        module, name = _module(value), type(value).__name__
        if module == "bson":  # first: Code is a str, Int64 an int
            return self.bson(value, name, depth)
        if value is None or type(value) in (bool, str):
            return value
        if module == "msgpack":
            if name == "ExtType":
                return _wrap("msgpack.ExtType", {"code": value.code, "data": _binary(value.data)})
            if name == "Timestamp":
                return _wrap("msgpack.Timestamp", {"seconds": value.seconds, "nanoseconds": value.nanoseconds})
        if module == "cbor2":
            if name == "CBORTag":
                return _wrap("cbor2.CBORTag", {"tag": value.tag, "value": self.typed(value.value, depth)})
            if name == "CBORSimpleValue":
                return _wrap("cbor2.CBORSimpleValue", int(value.value))
            if name == "UndefinedType":
                return {"$undefined": True}
            if name == "frozendict":
                return _wrap("cbor2.frozendict", self.typed_dict(dict(value), depth))
        if type(value) is int:
            return value
        if type(value) is float:
            if math.isfinite(value):
                return value
            return {"$numberDouble": _float_text(value)}
        if isinstance(value, bytes):
            return _binary(value)
        if isinstance(value, bytearray):
            return _wrap("bytearray", _binary(bytes(value)))
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return _wrap("datetime", value.isoformat())
            return {"$date": value.isoformat()}
        if isinstance(value, dt.date):
            return _wrap("date", value.isoformat())
        if isinstance(value, dt.time):
            return _wrap("time", value.isoformat())
        if isinstance(value, dt.timedelta):
            return _wrap(
                "timedelta", {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
            )
        if type(value) is Decimal:
            return _wrap("Decimal", str(value))
        if type(value) is uuid.UUID:
            return {"$uuid": str(value)}
        if type(value) is complex:
            return _wrap("complex", [self.typed(value.real, depth), self.typed(value.imag, depth)])
        if type(value) is Fraction:
            return _wrap("Fraction", f"{value.numerator}/{value.denominator}")
        if type(value) is collections.OrderedDict:
            return _wrap("OrderedDict", self.typed_dict(value, depth))
        if isinstance(value, dict):
            return self.typed_dict(value, depth)
        if type(value) is list:
            return [self.typed(item, depth) for item in value]
        if type(value) in (tuple, set, frozenset):
            items = value if type(value) is tuple else sorted(value, key=repr)
            return _wrap(type(value).__name__, [self.typed(item, depth) for item in items])
        if isinstance(value, list):  # a list subclass: shown as its items
            return [self.typed(item, depth) for item in value]
        return _wrap(f"{type(value).__module__}.{type(value).__qualname__}", repr(value))

    def typed_dict(self, value: dict, depth: int) -> Any:
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: self.typed(v, depth) for k, v in value.items()}
        return _wrap("map", [[self.typed(k, depth), self.typed(v, depth)] for k, v in value.items()])

    def bson(self, value: Any, name: str, depth: int) -> Any:
        if name == "ObjectId":
            return {"$oid": str(value)}
        if name == "Int64":
            return {"$numberLong": str(int(value))}
        if name == "Decimal128":
            return {"$numberDecimal": str(value)}
        if name == "Binary":
            return _binary(bytes(value), value.subtype)
        if name == "Regex":
            return {"$regularExpression": {"pattern": value.pattern, "options": _regex_flags(value)}}
        if name == "Timestamp":
            return {"$timestamp": {"t": value.time, "i": value.inc}}
        if name == "Code":
            out: dict[str, Any] = {"$code": str(value)}
            if value.scope is not None:
                out["$scope"] = self.typed(dict(value.scope), depth)
            return out
        if name == "MinKey":
            return {"$minKey": 1}
        if name == "MaxKey":
            return {"$maxKey": 1}
        if name == "DatetimeMS":
            return {"$date": {"$numberLong": str(int(value))}}
        if name == "DBRef":
            ref: dict[str, Any] = {"$ref": value.collection, "$id": self.typed(value.id, depth)}
            if value.database is not None:
                ref["$db"] = value.database
            return ref
        if name == "SON":
            return self.typed_dict(dict(value), depth)
        if isinstance(value, dict):
            return self.typed_dict(dict(value), depth)
        return _wrap(f"bson.{name}", repr(value))


# -- reading it back


def from_typed_json(data: Any) -> Any:
    """The values :func:`to_typed_json` wrote (library types need their library installed)."""
    if isinstance(data, list):
        return [from_typed_json(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$type" in data and set(data) == {"$type", "value"}:
        return _unwrap(data["$type"], data["value"])
    if len(data) >= 1:
        first = next(iter(data))
        if first.startswith("$"):
            return _extended(data)
    return {k: from_typed_json(v) for k, v in data.items()}


def _unwrap(name: str, payload: Any) -> Any:
    simple = {
        "datetime": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
        "time": dt.time.fromisoformat,
        "Decimal": Decimal,
        "bytearray": lambda p: bytearray(from_typed_json(p)),
    }
    if name in simple:
        return simple[name](payload)
    if name == "timedelta":
        return dt.timedelta(**payload)
    if name in ("tuple", "set", "frozenset"):
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[name](from_typed_json(payload))
    if name == "complex":
        real, imag = from_typed_json(payload)
        return complex(real, imag)
    if name == "Fraction":
        return Fraction(payload)
    if name == "OrderedDict":
        inner = from_typed_json(payload)
        return collections.OrderedDict(inner.items())
    if name == "map":
        return {_hashable(from_typed_json(k)): from_typed_json(v) for k, v in payload}
    if name == "msgpack.ExtType":
        import msgpack

        return msgpack.ExtType(payload["code"], from_typed_json(payload["data"]))
    if name == "msgpack.Timestamp":
        import msgpack

        return msgpack.Timestamp(payload["seconds"], payload["nanoseconds"])
    if name == "cbor2.CBORTag":
        import cbor2

        return cbor2.CBORTag(payload["tag"], from_typed_json(payload["value"]))
    if name == "cbor2.CBORSimpleValue":
        import cbor2

        return cbor2.CBORSimpleValue(payload)
    if name == "cbor2.frozendict":
        import cbor2

        return cbor2.frozendict(from_typed_json(payload))
    return {"$type": name, "value": payload}  # shown, never rebuilt


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    return key


def _extended(data: dict) -> Any:
    first = next(iter(data))
    if first == "$numberDouble":
        return float(data[first].replace("Infinity", "inf"))
    if first == "$date":
        payload = data[first]
        if isinstance(payload, dict):
            from bson.datetime_ms import DatetimeMS

            return DatetimeMS(int(payload["$numberLong"]))
        return dt.datetime.fromisoformat(payload)
    if first == "$binary":
        raw = base64.b64decode(data[first]["base64"])
        subtype = int(data[first]["subType"], 16)
        if subtype == 0:
            return raw
        from bson.binary import Binary

        return Binary(raw, subtype)
    if first == "$uuid":
        return uuid.UUID(data[first])
    if first == "$undefined":
        import cbor2

        return cbor2.undefined
    if first in ("$oid", "$numberLong", "$numberDecimal", "$regularExpression", "$timestamp", "$code"):
        return _bson_from(first, data)
    if first in ("$minKey", "$maxKey", "$ref"):
        return _bson_from(first, data)
    return {k: from_typed_json(v) for k, v in data.items()}


def _bson_from(first: str, data: dict) -> Any:
    import bson

    payload = data[first]
    if first == "$oid":
        return bson.ObjectId(payload)
    if first == "$numberLong":
        return bson.Int64(int(payload))
    if first == "$numberDecimal":
        return bson.Decimal128(payload)
    if first == "$regularExpression":
        return bson.Regex(payload["pattern"], payload["options"])
    if first == "$timestamp":
        return bson.Timestamp(payload["t"], payload["i"])
    if first == "$code":
        scope = from_typed_json(data["$scope"]) if "$scope" in data else None
        return bson.Code(payload, scope)
    if first == "$minKey":
        return bson.MinKey()
    if first == "$maxKey":
        return bson.MaxKey()
    from bson.dbref import DBRef

    return DBRef(payload, from_typed_json(data["$id"]), data.get("$db"))


# -- the CLI's text tree


def text_tree(value: Any, *, max_lines: int = 40, width: int = PREVIEW_WIDTH) -> tuple[list[str], bool]:
    """``value`` as indented lines ``key: type  preview`` (containers show their type only), and
    whether lines were left out (``max_lines`` reached)."""
    lines: list[str] = []
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        if len(lines) >= max_lines:
            return lines, True
        label, item, depth = stack.pop()
        row = node(item, width)
        text = row.type if row.container or row.preview == row.type else f"{row.type}  {row.preview}"
        lines.append("  " * depth + label + text)
        if row.container:
            indexed = isinstance(item, (list, tuple, set, frozenset))
            stack.extend(
                (f"[{k}]: " if indexed else f"{_key_text(k)}: ", v, depth + 1) for k, v in reversed(children(item))
            )
    return lines, False
