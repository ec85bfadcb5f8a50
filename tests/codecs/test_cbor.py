import datetime as dt
import uuid
from decimal import Decimal

import cbor2
import pytest

import formatlens as fl


def test_tags_load_as_types_and_are_annotated():
    value = {
        "t": dt.datetime(2013, 3, 21, 20, 4, tzinfo=dt.UTC),
        "d": Decimal("1.5"),
        "u": uuid.UUID(int=1),
        "s": {1, 2},
    }
    doc = fl.load(cbor2.dumps(value))
    assert doc.value == value
    labels = [c.label for c in doc.spans[0].children]
    assert "tag 0 (date/time string)" in labels and "tag 4 (decimal fraction)" in labels
    assert "tag 37 (UUID)" in labels and "tag 258 (set)" in labels


def test_indefinite_lengths():
    data = bytes.fromhex("bf61619f0203ffff")  # {_ "a": [_ 2, 3]}: an indefinite map holding an indefinite array
    doc = fl.load(data, "cbor")
    assert doc.value == {"a": [2, 3]}
    top = doc.spans[0]
    assert top.children[-1].label == "break" and top.end == len(data)


def test_self_describe_magic_detected():
    data = bytes.fromhex("d9d9f7") + cbor2.dumps([1])
    assert fl.detect(data)[0] == ("cbor", 0.99)
    assert list(fl.load(data).value) == [1]


@pytest.mark.parametrize("data,offset", [(bytes.fromhex("9b0000001000000000"), 9), (b"\x1c", 0), (b"\xff", 0)])
def test_malformed_refused_with_offset(data, offset):
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "cbor")
    assert info.value.offset == offset


def test_encode_options():
    assert fl.dump({"b": 1, "a": 2}, "cbor", canonical=True) == bytes.fromhex("a2616102616201")
    when = dt.datetime(2013, 3, 21, 20, 4, tzinfo=dt.UTC)
    assert fl.dump(when, "cbor", datetime_as_timestamp=True) == bytes.fromhex("c11a514b67b0")


def test_shared_values_count_once_per_use():
    inner = [1, 2]
    shared = cbor2.dumps([inner, inner], value_sharing=True)  # tag 28 on the first, tag 29 pointing at it
    document = fl.load(shared, "cbor")
    assert document.value == [[1, 2], [1, 2]] and document.value[0] is document.value[1]
    bomb = list(range(10))
    for _ in range(9):  # 10**9 uses of a few containers, in about a hundred bytes
        bomb = [bomb] * 10
    with pytest.raises(fl.LimitExceeded, match="number of values"):
        fl.load(cbor2.dumps(bomb, value_sharing=True), "cbor").value  # noqa: B018


def test_unreadable_keys_with_the_same_first_bytes_keep_apart():
    # A CBOR array key is read as a list, which cannot be a dict key: it is named in hex, from its first 64
    # bytes and its size and place, so two such keys alike in their first bytes are two paths (review R7).
    import cbor2

    data = cbor2.dumps({(0,) * 70 + (1,): "a", (0,) * 70 + (2,): "b"})
    (top,) = fl.load(data, "cbor").spans
    keys = [span.path[-1] for span in top.children if span.kind == "key"]
    assert len(keys) == 2 and keys[0] != keys[1] and all(key.startswith("9847" + "00" * 62) for key in keys)
