"""A refused input shows the items completed before the error, with the values the library read."""

import datetime as dt
import io
import json
from pathlib import Path

import bson
import cbor2
import msgpack
import pytest

import formatlens as fl
from formatlens.codecs.bson import READ_OPTIONS
from formatlens.core.document import Span
from formatlens.render.partial import partial
from formatlens.render.tree import TreeModel

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def refused(data: bytes, format: str | None = None) -> fl.FormatError:
    with pytest.raises(fl.FormatError) as caught:
        fl.load(data, format)
    return caught.value


def entries(read: Span) -> list[Span]:
    """The items under the read part (the container's opening bytes are a header before them)."""
    return [s for s in read.children if s.kind == "entry"]


def items(data: bytes, format: str | None = None) -> tuple[fl.FormatError, list[tuple[int, int]], object]:
    error = refused(data, format)
    shown = partial(data, error)
    read = shown.spans[0]
    assert read.end == error.offset and shown.spans[1].start == error.offset  # read part, then the offending byte
    return error, [(s.start, s.end) for s in entries(read)], shown.value


def test_json_members_and_elements_before_the_error():
    data = b'{"name": "Ann", "joined": "2024-05-01", "tags": [1, 2 3]}'
    error, ranges, value = items(data)
    assert error.offset == data.index(b"3]")
    assert value == {"name": "Ann", "joined": "2024-05-01"}
    assert [data[a:b] for a, b in ranges] == [b'"name": "Ann"', b'"joined": "2024-05-01"']
    # byte offsets, not character offsets, in text with multi-byte characters
    data = '[{"city": "Zürich"}, "日本", 2.5, nul]'.encode()
    error, ranges, value = items(data)
    assert value == json.loads('[{"city": "Zürich"}, "日本", 2.5]')
    assert [data[a:b].decode() for a, b in ranges] == ['{"city": "Zürich"}', '"日本"', "2.5"]


def test_json_from_the_json_test_suite():
    data = (CORPUS / "JSONTestSuite" / "test_parsing" / "n_array_1_true_without_comma.json").read_bytes()
    _, ranges, value = items(data, "json")
    assert data == b"[1 true]" and value == [1] and ranges == [(1, 2)]


def test_bson_documents_before_the_bad_one():
    good = [{"a": 1}, {"when": dt.datetime(2024, 5, 1, tzinfo=dt.UTC), "id": bson.ObjectId("5f0c5d2b9b1e8a3c4d5e6f70")}]
    written = [bson.encode(doc) for doc in good]
    bad = b"\x10\x00\x00\x00\x02x\x00\xff\xff\xff\x7fab\x00\x00"  # a string whose length lies
    data = b"".join(written) + bad
    _, ranges, value = items(data, "bson")
    assert value == [bson.decode(doc, READ_OPTIONS) for doc in written]
    assert ranges == [(0, len(written[0])), (len(written[0]), len(written[0]) + len(written[1]))]
    assert isinstance(value[1]["id"], bson.ObjectId)


def test_msgpack_items_of_a_sequence_and_of_a_refused_map():
    first, second = msgpack.packb([1, 2]), msgpack.packb({"a": b"\x00\x01"})
    _, ranges, value = items(first + second + b"\xc1", "msgpack")  # 0xc1: never used in MessagePack
    assert value == [[1, 2], {"a": b"\x00\x01"}] and ranges == [(0, len(first)), (len(first), len(first) + len(second))]
    data = msgpack.packb({"id": 7, "tags": ["x", "y"], "z": 3})
    data = data[: data.index(b"\xa1z")] + b"\xc1"  # the third key replaced by the unused byte
    _, ranges, value = items(data, "msgpack")
    assert value == {"id": 7, "tags": ["x", "y"]}
    pairs = [list(msgpack.Unpacker(io.BytesIO(data[a:b]), raw=False)) for a, b in ranges]
    assert pairs == [["id", 7], ["tags", ["x", "y"]]]  # each item is its key and value


