"""A map that holds a key twice: each library keeps the last value, and formatlens says so.

The bytes come from the real libraries where they can write a repeated key
(msgpack's pack_map_pairs), from the JSONTestSuite and the BSON corpus, or are
written by hand after the spec (BSON, CBOR: their encoders take dicts).
"""

from __future__ import annotations

import json
import struct
from datetime import UTC

import bson
import cbor2
import msgpack
import pytest

import formatlens as fl

from .conftest import corpus_dir


def _warnings(document: fl.Document) -> list[str]:
    return [f.message for f in document.findings if f.code.endswith(".duplicate-key")]


def _bson_document(*elements: bytes) -> bytes:
    body = b"".join(elements)
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def _int32(key: bytes, value: int) -> bytes:
    return b"\x10" + key + b"\x00" + struct.pack("<i", value)


def test_json_duplicate_keys_name_the_path_and_both_offsets():
    data = b'{"a": 1, "b": {"x": 1, "x": [2]}, "a": 3}'
    document = fl.load(data, "json")
    assert document.value == json.loads(data) == {"a": 3, "b": {"x": [2]}}
    assert list(document.value) == ["a", "b"]  # the last value, in the first key's place
    assert _warnings(document) == [
        "duplicate key 'x' in b, bytes 15 and 23: json keeps the last value (in the first key's place)",
        "duplicate key 'a' at the top level, bytes 1 and 34: json keeps the last value (in the first key's place)",
    ]
    spans = [f.span for f in document.findings if f.code == "json.duplicate-key"]
    assert [data[s.start : s.end] for s in spans] == [b'"x"', b'"a"']
    assert [s.path for s in spans] == [("b", "x"), ("a",)]  # the key's node in the value


def test_json_duplicate_keys_after_multibyte_text_and_inside_arrays():
    data = '[{"é": "ü"}, {"k": 0, "k": 1}]'.encode()
    document = fl.load(data, "json")
    assert document.value == [{"é": "ü"}, {"k": 1}]
    (warning,) = [f for f in document.findings if f.code == "json.duplicate-key"]
    assert warning.message.startswith("duplicate key 'k' in 1, bytes 16 and 24:")
    assert data[16:19] == b'"k"' and data[24:27] == b'"k"'


@pytest.mark.parametrize(
    ("name", "value"),
    [("y_object_duplicated_key.json", {"a": "c"}), ("y_object_duplicated_key_and_value.json", {"a": "b"})],
)
def test_json_test_suite_duplicate_keys(name, value):
    data = (corpus_dir("JSONTestSuite", "test_parsing") / name).read_bytes()
    document = fl.load(data, "json")
    assert document.value == value
    assert _warnings(document) == [
        "duplicate key 'a' at the top level, bytes 1 and 9: json keeps the last value (in the first key's place)"
    ]


def test_json_without_duplicates_has_no_warning():
    assert _warnings(fl.load(b'{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}', "json")) == []


def test_msgpack_duplicate_keys_written_by_msgpack():
    packer = msgpack.Packer()
    inner = packer.pack_map_pairs([("x", 1), ("x", 2)])
    data = packer.pack_map_header(3) + packer.pack("a") + packer.pack(1) + packer.pack("b") + inner
    data += packer.pack("a") + packer.pack([3])
    document = fl.load(data, "msgpack")
    assert document.value == msgpack.unpackb(data) == {"a": [3], "b": {"x": 2}}
    assert _warnings(document) == [
        "duplicate key 'x' in b, bytes 7 and 10: msgpack keeps the last value (in the first key's place)",
        "duplicate key 'a' at the top level, bytes 1 and 13: msgpack keeps the last value (in the first key's place)",
    ]
    assert data[7:9] == data[10:12] == b"\xa1x" and data[1:3] == data[13:15] == b"\xa1a"


def test_msgpack_duplicate_array_keys():
    packer = msgpack.Packer()
    data = packer.pack_map_pairs([([1, 2], "first"), ([1, 2], "second")])
    document = fl.load(data, "msgpack")
    assert document.value == {(1, 2): "second"}
    assert _warnings(document) == [
        "duplicate key (1, 2) at the top level, bytes 1 and 10: msgpack keeps the last value (in the first key's place)"
    ]


def test_cbor_duplicate_keys():
    # {"a": 1, "b": {"x": 1, "x": 2}, "a": 3} written by hand: cbor2 writes dicts, which cannot repeat a key
    data = bytes.fromhex("a3 6161 01 6162 a2 6178 01 6178 02 6161 03".replace(" ", ""))
    document = fl.load(data, "cbor")
    assert document.value == cbor2.loads(data) == {"a": 3, "b": {"x": 2}}
    assert _warnings(document) == [
        "duplicate key 'x' in b, bytes 7 and 10: cbor2 keeps the last value (in the first key's place)",
        "duplicate key 'a' at the top level, bytes 1 and 13: cbor2 keeps the last value (in the first key's place)",
    ]


