"""Same-format conversion is the identity: equal value (types included), no losses, the source's schema.

Each source here is written by the format's own library, with the types that library produces.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import pickle
import uuid
from decimal import Decimal

import bson
import cbor2
import fastavro
import msgpack
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bson.binary import Binary
from bson.dbref import DBRef

import formatlens as fl
from tests.support.zoo import same

UTC = dt.UTC
OID = bson.ObjectId("5f43a1b2c3d4e5f6a7b8c9d0")


def _bson() -> bytes:
    return bson.encode(
        {
            "_id": OID,
            "count": bson.Int64(2**40),
            "small": 3,
            "price": bson.Decimal128("19.990"),
            "pattern": bson.Regex("^ab", "i"),
            "blob": Binary(b"\x01\x02", 0x80),
            "legacy": Binary(b"a" * 16, 3),
            "ts": bson.Timestamp(1700000000, 3),
            "code": bson.Code("function() { return x; }", {"x": 1}),
            "low": bson.MinKey(),
            "high": bson.MaxKey(),
            "ref": DBRef("users", OID, "app"),
            "at": dt.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
            "nan": float("nan"),
            "nested": {"list": [1, None, "x", {"deep": -0.0}]},
        }
    )


def _avro() -> bytes:
    schema = {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
            {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "clock", "type": {"type": "long", "logicalType": "time-micros"}},
            {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}},
            {"name": "note", "type": ["null", "string"], "default": None},
            {"name": "ratio", "type": "float"},
        ],
    }
    records = [
        {
            "id": 1,
            "status": "PAID",
            "hash": b"\x00\x01\x02\x03",
            "amount": Decimal("12.50"),
            "ref": uuid.UUID(int=7),
            "day": dt.date(2024, 5, 1),
            "at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            "clock": dt.time(12, 30, 0, 5),
            "tags": ["a", None],
            "note": None,
            "ratio": 0.5,
        }
    ]
    out = io.BytesIO()
    fastavro.writer(out, fastavro.parse_schema(schema), records, codec="deflate")
    return out.getvalue()


def _parquet() -> bytes:
    table = pa.table(
        {
            "naive": pa.array([dt.datetime(2024, 5, 1, 12, 0), None], pa.timestamp("us")),
            "aware": pa.array([dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC), None], pa.timestamp("ms", tz="UTC")),
            "amount": pa.array([Decimal("1.50"), Decimal("-2.25")], pa.decimal128(9, 2)),
            "day": pa.array([dt.date(2024, 5, 1), dt.date(1999, 1, 1)], pa.date32()),
            "clock": pa.array([dt.time(1, 2, 3), None], pa.time64("us")),
            "city": pa.array(["Paris", "Paris"]).dictionary_encode(),
            "tags": pa.array([[1, None], []], pa.list_(pa.int32())),
            "point": pa.array([{"x": 1.0, "y": None}, None], pa.struct([("x", pa.float64()), ("y", pa.float64())])),
            "attrs": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
            "small": pa.array([1, 2], pa.int8()),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _pickle() -> bytes:
    value = {
        "tuple": (1, "a"),
        "set": {1, 2},
        "frozenset": frozenset({"x"}),
        "complex": complex(1, -2),
        "decimal": Decimal("1.10"),
        "uuid": uuid.UUID(int=5),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "bytearray": bytearray(b"ab"),
        "when": dt.datetime(2024, 5, 1, 12, 0),
        "day": dt.date(2024, 5, 1),
        "clock": dt.time(1, 2),
        "span": dt.timedelta(days=1, microseconds=3),
        (1, 2): "tuple key",
        None: "none key",
        2**80: "big key",
        "nan": float("nan"),
    }
    return pickle.dumps(value, protocol=4)


def _msgpack() -> bytes:
    return msgpack.packb(
        {
            "bin": b"\x00\xff",
            "ext": msgpack.ExtType(5, b"\x01"),
            "u64": 2**64 - 1,
            "when": dt.datetime(2024, 5, 1, 12, 0, 0, 5, tzinfo=UTC),
            1: "int key",
            "inf": float("inf"),
        },
        datetime=True,
    )


def _cbor() -> bytes:
    return cbor2.dumps(
        {
            "big": 2**80,
            "decimal": Decimal("1.5"),
            "uuid": uuid.UUID(int=9),
            "set": {1, 2},
            "tag": cbor2.CBORTag(4000, "x"),
            "simple": cbor2.CBORSimpleValue(99),
            "undefined": cbor2.undefined,
            "when": dt.datetime(2024, 5, 1, tzinfo=UTC),
            "day": dt.date(2024, 5, 1),
            (1, 2): "array key",
            "nan": float("nan"),
        }
    )


PROTO = """
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
enum Status { NEW = 0; PAID = 1; }
message Order {
  int64 id = 1;
  Status status = 2;
  bytes hash = 3;
  map<string, int32> counts = 4;
  google.protobuf.Timestamp at = 5;
  google.protobuf.Duration took = 6;
  google.protobuf.StringValue note = 7;
  oneof payment { string card = 8; string cash = 9; }
  repeated double ratios = 10;
  Item item = 11;
  message Item { string name = 1; }
}
"""


def _protobuf() -> bytes:
    compiled = fl.dump(
        {
            "id": 7,
            "status": "PAID",
            "hash": b"\x01\x02",
            "counts": {"a": 1},
            "at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            "took": dt.timedelta(seconds=90),
            "note": "hi",
            "card": "visa",
            "ratios": [0.5, 2.0],
            "item": {"name": "pen"},
        },
        "protobuf",
        schema=PROTO,
        message="shop.Order",
    )
    return compiled


SOURCES = {
    "json": lambda: b'{"big": 123456789012345678901234567890, "f": 1.5, "neg": -0.0, "list": [1, null, "x"]}',
    "yaml": lambda: (
        b"when: 2024-05-01 12:00:00\nday: 2024-05-01\nblob: !!binary AAE=\nset: !!set {a: null}\n"
        b"aware: 2024-05-01T12:00:00Z\nnum: 1.5\nnan: .nan\n? [1, 2]\n: complex key\n"
    ),
    "xml": lambda: b'<?xml version="1.0" encoding="utf-8"?>\n<root a="1"><item>x</item><item>y</item></root>',
    "csv": lambda: b"a;b;c\r\n1;x;\r\n2;y;z\r\n",
    "pickle": _pickle,
    "bson": _bson,
    "msgpack": _msgpack,
    "cbor": _cbor,
    "avro": _avro,
    "parquet": _parquet,
    "protobuf": _protobuf,
}
LOAD = {"protobuf": {"schema": PROTO, "message": "shop.Order"}}


@pytest.mark.parametrize("fmt", list(SOURCES))
def test_same_format_conversion_is_the_identity(fmt):
    data = SOURCES[fmt]()
    options = LOAD.get(fmt, {})
    before = fl.load(data, fmt, **options)
    result = fl.convert(data, fmt, source=fmt, **({"schema": options["schema"]} if options else {}))
    assert result.losses == []
    after = fl.load(result.data, fmt, **options)
    assert same(after.value, before.value), (before.value, after.value)
    if fmt in ("avro", "parquet", "protobuf"):
        assert result.schema is not None and not result.schema.details.get("inferred")
    if fmt == "avro":
        assert json.loads(after.schema.text) == json.loads(before.schema.text)
        assert after.details["codec"] == "deflate"
    if fmt == "parquet":
        assert after.table.schema.equals(before.table.schema), (before.table.schema, after.table.schema)
        assert after.table.schema.field("naive").type == pa.timestamp("us")  # no time zone added
        assert after.schema.details["row_groups"][0]["columns"][0]["compression"] == "ZSTD"
    if fmt == "protobuf":
        assert result.data == data