def test_cbor_items_of_a_sequence_and_of_a_refused_array():
    first, second = (
        cbor2.dumps({"a": 1}),
        cbor2.dumps([dt.datetime(2024, 5, 1, tzinfo=dt.UTC)], datetime_as_timestamp=False),
    )
    _, ranges, value = items(first + second + b"\xff", "cbor")  # a lone "break"
    assert value == [{"a": 1}, [dt.datetime(2024, 5, 1, tzinfo=dt.UTC)]]
    assert ranges == [(0, len(first)), (len(first), len(first) + len(second))]
    data = cbor2.dumps([1, "x", {"k": 2.5}, 4])[:-1] + b"\xff"
    _, ranges, value = items(data, "cbor")
    assert value == [1, "x", {"k": 2.5}]
    assert [cbor2.loads(data[a:b]) for a, b in ranges] == value


def test_the_tree_goes_on_into_the_values_read_before_the_error():
    data = msgpack.packb({"user": {"name": "Ann"}, "n": 1})[:-1] + b"\xc1"
    error = refused(data, "msgpack")
    shown = partial(data, error)
    tree = TreeModel(shown.spans, shown.value, len(data))
    assert [r[2] for r in tree.rows((), 0, 10)] == ["value", "error"]
    read = tree.rows((0,), 0, 10)
    assert [r[2] for r in read] == ["header", "entry", "unparsed"]  # map header, the complete pair, key "n"
    assert read[0][3] == "start of the map"
    assert read[1][3:6] == ["'user': {name}", "dict (1)", "{name}"]
    assert tree.rows((0, 1), 0, 10)[0][3:6] == ["name", "str", "'Ann'"]


def test_nothing_complete_is_the_read_and_error_split():
    data = b'{"a": [1, 2 3]}'
    error = refused(data)
    shown = partial(data, error)
    assert shown.value is None and shown.spans[0].children == ()
    assert [(s.start, s.end, s.kind) for s in shown.spans] == [(0, 12, "value"), (12, 13, "error")]


@pytest.mark.parametrize("format", ["json", "bson", "msgpack", "cbor", "pickle"])
def test_mutated_samples_show_only_complete_items_in_bounds(format):
    """Seeded byte mutations of real samples: every refusal's partial structure stays before the error,
    and reading it raises nothing (a bug here would hide the refusal behind a bug panel)."""
    import random

    from tests.conftest import SAMPLES

    original = (SAMPLES / f"training.{format}").read_bytes()
    rng = random.Random(f"partial-{format}")
    seen = 0
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data[: rng.randint(1, len(data))])
        try:
            fl.load(data, format)
        except fl.FormatError as error:
            if error.offset is None:
                continue
            shown = partial(data, error)
            seen += 1
            for span in shown.spans[0].children if shown.spans and shown.spans[0].kind == "value" else ():
                assert 0 <= span.start < span.end <= error.offset
            if shown.value is not None:
                assert len(shown.value) == len(entries(shown.spans[0]))
    assert seen >= 20  # the mutations did reach refusals


def test_json_with_a_byte_order_mark_and_bad_utf8_after_the_items():
    items_text = '[{"a": "é"}, 2, '.encode()
    data = b"\xef\xbb\xbf" + items_text + b'"\xff"]'
    # an error past the bad byte (the reader must stop at the byte it cannot decode, BOM or not)
    shown = partial(data, fl.FormatError("made here", offset=len(data) - 1, format="json"))
    assert shown.value == [{"a": "é"}, 2]
    assert [(s.start, s.end) for s in entries(shown.spans[0])] == [(4, 15), (17, 18)]
    assert [(s.start, s.end, s.label) for s in shown.spans[0].children[:1]] == [(0, 4, "start of the list")]
    assert data[4:15] == '{"a": "é"}'.encode()
