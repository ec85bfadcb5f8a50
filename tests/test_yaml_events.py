"""YAML read from the parser's events (codecs/support/yamlevents.py) instead of PyYAML's node graph:
the same values, errors, findings and spans as the node graph gave, without keeping it, and a YAML
over 1 MiB gets a first view (a 40 MB file of records needed ~1.2 GB of nodes and was refused)."""

import datetime
import gc
import math
import re
from pathlib import Path

import pytest
import yaml

import formatlens as fl
from formatlens.codecs import yaml as yaml_codec
from formatlens.codecs.support import yamlevents
from formatlens.codecs.support.textpos import decode_text
from formatlens.core.errors import FormatError
from formatlens.render.tree import restrict
from formatlens.runtime import firstview
from formatlens.runtime.annotate import annotate, spans_of
from formatlens.runtime.isolation import WorkerPool

from .conftest import corpus_dir

SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _outcome(read, data: bytes):
    """What one reader makes of ``data``: its documents, findings and spans, or its error."""
    text, _fallback = decode_text(data)
    try:
        documents, findings, spans = read(text, "*" in text.text)
    except yamlevents.BadScalar as exc:
        return ("scalar", type(exc.error).__name__, str(exc.error), exc.index)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return ("error", yaml_codec._one_line(exc), mark.index if mark else None)
    except (yaml.YAMLError, FormatError) as exc:
        return ("error", str(exc))
    found = sorted((f.code, f.message, f.span) for f in findings)
    return ("ok", repr(documents), found, spans())


def test_events_and_the_node_graph_agree_on_the_yaml_test_suite_and_samples():
    cases = sorted(corpus_dir("yaml-test-suite", "data").rglob("in.yaml")) + sorted(SAMPLES.glob("*.yaml"))
    assert len(cases) > 300
    compared = 0
    for path in cases:
        data = path.read_bytes()
        try:
            events = _outcome(yaml_codec._read_events, data)
        except yamlevents.Unsupported:  # merge keys, sets, ordered maps: read through the node graph
            continue
        nodes = _outcome(yaml_codec._read_nodes, data)
        compared += 1
        if "*" in data.decode("utf-8", "replace"):
            # The node graph gives an alias its anchor's node: its span (and a repeated alias key's)
            # pointed at the anchor's bytes, which were wrong. Values and errors must still agree.
            assert events[:2] == nodes[:2], path
        else:
            assert events == nodes, path
    assert compared > 300


def test_the_node_graph_an_item_at_a_time_agrees_with_the_whole_graph():
    cases = sorted(corpus_dir("yaml-test-suite", "data").rglob("in.yaml")) + sorted(SAMPLES.glob("*.yaml"))
    compared = 0
    for path in cases:
        data = path.read_bytes()
        try:
            items = _outcome(yaml_codec._read_items, data)
        except yaml_codec._Whole:  # a scalar, tagged or anchored document, or a merge key at its top level
            continue
        nodes = _outcome(yaml_codec._read_nodes, data)
        compared += 1
        text = data.decode("utf-8", "replace")
        if "*" in text or "<<" in text:  # alias spans (above); a merged mapping's label counts its pairs as written
            assert items[:2] == nodes[:2], path
        else:
            assert items == nodes, path
    assert compared > 300


def test_a_yaml_with_merge_keys_keeps_no_node_graph_either():
    # Merge keys need PyYAML's nodes: they are composed and constructed one top-level item at a time.
    records = "".join(f"- {{<<: *base, id: {i}}}\n" for i in range(2000))
    text = ("- &base {kind: user, id: 0}\n" + records).encode()
    document = fl.load(text, "yaml")
    document.spans  # noqa: B018
    gc.collect()
    assert sum(isinstance(o, yaml.Node) for o in gc.get_objects()) == 0
    assert document.value == yaml.load(text, Loader=SAFE)
    assert document.value[2000] == {"kind": "user", "id": 1999}
    assert [s.label for s in document.spans[:2]] == ["- [0] mapping of 2", "- [1] mapping of 2"]


