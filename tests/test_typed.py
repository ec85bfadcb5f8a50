"""The typed rendering: a type name and preview per value, and typed JSON that reads back exactly."""

from __future__ import annotations

import json

import bson
import pytest

from formatlens.render.typed import children, from_typed_json, node, preview, to_typed_json, type_name
from tests.support.zoo import ZOO, same


@pytest.mark.parametrize("name", list(ZOO))
def test_typed_json_reads_back_every_zoo_value(name):
    value = ZOO[name]
    text = json.dumps(to_typed_json(value), allow_nan=False)  # strict JSON: NaN is never a bare token
    back = from_typed_json(json.loads(text))
    assert same(back, value), (name, text, back)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), {"$numberDouble": "NaN"}),
        (float("-inf"), {"$numberDouble": "-Infinity"}),
        (bson.ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"), {"$oid": "5f43a1b2c3d4e5f6a7b8c9d0"}),
        (bson.Int64(7), {"$numberLong": "7"}),
        (bson.Decimal128("1.10"), {"$numberDecimal": "1.10"}),
        (bson.Regex("^a", "i"), {"$regularExpression": {"pattern": "^a", "options": "i"}}),
        (b"\x00\xff", {"$binary": {"base64": "AP8=", "subType": "00"}}),
        (ZOO["naive datetime"], {"$type": "datetime", "value": "2024-05-01T12:30:15"}),
        (ZOO["aware datetime"], {"$date": "2024-05-01T12:30:15.250000+00:00"}),
        (2**80 + 1, 2**80 + 1),
        ({1: "one"}, {"$type": "map", "value": [[1, "one"]]}),
        ((1, "a"), {"$type": "tuple", "value": [1, "a"]}),
    ],
)
def test_typed_json_forms(value, expected):
    assert to_typed_json(value) == expected


@pytest.mark.parametrize(
    ("name", "type_text", "preview_text"),
    [
        ("NaN", "float", "NaN"),
        ("-Infinity", "float", "-Infinity"),
        ("ObjectId", "ObjectId", "5f43a1b2c3d4e5f6a7b8c9d0"),
        ("Int64", "Int64", "7"),
        ("Decimal128", "Decimal128", "1.10"),
        ("Regex", "bson.Regex", "/^a.*z$/im"),
        ("bytes", "bytes (4)", "00 01 fe ff"),
        ("naive datetime", "datetime, naive", "2024-05-01T12:30:15"),
        ("aware datetime", "datetime, UTC", "2024-05-01T12:30:15.250000+00:00"),
        ("offset datetime", "datetime, +02:00", "2024-05-01T12:30:00+02:00"),
        ("zoneinfo datetime", "datetime, Europe/Paris", "2024-05-01T12:30:00+02:00"),
        ("yaml tag", "tag !Ref", "'Env'"),
        ("Binary uuid", "Binary (subtype 4, 16 bytes)", "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"),
        ("tuple key", "dict (1)", "{(1, 2) (tuple)}"),
    ],
)
def test_type_names_and_previews(name, type_text, preview_text):
    assert (type_name(ZOO[name]), preview(ZOO[name])) == (type_text, preview_text)


def test_tree_nodes_expand_containers_only():
    assert node({"a": [1, 2]}) == ("dict (1)", "{a}", True)
    assert children({"a": [1, 2]}) == [("a", [1, 2])]
    assert children([1, 2]) == [(0, 1), (1, 2)]
    assert node(bson.Int64(3)) == ("Int64", "3", False)
    assert preview("x" * 100, width=10) == "'xxxxxxxx…"
