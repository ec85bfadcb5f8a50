"""The structure tree and the hexdump windows: every byte in some node, nodes found from bytes."""

import itertools
from pathlib import Path

import bson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.core.document import Span
from formatlens.core.errors import FormatError
from formatlens.render.hexdump import WINDOW, window
from formatlens.render.partial import partial_spans
from formatlens.render.report import document_to_dict
from formatlens.render.tree import UNPARSED, TreeModel
from formatlens.render.typed import text_tree
from formatlens.ui.inspector import parse_selection

from .conftest import SAMPLES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def model(data: bytes) -> tuple[fl.Document, TreeModel]:
    document = fl.load(data)
    return document, TreeModel(document.spans, document.value, len(data))


def covered(tree: TreeModel, node=()) -> list[tuple[int, int]]:
    """The byte ranges of the children of ``node`` (what the tree accounts for at that level)."""
    return [(item.start, item.end) for item in tree.items(node)]


def test_every_byte_belongs_to_a_root_node_with_gaps_as_unparsed():
    data = (SAMPLES / "users.json").read_bytes()
    _, tree = model(data)
    ranges = covered(tree)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ranges))  # in order, no holes between them
    assert sum(end - start for start, end in ranges) == len(data)
    first = tree.items(())[0]
    assert first.kind == UNPARSED and tree.rows((), 0, 1)[0][3] == "4 bytes not annotated"  # '[\n  ' first
    assert data[first.start : first.end] == b"[\n  "


def test_rows_carry_type_range_and_preview_and_go_on_into_the_value():
    data = bson.encode({"name": "Ann", "n": 7})
    _, tree = model(data)
    assert tree.count(()) == 1
    entries = tree.rows((0,), 0, 100)
    assert [r[2] for r in entries] == ["length", "entry", "entry", "footer"]
    name = entries[1]
    assert name[:2] == [4, 4 + 1 + 5 + 4 + 4] and name[4] == "str" and name[5] == "'Ann'"
    json_tree = model(b'{"a": {"b": [1, 2.5, null]}}')[1]
    # JSON annotates the top-level members; below them the tree is the decoded value, typed
    path = (json_tree.locate(6),)[0]
    members = json_tree.rows(path, 0, 100)
    assert members[0][3] == "b" and members[0][4] == "list (3)" and members[0][0] == -1


def test_locate_finds_the_deepest_node_and_its_path():
    data = bson.encode({"items": [{"name": "Ann"}]})
    _, tree = model(data)
    node = tree.locate(5)  # inside the key 'items'
    assert tree.item(node).label == "key 'items'"
    deeper = tree.locate(data.index(b"Ann"))
    assert tree.item(deeper).kind == "value" and tree.item(deeper).end - tree.item(deeper).start == 4  # 'Ann\0'


def test_window_marks_each_byte_with_its_innermost_node():
    data = bson.encode({"a": 1})
    _, tree = model(data)
    w = window(data, tree, 0)
    inner = [index for length, index in w["runs"] for _ in range(length)]
    assert len(inner) == len(data) and bytes.fromhex(w["hex"]) == data
    kinds = [w["nodes"][i][2] for i in inner]
    assert kinds[:4] == ["length"] * 4 and kinds[4] == "type" and kinds[-1] == "footer"
    path = w["nodes"][inner[5]][4]
    assert tree.item(tuple(int(p) for p in path.split("/"))).label == "key 'a'"


def test_windows_hold_only_their_bytes():
    data = (SAMPLES / "users.msgpack").read_bytes()
    _, tree = model(data)
    last = (len(data) - 1) // WINDOW
    w = window(data, tree, last)
    assert w["offset"] == last * WINDOW and bytes.fromhex(w["hex"]) == data[last * WINDOW :]
    assert all(node[1] > last * WINDOW for node in w["nodes"])
    assert sum(length for length, _ in w["runs"]) == len(data) - last * WINDOW