def test_bson_duplicate_keys_and_not_array_indexes():
    inner = _bson_document(_int32(b"x", 1), _int32(b"x", 2))
    data = _bson_document(_int32(b"a", 1), b"\x03b\x00" + inner, _int32(b"a", 3))
    document = fl.load(data, "bson")
    assert document.value == bson.decode(data) == {"a": 3, "b": {"x": 2}}
    assert _warnings(document) == [
        "duplicate key 'x' in b, bytes 19 and 26: pymongo keeps the last value (in the first key's place)",
        "duplicate key 'a' at the top level, bytes 5 and 34: pymongo keeps the last value (in the first key's place)",
    ]
    assert data[19:21] == b"x\x00" and data[34:36] == b"a\x00"
    assert [f.span.path for f in document.findings if f.code == "bson.duplicate-key"] == [("b", "x"), ("a",)]


def test_bson_corpus_array_with_duplicate_indexes_is_no_duplicate_key():
    cases = json.loads((corpus_dir("bson-corpus", "tests") / "array.json").read_text())["valid"]
    (case,) = [c for c in cases if c["description"] == "Multi Element Array with duplicate indexes"]
    document = fl.load(bytes.fromhex(case["degenerate_bson"]), "bson")
    assert document.value == {"a": [10, 20]}
    assert _warnings(document) == []


def test_bson_stream_names_the_document():
    data = _bson_document(_int32(b"k", 1)) + _bson_document(_int32(b"k", 1), _int32(b"k", 2))
    document = fl.load(data, "bson")
    assert document.value == [{"k": 1}, {"k": 2}]
    assert _warnings(document) == [
        "duplicate key 'k' in 1, bytes 17 and 24: pymongo keeps the last value (in the first key's place)"
    ]


@pytest.mark.parametrize("target", ["json", "yaml"])
def test_a_conversion_names_the_values_a_duplicate_key_lost(target):
    converted = fl.convert(b'{"a": 1, "b": {"x": 1, "x": 2}, "a": 3}', target)
    assert fl.load(converted.data, target).value == {"a": 3, "b": {"x": 2}}
    assert converted.losses == [
        "duplicate keys in the source ('x', 'a'): only the last value of each is written, as the source's reader keeps it"
    ]


def test_duplicate_keys_inside_json_lines_point_at_the_file_bytes():
    data = b'{"a": 1, "a": 2}\n{"b": 1}\n{"c": 1, "c": 2}\n'
    document = fl.load(data)
    assert [layer.kind for layer in document.layers] == ["json-lines"]
    assert document.value == [{"a": 2}, {"b": 1}, {"c": 2}]
    warnings = [f for f in document.findings if f.code == "json.duplicate-key"]
    assert [f.message.split(":")[0] for f in warnings] == ["message 0 (from byte 0)", "message 2 (from byte 26)"]
    assert [(f.span.start, f.span.path) for f in warnings] == [(9, (0, "a")), (35, (2, "c"))]
    assert data[35:38] == b'"c"'


def test_json_duplicate_keys_give_both_keys_whole():
    from formatlens.codecs.support import jsonscan

    text = '{"ab": 1, "ab": 2}'
    (dup,) = jsonscan.duplicate_keys(text)
    assert (text[dup.first : dup.first_end], text[dup.again : dup.again_end]) == ('"ab"', '"ab"')


# The fast paths: msgpack and pymongo write a decoded value back; when that gives the very input bytes,
# no map held a key twice (the exact check is skipped). cbor2's strict parse is the decode itself.


def test_bson_corpus_bytes_written_back_hold_no_repeated_key():
    from formatlens.codecs.bson import READ_OPTIONS, codec, repeated_keys

    written_back = 0
    for path in sorted(corpus_dir("bson-corpus", "tests").glob("*.json")):
        for case in json.loads(path.read_text()).get("valid", []):
            data = bytes.fromhex(case["canonical_bson"])
            if codec.writes_back(bson.decode_all(data, READ_OPTIONS), data):
                written_back += 1
                assert repeated_keys(data) == [], case["description"]
    assert written_back >= 100  # the fast path is the usual one for other drivers' canonical bytes


def test_bson_repeat_with_the_same_value_is_found():
    data = _bson_document(_int32(b"a", 1), _int32(b"b", 2), _int32(b"a", 1))
    document = fl.load(data + bson.encode({"ok": [{"x": 1}]}), "bson")
    assert document.value == [{"a": 1, "b": 2}, {"ok": [{"x": 1}]}]
    assert _warnings(document) == [
        "duplicate key 'a' in 0, bytes 5 and 19: pymongo keeps the last value (in the first key's place)"
    ]
    assert data[5:7] == data[19:21] == b"a\x00"


def test_bson_written_by_pymongo_is_written_back_and_has_no_warning():
    from datetime import datetime

    from bson import ObjectId

    from formatlens.codecs.bson import READ_OPTIONS, codec

    record = {"_id": ObjectId(b"0123456789ab"), "at": datetime(2024, 5, 1, tzinfo=UTC), "n": [1, 2.5]}
    data = b"".join(bson.encode({**record, "i": i, "in": {"k": str(i)}}) for i in range(3))
    assert codec.writes_back(bson.decode_all(data, READ_OPTIONS), data) is True
    assert _warnings(fl.load(data, "bson")) == []
    assert codec.writes_back(bson.decode_all(data, READ_OPTIONS), data + b"\x00") is False


