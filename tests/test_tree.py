"""The structure tree and the hexdump windows: every byte in some node, nodes found from bytes."""

import csv
import io
import itertools
import json
import re
from dataclasses import replace
from pathlib import Path

import bson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.core.document import Span
from formatlens.core.errors import FormatError
from formatlens.core.limits import current, sized_for
from formatlens.render.hexdump import WINDOW, window
from formatlens.render.partial import partial_spans
from formatlens.render.report import document_to_dict
from formatlens.render.tree import GROUP, MISSING, UNPARSED, TreeModel
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


# -- group labels: a group of a long list names the items it holds, not its node indexes ------------------


def group_size(n: int) -> int:
    """inspector.js groupSize: children per group at the top of a list of ``n``."""
    size = GROUP
    while -(-n // size) > GROUP:
        size *= GROUP
    return size


def group_text(marks, gs: int, ge: int, n: int) -> tuple[str, str]:
    """inspector.js groupText: what a group row of nodes ``gs``..``ge - 1`` of ``n`` says, from render.tree's
    marks (the browser test checks the script itself on a real page)."""
    if marks is None:  # nodes are items from 0 (one alone is named as the marks branch names it)
        k = ge - gs
        return (f"[{gs:,}]" if k == 1 else f"[{gs:,} … {ge - 1:,}]"), f"{k:,} item{'s' * (k != 1)}"
    gaps = marks["gaps"]

    def before(b: int) -> int:
        return b - gaps[-(-b // GROUP)]

    a, z = before(gs), before(ge)
    rest = int(marks["rest"] and ge == n)
    head, tail = marks["head"] if gs == 0 else [], marks["tail"] if ge == n else []  # not items (a header row)
    items, gap_count = z - a, ge - gs - (z - a) - rest - len(head) - len(tail)
    others = [f"the {kind}" for kind in head + tail]
    origin = marks["origin"]
    if items == 0:
        label = "the rest" if rest else ", ".join(others) if others else "no items"
    elif items == 1:
        label = f"[{origin + a:,}]"
    else:
        label = f"[{origin + a:,} … {origin + z - 1:,}]"
    parts = [f"{k:,} {word}{'' if k == 1 else 's'}" for k, word in ((items, "item"), (gap_count, "gap")) if k]
    text = ", ".join(others[: len(head)] + parts + others[len(head) :] + ["the rest"] * rest)
    return label, "" if text == label else text  # what the label says already is not said twice


def view_groups(tree: TreeModel, node=()) -> list[tuple[int, int, str, str]]:
    """Every group row the view can show for ``node``'s children, at every level: (gs, ge, label, count)."""
    out = []
    marks = tree.marks(node)

    def level(lo: int, hi: int) -> None:
        if hi - lo <= GROUP:
            return
        size = group_size(hi - lo)
        for gs in range(lo, hi, size):
            ge = min(gs + size, hi)
            out.append((gs, ge, *group_text(marks, gs, ge, tree.count(node))))
            level(gs, ge)

    level(0, tree.count(node))
    return out


def held(tree: TreeModel, node, gs: int, ge: int) -> tuple[list[str], int]:
    """The labels of the items (not gaps) among children ``gs``..``ge - 1`` of ``node``, and the gaps."""
    rows = tree.rows(node, gs, ge)
    return [r[3] for r in rows if r[2] != UNPARSED], sum(r[2] == UNPARSED for r in rows)


def index_of(label: str) -> int:
    """The array index a JSON record's label starts with: '[1500] object of 2 members' -> 1500."""
    return int(label[1 : label.index("]")])


def test_groups_of_a_pretty_json_list_name_the_records_they_hold():
    records = [{"id": i, "name": f"user {i}"} for i in range(6_000)]
    data = json.dumps(records, indent=2).encode()  # written by the json module: ",\n  " between records
    _, tree = model(data)
    assert tree.count(()) == 12_001  # "[\n  ", then a record and a gap each time
    groups = view_groups(tree)
    assert len(groups) == 2 + 121  # groups of 10,000 nodes, each opening into groups of 100
    for gs, ge, label, count in groups:
        labels, gaps = held(tree, (), gs, ge)
        indexes = [index_of(text) for text in labels]
        assert indexes == list(range(indexes[0], indexes[0] + len(indexes))) if indexes else True
        if indexes:
            expected = f"[{indexes[0]:,} … {indexes[-1]:,}]" if len(indexes) > 1 else f"[{indexes[0]:,}]"
        else:
            expected = "no items"
        assert (gs, label) == (gs, expected)
        words = [f"{len(indexes):,} item{'s' * (len(indexes) != 1)}"] * bool(indexes)
        words += [f"{gaps:,} gap{'s' * (gaps != 1)}"] * bool(gaps)
        assert (gs, count) == (gs, ", ".join(words))
    by_start = {(gs, ge): (label, count) for gs, ge, label, count in groups}
    assert by_start[(3000, 3100)] == ("[1,500 … 1,549]", "50 items, 50 gaps")  # the bug: "[3,000 … 3,099]"
    assert by_start[(0, 10_000)] == ("[0 … 4,999]", "5,000 items, 5,000 gaps")
    assert by_start[(12_000, 12_001)] == ("no items", "1 gap")  # the closing "\n]"


def test_groups_of_yaml_a_json_object_and_xml_count_their_items():
    # Items named by keys, or by a tag's own count: the groups count items from 0, and say how many.
    import xmltodict
    import yaml

    users = [{"id": i, "name": f"u{i}"} for i in range(300)]
    inputs = {
        "yaml list": (yaml.safe_dump(users, sort_keys=False).encode(), (), 0),
        "yaml map": (yaml.safe_dump({f"k{i}": i for i in range(300)}).encode(), (), None),
        "json object": (json.dumps({f"k{i}": i for i in range(300)}, indent=2).encode(), (), None),
        "xml": (xmltodict.unparse({"users": {"user": users}}, pretty=True).encode(), (1,), 0),
    }
    for name, (data, node, origin) in inputs.items():
        _, tree = model(data)
        marks = tree.marks(node)
        assert marks is not None and marks["origin"] == 0, name
        for gs, ge, label, count in view_groups(tree, node):
            labels, gaps = held(tree, node, gs, ge)
            first = sum(1 for r in tree.rows(node, 0, gs) if r[2] != UNPARSED)  # items before the group
            if not labels:  # the closing bytes, alone in the last group
                assert (label, count) == ("no items", f"{gaps} gap{'s' * (gaps != 1)}"), (name, gs)
                continue
            assert label == f"[{first:,} … {first + len(labels) - 1:,}]", (name, gs)
            assert count == f"{len(labels):,} items, {gaps:,} gap{'s' * (gaps != 1)}", (name, gs)
            if origin is not None:  # a list: the item ranked k is [k]
                assert f"[{first}]" in labels[0] or f"#{first}" in labels[0], (name, labels[0])


def test_groups_of_arrays_whose_spans_tile_name_the_items_they_hold():
    # BSON, MessagePack and CBOR arrays leave no bytes between their items, but their first children are a
    # length (and a type byte), and a BSON array's last its end byte: those are not items, so the group of
    # nodes 100-199 holds items 99-198 (BSON) or 98-197 (MessagePack, CBOR), and is named so.
    import cbor2
    import msgpack

    values = list(range(1_000, 1_250))
    expected = {
        "bson": [
            (0, 100, "[0 … 98]", "the length, 99 items"),
            (100, 200, "[99 … 198]", "100 items"),
            (200, 252, "[199 … 249]", "51 items, the footer"),
        ],
        "msgpack": [
            (0, 100, "[0 … 97]", "the type, the length, 98 items"),
            (100, 200, "[98 … 197]", "100 items"),
            (200, 252, "[198 … 249]", "52 items"),
        ],
    }
    expected["cbor"] = expected["msgpack"]
    for data in (bson.encode({"xs": values}), msgpack.packb(values), cbor2.dumps(values)):
        document, tree = model(data)
        node = tree.locate(len(data) - 2)[:-1]
        while tree.count(node) <= GROUP:
            node = node[:-1]
        groups = view_groups(tree, node)
        assert groups == expected[document.format], document.format
        for gs, ge, label, _ in groups:  # the indexes of the items held, from their value paths
            held_indexes = [tree.value_path(item)[-1] for item in tree.items(node)[gs:ge] if tree.value_path(item)]
            assert label == f"[{held_indexes[0]:,} … {held_indexes[-1]:,}]", document.format


def test_a_window_of_the_rest_names_its_records_by_their_array_index():
    from formatlens.codecs.json import top_level_spans
    from formatlens.codecs.support.textpos import Text
    from formatlens.render.tree import restrict

    records = [{"id": i, "name": f"user {i}"} for i in range(4_000)]
    data = json.dumps(records, indent=2).encode()
    spans = top_level_spans(Text(data, "utf-8"))
    rest_from = spans[400].start  # a first view that stopped at record 400
    tree = TreeModel(spans[:400], MISSING, len(data), rest_from=rest_from, step=WINDOW)
    rest = tree.rest_path()
    slot = 10
    tree.fill(slot, restrict(spans, *tree.slot_range(slot)))
    node = (*rest, slot)
    assert tree.count(node) > GROUP
    first_item = next(item for item in tree.items(node) if item.kind != UNPARSED)
    assert tree.marks(node)["origin"] == first_item.span.path[0] > 400
    for gs, ge, label, _count in view_groups(tree, node):
        labels, _ = held(tree, node, gs, ge)
        assert label == f"[{index_of(labels[0]):,} … {index_of(labels[-1]):,}]"
    # the root of that first view: its 400 records and the rest
    root_groups = view_groups(tree)
    assert root_groups[0][2:] == ("[0 … 49]", "50 items, 50 gaps")
    assert root_groups[-2][2:] == ("[350 … 399]", "50 items, 50 gaps")
    assert root_groups[-1][2:] == ("the rest", "1 gap, the rest")  # the gap before record 400, and the rest


def with_rest_after(data: bytes, format: str | None, item: int, slot: int = 10) -> tuple[TreeModel, tuple]:
    """The tree of a first view of ``data`` that stopped annotating at its ``item``-th item, with window ``slot``
    of the rest annotated as the inspector annotates it (the walk's spans restricted to the window): the tree
    and that window's node."""
    from formatlens.render.tree import restrict

    document = fl.load(data, format)
    with sized_for(replace(current(), max_spans=10**9)):
        spans = sorted(document._spans_factory(), key=lambda s: (s.start, -s.end))
    items = [span for span in spans if span.path]
    rest_from = items[item].start
    tree = TreeModel([s for s in spans if s.end <= rest_from], MISSING, len(data), rest_from=rest_from, step=WINDOW)
    tree.fill(slot, restrict(spans, *tree.slot_range(slot)))
    node = (*tree.rest_path(), slot)
    assert tree.count(node) > GROUP
    return tree, node


def test_a_window_of_the_rest_of_a_list_without_gaps_names_its_items_by_index():
    # Items that tile their list (MessagePack values) leave no gaps, but the children of a window of the rest
    # start at the window: node 0 there is item 3,151, not item 0.
    import msgpack

    rows = [{"id": i, "name": f"user {i}"} for i in range(20_000)]
    data = b"".join(msgpack.packb(row) for row in rows)  # a stream: items (0,), (1,)..., labelled "map of 2"
    tree, node = with_rest_after(data, "msgpack", 400)
    indexes = [item.span.path[0] for item in tree.items(node)]
    assert tree.marks(node)["origin"] == indexes[0] > 400
    for gs, ge, label, count in view_groups(tree, node):
        assert (label, count) == (f"[{indexes[gs]:,} … {indexes[ge - 1]:,}]", f"{ge - gs} items")
    assert tree.marks(()) is None or tree.marks(())["origin"] == 0  # the root's nodes are its items' indexes


def shown(labels: list[str]) -> list[int]:
    """The numbers item labels show: "row 1544" -> 1544, "line 3" -> 3."""
    return [int(re.search(r"\d+", label).group()) for label in labels]


def named_as_held(tree: TreeModel, node: tuple) -> list[tuple[int, int, str, str]]:
    """Every group of ``node``'s children, each checked to be named by the numbers its items' labels show
    (a header row is no item: the group that holds it says so)."""
    groups = view_groups(tree, node)
    assert groups
    for gs, ge, label, count in groups:
        labels, gaps = held(tree, node, gs, ge)
        header = labels[:1] == ["header row"]
        numbers = shown(labels[header:])
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), (node, gs)
        expected = f"[{numbers[0]:,} … {numbers[-1]:,}]" if len(numbers) > 1 else f"[{numbers[0]:,}]"
        assert (gs, label) == (gs, expected)
        words = ["the header"] * header + [f"{len(numbers):,} item{'s' * (len(numbers) != 1)}"]
        words += [f"{gaps:,} gap{'s' * (gaps != 1)}"] * bool(gaps)
        rest = tree.items(node)[ge - 1].slot == -2  # render.tree.REST: "the rest", counted as a gap by held()
        if rest:
            words = words[:-1] + ([f"{gaps - 1:,} gap{'s' * (gaps != 2)}"] if gaps > 1 else []) + ["the rest"]
        assert (gs, count) == (gs, ", ".join(words))
    return groups


def csv_rows(count: int, header: bool = True) -> bytes:
    """``count`` rows written by the csv module (after a header row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(["id", "name"])
    writer.writerows([i, f"user {i}"] for i in range(count))
    return out.getvalue().encode()


def test_groups_of_a_csv_name_the_rows_they_hold_at_the_root_and_in_a_window_of_the_rest():
    # "row 1" is the first record (value index 0), after the header row: a group is named by the row numbers
    # its rows show, at the root (where node 0 is the header) and in a window of the rest alike.
    _, tree = model(csv_rows(250))
    assert named_as_held(tree, ()) == [
        (0, 100, "[1 … 99]", "the header, 99 items"),
        (100, 200, "[100 … 199]", "100 items"),
        (200, 251, "[200 … 250]", "51 items"),
    ]
    tree, node = with_rest_after(csv_rows(20_000), "csv", 400)
    window = named_as_held(tree, node)
    first = tree.items(node)[0]
    assert first.label == f"row {first.span.path[0] + 1}" and window[0][2].startswith(f"[{first.span.path[0] + 1:,} … ")
    assert named_as_held(tree, ())[::4] == [  # the first view's root: the header, rows 1-400 and the rest
        (0, 100, "[1 … 99]", "the header, 99 items"),
        (400, 402, "[400]", "1 item, the rest"),
    ]
    _, tree = model(csv_rows(250, header=False))  # no header: node 0 is "row 1"
    assert named_as_held(tree, ())[0] == (0, 100, "[1 … 100]", "100 items")


def test_groups_of_json_lines_name_the_lines_they_hold_at_the_root_and_in_a_window_of_the_rest():
    lines = "".join(json.dumps({"id": i, "name": f"user {i}"}) + "\n" for i in range(250)).encode()
    document, tree = model(lines)
    assert document.details.get("framing") == "JSON Lines"
    assert named_as_held(tree, ())[:2] == [  # a line and its line end (a gap) each time
        (0, 100, "[1 … 50]", "50 items, 50 gaps"),
        (100, 200, "[51 … 100]", "50 items, 50 gaps"),
    ]
    lines = "".join(json.dumps({"id": i, "name": f"user {i}"}) + "\n" for i in range(20_000)).encode()
    tree, node = with_rest_after(lines, None, 400)
    first = next(item for item in tree.items(node) if item.kind != UNPARSED)
    assert first.label == f"line {first.span.path[0] + 1}"
    assert named_as_held(tree, node)[0][2].startswith(f"[{first.span.path[0] + 1:,} … ")
