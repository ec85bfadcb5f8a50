"""Annotation of a far window of a large input: the walkers in a span window, and the tree's rest.

The spans a walk makes inside a span window must be exactly the spans of a full, unbudgeted walk
of the same bytes that overlap that window (values compared), whatever the format.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from dataclasses import replace

import bson
import cbor2
import fastavro
import msgpack
import pytest
import xmltodict
import yaml

import formatlens as fl
from formatlens.codecs.avro import _Container as AvroContainer
from formatlens.codecs.protobuf.codec import compile_proto
from formatlens.codecs.protobuf.wire import WireWalker, wire_spans
from formatlens.core import checkpoints as checkpoints_module
from formatlens.core.checkpoints import TOP, Checkpoints
from formatlens.core.document import Span, count_spans
from formatlens.core.limits import current, sized_for, span_window
from formatlens.render import typed
from formatlens.render.hexdump import WINDOW, window
from formatlens.render.tree import (
    MAX_SLOT_SPANS,
    MAX_SLOTS,
    REST,
    UNREADABLE,
    NoValue,
    TreeModel,
    restrict,
    span_value_path,
    value_at,
)
from formatlens.runtime.annotate import ALONE, annotate, annotate_from, spans_of, window_spans
from formatlens.runtime.farwalk import context_of, wire_walk_only

from .conftest import SAMPLES

RECORDS = [{"id": i, "name": f"user {i} é", "tags": ["a", "b"], "score": i * 1.5} for i in range(2500)]


def _inputs() -> dict[str, bytes]:
    """Inputs written by the formats' own libraries (json, pymongo, msgpack, cbor2)."""
    return {
        "json": json.dumps(RECORDS, ensure_ascii=False, indent=1).encode(),
        "json-object": json.dumps({f"k{i}": r for i, r in enumerate(RECORDS)}).encode(),
        "json-bom": b"\xef\xbb\xbf" + json.dumps(RECORDS, ensure_ascii=False).encode(),  # offsets past a BOM
        "bson": bson.encode({"users": RECORDS}),
        "bson-stream": b"".join(bson.encode(r) for r in RECORDS),
        "msgpack": msgpack.packb(RECORDS),
        "msgpack-map": msgpack.packb({f"k{i}": r for i, r in enumerate(RECORDS)}),
        "msgpack-stream": b"".join(msgpack.packb(r) for r in RECORDS),
        "cbor": cbor2.dumps(RECORDS),
        "cbor-indefinite": b"\x9f" + b"".join(cbor2.dumps(r) for r in RECORDS) + b"\xff",  # an array to a break
        "cbor-tagged": cbor2.dumps(cbor2.CBORTag(55799, {f"k{i}": r for i, r in enumerate(RECORDS)})),
    }


def _protobuf(count: int) -> bytes:
    """A users.proto Record of ``count`` items, written by the protobuf library (its schema compiled by protoc)."""
    record = compile_proto(USERS_PROTO).message_class("formatlens.inferred.Record")()
    for i in range(count):
        item = record.items.add(id=i, name=f"user {i} é", email=f"user{i}@example.net", language="en")
        item.registered_at.FromSeconds(1_700_000_000 + i)
    return record.SerializeToString()


USERS_PROTO = (SAMPLES / "users.proto").read_text()
INPUTS = _inputs()
INPUTS["protobuf"] = _protobuf(1500)
INPUTS["protobuf-large"] = _protobuf(20_000)  # over 1 MiB: the schemaless walk of a large message
OPTIONS = {"protobuf-schema": {"schema": USERS_PROTO, "message": "formatlens.inferred.Record"}}
INPUTS["protobuf-schema"] = INPUTS["protobuf"]
MIXED_PROTO = """syntax = "proto3";
package mixed;
message Item { int64 id = 1; string name = 2; }
message Top {
  string title = 1;
  repeated Item items = 2;
  map<string, int64> tags = 3;
  repeated int64 numbers = 4;
  Item single = 5;
  map<int32, string> codes = 6;
}
"""