@pytest.mark.parametrize(
    "text",
    [b"base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n", b"set: !!set {a, b}\n", b"- !!omap [a: 1, b: 2]\n"],
)
def test_merge_keys_and_sets_are_read_through_the_node_graph(text):
    with pytest.raises(yamlevents.Unsupported):
        yaml_codec._read_events(decode_text(text)[0], True)
    assert fl.load(text, "yaml").value == yaml.load(text, Loader=SAFE)


def test_a_value_key_beside_a_merge_key_is_its_text_as_pyyaml_makes_it():
    # flatten_mapping turns a `=` (tag:yaml.org,2002:value) key into a str; the item-at-a-time path must too,
    # not make it a custom-tag value with a "custom tags kept as data" finding (found by review).
    text = b"base: &b {x: 1}\n=: 5\nother: {<<: *b}\n"
    document = fl.load(text, "yaml")
    assert document.value == yaml.load(text, Loader=SAFE) == {"base": {"x": 1}, "=": 5, "other": {"x": 1}}
    assert [f.code for f in document.findings] == []


def test_what_events_read_before_a_merge_key_is_freed_before_the_node_graph_reads_it(monkeypatch):
    # A merge key at the end of a large YAML: the values read so far must not stay alive (held by the
    # exception's traceback) while the node graph reads the whole input again.
    text = b"".join(b"- !Ref x%d\n" % i for i in range(100)) + b"- {<<: {a: 1}}\n"
    alive = []
    read_items = yaml_codec._read_items

    def counting(*args):
        gc.collect()
        alive.append(sum(type(o) is yaml_codec.TaggedNode for o in gc.get_objects()))
        return read_items(*args)

    monkeypatch.setattr(yaml_codec, "_read_items", counting)
    document = fl.load(text, "yaml")
    assert alive == [0]
    assert len(document.value) == 101 and document.value[100] == {"a": 1}


def test_no_node_graph_is_kept_after_loading():
    text = yaml.safe_dump([{"id": i, "name": f"user {i}"} for i in range(2000)]).encode()
    gc.collect()
    before = sum(isinstance(o, yaml.Node) for o in gc.get_objects())
    document = fl.load(text, "yaml")
    document.spans  # noqa: B018 - the lazy spans hold what they are made from
    gc.collect()
    assert sum(isinstance(o, yaml.Node) for o in gc.get_objects()) - before == 0
    assert document.value[1999] == {"id": 1999, "name": "user 1999"}


@pytest.mark.parametrize("merge", [b"", b"b: {<<: {c: 1}}\n"])  # a merge key: through the node graph
def test_an_alias_to_its_own_collection_is_a_value_that_holds_itself(merge):
    # Both ways of reading: the node graph's alias count walked this cycle forever (until the
    # worker ran out of memory).
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        document = pool.load(b"a: &x [1, *x]\n" + merge, "yaml")
    finally:
        pool.close()
    inner = document.value["a"]
    assert inner[0] == 1 and inner[1] is inner
    assert document.value.get("b", {"c": 1}) == {"c": 1}


RECORDS = [
    {"id": i, "name": f"user {i}", "active": i % 2 == 0, "score": i / 4, "country": "NO", "mode": "0755"}
    for i in range(16_000)
]


@pytest.fixture(scope="module")
def big_yaml() -> bytes:
    """Over 1 MiB of records written by PyYAML, with what the codec reports spliced into the text."""
    text = yaml.safe_dump(RECORDS, sort_keys=False)
    head = (
        "- id: -1\n  name: first\n  name: again\n"  # a repeated key in the first record
        "  when: 2001-12-14 21:59:43.10\n"  # a YAML 1.1 timestamp
        "  answer: yes\n  octal: 010\n  country: NO\n"  # YAML 1.1 booleans and octal
        "  ref: !Ref Env\n"  # a custom tag
        "  run: !!python/object/apply:os.system [ls]\n"  # a Python tag: data, never run
    )
    data = (head + text).encode()
    assert len(data) > firstview.LIGHT_FROM
    return data


