"""Schema compatibility: Avro (the spec's resolution rules), Protocol Buffers, Parquet/Arrow; and the byte diff."""

import io
import json

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.analysis.bytediff import byte_diff
from formatlens.analysis.schema_compat import arrow_compatibility, avro_compatibility, proto_compatibility

V1 = {
    "type": "record",
    "name": "User",
    "fields": [{"name": "id", "type": "int"}, {"name": "name", "type": "string"}],
}


def _v2(*fields):
    return {"type": "record", "name": "User", "fields": list(fields)}


ID_INT = {"name": "id", "type": "int"}
NAME = {"name": "name", "type": "string"}

# (new schema, backward, forward, path of the first break or None): the classic evolution cases.
AVRO_CASES = {
    "add a field with a default": (_v2(ID_INT, NAME, {"name": "age", "type": "int", "default": 0}), True, True, None),
    "add a field without a default": (_v2(ID_INT, NAME, {"name": "age", "type": "int"}), False, True, "User.age"),
    "remove a field": (_v2(ID_INT), True, False, "User.name"),
    "widen int to long": (_v2({"name": "id", "type": "long"}, NAME), True, False, "User.id"),
    "rename with an alias": (
        _v2(ID_INT, {"name": "full_name", "type": "string", "aliases": ["name"]}),
        True,
        False,
        "User.name",
    ),
    "rename without an alias": (_v2(ID_INT, {"name": "full_name", "type": "string"}), False, False, "User.full_name"),
}


@pytest.mark.parametrize("case", sorted(AVRO_CASES))
def test_avro_compatibility_verdicts(case):
    new, backward, forward, first_path = AVRO_CASES[case]
    result = avro_compatibility(json.dumps(V1), json.dumps(new))
    assert (result.backward, result.forward) == (backward, forward)
    assert result.verdict == {(True, True): "FULL", (True, False): "BACKWARD", (False, True): "FORWARD"}.get(
        (backward, forward), "NONE"
    )
    assert (result.first_breaking.path if result.first_breaking else None) == first_path


def test_avro_verdict_agrees_with_fastavro_reading_the_data():
    # The verdict is about real reads: fastavro resolves old data with the new schema (backward).
    for case, (new, backward, _forward, _path) in AVRO_CASES.items():
        out = io.BytesIO()
        fastavro.writer(out, V1, [{"id": 1, "name": "Ada"}])
        out.seek(0)
        try:
            list(fastavro.reader(out, reader_schema=new))
            readable = True
        except fastavro.read.SchemaResolutionError:
            readable = False
        assert readable == backward, case


def _avro_file(schema, records) -> bytes:
    out = io.BytesIO()
    fastavro.writer(out, schema, records)
    return out.getvalue()


def test_diff_of_two_avro_files_carries_the_schema_verdict():
    old = _avro_file(V1, [{"id": 1, "name": "Ada"}])
    new = _avro_file(AVRO_CASES["add a field without a default"][0], [{"id": 1, "name": "Ada", "age": 36}])
    result = fl.diff(old, new)
    assert [(c.path, c.kind, c.new) for c in result.changes] == [((0, "age"), "added", 36)]
    assert result.schema.verdict == "FORWARD" and result.schema.first_breaking.path == "User.age"


def test_bad_avro_schema_is_a_format_error():
    with pytest.raises(fl.FormatError):
        avro_compatibility("{not json", json.dumps(V1))
    with pytest.raises(fl.FormatError):
        avro_compatibility(
            json.dumps({"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}), json.dumps(V1)
        )


PROTO = """syntax = "proto3";
package shop;
enum Status { UNKNOWN = 0; ACTIVE = 1; BANNED = 2; }
message User { int64 id = 1; string name = 2; string email = 3; Status status = 4; }
"""


@pytest.mark.parametrize(
    ("edit", "breaks", "change"),
    [
        (("string email = 3", "int64 age = 3"), True, "field number 3 reused"),
        (("string email = 3", "double email = 3"), True, "retyped from string to double"),
        (("string email = 3;", ""), True, "removed without reserving its number"),
        (("string email = 3;", 'reserved 3; reserved "email";'), False, "removed, its number reserved"),
        (("BANNED = 2;", ""), True, "enum value removed"),
        (("int64 id = 1", "uint64 id = 1"), False, "same wire encoding"),
        (("Status status = 4;", "Status status = 4; string phone = 5;"), False, "added"),
    ],
)
def test_protobuf_changes(edit, breaks, change):
    result = proto_compatibility(PROTO, PROTO.replace(*edit))
    assert [c["change"] for c in result.changes if change in c["change"]], result.changes
    assert (result.verdict == "NONE") is breaks
    assert bool(result.breaking) is breaks


def test_protobuf_reserved_number_taken_again():
    reserved = PROTO.replace("string email = 3;", "reserved 3;")
    result = proto_compatibility(reserved, reserved.replace("reserved 3;", "string phone = 3;"))
    assert [b.message for b in result.breaking] == ["added on a number the old schema reserved"]


def _parquet(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def test_parquet_columns_added_removed_retyped_and_nullability():
    old = pa.schema([pa.field("id", pa.int32(), nullable=False), ("name", pa.string()), ("gone", pa.string())])
    new = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string(), nullable=False),
            ("added", pa.float64()),
        ]
    )
    result = arrow_compatibility(old, new)
    assert {(c["path"], c["change"]) for c in result.changes} == {
        ("id", "retyped from int32 to int64 (a widening)"),
        ("name", "may no longer be null"),
        ("gone", "column removed"),
        ("added", "column added"),
    }
    assert (result.backward, result.forward) == (
        False,
        False,
    )  # not-null name breaks old data; int64 breaks old readers


def test_diff_of_two_parquet_files_written_by_pyarrow():
    old = _parquet(pa.table({"id": pa.array([1, 2], pa.int32()), "name": ["a", "b"]}))
    new = _parquet(pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["a", "B"], "score": [0.5, 1.5]}))
    result = fl.diff(old, new)
    assert [(c.path, c.kind) for c in result.changes] == [
        ((0, "score"), "added"),
        ((1, "name"), "changed"),
        ((1, "score"), "added"),
    ]
    assert result.schema.kind == "arrow" and result.schema.verdict == "BACKWARD"


def test_byte_diff_finds_inserts_and_deletes():
    a = bytes(range(256)) * 8
    b = a[:100] + b"NEW" + a[100:1000] + a[1010:]
    result = byte_diff(a, b)
    assert [(h.tag, h.a_start, h.a_end, h.b_start, h.b_end) for h in result.hunks] == [
        ("insert", 100, 100, 100, 103),
        ("delete", 1000, 1010, 1003, 1003),
    ]
    assert result.exact
    assert result.next_difference(100).tag == "delete"
    assert result.next_difference(0, "b").b_start == 100
    assert result.previous_difference(1000).tag == "insert"
    assert result.previous_difference(100) is None and result.next_difference(1000) is None


def test_byte_diff_of_unrelated_inputs_is_bounded_and_still_correct():
    import random

    rng = random.Random(7)
    a = rng.randbytes(300_000)
    b = rng.randbytes(300_000)
    result = byte_diff(a, b, timeout=0.2)
    # Applying the hunks to a gives b, whatever the alignment's quality.
    rebuilt, pos = bytearray(), 0
    for hunk in result.hunks:
        rebuilt += a[pos : hunk.a_start] + b[hunk.b_start : hunk.b_end]
        pos = hunk.a_end
    rebuilt += a[pos:]
    assert bytes(rebuilt) == b
