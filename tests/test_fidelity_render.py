"""Faithful rendering: the CLI text and ``inspect --json`` show each value's type (NaN never null)."""

from __future__ import annotations

import datetime as dt
import json

import bson

from formatlens.render.typed import from_typed_json

from .test_cli import run

MONGO_EXPORT = {
    "_id": bson.ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"),
    "count": bson.Int64(9007199254740993),
    "price": bson.Decimal128("19.990"),
    "pattern": bson.Regex("^ab", "i"),
    "ratio": float("nan"),
    "at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
}


def _bson_file(tmp_path):
    path = tmp_path / "export.bson"
    path.write_bytes(bson.encode(MONGO_EXPORT))
    return path


def test_inspect_text_names_library_types_and_nan(tmp_path):
    done = run("inspect", str(_bson_file(tmp_path)))
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.decode().splitlines()]
    assert "_id: ObjectId  5f43a1b2c3d4e5f6a7b8c9d0" in lines
    assert "count: Int64  9007199254740993" in lines
    assert "price: Decimal128  19.990" in lines
    assert "pattern: bson.Regex  /^ab/i" in lines
    assert "ratio: float  NaN" in lines
    assert "at: datetime, UTC  2024-05-01T12:00:00+00:00" in lines


def test_inspect_json_is_typed_and_reads_back(tmp_path):
    done = run("inspect", "--json", "--no-spans", str(_bson_file(tmp_path)))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # strict JSON: json.loads would take a bare NaN, so check the text too
    assert b"NaN," not in done.stdout and b": NaN" not in done.stdout
    assert report["value"]["_id"] == {"$oid": "5f43a1b2c3d4e5f6a7b8c9d0"}
    assert report["value"]["count"] == {"$numberLong": "9007199254740993"}
    assert report["value"]["ratio"] == {"$numberDouble": "NaN"}
    assert "Extended JSON" in report["encoding"]
    back = from_typed_json(report["value"])
    assert back["count"] == bson.Int64(9007199254740993) and type(back["count"]) is bson.Int64
    assert back["price"] == bson.Decimal128("19.990") and back["at"] == MONGO_EXPORT["at"]