def test_a_yaml_over_1_mib_gets_a_first_view_with_its_head_findings_and_spans(big_yaml):
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        document = pool.load(big_yaml, filename="users.yaml")
    finally:
        pool.close()
    assert document.format == "yaml" and document.has("value") is False
    head = document.first_view["head"]
    first = {
        "id": -1,
        "name": "again",
        "when": datetime.datetime(2001, 12, 14, 21, 59, 43, 100_000),
        "answer": True,
        "octal": 8,
        "country": False,
        "ref": {"!tag": "!Ref", "value": "Env"},
        "run": {"!tag": "!!python/object/apply:os.system", "value": ["ls"]},
    }
    assert len(head) == 16_001 and head[0] == first
    assert list(head)[1 : firstview.HEAD_ITEMS] == RECORDS[: firstview.HEAD_ITEMS - 1]
    assert document.first_view["shape"] == "16,001 rows × 11 columns"

    text = big_yaml.decode()
    names = [m.start() for m in re.finditer(r"name:", text[:200])]
    repeated = [f for f in document.findings if f.code == "yaml.duplicate-key"]
    assert [f.message for f in repeated] == [
        f"duplicate key 'name' in 0, bytes {names[0]} and {names[1]}: PyYAML keeps the last value"
        " (in the first key's place)"
    ]
    assert (repeated[0].span.start, repeated[0].span.end, repeated[0].span.path) == (
        names[1],
        names[1] + 4,
        (0, "name"),
    )
    python = [f for f in document.findings if f.code == "yaml.tag"]
    assert len(python) == 1 and python[0].span.start == text.index("!!python")
    assert python[0].span.end == text.index("[ls]") + 4 and "line 9" in python[0].message
    custom = [f.message for f in document.findings if f.code == "yaml.custom-tag"]
    assert custom == ["custom tags kept as data, as {'!tag': ..., 'value': ...}: !Ref (1)"]

    # One span per top-level record, from its first byte to its last; labels say what it holds.
    items = [m.start() + 2 for m in re.finditer(r"^- ", text, re.M)]
    assert len(items) == 16_001  # more than the first view's head: the rest is annotated where the person looks
    assert len(document.spans) == firstview.HEAD_SPANS == document.details["spans_cut_at"]
    assert [span.start for span in document.spans] == items[: firstview.HEAD_SPANS]
    shown = document.spans[:3]
    assert [(s.start, s.label, s.path) for s in shown] == [
        (items[0], "- [0] mapping of 9", (0,)),
        (items[1], "- [1] mapping of 6", (1,)),
        (items[2], "- [2] mapping of 6", (2,)),
    ]
    assert (
        shown[0].end == items[1] - 2 and shown[1].end == items[2] - 2
    )  # up to the next item's dash (PyYAML's end mark)
    assert document.spans[-1].end == items[firstview.HEAD_SPANS] - 2


def test_hostile_yaml_is_still_refused_through_events():
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
    with pytest.raises(fl.LimitExceeded, match=r"aliases are expanded.*FORMATLENS_MAX_NODES"):
        fl.load("\n".join(bomb).encode(), "yaml")
    with pytest.raises(fl.LimitExceeded, match=r"nesting depth.*FORMATLENS_MAX_DEPTH"):
        fl.load(b"[" * 500 + b"]" * 500, "yaml")  # libyaml itself stops flow nesting at 1,000
    with pytest.raises(fl.FormatError, match="does not fit its type") as info:
        fl.load(b"a: 1\nb: !!int twelve\n", "yaml")
    assert info.value.offset == 8
    assert math.isinf(fl.load(b"x: .inf", "yaml").value["x"])


def test_a_first_view_of_a_large_mapping_annotates_its_first_entries(monkeypatch):
    monkeypatch.setattr(firstview, "LIGHT_FROM", 1000)  # a first view from 1,000 bytes: the input stays small
    data = yaml.safe_dump({f"key{i}": i for i in range(8000)}, sort_keys=False).encode()  # 24,000 spans
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        document = pool.load(data, "yaml")
    finally:
        pool.close()
    assert document.first_view["shape"] == "object of 8,000 keys"
    assert document.details["spans_cut_at"] == firstview.HEAD_SPANS  # far windows start at checkpoints
    assert fl.core.document.count_spans(document.spans, 10**6) == firstview.HEAD_SPANS
    # Whole entries (entry, key, value: 3 spans each), then the next entry with what is left of the budget.
    whole, left = divmod(firstview.HEAD_SPANS, 3)
    assert len(document.spans) == whole + 1 and left in (1, 2)
    before, last = document.spans[-2:]
    assert before.path == (f"key{whole - 1}",) and before.label == f"key{whole - 1}: {whole - 1}"
    at = data.index(f"key{whole - 1}:".encode())
    assert (before.start, before.end) == (at, at + len(f"key{whole - 1}: {whole - 1}"))
    assert last.path == (f"key{whole}",) and [child.kind for child in last.children] == ["key"][: left - 1]


