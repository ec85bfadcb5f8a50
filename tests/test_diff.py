"""fl.diff on values: meaning across formats, nested paths with their bytes, record alignment."""

import datetime as dt
import json
import math

import cbor2
import msgpack
import pytest

import formatlens as fl

RECORDS = [
    {
        "id": 1,
        "score": 1,
        "ratio": 0.5,
        "when": "2020-12-11T21:26:47+00:00",
        "big": 2**70,
        "nested": {"x": 1, "y": [1, 2.5]},
    },
    {
        "id": 2,
        "score": 2.5,
        "ratio": 1.5,
        "when": "2021-01-02T03:04:05+00:00",
        "big": 7,
        "nested": {"x": 2, "y": [3, 4.5]},
    },
]
SOURCE = json.dumps(RECORDS).encode()

# What each conversion of SOURCE changes in type (never in meaning): worked out from the formats' rules,
# not from the diff. MessagePack and YAML hold no integers past 64 bits (written as text); Avro and
# Parquet infer one type per column, so ints beside floats become floats and 2**70 beside 7 makes text.
TYPE_CHANGES = {
    "msgpack": {(0, "big")},
    "cbor": set(),
    "yaml": {(0, "big")},
    "avro": {(0, "score"), (0, "big"), (1, "big"), (0, "nested", "y", 0), (1, "nested", "y", 0)},
    "parquet": {(0, "score"), (0, "big"), (1, "big"), (0, "nested", "y", 0), (1, "nested", "y", 0)},
}


@pytest.mark.parametrize("target", sorted(TYPE_CHANGES))
def test_json_equals_its_own_conversion_and_strict_lists_type_changes(target):
    converted = fl.convert(SOURCE, target)
    loose = fl.diff(SOURCE, converted.data, format_b=target)
    assert loose.equal, [(c.path, c.kind, c.old, c.new) for c in loose.changes]
    strict = fl.diff(SOURCE, converted.data, format_b=target, strict=True)
    assert {c.path for c in strict.changes} == TYPE_CHANGES[target]
    assert {c.kind for c in strict.changes} <= {"type"}
    assert strict.equal == (not TYPE_CHANGES[target])
    if strict.changes:  # the conversion said what it lost; the strict diff shows where
        assert converted.losses


def test_strict_type_change_carries_both_values():
    converted = fl.convert(SOURCE, "avro")
    strict = fl.diff(SOURCE, converted.data, format_b="avro", strict=True)
    score = next(c for c in strict.changes if c.path == (0, "score"))
    assert (score.old, type(score.old), score.new, type(score.new)) == (1, int, 1.0, float)


def _users(city_of_second: str) -> dict:
    return {
        "users": [
            {"id": 1, "name": "Ada", "address": {"city": "London", "zip": "N1"}},
            {"id": 2, "name": "Grace", "address": {"city": city_of_second, "zip": "10001"}},
        ]
    }


def test_one_changed_nested_field_has_its_path_values_and_bytes():
    a = msgpack.packb(_users("New York"))
    b = cbor2.dumps(_users("Arlington"))
    result = fl.diff(a, b, format_a="msgpack", format_b="cbor")
    assert [(c.path, c.kind, c.old, c.new) for c in result.changes] == [
        (("users", 1, "address", "city"), "changed", "New York", "Arlington")
    ]
    change = result.changes[0]
    # Each side's span holds exactly that value's encoding, in its own format.
    assert msgpack.unpackb(a[change.span_a.start : change.span_a.end]) == "New York"
    assert cbor2.loads(b[change.span_b.start : change.span_b.end]) == "Arlington"


def test_a_text_side_points_at_the_deepest_span_it_has():
    a = json.dumps(_users("New York")).encode()
    b = msgpack.packb(_users("Arlington"))
    change = fl.diff(a, b, format_b="msgpack").changes[0]
    # JSON annotates its top-level entries: the span is the "users" entry, and it holds the old text.
    held = a[change.span_a.start : change.span_a.end]
    assert held.startswith(b'"users"') and b'"New York"' in held
    assert msgpack.unpackb(b[change.span_b.start : change.span_b.end]) == "Arlington"


def _many(count: int) -> list[dict]:
    return [{"id": i, "name": f"user {i}", "score": i % 97} for i in range(count)]


def test_a_record_inserted_at_the_top_is_one_added_with_a_key_and_without():
    records = _many(100_000)
    a = msgpack.packb(records)
    inserted = {"id": -1, "name": "new", "score": 0}
    b = msgpack.packb([inserted, *records])
    doc_a, doc_b = fl.load(a, "msgpack"), fl.load(b, "msgpack")  # decoded once for both alignments
    for key in ("id", None):
        result = fl.diff(doc_a, doc_b, key=key)
        assert [(c.path, c.kind, c.new) for c in result.changes] == [((0,), "added", inserted)], key


def test_an_insert_and_a_delete_in_a_list_of_one_length_are_found():
    records = _many(2000)
    shifted = [{"id": -1, "name": "new", "score": 0}, *records[:1000], *records[1001:]]
    result = fl.diff(msgpack.packb(records), msgpack.packb(shifted), format_a="msgpack", format_b="msgpack")
    assert [(c.kind, c.path, c.path_a) for c in result.changes] == [("added", (0,), None), ("removed", (1000,), None)]


