"""The type zoo: every kind of value one of the 11 decoders can hand back, and value edge cases.

ZOO maps a name to a value. The property test over all source -> target pairs
builds documents from these (tests/test_fidelity_pairs.py); the typed renderer
is checked on each (tests/test_typed.py).
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import uuid
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import bson
import cbor2
import msgpack
from bson.binary import Binary
from bson.dbref import DBRef

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")

ZOO: dict[str, object] = {
    # plain values and their edges
    "null": None,
    "true": True,
    "int": 42,
    "negative int": -7,
    "int64 max": 2**63 - 1,
    "uint64 max": 2**64 - 1,
    "big int": 2**80 + 1,
    "negative big int": -(2**70),
    "float": 3.25,
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
    "-0.0": -0.0,
    "str": "héllo ✓",
    "empty str": "",
    "bytes": b"\x00\x01\xfe\xff",
    "empty bytes": b"",
    "bytearray": bytearray(b"ab"),
    # time
    "aware datetime": dt.datetime(2024, 5, 1, 12, 30, 15, 250000, tzinfo=UTC),
    "offset datetime": dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    "zoneinfo datetime": dt.datetime(2024, 5, 1, 12, 30, tzinfo=PARIS),
    "naive datetime": dt.datetime(2024, 5, 1, 12, 30, 15),
    "date": dt.date(2024, 5, 1),
    "time": dt.time(12, 30, 15, 500),
    "timedelta": dt.timedelta(days=1, seconds=3, microseconds=7),
    # numbers with their own types
    "Decimal": Decimal("1234.5678"),
    "UUID": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "complex": complex(1.5, -2),
    "Fraction": Fraction(3, 7),
    # containers
    "list": [1, "a", None],
    "empty list": [],
    "empty dict": {},
    "mixed list": [1, "two", 3.0, True],
    "list with nulls": [1, None, 3],
    "nested": {"a": {"b": {"c": [1, {"d": [2]}]}}},
    "tuple": (1, "a"),
    "set": {1, 2, 3},
    "frozenset": frozenset({"x", "y"}),
    "OrderedDict": collections.OrderedDict([("b", 1), ("a", 2)]),
    "int keys": {1: "one", 2: "two"},
    "float key": {1.5: "x"},
    "bool key": {True: "t"},
    "None key": {None: "n"},
    "tuple key": {(1, 2): "pair"},
    "bytes key": {b"k": "v"},
    "dollar key": {"$gt": 5},
    # bson
    "ObjectId": bson.ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"),
    "Int64": bson.Int64(7),
    "Decimal128": bson.Decimal128("1.10"),
    "Regex": bson.Regex("^a.*z$", "im"),
    "Binary uuid": Binary(uuid.UUID(int=1).bytes, 4),
    "Binary user": Binary(b"\x01\x02", 0x80),
    "bson Timestamp": bson.Timestamp(1700000000, 3),
    "Code": bson.Code("function() { return 1; }"),
    "Code with scope": bson.Code("function() { return x; }", {"x": 1}),
    "MinKey": bson.MinKey(),
    "MaxKey": bson.MaxKey(),
    "DBRef": DBRef("users", bson.ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"), "app"),
    # msgpack
    "ExtType": msgpack.ExtType(5, b"\x01\x02"),
    "msgpack Timestamp": msgpack.Timestamp(1700000000, 123),
    # cbor
    "CBORTag": cbor2.CBORTag(4000, [1, "x"]),
    "CBORSimpleValue": cbor2.CBORSimpleValue(99),
    "undefined": cbor2.undefined,
    # YAML tags and pickle placeholders are data already
    "yaml tag": {"!tag": "!Ref", "value": "Env"},
    "pickle call": {"!call": "os.system", "args": ["echo"]},
}


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (NaN equals NaN here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (set, frozenset)):
        return a == b
    if isinstance(a, bson.Code):
        return str(a) == str(b) and a.scope == b.scope
    if type(a).__name__ == "Regex":
        return (a.pattern, a.flags) == (b.pattern, b.flags)
    if type(a).__name__ in ("MinKey", "MaxKey", "UndefinedType"):
        return True
    return a == b