def _varint(value: int) -> bytes:
    """A protobuf varint, written by hand (for wire bytes the library would not write)."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes([*out, value])


def _protobuf_mixed() -> bytes:
    """A message of every kind of top-level field, written by the protobuf library (its schema compiled by
    protoc), then a second packed chunk of ``numbers``, ``title`` again and an unknown field 9 on the wire."""
    top = compile_proto(MIXED_PROTO).message_class("mixed.Top")(title="users", single={"id": 7, "name": "one"})
    for i in range(1500):
        top.items.add(id=i, name=f"user {i} é")
        top.tags[f"tag {i}"] = i
        top.codes[i] = f"code {i}"
    top.numbers.extend(range(300, 2300, 7))

    chunk = b"".join(_varint(n) for n in (5, 6, 7))
    again = b"again"
    tail = b"\x22" + _varint(len(chunk)) + chunk + b"\x0a" + _varint(len(again)) + again + b"\x48\x07"
    return top.SerializeToString() + tail


REQUIRED_PROTO = """syntax = "proto2";
package required;
message Item { required int64 id = 1; optional string name = 2; }
message Top { required string title = 1; repeated Item items = 2; }
"""


def _protobuf_required() -> bytes:
    """A proto2 message with required fields (a field read alone lacks the others)."""
    top = compile_proto(REQUIRED_PROTO).message_class("required.Top")(title="users")
    for i in range(1500):
        top.items.add(id=i, name=f"user {i} é")
    return top.SerializeToString()


INPUTS["protobuf-required"] = _protobuf_required()
OPTIONS["protobuf-required"] = {"schema": REQUIRED_PROTO, "message": "required.Top"}
INPUTS["protobuf-mixed"] = _protobuf_mixed()
OPTIONS["protobuf-mixed"] = {"schema": MIXED_PROTO, "message": "mixed.Top"}
ONEOF_PROTO = """syntax = "proto3";
package choice;
message Item { int64 id = 1; string name = 2; }
message Top { repeated Item items = 1; oneof choice { string a = 2; int64 b = 3; } optional int32 c = 4; }
"""


def _protobuf_oneof() -> bytes:
    """A oneof member written after the items, and another member of it after that (found by review: the
    whole message holds only the last, so the first has no value at its path), then an optional field."""
    top = compile_proto(ONEOF_PROTO).message_class("choice.Top")
    first = top(a="hello", c=5)
    for i in range(1500):
        first.items.add(id=i, name=f"user {i}")
    return first.SerializeToString() + top(b=7).SerializeToString()


INPUTS["protobuf-oneof"] = _protobuf_oneof()
OPTIONS["protobuf-oneof"] = {"schema": ONEOF_PROTO, "message": "choice.Top"}


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "name", "note", "score"], extrasaction="ignore")
    writer.writeheader()
    for record in RECORDS:  # quoted fields with commas and newlines inside: rows must be read, not split on lines
        writer.writerow({**record, "note": f"line one, of {record['id']}\nline two" if record["id"] % 7 else ""})
    return out.getvalue().encode()


def _avro(codec: str = "null") -> bytes:
    schema = {
        "type": "record",
        "name": "User",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "score", "type": "double"},
        ],
    }
    out = io.BytesIO()
    records = ({k: r[k] for k in ("id", "name", "score")} for r in RECORDS)
    fastavro.writer(out, schema, records, sync_interval=500, codec=codec)
    return out.getvalue()


def _avro_with_an_empty_block() -> bytes:
    """A container whose first block holds no records (count 0, size 0: valid, fastavro reads past it)."""
    data = _avro()
    walker = AvroContainer(data)
    walker.items()
    first = walker.blocks[0]["offset"]
    return data[:first] + b"\x00\x00" + walker.sync + data[first:]


def _csv_odd() -> dict[str, bytes]:
    """CSVs whose records need more than their row: each line ending with the delimiter (the empty last
    column is dropped), and blank lines with rows of other widths (ragged)."""
    trailing = "".join(f"{r['id']};{r['name']};" + "\r\n" for r in RECORDS)
    ragged = "id,name,score\n" + "".join(
        f"{r['id']},{r['name']}"
        + ("" if r["id"] % 5 == 0 else f",{r['score']}")
        + (",x\n\n" if r["id"] % 11 == 0 else "\n")
        for r in RECORDS
    )
    return {"csv-trailing": ("id;name;\r\n" + trailing).encode(), "csv-ragged": ragged.encode()}


INPUTS["csv"] = _csv()
INPUTS["csv-bom"] = b"\xef\xbb\xbf" + INPUTS["csv"]
INPUTS.update(_csv_odd())
INPUTS["avro"] = _avro()
INPUTS["avro-deflate"] = _avro("deflate")
INPUTS["avro-empty"] = _avro_with_an_empty_block()
INPUTS["xml-mixed"] = (  # namespaces, a '>' in an empty element's attribute, a lone child, a comment after the root
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- users -->\n<u:users xmlns:u="urn:users" version="2">\n'
    + "".join(
        f'  <u:user id="{r["id"]}"><name>{r["name"]}</name><tags>a &amp; b</tags></u:user>\n'
        + (f'  <note when="{r["id"]}>0"/>\n' if r["id"] % 50 == 0 else "")
        for r in RECORDS
    )
    + "  <meta>last</meta>\n</u:users>\n<!-- end -->\n"
).encode()
# Pickles as Python's pickler writes them: protocol 4 frames its opcodes, protocol 0 writes arguments as text
# lines; a payload of over a frame is written outside any frame; one that would call os.system is read by the
# codec's stack machine.
INPUTS["pickle"] = pickle.dumps(RECORDS, protocol=4)
INPUTS["pickle-2"] = pickle.dumps(RECORDS, protocol=2)
INPUTS["pickle-0"] = pickle.dumps(RECORDS, protocol=0)
INPUTS["pickle-5"] = pickle.dumps([*RECORDS[:1000], bytes(range(256)) * 600, *RECORDS[1000:]], protocol=5)


class _Calls:
    def __reduce__(self):
        import os

        return os.system, ("echo never run",)  # written, never loaded by pickle here


INPUTS["pickle-danger"] = pickle.dumps([*RECORDS[:1500], _Calls(), *RECORDS[1500:]], protocol=4)
INPUTS["xml"] = xmltodict.unparse({"users": {"user": [{k: str(v) for k, v in r.items()} for r in RECORDS]}}).encode()


def _yaml_notes() -> bytes:
    """A list of records written by hand: comments between and inside items, literal and folded strings
    (one keeping its trailing blank line), quoted keys, an anchor and its alias inside one item, a custom
    tag, a nested list on the "- " line, an item starting on the line after its "-", a plain and a quoted
    string over lines, and CRLF line ends in some records."""
    out = ["# users, written by hand\n", "---\n"]
    for r in RECORDS[:900]:
        i = r["id"]
        end = "\r\n" if i % 9 == 4 else "\n"
        out.append(f"# record {i}\n" if i % 3 == 0 else "")
        out.append(f"- id: {i}  # its number{end}  \"quoted key\": '{r['name']}'{end}")
        out.append(
            f"  note: |{end}    line one of {i}{end}    line two{end}{end}  folded: >-\n    folded {i}\n    text\n"
        )
        out.append(f"  tags: &t{i} [a, b]\n  again: *t{i}\n  'k: {i}': !custom {{x: {i}}}\n")
        if i % 5 == 0:
            out.append(f"-\n  id: {i}b\n")
        if i % 7 == 0:
            out.append(f"- plain {i}\n  continued\n- - {i}\n  - [x, y]\n")
        if i % 11 == 0:
            out.append(f'- "quoted\n  over lines {i}"\n- |+\n  kept {i}\n\n')
    return "".join(out).encode()


def _yaml_keys() -> bytes:
    """A mapping written by hand: plain, single- and double-quoted keys, comments, nested blocks."""
    out = ["# a mapping of users\n"]
    for r in RECORDS:
        i = r["id"]
        key = [f"user{i}", f"'user {i}'", f'"user\\t{i}"'][i % 3]
        out.append(f"{key}:  # {r['name']}\n  name: {r['name']}\n  tags:\n  - a\n  - b\n")
        out.append(f"user{i}-note: >\n  said {i}\n\n" if i % 4 == 0 else "")
    return "".join(out).encode()


# YAML as PyYAML's dump writes it (a list of records, a mapping, after a BOM) and as people write it; then
# inputs whose far windows are decoded whole: an alias to an anchor of an earlier item, a flow-style top
# level, a stream of documents, a %TAG directive, keys that are not strings, a key given twice.
INPUTS["yaml"] = yaml.safe_dump(RECORDS, allow_unicode=True, sort_keys=False).encode()
INPUTS["yaml-map"] = yaml.safe_dump({f"k{i}": r for i, r in enumerate(RECORDS)}, allow_unicode=True).encode()
INPUTS["yaml-bom"] = b"\xef\xbb\xbf" + INPUTS["yaml"]
INPUTS["yaml-notes"] = _yaml_notes()
INPUTS["yaml-keys"] = _yaml_keys()
_TAGS = ["a", "b"]  # one list in every record: the dump writes an anchor in the first and aliases to it
_SHARED = [{**r, "tags": _TAGS} for r in RECORDS]  # and items that are the list itself: `- *id001`
INPUTS["yaml-aliases"] = yaml.safe_dump(
    [_TAGS, *(x for r in _SHARED for x in [r, _TAGS][: 1 + (r["id"] % 50 == 0)])]
).encode()
INPUTS["yaml-flow"] = yaml.safe_dump(RECORDS, default_flow_style=True, allow_unicode=True).encode()
INPUTS["yaml-documents"] = yaml.safe_dump_all([RECORDS[:2250], RECORDS[2250:]], allow_unicode=True).encode()
INPUTS["yaml-directive"] = b"%TAG ! tag:example.com,2026:\n---\n" + INPUTS["yaml"].replace(b"- id:", b"- !user\n  id:")
INPUTS["yaml-intkeys"] = yaml.safe_dump(dict(enumerate(RECORDS)), allow_unicode=True).encode()
INPUTS["yaml-repeated"] = INPUTS["yaml-map"] + b"k7: again\n"
INPUTS["yaml-merge"] = b"base: &b {x: 1, y: 2}\n<<: *b\n" + INPUTS["yaml-map"]  # x and y merged in at the top


def full_walk(document: fl.Document) -> list[Span]:
    """Every span, with no span budget (what a window must agree with)."""
    with sized_for(replace(current(), max_spans=10**9)):
        if wire_walk_only(document):  # a large schemaless protobuf: its spans come from its head
            spans = wire_spans(WireWalker(document.data).message(0, len(document.data)), (), document.data)
        else:
            spans = list(document._spans_factory())
    return sorted(spans, key=lambda s: (s.start, -s.end))


def _windows(size: int) -> list[tuple[int, int]]:
    # the start, a window straddling item boundaries in the middle, the end, and a tiny one far in
    return [
        (0, WINDOW),
        (size // 2 - 100, size // 2 + WINDOW),
        (size - WINDOW, size),
        (size * 3 // 4, size * 3 // 4 + 7),
    ]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_window_walk_makes_the_full_walks_spans_there(name):
    data = INPUTS[name]
    document = fl.load(data, name.split("-")[0], peel=False, **OPTIONS.get(name, {}))
    full = full_walk(document)
    for start, end in _windows(len(data)):
        shown = window_spans(document, start, end)
        assert shown == restrict(full, start, end), (name, start, end)
        assert shown, "every window of these inputs holds spans"


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_items_before_the_window_do_not_spend_the_span_budget(name):
    # A budget of 2,000 spans covers only the head of a whole walk; a far window is annotated in full.
    data = INPUTS[name]
    document = fl.load(data, name.split("-")[0], peel=False, **OPTIONS.get(name, {}))
    start, end = len(data) - 3 * WINDOW, len(data) - 2 * WINDOW
    document.limits = replace(current(), max_spans=2000)
    shown = window_spans(document, start, end)
    assert shown == restrict(full_walk(document), start, end)


def test_annotate_sends_the_spans_and_the_values_of_the_items_there():
    data = INPUTS["json"]
    start = len(data) // 2
    [(columns, values)] = annotate(data, "json", {}, [(start, start + WINDOW)])
    spans = spans_of((columns, values))
    indexes = [span.path[0] for span in spans]
    assert indexes == list(range(indexes[0], indexes[0] + len(indexes)))
    assert {path: value for path, value in values.items()} == {(i,): RECORDS[i] for i in indexes}


@pytest.mark.parametrize("name", ["csv", "avro", "protobuf-schema", "xml"])
def test_annotate_takes_the_values_of_context_bound_formats_from_the_parse(name):
    # A CSV row needs its header, an Avro record its schema, a protobuf field its message: their values
    # come from the worker's own parse of the input, at the paths of the spans in the window.
    data = INPUTS[name]
    options = OPTIONS.get(name, {})
    start = len(data) // 2
    [(_columns, values)] = annotate(data, name.split("-")[0], options, [(start, start + WINDOW)])
    whole = fl.load(data, name.split("-")[0], peel=False, **options).value
    assert values, "the window holds items with values"
    for path, value in values.items():
        assert value is UNREADABLE or value == _at(whole, path), path  # (too large: its parts are read)
    assert any(value is not UNREADABLE for value in values.values())


def _at(value, path):
    for step in path:
        value = value[step]
    return value


def test_annotate_decodes_a_bson_element_alone_for_its_value():
    data = INPUTS["bson"]
    start = len(data) - WINDOW
    [(_columns, values)] = annotate(data, "bson", {}, [(start, start + WINDOW)])
    users = [path for path in values if path[0] == "users" and len(path) == 2]
    assert users and all(values[path] == RECORDS[path[1]] for path in users)
    assert len(users) >= 30  # a 4 KiB window holds about 40 of these records


def test_the_window_context_is_off_outside_its_block():
    data = INPUTS["bson-stream"]
    with span_window(10_000, 10_100):
        inside = fl.load(data, "bson", peel=False)._spans_factory()
    outside = fl.load(data, "bson", peel=False)._spans_factory()
    assert [span.path for span in inside] == [(127,), (128,), (129,)]  # the documents with bytes in it
    assert len(outside) == len(RECORDS)


# -- the tree's rest: windows annotated where the person looks ------------------------------------
def _first_view_tree(data: bytes, format: str, budget: int = 500) -> tuple[TreeModel, fl.Document]:
    document = fl.load(data, format, peel=False)
    document.limits = replace(current(), max_spans=budget)
    spans = document.spans  # the head, as a first view has it
    deepest = spans[-1]
    while deepest.children:
        deepest = deepest.children[-1]
    return TreeModel(spans, RECORDS, len(data), rest_from=deepest.end, step=WINDOW), document


def _fill(tree: TreeModel, document: fl.Document, slots: list[int]) -> None:
    ranges = [tree.slot_range(slot) for slot in slots]
    for slot, done in zip(slots, annotate(document.data, document.format, {}, ranges), strict=True):
        tree.fill(slot, spans_of(done), done[1])


@pytest.mark.parametrize(
    "name",
    ["json", "bson", "bson-stream", "msgpack", "msgpack-stream", "cbor", "cbor-indefinite", "csv", "protobuf", "xml"],
)
def test_a_far_window_is_colored_from_its_annotation_and_its_node_is_found(name):
    data = INPUTS[name]
    tree, document = _first_view_tree(data, name.split("-")[0])
    rest = tree.rest_path()
    assert rest is not None and tree.item(rest).slot == REST
    roots_before = [tuple(item) for item in tree.items(())]
    index = len(data) // 2 // WINDOW
    before = window(data, tree, index)
    assert {before["nodes"][node][2] for _length, node in before["runs"]} == {"unparsed"}  # not annotated yet
    _fill(tree, document, tree.slots_over(index * WINDOW, (index + 1) * WINDOW))
    after = window(data, tree, index)
    full = restrict(full_walk(document), index * WINDOW, (index + 1) * WINDOW)
    # every byte of the window is in the innermost node a full walk has there
    inner = []
    for length, node in after["runs"]:
        inner += [after["nodes"][node]] * length
    for offset in range(index * WINDOW, (index + 1) * WINDOW, 97):
        deepest = _deepest(full, offset)
        row = inner[offset - index * WINDOW]
        if deepest is None:
            assert row[2] == "unparsed"
        else:
            assert (row[0], row[1], row[2], row[3]) == (deepest.start, deepest.end, deepest.kind, deepest.label)
            node = tree.locate(offset)
            assert node[:2] == (rest[0], tree.slots_over(offset, offset + 1)[0])
            found = tree.item(node)
            assert (found.start, found.end, found.label) == (deepest.start, deepest.end, deepest.label)
    assert [tuple(item) for item in tree.items(())] == roots_before  # paths held by the browser stay


def _deepest(spans: list[Span], offset: int) -> Span | None:
    found, level = None, spans
    while True:
        hits = [s for s in level if s.start <= offset < s.end]
        if not hits:
            return found
        found, level = hits[-1], hits[-1].children


def test_windows_past_the_span_budget_are_dropped_but_not_those_about_to_be_shown():
    data = INPUTS["bson-stream"]
    tree, document = _first_view_tree(data, "bson")
    slots = tree.slots_over(len(data) // 2, len(data))[:40]  # about 1,000 spans each
    _fill(tree, document, slots)
    held = sum(count_spans(spans, 10**9) for spans in tree.slots.values())
    assert held > MAX_SLOT_SPANS
    tree.trim(keep={slots[0], slots[-1]})
    assert slots[0] in tree.slots and slots[-1] in tree.slots and slots[1] not in tree.slots
    assert sum(count_spans(spans, 10**9) for spans in tree.slots.values()) <= MAX_SLOT_SPANS


def test_the_tree_shows_types_and_previews_of_far_items():
    data = INPUTS["json"]
    tree, document = _first_view_tree(data, "json")
    slot = tree.slots_over(len(data) - 10, len(data) - 9)[0]
    _fill(tree, document, [slot])
    node = (*tree.rest_path(), slot)
    rows = tree.rows(node, 0, 100)
    entries = [row for row in rows if row[2] == "entry"]
    assert entries and entries[-1][3].startswith(f"[{len(RECORDS) - 1}]")
    assert entries[-1][4] == typed.type_name(RECORDS[-1]) == "dict (4)"  # from the value decoded alone
    last = tree.items(node).index(next(i for i in tree.items(node) if i.label == entries[-1][3]))
    members = tree.rows((*node, last, 0), 0, 10)  # the entry's value node opens into the record's members
    assert [row[3] for row in members] == ["id", "name", "tags", "score"]


def test_windows_past_the_cap_are_dropped_and_made_again_with_the_same_paths():
    data = INPUTS["bson-stream"]
    tree, document = _first_view_tree(data, "bson")
    first = tree.slots_over(len(data) - 1, len(data))[0]
    _fill(tree, document, [first])
    rows_before = tree.rows((*tree.rest_path(), first), 0, 100)
    _fill(tree, document, list(range(first - MAX_SLOTS - 1, first)))
    tree.trim(keep={first - 1})
    assert first not in tree.slots and len(tree.slots) <= MAX_SLOTS and first - 1 in tree.slots
    assert tree.rows((*tree.rest_path(), first), 0, 100)[0][3].startswith("not annotated yet")
    _fill(tree, document, [first])
    assert tree.rows((*tree.rest_path(), first), 0, 100) == rows_before


def test_the_large_protobuf_input_takes_the_large_path():
    data = INPUTS["protobuf-large"]
    assert len(data) >= 1 << 20
    assert fl.load(data, "protobuf", peel=False).glance_factory is not None


def test_json_with_comments_is_annotated_through_the_codecs_own_reading():
    # The walk alone refuses the comment (raw_decode); the codec reads the file with its comments blanked.
    data = b"// settings\n" + INPUTS["json"]
    start = len(data) // 2
    [(columns, values)] = annotate(data, "json", {}, [(start, start + WINDOW)])
    document = fl.load(data, "json", peel=False)
    assert spans_of((columns, values)) == restrict(full_walk(document), start, start + WINDOW)
    assert values and all(values[path] == RECORDS[path[0]] for path in values)


@pytest.mark.parametrize("name", ["json", "bson", "msgpack", "csv"])
def test_items_past_the_head_of_the_value_get_their_values_for_a_tree_slice(name):
    # A first view has the head of the value (100 items per container): items further on are typed
    # from the values a worker reads for the slice shown (values_of), not left as bare spans.
    from formatlens.runtime.annotate import values_of
    from formatlens.runtime.firstview import head_of

    data = INPUTS[name]
    format = name.split("-")[0]
    document = fl.load(data, format, peel=False)
    document.limits = replace(current(), max_spans=20_000)
    whole = document.value
    tree = TreeModel(document.spans, head_of(whole), len(data))
    node = ()
    while not tree.without_values(node, 500, 600):  # down to the level of the records
        node = (
            *node,
            next(i for i, item in enumerate(tree.items(node)) if item.span is not None and item.span.children),
        )
    wanted = tree.without_values(node, 500, 600)
    assert wanted
    tree.values(values_of(data, format, {}, wanted))
    assert tree.without_values(node, 500, 600) == []
    for span in wanted:
        assert tree.value_at(tuple(span.path)) == _at(whole, span.path)


@pytest.mark.parametrize("name", ["json", "bson", "msgpack-stream", "cbor", "csv", "protobuf", "yaml", "yaml-keys"])
def test_far_apart_windows_are_annotated_in_one_walk_as_each_alone(name, monkeypatch):
    if name.startswith("yaml"):  # checkpoints before each range: a YAML walk goes from the nearest for each
        monkeypatch.setattr(checkpoints_module, "STEP", 2048)
    data = INPUTS[name]
    format = name.split("-")[0]
    ranges = [(WINDOW * 3, WINDOW * 4), (len(data) // 2, len(data) // 2 + WINDOW), (len(data) - 100, len(data))]
    together = [spans_of(done) for done in annotate(data, format, {}, ranges)]
    alone = [spans_of(annotate(data, format, {}, [one])[0]) for one in ranges]
    assert together == alone
    assert all(together)


def test_an_item_whose_value_cannot_be_read_alone_is_not_asked_for_again():
    data = INPUTS["json"]
    document = fl.load(data, "json", peel=False)
    tree = TreeModel(document.spans, [], len(data))  # a head without the items
    wanted = tree.without_values((), 0, 10)
    assert wanted
    tree.values({}, wanted)  # the worker did not reach them (its budget ran out): asked for again
    assert tree.without_values((), 0, 10) == wanted
    tree.values({span_value_path(span): UNREADABLE for span in wanted}, wanted)  # tried, none readable
    assert tree.without_values((), 0, 10) == []


def test_a_cut_first_view_gets_a_rest_where_its_format_walks_a_window():
    # pickle's opcode walk starts near the window too (frames passed over, or a checkpoint): its cut first
    # view gets a rest annotated where the person looks, as JSON's does.
    from formatlens.ui.views import _rest_from

    for name in ("pickle", "pickle-2", "json"):
        document = fl.load(INPUTS[name], name.split("-")[0], peel=False)
        document.limits = replace(current(), max_spans=500)
        assert document.spans and document.details.get("spans_cut_at") == 500
        last = document.spans[-1]  # the rest starts inside it or at its end (the budget may cut its children)
        assert last.start < _rest_from(document) <= last.end, name


def test_the_inspector_annotates_the_neighbours_of_a_far_window_in_the_same_walk():
    from formatlens.ui.inspector import AHEAD, make_view
    from formatlens.ui.inspector import _annotate_rest as annotate_rest

    data = INPUTS["bson-stream"]
    tree, document = _first_view_tree(data, "bson")
    asked: list = []

    def annotator(ranges):
        asked.append(list(ranges))
        return annotate(data, "bson", {}, ranges)

    view = make_view(data, document.spans, None, rest_from=tree.rest_from, annotate=annotator)
    index = len(data) // 2 // WINDOW
    changed = annotate_rest(view, [index], [], [])
    slot = view.tree.slots_over(index * WINDOW, index * WINDOW + 1)[0]
    assert asked == [[(view.tree.slot_range(slot - AHEAD)[0], view.tree.slot_range(slot + AHEAD)[1])]]  # one walk
    assert set(view.tree.slots) == set(range(slot - AHEAD, slot + AHEAD + 1))
    assert changed and all(key.startswith(f"{view.tree.rest_path()[0]}|") for key in changed)
    assert annotate_rest(view, [index + 1], [], []) == {} and len(asked) == 1  # the next window was made already


# -- checkpoints: a far window's walk starts near it, not at byte 0 (core.checkpoints) ------------
INDEXED = ["json", "json-object", "json-bom", "bson", "bson-stream", "msgpack", "msgpack-map", "msgpack-stream"]
INDEXED += ["cbor", "cbor-indefinite", "cbor-tagged", "csv", "csv-bom", "csv-trailing", "csv-ragged"]
INDEXED += [
    "protobuf-large",
    "protobuf-schema",
    "protobuf-mixed",
    "protobuf-required",
    "protobuf-oneof",
    "avro",
    "avro-deflate",
]
INDEXED += ["avro-empty", "xml", "xml-mixed", "pickle-2", "yaml", "yaml-map", "yaml-bom", "yaml-notes", "yaml-keys"]


def _indexed(name: str, monkeypatch) -> tuple[bytes, str, dict, Checkpoints]:
    """An input and the checkpoints a first far request (a window at its end) noted in it, one every 2 KiB."""
    monkeypatch.setattr(checkpoints_module, "STEP", 2048)
    data, format, options = INPUTS[name], name.split("-")[0], OPTIONS.get(name, {})
    far = [(len(data) - 10, len(data))]
    _done, checkpoints = annotate_from(data, format, options, far, Checkpoints(format, len(data)))
    return data, format, options, pickle.loads(pickle.dumps(checkpoints))  # as the server keeps them, from a worker


def _marks(checkpoints: Checkpoints) -> list[int]:
    return sorted(offset for frame in checkpoints.frames.values() for offset in frame.offsets)


@pytest.mark.parametrize("name", INDEXED)
def test_a_walk_from_checkpoints_makes_the_same_spans_and_values_as_from_byte_0(name, monkeypatch):
    data, format, options, checkpoints = _indexed(name, monkeypatch)
    marks = _marks(checkpoints)
    assert len(marks) >= len(data) // 2048 // 2, "the first far request noted checkpoints"
    middle = marks[len(marks) // 2]
    # and windows across a checkpoint, from one (its first item is in the window), and up to the last one
    windows = [
        *_windows(len(data)),
        (middle - 40, middle + 40),
        (middle, middle + 40),
        (marks[-1] - WINDOW, marks[-1] + 1),
    ]
    for start, end in windows:
        resumed, _ = annotate_from(data, format, options, [(start, end)], checkpoints)
        assert resumed == annotate(data, format, options, [(start, end)]), (name, start, end)
    document = fl.load(data, format, peel=False, **options)
    start, end = middle - 40, middle + 40
    [done], _ = annotate_from(data, format, options, [(start, end)], checkpoints)
    assert spans_of(done) == restrict(full_walk(document), start, end)
    # the values of the formats not read alone (a CSV row with its header, an Avro record with its schema)
    # are what a decode's value holds there
    for lo, hi in windows if format not in ALONE else ():
        [(_spans, values)], _ = annotate_from(data, format, options, [(lo, hi)], checkpoints)
        for path, value in values.items():
            assert isinstance(value, NoValue) or value == value_at(document.value, path), (name, path)


@pytest.mark.parametrize("name", [name for name in INDEXED if not name.startswith("protobuf")])  # (decoded whole)
def test_a_walk_from_a_checkpoint_does_not_read_the_bytes_before_it(name, monkeypatch):
    # Bytes before the checkpoint broken: a walk from byte 0 is refused there (a CSV's rows come out
    # otherwise: a quote opened there runs on), one from the checkpoint is not.
    data, format, options, checkpoints = _indexed(name, monkeypatch)
    marks = _marks(checkpoints)
    at = marks[len(marks) // 2]
    broken = bytearray(data)
    text = [k for k in range(at - 600, at - 100) if data[k] < 0x80]  # one character for one: a checkpoint counts them
    for k in range(at - 600, at - 100):  # 0xc1: never used in MessagePack or BSON; 0xfc: reserved in CBOR
        if format not in ("json", "csv", "xml"):
            broken[k] = 0xFC if format == "cbor" else 0xC1
    for k in text if format in ("json", "csv", "xml") else ():
        broken[k] = ord("@")
    if format == "csv":
        broken[text[0]], broken[text[1]] = ord("\n"), ord('"')  # a row whose first field is quoted from here on
    broken = bytes(broken)
    window = (at + 10, at + 200)
    resumed, _ = annotate_from(broken, format, options, [window], checkpoints)
    assert resumed == annotate(data, format, options, [window])
    if format == "csv":
        assert annotate(broken, format, options, [window]) != resumed
        return
    with pytest.raises(fl.FormatError):
        annotate(broken, format, options, [window])


@pytest.mark.parametrize("name", ["protobuf-large", "protobuf-schema", "protobuf-mixed"])
def test_a_protobuf_messages_top_level_is_walked_from_a_checkpoint_to_past_the_window(name, monkeypatch):
    # A message is decoded again (its schema's parse, or the schemaless top-level count), but its span walk
    # passes over only the fields between the checkpoint and the window, not every field before it.
    data, format, options, checkpoints = _indexed(name, monkeypatch)
    passed: list[int] = []
    real = WireWalker.passed

    def counted(self, pos, *args):
        passed.append(pos)
        return real(self, pos, *args)

    monkeypatch.setattr(WireWalker, "passed", counted)
    window = (len(data) // 2, len(data) // 2 + 100)
    resumed, _ = annotate_from(data, format, options, [window], checkpoints)
    walked, passed[:] = passed[:], []
    assert resumed == annotate(data, format, options, [window])
    assert len(passed) > 700  # from byte 0: every top-level field (1,500 or 20,000 items in all)
    assert 0 < len(walked) < 400  # from the checkpoint: the fields of the 2 KiB before the window
    assert min(walked) >= len(data) // 2 - 2048 - 200


def test_checkpoints_of_another_input_are_not_used(monkeypatch):
    data, format, _options, checkpoints = _indexed("bson-stream", monkeypatch)
    other = data + bson.encode({"x": 1})
    window = (len(data) // 2, len(data) // 2 + 100)
    done, fresh = annotate_from(other, format, {}, [window], checkpoints)
    assert done == annotate(other, format, {}, [window])
    assert fresh is not checkpoints and (fresh.format, fresh.size) == ("bson", len(other))


def test_the_checkpoints_are_bounded(monkeypatch):
    monkeypatch.setattr(checkpoints_module, "STEP", 16)
    monkeypatch.setattr(checkpoints_module, "MAX_MARKS", 50)
    data = INPUTS["msgpack-stream"]
    _done, checkpoints = annotate_from(data, "msgpack", {}, [(len(data) - 10, len(data))], Checkpoints("msgpack", 0))
    assert checkpoints.marks == 50 == len(_marks(checkpoints))


def test_the_server_keeps_the_checkpoints_between_requests(monkeypatch):
    from formatlens.runtime.annotate import WindowAnnotator

    monkeypatch.setenv("FORMATLENS_ISOLATE", "0")
    data = INPUTS["cbor"]
    annotator = WindowAnnotator(data, "cbor", {})
    far = (len(data) - 100, len(data))
    assert annotator([far]) == annotate(data, "cbor", {}, [far])
    assert annotator.checkpoints.marks >= len(data) // checkpoints_module.STEP - 1
    assert annotator.checkpoints.item_end(0) == len(data)  # the one top-level array, passed over once
    middle = (len(data) // 2, len(data) // 2 + WINDOW)
    assert annotator([middle]) == annotate(data, "cbor", {}, [middle])


def test_a_message_of_many_field_numbers_notes_no_checkpoints(monkeypatch):
    # Each checkpoint of a message's top level copies the count of each field number: a crafted message of
    # thousands of numbers would make each one as large; none are noted, and the window is still right.
    from formatlens.codecs.protobuf import wire

    # over 1 MiB (a large message: its spans are walked in the window), a varint field of each number
    data = b"".join(_varint(n << 3) + _varint(n) for n in range(1, 180_000))
    assert len(data) > 1 << 20
    window = [(len(data) - 100, len(data))]
    done, checkpoints = annotate_from(data, "protobuf", {}, window, Checkpoints("protobuf", len(data)))
    assert done == annotate(data, "protobuf", {}, window)
    assert checkpoints.marks == 0 and checkpoints.end(TOP) is None
    monkeypatch.setattr(wire, "MAX_NOTED_NUMBERS", 10**6)
    _done, checkpoints = annotate_from(data, "protobuf", {}, window, Checkpoints("protobuf", len(data)))
    assert checkpoints.marks > 10 and len(checkpoints.end(TOP)[1]) == 179_999


@pytest.mark.parametrize(
    "name",
    [
        *["csv", "csv-ragged", "avro", "avro-empty", "protobuf-schema", "protobuf-mixed", "xml", "xml-mixed"],
        *["yaml", "yaml-map", "yaml-notes", "yaml-keys"],
    ],
)
def test_values_for_a_tree_slice_are_read_alone_once_a_decode_left_its_context(name, monkeypatch):
    # The first request decodes the input (and keeps what the next need: a CSV's dialect and header, which
    # message the bytes are); the next read each item alone, and give what a decode gives (values_of).
    from formatlens.core import api
    from formatlens.runtime.annotate import values_from, values_of

    data, format, options = INPUTS[name], name.split("-")[0], OPTIONS.get(name, {})
    full = full_walk(fl.load(data, format, peel=False, **options))
    slices = [restrict(full, lo, hi) for lo, hi in _windows(len(data))]
    _found, checkpoints = values_from(data, format, options, slices[0], Checkpoints(format, len(data)))
    decoded = []
    real = api.load
    monkeypatch.setattr(api, "load", lambda *args, **kwargs: decoded.append(1) or real(*args, **kwargs))
    for spans in slices:
        found, checkpoints = values_from(data, format, options, spans, checkpoints)
        assert found and found == values_of(data, format, options, spans), (name, spans[0].start)
    # values_of's decodes, and for the mixed message those of a packed chunk and an int-keyed map entry, for
    # the mixed XML those of the windows with an empty element whose attribute holds a '>' (its end is a guess)
    assert len(decoded) == len(slices) + {"protobuf-mixed": 2, "xml-mixed": 3}.get(name, 0)


def test_an_input_of_too_many_names_keeps_no_context_and_is_decoded_again(monkeypatch):
    # The context travels to the worker with each request: a CSV of more columns than MAX_CONTEXT_NAMES
    # (here lowered to 3) keeps none, and each request decodes it again, with the same result.
    from formatlens.runtime import farwalk

    data = INPUTS["csv"]  # 4 columns
    window = [(len(data) // 2, len(data) // 2 + 100)]
    _done, kept = annotate_from(data, "csv", {}, window, Checkpoints("csv", len(data)))
    assert kept.context["csv"]["columns"] == ["id", "name", "note", "score"]
    monkeypatch.setattr(farwalk, "MAX_CONTEXT_NAMES", 3)
    done, checkpoints = annotate_from(data, "csv", {}, window, Checkpoints("csv", len(data)))
    assert "csv" not in checkpoints.context and done == annotate(data, "csv", {}, window)


def _frame_ending_inside_an_opcode() -> bytes:
    """A pickle whose one FRAME ends inside an opcode (BININT1's argument is the byte after it), then a call of
    os.system: read from the frame's end, that argument would start a SHORT_BINBYTES that hides the call."""
    body = b"]" + b"K\x01a" * 5000 + b"K"
    command = b"echo this would run" * 8
    rest = b"Ca" + b"cos\nsystem\n" + b"X" + len(command).to_bytes(4, "little") + command + b"\x85Ra" + b"K\x02a" * 100
    return b"\x80\x04\x95" + len(body).to_bytes(8, "little") + body + rest + b"."


def test_a_far_window_of_a_pickle_reads_the_opcodes_a_walk_from_byte_0_reads():
    # Python's unpickler reads a frame as plain bytes: its declared length is not trusted to end on an opcode.
    data = _frame_ending_inside_an_opcode()
    document = fl.load(data, "pickle", peel=False)
    assert [finding.code for finding in document.findings] == ["pickle.global", "pickle.call"]
    at = data.index(b"cos\nsystem")
    [(columns, _values)] = annotate(data, "pickle", {}, [(at - 2, at + 120)])
    spans = spans_of((columns, _values))
    assert spans == restrict(full_walk(document), at - 2, at + 120)
    from formatlens.codecs.pickle.codec import _short_arg

    command = _short_arg("echo this would run" * 8)
    assert [span.label for span in spans][:4] == ["BININT1 67", "APPEND", "GLOBAL os.system", f"BINUNICODE {command}"]


def test_a_pickle_walk_skips_the_opcodes_before_the_window_as_genops_reads_them():
    # skip_to passes over opcodes by their arguments' sizes: the boundaries are genops's for every protocol
    # (text lines in protocol 0, two lines for GLOBAL, length prefixes of 1, 4 and 8 bytes)
    from formatlens.codecs.pickle.unpickler import parse_ops, skip_to

    values = [*RECORDS[:300], 2**70, -(2**40), b"x" * 300, bytearray(b"yz"), {1, 2}, frozenset({3}), ("t", 1.5)]
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(values, protocol=protocol)
        ops = parse_ops(data)[0]
        for op in ops[:: max(1, len(ops) // 200)]:
            assert skip_to(data, 0, op.start) == op.start, (protocol, op.name, op.start)
            assert skip_to(data, 0, op.end - 1) == op.start, (protocol, op.name)
    with pytest.raises(fl.FormatError, match="unknown opcode 0xc1"):
        skip_to(b"\x80\x02]\xc1.", 0, 4)


def test_a_large_message_with_its_schema_is_read_in_far_windows_and_slices_as_from_byte_0(monkeypatch):
    # Over 1 MiB with its schema: a first view from a census and the head of the value (codecs.protobuf.glance),
    # yet not the schemaless large path (no values): far windows and tree slices read its fields' values.
    from formatlens.runtime.annotate import values_from, values_of

    monkeypatch.setattr(checkpoints_module, "STEP", 2048)
    data, options = INPUTS["protobuf-large"], OPTIONS["protobuf-schema"]
    assert len(data) >= 1 << 20
    document = fl.load(data, "protobuf", peel=False, **options)
    assert document.glance_factory is not None and not wire_walk_only(document)
    assert context_of(document) == {"protobuf.message": "formatlens.inferred.Record"}
    whole = document.value
    _done, checkpoints = annotate_from(
        data, "protobuf", options, [(len(data) - 10, len(data))], Checkpoints("protobuf", len(data))
    )
    assert checkpoints.marks > 100  # the first far request noted checkpoints: the next walk from one
    for start, end in _windows(len(data))[1:]:  # the far ones
        [done], _ = annotate_from(data, "protobuf", options, [(start, end)], checkpoints)
        assert [done] == annotate(data, "protobuf", options, [(start, end)]), (start, end)
        values = done[1]
        assert any(not isinstance(value, NoValue) for value in values.values()), (start, end)
        for path, value in values.items():
            assert isinstance(value, NoValue) or value == value_at(whole, path), path
        spans = spans_of(done)
        found, _ = values_from(data, "protobuf", options, spans, Checkpoints("protobuf", len(data)))
        assert found == values_of(data, "protobuf", options, spans) == values


@pytest.mark.parametrize(
    "name",
    ["yaml-aliases", "yaml-flow", "yaml-documents", "yaml-directive", "yaml-intkeys", "yaml-repeated", "yaml-merge"],
)
def test_a_yaml_whose_items_may_not_stand_alone_is_decoded_whole_for_each_far_window(name, monkeypatch):
    # An alias to an anchor of an earlier item, a flow-style top level, several documents, a %TAG directive,
    # keys that are not strings as written, a key given twice, a top-level merge key (the decode's spans are
    # the merged pairs): a far window is what the whole decode gives there, read from that decode.
    from formatlens.core import api

    data, format, options, checkpoints = _indexed(name, monkeypatch)
    document = fl.load(data, format, peel=False)
    full = full_walk(document)
    decoded = []
    real = api.load
    monkeypatch.setattr(api, "load", lambda *args, **kwargs: decoded.append(1) or real(*args, **kwargs))
    for start, end in _windows(len(data))[1:]:
        [done], checkpoints = annotate_from(data, format, options, [(start, end)], checkpoints)
        assert [done] == annotate(data, format, options, [(start, end)]), (name, start)
        assert spans_of(done) == restrict(full, start, end), (name, start)
        found = done[1]
        assert found and all(isinstance(v, NoValue) or v == value_at(document.value, p) for p, v in found.items())
    assert len(decoded) == 3 * 2  # each window from the checkpoints, and from byte 0 (annotate)


@pytest.mark.parametrize("name", ["yaml", "yaml-map", "yaml-bom", "yaml-notes", "yaml-keys", "yaml-aliases"])
def test_a_yaml_decode_notes_checkpoints_over_the_whole_input_and_walks_from_the_nearest(name, monkeypatch):
    # The first far request decodes the input: the decode's top-level entries become checkpoints all over it
    # (whatever the window), and the window's walk starts at the last one before it, not at byte 0 (but for
    # an alias to an anchor before it: from byte 0). Its spans are a full walk's.
    from formatlens.codecs import yamlfar

    monkeypatch.setattr(checkpoints_module, "STEP", 2048)
    data = INPUTS[name]
    full = full_walk(fl.load(data, "yaml", peel=False))
    resumed = []
    real = yamlfar.window_from_checkpoints
    monkeypatch.setattr(yamlfar, "window_from_checkpoints", lambda *args: resumed.append(real(*args)) or resumed[-1])
    windows = _windows(len(data))
    for start, end in windows:
        [done], checkpoints = annotate_from(data, "yaml", {}, [(start, end)], Checkpoints("yaml", len(data)))
        assert spans_of(done) == restrict(full, start, end), (name, start)
        assert len(_marks(checkpoints)) >= len(data) // 2048 // 2 and _marks(checkpoints)[-1] > len(data) - 3 * 2048
    walked = [spans is not None for spans in resumed]
    assert walked == ([False] * 4 if name == "yaml-aliases" else [False, True, True, True]), walked


def test_a_yaml_tree_slice_that_decodes_leaves_checkpoints_for_the_next_far_windows(monkeypatch):
    # A tree slice's values asked before any far window: its decode notes the checkpoints its spans' walk would,
    # and the next far window walks from the nearest (not byte 0), as after a far request's decode.
    from formatlens.codecs.support import yamlevents
    from formatlens.runtime.annotate import values_from

    monkeypatch.setattr(checkpoints_module, "STEP", 2048)
    data = INPUTS["yaml"]
    full = full_walk(fl.load(data, "yaml", peel=False))
    middle = (len(data) // 2, len(data) // 2 + 100)
    _found, checkpoints = values_from(data, "yaml", {}, restrict(full, *middle), Checkpoints("yaml", len(data)))
    assert len(_marks(checkpoints)) >= len(data) // 2048 // 2
    starts = []
    real = yamlevents.window
    monkeypatch.setattr(yamlevents, "window", lambda *args, **kw: starts.append(kw["place"]) or real(*args, **kw))
    far = (len(data) - 500, len(data) - 400)
    [done], _ = annotate_from(data, "yaml", {}, [far], checkpoints)
    assert spans_of(done) == restrict(full, *far) and done[1]
    assert len(starts) == 1 and starts[0] > 2000  # from a checkpoint past record 2,000 (of 2,500)