def test_keyed_alignment_ignores_order_and_reports_changes_by_record():
    records = _many(1000)
    moved = list(reversed(records))
    moved[10] = {**moved[10], "name": "renamed"}  # record id 989
    a, b = msgpack.packb(records), msgpack.packb(moved)
    keyed = fl.diff(a, b, key="id", format_a="msgpack", format_b="msgpack")
    assert [(c.path, c.path_a, c.old, c.new) for c in keyed.changes] == [
        ((10, "name"), (989, "name"), "user 989", "renamed")
    ]
    by_index = fl.diff(a, b, format_a="msgpack", format_b="msgpack")
    assert len(by_index.changes) > 1000


def test_removed_and_added_keys_and_duplicate_keys_fall_back_with_a_note():
    a = msgpack.packb([{"id": 1, "a": 1}, {"id": 1, "a": 2}])
    b = msgpack.packb([{"id": 1, "a": 1}, {"id": 1, "b": 2}])
    result = fl.diff(a, b, key="id", format_a="msgpack", format_b="msgpack")
    assert [(c.path, c.kind) for c in result.changes] == [((1, "a"), "removed"), ((1, "b"), "added")]
    assert any("'id'" in note for note in result.notes)


@pytest.mark.parametrize(
    ("old", "new", "loose", "strict"),
    [
        (1, 1.0, True, "type"),
        (True, 1, False, "changed"),
        (float("nan"), float("nan"), True, None),
        ("2020-12-11T21:26:47+00:00", dt.datetime(2020, 12, 11, 21, 26, 47, tzinfo=dt.UTC), True, "type"),
        ("2020-12-11T21:26:47", dt.datetime(2020, 12, 11, 21, 26, 47, tzinfo=dt.UTC), False, "changed"),
        ("2020-12-11", dt.date(2020, 12, 11), True, "type"),
        ("42", 42, True, "type"),
        ("0.1", 0.1, True, "type"),
        ("true", True, True, "type"),
        ("aGk=", b"hi", True, "type"),
        ([1, 2], (1, 2), True, "type"),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True, None),
        (None, "", False, "changed"),
        ("1", 2, False, "changed"),
    ],
)
def test_the_documented_comparison_rules(old, new, loose, strict):
    a = fl.Document("python", b"", value={"v": old})
    b = fl.Document("python", b"", value={"v": new})
    assert fl.diff(a, b).equal is loose
    kinds = [c.kind for c in fl.diff(a, b, strict=True).changes]
    assert kinds == ([] if strict is None else [strict])


def test_nan_in_a_decoded_document_equals_nan():
    a = fl.load(cbor2.dumps({"x": math.nan}), "cbor")
    b = fl.load(msgpack.packb({"x": math.nan}), "msgpack")
    assert fl.diff(a, b, strict=True).equal


def test_bad_input_is_a_format_error():
    with pytest.raises(fl.FormatError):
        fl.diff(b'{"a": 1 2}', b"{}", format_a="json")
    with pytest.raises(fl.FormatError):
        fl.diff("not bytes", b"{}")  # type: ignore[arg-type]


@pytest.mark.parametrize(("target", "where"), [("bson", ("items",)), ("xml", ("root", "item"))])
def test_a_wrapper_the_target_format_needs_is_seen_through(target, where):
    converted = fl.convert(SOURCE, target)
    assert any("wrapped" in loss or "root" in loss for loss in converted.losses)
    result = fl.diff(SOURCE, converted.data, format_b=target)
    assert result.equal and len(result.notes) == 1 and "/".join(where) in result.notes[0]
    strict = fl.diff(SOURCE, converted.data, format_b=target, strict=True)
    assert all(c.path[: len(where)] == where and c.path_a[: len(where)] != where for c in strict.changes)


def test_an_object_against_its_one_row_csv():
    source = json.dumps({"name": "Ada", "born": 1815, "tags": ["math"]}).encode()
    result = fl.diff(source, fl.convert(source, "csv").data, format_b="csv")
    # The row itself is seen through; the list CSV wrote as JSON text is what changed.
    assert [(c.path, c.kind, c.new) for c in result.changes] == [((0, "tags"), "changed", '["math"]')]


def test_a_long_list_with_an_insert_and_a_delete_far_apart_aligns_without_difflib():
    records = _many(30_000)  # past MAX_ALIGNED: the bounded greedy walk, not difflib
    moved = [*records[:5000], {"id": -1, "name": "new", "score": 0}, *records[5000:20000], *records[20001:]]
    moved[25_000] = {**moved[25_000], "score": -5}
    a = fl.Document("python", b"", value=records)
    b = fl.Document("python", b"", value=moved)
    result = fl.diff(a, b)
    assert [(c.kind, c.path, c.path_a) for c in result.changes] == [
        ("added", (5000,), None),
        ("removed", (20000,), None),
        ("changed", (25000, "score"), None),
    ]