@pytest.mark.parametrize("root", ["sequence", "mapping", "documents"])
def test_a_far_window_of_a_large_yaml_is_annotated_with_its_entries_and_values(root, monkeypatch):
    tags = ["a", "b"]  # one list in every record: PyYAML writes an anchor, then aliases to it
    records = [{"id": i, "name": f"user {i}", "tags": tags} for i in range(3000)]
    value = records if root != "mapping" else {f"user{i}": record for i, record in enumerate(records)}
    if root == "documents":
        data = yaml.safe_dump_all(records, sort_keys=False).encode()
    else:
        data = yaml.safe_dump(value, sort_keys=False).encode()
    assert (b"*id001" in data) is (root != "documents")  # anchors do not cross documents
    lo = len(data) * 3 // 4
    hi = lo + 4096
    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "300")  # the spans recorded at load stop far before the window
    [(columns, values)] = annotate(data, "yaml", {}, [(lo, hi)])
    spans = spans_of((columns, values))
    # The same spans as a whole annotation (no limit) gives for those bytes.
    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "100000")
    assert spans == restrict(fl.load(data, "yaml").spans, lo, hi)
    assert len(spans) > 10 and spans[0].start < lo + 200 and spans[-1].end > hi - 200
    # Each whole item's value, read from its own bytes, is the value at its path.
    assert len(values) >= 20
    for path, item in values.items():
        expected = value[path[0]] if len(path) == 1 else value[path[0]][path[1]]
        assert item == expected, path


def test_aliases_used_as_keys_are_refused_as_soon_as_they_expand_past_the_limit(monkeypatch):
    # An alias used as a key is walked whole to make it a dict key: each use of a 1,000,000-value
    # anchor costs that much, so the mapping is refused at the use that passes the limit, not at its end.
    lines = ["a: &a [" + ", ".join(["x"] * 1000) + "]", "b: &b [" + ", ".join(["*a"] * 1000) + "]", "c:"]
    lines += [f"  ? [{i}, *b]\n  : {i}" for i in range(200)]
    walks = []
    hashable = yaml_codec._hashable

    def counting(key):
        if type(key) is list and len(key) == 2 and type(key[0]) is int:  # a key, not its parts
            walks.append(key[0])
        return hashable(key)

    monkeypatch.setattr(yaml_codec, "_hashable", counting)
    with pytest.raises(fl.LimitExceeded, match=r"aliases are expanded.*FORMATLENS_MAX_NODES"):
        fl.load("\n".join(lines).encode(), "yaml")
    assert walks == [0]  # the second use passes 2,000,000 values: refused before it is walked


def test_a_first_view_of_yaml_whose_far_windows_decode_it_whole_keeps_the_wide_head(monkeypatch):
    # Two documents (or a flow-style top level...) are decoded whole for each far window (codecs.yamlfar):
    # their first view annotates 20,000 spans at once, as before far windows walked from checkpoints.
    monkeypatch.setattr(firstview, "LIGHT_FROM", 1000)
    one = yaml.safe_dump({f"key{i}": i for i in range(8000)}, sort_keys=False)
    pool = WorkerPool(workers=1, memory_mb=1024)
    try:
        single = pool.load(one.encode(), "yaml")
        double = pool.load(f"{one}---\n{one}".encode(), "yaml")
    finally:
        pool.close()
    assert single.details["spans_cut_at"] == firstview.HEAD_SPANS
    assert double.details["documents"] == 2
    assert double.details["spans_cut_at"] == firstview.WIDE_HEAD_SPANS