def test_parquet_written_by_pyarrow_gets_a_tree(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": list(range(1000))}), path)
    data = path.read_bytes()
    _, tree = model(data)
    ranges = covered(tree)
    assert ranges[0] == (0, 4) and ranges[-1][1] == len(data)
    assert tree.item(tree.locate(0)).label == "PAR1 magic"


@pytest.mark.skipif(not (CORPUS / "bson-corpus").exists(), reason="no corpus here")
def test_bson_corpus_files_locate_every_byte():
    import json

    spec = json.loads((CORPUS / "bson-corpus" / "tests" / "document.json").read_text())
    for case in spec.get("valid", [])[:10]:
        data = bytes.fromhex(case["canonical_bson"])
        _, tree = model(data)
        for offset in range(len(data)):
            node = tree.locate(offset)
            item = tree.item(node)
            assert item.start <= offset < item.end, (case["description"], offset)


def test_long_lists_are_asked_for_in_slices():
    data = bson.encode({"xs": list(range(250))})
    _, tree = model(data)
    array = tree.locate(data.index(b"\x04xs\x00") + 4)[:-1]  # the array value holding that length
    count = tree.count(array)
    assert count == 252  # its length, 250 elements, its end byte
    assert len(tree.rows(array, 200, 300)) == 52


def test_the_tree_the_cli_and_inspect_json_name_every_type_alike():
    """One naming (render/typed.py): a BSON document of library types, read by three views."""
    import datetime as dt
    import decimal

    record = {
        "id": bson.ObjectId("5f0c5d2b9b1e8a3c4d5e6f70"),
        "n": bson.Int64(7),
        "small": 3,
        "price": bson.Decimal128(decimal.Decimal("1.10")),
        "re": bson.Regex("^a", "i"),
        "raw": b"abc",
        "nan": float("nan"),
        "at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
        "tags": ["x", "y"],
    }
    data = bson.encode(record)
    document = fl.load(data)
    tree = TreeModel(document.spans, document.value, len(data))
    rows = {r[3]: r for r in tree.rows((0,), 0, 100) if r[2] == "entry"}
    tree_types = {label.split(":")[0]: row[4] for label, row in rows.items()}
    json_spans = document_to_dict(document)["spans"][0]["children"]
    json_types = {s["label"].split(":")[0]: s["type"] for s in json_spans if s["kind"] == "entry"}
    cli_lines, _ = text_tree(document.value, max_lines=100)
    cli_types = {line.strip().split(": ")[0]: line.strip().split(": ")[1].split("  ")[0] for line in cli_lines[1:]}
    assert tree_types == json_types == {k: cli_types[k] for k in tree_types}
    assert tree_types == {
        "id": "ObjectId",
        "n": "Int64",
        "small": "int",
        "price": "Decimal128",
        "re": "bson.Regex",
        "raw": "bytes (3)",
        "nan": "float",
        "at": "datetime, UTC",
        "tags": "list (2)",
    }
    assert rows["nan: double"][5] == "NaN"  # NaN is a float, and its preview says which one


def test_sets_and_cbor_tags_open_in_the_tree_as_the_cli_opens_them():
    import cbor2

    value = {"v": {"s": {3, 1}, "t": cbor2.CBORTag(4242, [1, 2])}}
    tree = TreeModel([Span(0, 4, "value", "v", ("v",))], value, 4)
    assert tree.rows((0,), 0, 10) == [
        [-1, -1, "member", "s", "set (2)", "2 items", 2],
        [-1, -1, "member", "t", "CBORTag 4242", "2 items", 1],
    ]
    assert [r[5] for r in tree.rows((0, 0), 0, 10)] == ["1", "3"]
    assert tree.rows((0, 1, 0), 0, 10)[1][3:6] == ["1", "int", "2"]


def test_refusal_spans_stop_at_the_offending_byte():
    data = b'{"name": "Ann", "tags": [1, 2 3]}'
    with pytest.raises(FormatError) as caught:
        fl.load(data, "json")
    spans = partial_spans(data, caught.value)
    assert [(s.start, s.end, s.kind) for s in spans] == [(0, 30, "value"), (30, 31, "error")]
    tree = TreeModel(spans, size=len(data))
    assert [i.kind for i in tree.items(())] == ["value", "error", UNPARSED]


def test_refused_pickle_lists_its_opcodes_up_to_the_error():
    import pickle

    data = pickle.dumps([1, 2, 3], protocol=2)[:-1] + b"\xff"  # the STOP opcode replaced by junk
    error = FormatError("bad opcode", offset=len(data) - 1, format="pickle")
    read = partial_spans(data, error)[0]
    assert [c.label.split()[0] for c in read.children][:3] == ["PROTO", "EMPTY_LIST", "BINPUT"]
    assert read.children[-1].end == len(data) - 1


def test_select_parameter():
    assert parse_selection("0:4", 10) == (0, 4)
    assert parse_selection("0x10:0x20", 100) == (16, 32)
    assert parse_selection("5:5", 10) is None and parse_selection("0:11", 10) is None
    assert parse_selection("a:b", 10) is None and parse_selection("", 10) is None


def test_a_span_tree_without_spans_is_one_gap():
    tree = TreeModel([], size=10)
    assert [(i.start, i.end, i.kind) for i in tree.items(())] == [(0, 10, UNPARSED)]
    assert TreeModel([Span(2, 4, "value", "v")], size=6).items(())[0].end == 2


def test_one_byte_gaps_and_overlapping_siblings():
    data = b"[1,2]"
    _, tree = model(data)
    assert [(i.start, i.end, i.kind == UNPARSED) for i in tree.items(())] == [
        (0, 1, True),
        (1, 2, False),
        (2, 3, True),
        (3, 4, False),
        (4, 5, True),
    ]
    # siblings that overlap (sorted outer first): a byte belongs to the later, narrower one
    tree = TreeModel([Span(0, 10, "value", "outer"), Span(0, 4, "length", "inner")], size=10)
    assert tree.locate(2) == (1,) and tree.locate(6) == (0,)


def test_library_types_and_yaml_tags_keep_their_names_in_the_tree():
    from formatlens.render.typed import type_name

    tree = TreeModel([Span(0, 1, "value", "v", ("v",))], {"v": {"ref": {"!tag": "!Ref", "value": "Env"}}}, 1)
    assert tree.rows((0,), 0, 1)[0][4] == "tag !Ref" == type_name({"!tag": "!Ref", "value": "Env"})
