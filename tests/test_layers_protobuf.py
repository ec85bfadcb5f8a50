"""Protocol Buffers without a schema, honestly: every reading of a length-delimited payload and why one was
chosen, wire order, and groups (wire types 3/4) decoded instead of refused."""

import pytest

import formatlens as fl
from formatlens.codecs.protobuf.codec import compile_proto
from formatlens.codecs.protobuf.wire import WireWalker, readings, shallow_field_count

# A group by hand (protobuf encoding spec): tag (3 << 3 | 3) = 0x1B opens field 3, 0x1C closes it.
GROUP = bytes([0x1B, 0x08, 0x05, 0x12, 0x02]) + b"hi" + bytes([0x1C, 0x12, 0x03]) + b"abc"


def test_group_is_decoded_with_its_start_and_end_tags():
    doc = fl.load(GROUP, "protobuf")
    assert doc.value == {"3": {"1": 5, "2": "hi"}, "2": "abc"}
    group = doc.spans[0]
    assert (group.start, group.end) == (0, 8)
    assert [(c.start, c.end, c.kind) for c in group.children] == [(0, 1, "tag"), (1, 7, "value"), (7, 8, "tag")]
    assert "group start" in group.children[0].label and "group end" in group.children[2].label
    assert [s.label for s in group.children[1].children] == [
        "field 1: varint 5 (zigzag -3)",
        group.children[1].children[1].label,
    ]
    assert "field_3 is a group on the wire" in doc.schema.text


def test_nested_and_repeated_groups():
    inner = bytes([0x23, 0x08, 0x01, 0x24])  # field 4 group inside
    data = bytes([0x1B]) + inner + bytes([0x1C]) + bytes([0x1B, 0x08, 0x02, 0x1C])
    doc = fl.load(data, "protobuf")
    assert doc.value == {"3": [{"4": {"1": 1}}, {"1": 2}]}


@pytest.mark.parametrize(
    "data",
    [
        bytes([0x1B, 0x08, 0x05]),  # never closed
        bytes([0x1B, 0x08, 0x05, 0x24]),  # closed with another field's end tag
        bytes([0x1C]),  # an end with no start
        bytes([0x0F, 0x00]),  # wire type 7 does not exist
    ],
)
def test_broken_groups_are_refused_at_their_byte(data):
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "protobuf", peel=False)
    assert info.value.offset is not None and info.value.offset < len(data)


def test_groups_written_by_the_protobuf_library():
    proto = (
        'syntax = "proto2";\nmessage M { optional group Item = 1 { optional int32 id = 2; optional string s = 3; } }\n'
    )
    cls = compile_proto(proto).message_class("M")
    message = cls()
    message.item.id = 7
    message.item.s = "seven"
    data = message.SerializeToString()
    assert data[0] == 0x0B  # field 1, wire type 3: protobuf wrote a group
    assert fl.load(data, "protobuf").value == {"1": {"2": 7, "3": "seven"}}


def test_every_reading_of_an_ambiguous_payload_and_the_choice():
    # field 2 holds "hi": printable text, but also a message (field 13, varint 105) and two varints.
    data = bytes([0x12, 0x02]) + b"hi"
    fields = WireWalker(data).message(0, len(data))
    found = readings(data, fields[0])
    assert [(r.kind, r.chosen) for r in found] == [
        ("string", True),
        ("message", False),
        ("packed", False),
        ("bytes", False),
    ]
    assert found[1].summary == "message of 1 field" and found[2].summary == "2 packed varints [104, 105]"
    doc = fl.load(data, "protobuf")
    label = doc.spans[0].label
    assert "also parses as: message of 1 field, 2 packed varints [104, 105], 2 bytes" in label
    assert "read as string: printable UTF-8 is read as text first" in label
    (finding,) = [f for f in doc.findings if f.span is not None]
    assert finding.message.startswith("field 2 at byte 0 reads as string 'hi'; it also parses as message of 1 field")
    assert (finding.span.start, finding.span.end) == (0, 4)


def test_a_message_that_is_also_packed_varints():
    data = bytes([0x0A, 0x02, 0x08, 0x01])  # field 1: 08 01 = message {1: 1}, or varints [8, 1]
    doc = fl.load(data, "protobuf")
    assert doc.value == {"1": {"1": 1}}
    assert any(
        "reads as message of 1 field; it also parses as 2 packed varints [8, 1]" in f.message for f in doc.findings
    )


def test_plain_bytes_have_one_reading():
    data = bytes([0x0A, 0x02, 0xFF, 0xFF])
    fields = WireWalker(data).message(0, len(data))
    assert [(r.kind, r.chosen) for r in readings(data, fields[0])] == [("bytes", True)]


def test_wire_order_is_kept_and_interleaving_is_said():
    data = bytes([0x08, 0x01, 0x10, 0x02, 0x08, 0x03])  # 1, 2, 1
    doc = fl.load(data, "protobuf")
    assert doc.value == {"1": [1, 3], "2": 2}  # repeated values in order
    assert [s.start for s in doc.spans] == [0, 2, 4] and [s.path for s in doc.spans] == [("1", 0), ("2",), ("1", 1)]
    assert any("interleave on the wire at the top level (1, 2, 1)" in f.message for f in doc.findings)


def test_shallow_count_matches_groups():
    assert shallow_field_count(GROUP, 0, len(GROUP)) == 2
    assert shallow_field_count(bytes([0x1B, 0x08]), 0, 2) is None
