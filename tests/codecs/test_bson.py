import datetime as dt
from decimal import Decimal

import bson
import pytest
from bson.decimal128 import Decimal128
from bson.objectid import ObjectId

import formatlens as fl


def test_element_spans_follow_the_spec():
    data = bson.encode({"name": "Ann", "tags": ["a"]})
    doc = fl.load(data)
    (document,) = doc.spans
    length, name, tags, end = document.children
    assert (length.kind, length.start, length.end) == ("length", 0, 4)
    assert [c.kind for c in name.children] == ["type", "key", "value"]
    assert name.children[0].label == "type 0x02 string"
    assert data[name.children[1].start : name.children[1].end] == b"name\x00"
    assert end.kind == "footer" and end.end == len(data)
    item = tags.children[2].children[1]  # the array's first element
    assert item.path == ("tags", 0)


def test_rich_values():
    oid = ObjectId("5f43a1b2c3d4e5f6a7b8c9d0")
    data = bson.encode({"_id": oid, "when": dt.datetime(2024, 1, 1), "price": Decimal128("9.99")})
    value = fl.load(data).value
    assert value["_id"] == oid
    assert value["when"] == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert value["price"] == Decimal128("9.99")


def test_sequence_of_documents():
    data = bson.encode({"a": 1}) + bson.encode({"a": 2})
    doc = fl.load(data)
    assert doc.value == [{"a": 1}, {"a": 2}]
    assert [s.path for s in doc.spans] == [(0,), (1,)]


def test_lying_length_is_located():
    data = bytearray(bson.encode({"name": "Ann"}))
    data[10:14] = (1000).to_bytes(4, "little")  # the string's length prefix, after type byte and b"name\0"
    with pytest.raises(fl.FormatError) as info:
        fl.load(bytes(data), "bson")
    assert info.value.offset == 10


def test_encode_decimal_and_wrap_on_convert():
    data = fl.dump({"d": Decimal("1.5")}, "bson")
    assert bson.decode(data) == {"d": Decimal128("1.5")}
    result = fl.convert(b"[1, 2]", "bson")
    assert bson.decode(result.data) == {"items": [1, 2]}
    assert result.losses == ["BSON needs a document at the top: the list was wrapped as {'items': [...]}"]