def test_msgpack_repeat_with_the_same_value_inside_a_list_is_found():
    from formatlens.codecs.msgpack import writes_back

    packer = msgpack.Packer()
    data = packer.pack_array_header(2) + packer.pack({"ok": 1}) + packer.pack_map_pairs([("k", 0), ("k", 0)])
    document = fl.load(data, "msgpack")
    assert document.value == [{"ok": 1}, {"k": 0}]
    assert writes_back([document.value], data) is False
    assert _warnings(document) == [
        "duplicate key 'k' in 1, bytes 7 and 10: msgpack keeps the last value (in the first key's place)"
    ]
    assert data[7:9] == data[10:12] == b"\xa1k"


def test_msgpack_written_by_msgpack_is_written_back_and_has_no_warning():
    from datetime import datetime

    from formatlens.codecs.msgpack import writes_back

    value = [{"at": datetime(2024, 5, 1, tzinfo=UTC), "b": b"\x00", "n": [1, -2, 2.5, None]}] * 3
    data = msgpack.packb(value, datetime=True)
    assert writes_back([fl.load(data, "msgpack").value], data) is True
    assert _warnings(fl.load(data, "msgpack")) == []


def test_cbor_repeat_with_the_same_value_inside_a_list_is_found():
    # [{"ok": 1}, {"k": 0, "k": 0}] written by hand
    data = bytes.fromhex("82 a1 626f6b 01 a2 616b 00 616b 00".replace(" ", ""))
    document = fl.load(data, "cbor")
    assert document.value == cbor2.loads(data) == [{"ok": 1}, {"k": 0}]
    assert _warnings(document) == [
        "duplicate key 'k' in 1, bytes 7 and 10: cbor2 keeps the last value (in the first key's place)"
    ]
    written = cbor2.dumps([{"ok": 1}, {"k": 0}])
    assert (fl.load(written, "cbor").value, _warnings(fl.load(written, "cbor"))) == ([{"ok": 1}, {"k": 0}], [])


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "b": {"x": 1, "x": [2]}, "a": 3}',
        '[{"é": "ü"}, {"k": 0, "k": 0}]'.encode(),
        b'{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}',
        b'// settings\n{"a": 1, "b": {"k": 1, "k": 2,},}',
        b'{"a": 1, "a": 2}\n{"b": 1}\n{"c": 1, "c": 2}\n',
    ],
)
def test_json_parsed_for_a_first_view_notes_the_repeats_the_scan_finds(data):
    from formatlens.codecs.base import findings_wanted

    with findings_wanted():  # a worker's first view: the parse itself notes repeated keys
        folded = fl.load(data)
    plain = fl.load(data)
    assert folded.value == plain.value
    assert [(f.message, f.span) for f in folded.findings] == [(f.message, f.span) for f in plain.findings]


def test_json_parsed_for_a_first_view_without_repeats_is_not_scanned_again(monkeypatch):
    from formatlens.codecs import json as json_codec
    from formatlens.codecs.base import findings_wanted

    def no_second_scan(text, limit=20):
        raise AssertionError("scanned again")

    monkeypatch.setattr(json_codec.jsonscan, "duplicate_keys", no_second_scan)
    with findings_wanted():
        document = fl.load(b'{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}', "json")
    assert document.findings == []
    with pytest.raises(fl.InternalError, match="scanned again"):  # the boundary calls it a bug
        fl.load(b'{"a": 1}', "json").findings  # noqa: B018 - without the fold, the scan runs


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("a3 6161 01 6162 a2 6178 01 6178 02 6161 03".replace(" ", "")),
        bytes.fromhex("82 a1 626f6b 01 a2 616b 00 616b 00".replace(" ", "")),
        cbor2.dumps([{"ok": 1}, {"k": 0}]),
    ],
)
def test_cbor_parsed_for_a_first_view_is_its_own_duplicate_key_check(data, monkeypatch):
    from formatlens.codecs import cbor as cbor_codec
    from formatlens.codecs.base import findings_wanted

    parses: list[bool] = []
    load_all = cbor_codec.CborCodec._load_all

    def counted(self, data, *, allow_duplicate_keys=True):
        parses.append(allow_duplicate_keys)
        return load_all(self, data, allow_duplicate_keys=allow_duplicate_keys)

    monkeypatch.setattr(cbor_codec.CborCodec, "_load_all", counted)
    plain = fl.load(data, "cbor")
    plain_findings = [(f.message, f.span) for f in plain.findings]
    repeats = bool(_warnings(plain))
    assert parses == [True, False]  # fl.load parses as cbor2.loads does; the findings parse strictly
    parses.clear()
    with findings_wanted():
        folded = fl.load(data, "cbor")
    assert (folded.value, [(f.message, f.span) for f in folded.findings]) == (plain.value, plain_findings)
    assert parses == ([False, True] if repeats else [False])  # strictly, and again only after a repeat
