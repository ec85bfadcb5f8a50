"""A large protobuf message read with its schema: its first view comes from a census of the parse and the
head of the value (codecs.protobuf.glance), not from the whole conversion, and says what it says.

The .proto files are compiled by protoc (grpcio-tools) into a descriptor set; the messages are written by
the protobuf library with classes from that set, in a pool of the test's own (not formatlens's).
"""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from google.protobuf import message_factory

import formatlens as fl
from formatlens.codecs.protobuf import codec as protobuf
from formatlens.codecs.protobuf.codec import compile_proto
from formatlens.codecs.protobuf.glance import census, check_levels, exact_census, head_value
from formatlens.codecs.protobuf.values import message_to_value
from formatlens.core.limits import Limits, check_value
from formatlens.runtime import firstview
from formatlens.runtime.isolation import load_everything
from tests.support.protoc import compiled_set

KINDS = """syntax = "proto3";
package glance;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
message Leaf { string label = 1; bytes blob = 2; Color color = 3; }
message Node { int32 n = 1; repeated Node children = 2; Node only = 3; }
message Record {
  int64 id = 1;
  uint64 big = 2;
  sint32 delta = 3;
  double score = 4;
  float ratio = 5;
  bool flag = 6;
  string name = 7;
  bytes raw = 8;
  Color color = 9;
  repeated Color colors = 10;
  repeated int32 packed = 11;
  repeated fixed64 fixed = 12;
  map<string, Leaf> leaves = 13;
  map<int32, Color> codes = 14;
  map<string, google.protobuf.Timestamp> times = 15;
  oneof choice { string text = 16; Leaf leaf = 17; int64 number = 18; }
  optional int32 maybe = 19;
  google.protobuf.Timestamp at = 20;
  google.protobuf.Duration took = 21;
  google.protobuf.Int64Value wrapped = 22;
  google.protobuf.StringValue note = 23;
  google.protobuf.Struct meta = 24;
  google.protobuf.Value json = 25;
  google.protobuf.ListValue list = 26;
  Leaf single = 27;
  repeated Leaf leaf_list = 28;
  Node tree = 29;
  repeated string tags = 30;
  sfixed32 small = 31;
}
message Top {
  string title = 1;
  repeated Record records = 2;
  map<string, int64> counts = 3;
  repeated bytes blobs = 4;
  Node tree = 5;
}
message Flat {
  message Row {
    int64 id = 1; string name = 2; google.protobuf.Timestamp at = 3; optional int32 maybe = 4;
    google.protobuf.Duration took = 5; google.protobuf.StringValue note = 6; Color color = 8;
    oneof o { string a = 9; int32 b = 10; }
    repeated string tags = 11; Leaf leaf = 12; repeated sint64 scores = 13;
  }
  repeated Row rows = 1;
}
message Wide {
  message Row {
    int32 f1 = 1; int32 f2 = 2; int32 f3 = 3; int32 f4 = 4; int32 f5 = 5; int32 f6 = 6; int32 f7 = 7;
    int32 f8 = 8; int32 f9 = 9; int32 f10 = 10; int32 f11 = 11; int32 f12 = 12; int32 f13 = 13;
    int32 f14 = 14; int32 f15 = 15; int32 f16 = 16; int32 f17 = 17; int32 f18 = 18; int32 f19 = 19;
    int32 f20 = 20; repeated int32 more = 21;
  }
  repeated Row rows = 1;
}
"""
NEWER = """syntax = "proto3";
package glance;
message Item { int64 id = 1; string name = 2; int64 added = 3; }
message List { repeated Item items = 1; string added_too = 2; }
"""
OLDER = """syntax = "proto3";
package glance;
message Item { int64 id = 1; string name = 2; }
message List { repeated Item items = 1; }
"""
GROUPS = """syntax = "proto2";
package old;
message Search {
  required string query = 1;
  repeated group Result = 2 { optional string url = 3; optional int32 rank = 4 [default = 7]; }
  optional int64 page = 5 [default = -1];
  extensions 100 to 199;
}
extend Search { optional string note = 100; }
"""
WITH_ANY = """syntax = "proto3";
package holder;
import "google/protobuf/any.proto";
message Holder { repeated google.protobuf.Any items = 1; }
"""
EXTENDED = """syntax = "proto2";
package ext;
import "google/protobuf/any.proto";
message Search { optional string query = 1; extensions 100 to 199; }
message Carrier { optional google.protobuf.Any inside = 1; }
extend Search { optional google.protobuf.Any carried = 101; }
message Scope { extend Search { optional Carrier nested = 102; } }
message Wide {
  repeated int32 f1 = 1; repeated int32 f2 = 2; repeated int32 f3 = 3; repeated int32 f4 = 4; repeated int32 f5 = 5;
  repeated int32 f6 = 6; repeated int32 f7 = 7; repeated int32 f8 = 8; repeated int32 f9 = 9; repeated int32 f10 = 10;
}
message Bulk { repeated Wide rows = 1; extensions 100 to 199; }
extend Bulk { optional string stamp = 100; }
"""
FILES = {"kinds.proto": KINDS, "newer.proto": NEWER, "groups.proto": GROUPS, "extended.proto": EXTENDED}
AT = dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """A pool of the test's own from the descriptor set protoc writes for FILES."""
    return compiled_set(tmp_path_factory.mktemp("proto"), FILES)[1]


def _cls(pool, name):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def _record(pool, i: int):
    """A Record using every kind of field, differently for different ``i``."""
    record = _cls(pool, "glance.Record")(
        id=-(2**63) + i, big=2**64 - 1 - i, delta=-i, score=i / 3, ratio=0.1 * i, flag=i % 2 == 0
    )
    record.name = f"record {i} é" + ("x" * 5000 if i == 3 else "")  # one longer than the head keeps of a string
    record.raw = bytes(range(256))[i % 7 :]
    record.color = i % 4  # 3 is no name of Color: an open enum keeps the number
    record.colors.extend([1, 2, 5][: i % 4])
    record.packed.extend(range(90 + i % 20))  # over 100 items in some records
    record.fixed.extend([2**64 - 1, 0, i])
    for k in range(i % 5 * 40):  # up to 160 leaves: over 100 members
        record.leaves[f"leaf {k}"].label = f"{i}/{k}"
        record.leaves[f"leaf {k}"].blob = b"\xff" * (k % 3)
    record.codes.update({k: k % 3 for k in range(i % 4)})
    record.times["made"].FromDatetime(AT + dt.timedelta(seconds=i))
    if i % 3 == 0:
        record.text = "chosen"
    elif i % 3 == 1:
        record.leaf.label = "a leaf"
    if i % 2:
        record.maybe = 0  # set to its default: shown, as a field with presence
        record.at.FromDatetime(AT)
        record.took.FromTimedelta(dt.timedelta(days=-1, microseconds=5))
        record.wrapped.value = 2**40
        record.note.value = ""
    record.meta.update({"a": 1, "b": [True, None, "x"], "c": {"d": 2.5}})
    record.json.string_value = "s" if i % 2 else ""
    if i % 4 == 0:
        record.list.extend([1, "two", None])
    if i % 5:
        record.single.color = 2
    for k in range(i % 3):
        record.leaf_list.add(label=str(k))
    node = record.tree
    for depth in range(i % 6):
        node.n = depth
        node.children.add(n=-depth)
        node = node.only
    record.tags.extend(f"t{k}" for k in range(i % 3))
    record.small = -i
    return record


def _top(pool, count: int, distinct: int | None = None):
    """A Top of ``count`` records (the first ``distinct`` of them made, then copied again and again)."""
    top = _cls(pool, "glance.Top")(title="records")
    made = [_record(pool, i) for i in range(min(count, distinct or count))]
    for i in range(count):
        top.records.append(made[i % len(made)])
    top.counts.update({f"c{k}": k for k in range(120)})
    top.blobs.extend([b"", b"\x00" * 10, b"\x80" * 5000])
    return top


def _typed(value):
    """The value with the type of each part and the length of each container (a HeadList's is the whole
    list's): what equality alone would not tell apart (1 and True, a head of a list and the list)."""
    if isinstance(value, dict):
        return ("dict", len(value), [(key, _typed(item)) for key, item in dict.items(value)])
    if isinstance(value, list):
        return ("list", len(value), [_typed(item) for item in list.__iter__(value)])
    return (type(value).__name__, repr(value))


def _levels(value) -> dict[int, int]:
    """Depth -> the sum of len() of the dicts and lists there: what check_value counts level by level."""
    levels, level, depth = {}, [value], 1
    while level:
        levels[depth] = sum(map(len, level))
        level = [c for node in level for c in (node.values() if isinstance(node, dict) else node)]
        level = [c for c in level if isinstance(c, (dict, list))]
        depth += 1
    return levels


def _as_read(data: bytes, proto: str, name: str):
    """``data`` parsed by the class formatlens compiles from ``proto`` (as its decode does)."""
    message = compile_proto(proto).message_class(name)()
    message.ParseFromString(data)
    return message


def _messages(pool) -> dict[str, tuple[bytes, str, str]]:
    empty_rows = _cls(pool, "glance.Wide")()
    for i in range(300):
        row = empty_rows.rows.add()
        if i % 7 == 0:
            row.more.extend(range(i))
    deep = _cls(pool, "glance.Node")()
    node = deep
    for depth in range(40):
        node.children.add(n=depth)
        node = node.children.add(n=depth)
    flat = _cls(pool, "glance.Flat")()
    for i in range(3000):
        row = flat.rows.add(id=i, name=f"row {i}")
        if i % 10 == 0:
            row.at.FromDatetime(AT)
            row.maybe = i
            row.tags.extend(["x"] * (i % 7))
        if i % 100 == 1:
            row.leaf.label = "a leaf"
    search = _cls(pool, "old.Search")(query="q")
    search.result.add(url="https://a")
    search.result.add(rank=2)
    return {
        "top": (_top(pool, 250).SerializeToString(), KINDS, "glance.Top"),
        "record": (_record(pool, 3).SerializeToString(), KINDS, "glance.Record"),
        "empty": (b"", KINDS, "glance.Record"),
        "wide": (empty_rows.SerializeToString(), KINDS, "glance.Wide"),
        "deep": (deep.SerializeToString(), KINDS, "glance.Node"),
        "groups": (search.SerializeToString(), GROUPS, "old.Search"),
        "flat": (flat.SerializeToString(), KINDS, "glance.Flat"),
    }


@pytest.mark.parametrize("name", ["top", "record", "empty", "wide", "deep", "groups", "flat"])
def test_the_head_and_the_count_are_the_whole_conversions(pool, name):
    data, proto, message_name = _messages(pool)[name]
    message = _as_read(data, proto, message_name)
    whole = message_to_value(message, [])
    head = firstview.head_of(head_value(message, firstview.HEAD_ITEMS, firstview.HEAD_BUDGET))
    assert _typed(head) == _typed(firstview.head_of(whole))
    counted = census(message, Limits())
    assert counted.trouble is None and counted.over is False and counted.exact is True
    assert dict(counted.levels) == _levels(whole) and counted.deepest == len(_levels(whole))
    # With the merged parse (codecs.protobuf.projection): an upper bound, level by level, as deep
    bounded = census(message, Limits(), data)
    assert bounded.trouble is None and bounded.over is False and bounded.exact is False
    assert bounded.deepest >= counted.deepest
    assert all(bounded.levels[depth] >= count for depth, count in counted.levels.items()), bounded.levels


def test_the_head_budget_and_the_cuts_are_reached(pool):
    # (what the comparison above covers: the value budget runs out, lists and dicts are cut, a string too)
    data, proto, message_name = _messages(pool)["top"]
    head = firstview.head_of(message_to_value(_as_read(data, proto, message_name), []))
    records = head["records"]
    assert type(records) is firstview.HeadList and len(records) == 250 and len(list(list.__iter__(records))) < 100
    assert type(records[4]["leaves"]) is firstview.HeadDict and len(records[4]["leaves"]) == 160
    assert type(records[1]["leaves"]) is dict and len(records[1]["leaves"]) == 40
    assert type(records[11]["packed"]) is firstview.HeadList and len(records[11]["packed"]) == 101
    assert len(records[3]["name"]) == firstview.HEAD_TEXT
    assert records[1]["color"] == "RED" and records[3]["color"] == 3 and records[1]["at"] == AT
    assert records[1]["big"] == 2**64 - 2 and records[0]["id"] == -(2**63)


def _first_view(data: bytes, proto: str, message: str) -> dict:
    """A first view made in this process, as a worker makes it (isolation.load_everything)."""
    _data_is_input, light, blob = load_everything(data, "protobuf", {"schema": proto, "message": message}, True)
    assert light
    return pickle.loads(blob)


@pytest.fixture
def small_large(monkeypatch):
    """The large-message path from 20 KB on (the real size: 1 MiB; the path is the same)."""
    monkeypatch.setattr(protobuf, "LARGE", 20_000)
    return protobuf


def test_a_large_messages_first_view_does_not_convert_it_whole(pool, monkeypatch):
    data = _top(pool, 1200, distinct=300).SerializeToString()
    assert len(data) > protobuf.LARGE  # the real size: a first view of a large upload
    expected = fl.load(data, "protobuf", schema=KINDS, message="glance.Top")
    assert expected.glance_factory is not None and expected.value_made is False
    whole, findings = expected.value, [(f.code, f.message) for f in expected.findings]

    def refused(*_args):
        raise AssertionError("the first view converted the whole message")

    monkeypatch.setattr(protobuf, "message_to_value", refused)
    state = _first_view(data, KINDS, "glance.Top")
    shown = state["first_view"]
    assert _typed(shown["head"]) == _typed(firstview.head_of(whole))
    assert shown["shape"] == "object of 4 keys" and shown["tabular"] is False  # (its tree is not set)
    assert [(f.code, f.message) for f in state["findings"]] == findings == []
    assert state["details"] == {"message": "glance.Top", "verbatim": False, "spans_cut_at": firstview.HEAD_SPANS}
    monkeypatch.undo()
    monkeypatch.setattr(protobuf, "LARGE", 1 << 40)  # the small-input path: the value made at once
    small = fl.load(data, "protobuf", schema=KINDS, message="glance.Top")
    assert small.value_made and small.value == whole
    assert [(f.code, f.message) for f in small.findings] == findings


def test_a_first_view_over_the_node_limit_is_refused_as_the_whole_value_is(pool, small_large):
    # 40,000 rows of a type of 21 fields shown at their defaults: 2 bytes each, 22 values each. The census
    # counts them by type (it stops once past the limit) and refuses what check_value refuses.
    wide = _cls(pool, "glance.Wide")()
    for _ in range(100_000):
        wide.rows.add()
    data = wide.SerializeToString()
    with pytest.raises(fl.LimitExceeded) as whole:
        fl.load(data, "protobuf", schema=KINDS, message="glance.Wide").value  # noqa: B018
    with pytest.raises(fl.LimitExceeded) as first:
        _first_view(data, KINDS, "glance.Wide")
    assert "FORMATLENS_MAX_NODES" in whole.value.hint
    assert (first.value.message, first.value.hint) == (whole.value.message, whole.value.hint)
    assert census(_as_read(data, KINDS, "glance.Wide"), Limits()).over is True


@pytest.mark.parametrize("name", ["top", "flat"])
@pytest.mark.parametrize("limit", ["max_nodes", "max_depth"])
def test_the_census_refuses_exactly_what_check_value_refuses(pool, limit, name):
    # At the limit: accepted both ways; one under it: refused both ways, in the same words. (The census with
    # the merged parse counts flat records by type, as if every field were set: over the limit, it counts
    # again exactly; the records of "flat" have 7 fields with presence, mostly unset.)
    data, proto, message_name = _messages(pool)[name]
    message = _as_read(data, proto, message_name)
    whole = message_to_value(message, [])
    levels = _levels(whole)
    exact = {"max_nodes": 1 + sum(levels.values()), "max_depth": len(levels)}[limit]
    for bound in (exact, exact - 1):
        limits = Limits(**{limit: bound})
        outcomes = []
        checks = (
            lambda lim=limits: check_value(whole, lim),
            lambda lim=limits: check_levels(census(message, lim), lim),
            lambda lim=limits: check_levels(exact_census(message, lim, data), lim),
        )
        for check in checks:
            try:
                check()
                outcomes.append(None)
            except fl.LimitExceeded as refused:
                outcomes.append((refused.message, refused.hint))
        assert outcomes[0] == outcomes[1] == outcomes[2], (bound, outcomes)
        assert (outcomes[0] is None) == (bound == exact), (bound, outcomes)


def _older_reads_newer(pool) -> bytes:
    newer = _cls(pool, "glance.List")(added_too="x")
    for i in range(2000):
        newer.items.add(id=i, name=f"item {i}", added=i if i == 1500 else 0)
    return newer.SerializeToString()


def _extension_set(pool) -> bytes:
    search = _cls(pool, "old.Search")(query="q" * 30_000)
    search.Extensions[pool.FindExtensionByName("old.note")] = "hello"
    return search.SerializeToString()


@pytest.mark.parametrize(
    ("make", "proto", "name", "code"),
    [
        (_older_reads_newer, OLDER, "glance.List", "protobuf.unknown-fields"),
        (_extension_set, GROUPS, "old.Search", "protobuf.extension"),
    ],
    ids=["unknown-fields", "extension"],
)
def test_what_only_the_whole_conversion_says_comes_from_it(pool, small_large, make, proto, name, code):
    # Unknown fields (item 1,500 of 2,000, written by a newer schema) and extensions: findings made as the
    # value is converted, per message; the first view then converts the whole message, as before.
    data = make(pool)
    assert len(data) > small_large.LARGE
    document = fl.load(data, "protobuf", schema=proto, message=name)
    state = _first_view(data, proto, name)
    assert _typed(state["first_view"]["head"]) == _typed(firstview.head_of(document.value))
    expected = [(f.code, f.message) for f in document.findings]
    assert code in [c for c, _ in expected]
    assert [(f.code, f.message) for f in state["findings"]] == expected
    assert census(_as_read(data, proto, name), Limits()).trouble is not None


def test_a_timestamp_out_of_range_gets_the_whole_conversions_verdict(pool, small_large):
    data, proto, message_name = _messages(pool)["top"]
    top = _cls(pool, "glance.Top")()
    top.ParseFromString(data)
    top.records[200].at.seconds = 10**15  # past year 9999: no datetime
    data = top.SerializeToString()
    with pytest.raises(fl.FormatError) as whole:  # bad input (it was a bug's traceback: ValueError)
        fl.load(data, "protobuf", schema=proto, message=message_name).value  # noqa: B018
    with pytest.raises(fl.FormatError) as first:
        _first_view(data, proto, message_name)
    assert type(first.value) is type(whole.value) and first.value.message == whole.value.message
    assert whole.value.message.startswith("a google.protobuf.Timestamp that is no date and time: ")


def test_a_message_that_may_hold_an_any_is_converted_at_once(small_large):
    # An Any's type decides whether the message is written back verbatim (convert's identity): known at once.
    from google.protobuf import timestamp_pb2

    holder = compile_proto(WITH_ANY).message_class("holder.Holder")()
    for i in range(2000):
        holder.items.add().Pack(timestamp_pb2.Timestamp(seconds=i))
    unknown = holder.items.add()
    unknown.type_url, unknown.value = "type.googleapis.com/other.Unknown", b"\x08\x01"
    document = fl.load(holder.SerializeToString(), "protobuf", schema=WITH_ANY, message="holder.Holder")
    assert document.glance_factory is None and document.value_made is True
    assert document.details["verbatim"] is True


@pytest.mark.parametrize("extension", ["ext.carried", "ext.Scope.nested"])
def test_an_any_in_an_extension_is_seen_and_the_large_message_converts_as_a_small_one(pool, extension, monkeypatch):
    # Found by review: reaches_any followed the fields only; a message of 1 MiB or more with an Any of an
    # undeclared type in an extension (directly, or inside the extension's message) took the summed-up path,
    # said "verbatim": False, and convert's identity then failed to write the Any back.
    search = _cls(pool, "ext.Search")(query="q" * (1 << 20))
    held = search.Extensions[pool.FindExtensionByName(extension)]
    anything = held if extension == "ext.carried" else held.inside
    anything.type_url, anything.value = "type.googleapis.com/other.Unknown", b"\x08\x01"
    data = search.SerializeToString()
    assert len(data) >= protobuf.LARGE  # the real size

    def seen(document):
        return document.details, [(f.code, f.message) for f in document.findings], document.glance_factory is None

    def converted():
        done = fl.convert(data, "protobuf", source="protobuf", schema=EXTENDED, message="ext.Search")
        return done.data, done.losses

    large = fl.load(data, "protobuf", schema=EXTENDED, message="ext.Search")
    large_seen, large_converted = seen(large), converted()
    monkeypatch.setattr(protobuf, "LARGE", 1 << 40)  # the small-input path
    small_seen, small_converted = seen(fl.load(data, "protobuf", schema=EXTENDED, message="ext.Search")), converted()
    assert large_seen == small_seen
    assert large_seen[0] == {"message": "ext.Search", "verbatim": True} and "protobuf.any-unknown" in str(large_seen[1])
    assert large_converted == small_converted == (data, [])


@pytest.mark.parametrize("limit", ["max_nodes", "max_depth"])
def test_findings_and_value_over_the_limits_are_refused_as_the_first_view_is_before_anything_is_made(
    pool, small_large, limit, monkeypatch
):
    # Found by review: the census knew the value was over max_nodes, yet .findings and .value converted the
    # whole message (a 1.2 MB bomb of empty wide records: 39 s, 2.3 GB) before check_value refused it.
    if limit == "max_nodes":  # 12,000 empty rows of a type of 21 fields shown at their defaults: 264,001 values
        monkeypatch.setenv("FORMATLENS_MAX_NODES", "50000")
        name, message = "glance.Wide", _cls(pool, "glance.Wide")()
        for _ in range(12_000):
            message.rows.add()
    else:  # a tree 40 deep under a title
        monkeypatch.setenv("FORMATLENS_MAX_DEPTH", "20")
        name, message = "glance.Top", _cls(pool, "glance.Top")(title="t" * 30_000)
        node = message.tree
        for depth in range(40):
            node.n = depth
            node = node.only
    data = message.SerializeToString()
    assert len(data) > small_large.LARGE
    with pytest.raises(fl.LimitExceeded) as first:
        _first_view(data, KINDS, name)
    words = (str(first.value), first.value.message, first.value.hint, first.value.offset)
    assert ("20" if limit == "max_depth" else "50,000") in first.value.message
    made = []
    real = protobuf.message_to_value
    monkeypatch.setattr(protobuf, "message_to_value", lambda *args: made.append(1) or real(*args))
    for part in ("findings", "value", "findings"):
        document = fl.load(data, "protobuf", schema=KINDS, message=name)
        assert document.glance_factory is not None
        with pytest.raises(fl.LimitExceeded) as refused:
            getattr(document, part)
        assert (str(refused.value), refused.value.message, refused.value.hint, refused.value.offset) == words
    assert made == []  # nothing converted
    monkeypatch.setattr(protobuf, "LARGE", 1 << 40)  # the small path: converted whole, check_value refuses
    small = fl.load(data, "protobuf", schema=KINDS, message=name)
    with pytest.raises(fl.LimitExceeded) as whole:
        small.value  # noqa: B018
    assert (str(whole.value), whole.value.message, whole.value.hint, whole.value.offset) == words
    assert made == [1]


def _refusals(data: bytes, proto: str, name: str, monkeypatch) -> tuple[list, list]:
    """How the first view, .findings, .value (large path) and the small path's decode refuse ``data``: each
    as (type, str, hint, offset); and the calls of message_to_value the large path made."""
    made: list = []
    real = protobuf.message_to_value
    monkeypatch.setattr(protobuf, "message_to_value", lambda *args: made.append(1) or real(*args))

    def refusal(step):
        with pytest.raises(fl.FormatError) as refused:
            step()
        return type(refused.value), str(refused.value), refused.value.hint, refused.value.offset

    outcomes = [refusal(lambda: _first_view(data, proto, name))]
    for part in ("findings", "value"):
        document = fl.load(data, "protobuf", schema=proto, message=name)
        assert document.glance_factory is not None
        outcomes.append(refusal(lambda document=document, part=part: getattr(document, part)))
    large_made = list(made)
    with monkeypatch.context() as small:
        small.setattr(protobuf, "LARGE", 1 << 40)  # the small path: converted at once, then checked
        outcomes.append(refusal(lambda: fl.load(data, "protobuf", schema=proto, message=name).value))
    return outcomes, large_made


@pytest.mark.parametrize("extra", ["unknown field", "extension"])
def test_a_bomb_with_what_only_the_conversion_shows_is_refused_before_it_is_made(pool, small_large, extra, monkeypatch):
    # Unknown fields and extensions make the whole conversion decide (the census stops there); they only add
    # to the value's count and their conversion refuses nothing, so a count without them over max_nodes
    # refuses at once, in check_value's words (12,000 empty rows of 10 lists: 120,001 values and more).
    monkeypatch.setenv("FORMATLENS_MAX_NODES", "50000")
    bulk = _cls(pool, "ext.Bulk")()
    for _ in range(12_000):
        bulk.rows.add()
    if extra == "extension":
        bulk.Extensions[pool.FindExtensionByName("ext.stamp")] = "s"
    data = bulk.SerializeToString() + (b"\xf8\x01\x01" if extra == "unknown field" else b"")  # field 31 = 1
    assert len(data) > small_large.LARGE
    outcomes, made = _refusals(data, EXTENDED, "ext.Bulk", monkeypatch)
    assert (
        outcomes
        == [
            (
                fl.LimitExceeded,
                "protobuf: the number of values is over the limit of 50,000. Hint: "
                "an operator can raise it with the environment variable FORMATLENS_MAX_NODES",
                "an operator can raise it with the environment variable FORMATLENS_MAX_NODES",
                None,
            )
        ]
        * 4
    )
    assert made == []


def test_a_message_with_an_unknown_field_within_the_limits_is_counted_once_and_converted(
    pool, small_large, monkeypatch
):
    # The count without the unknown field (a walk of every record) is made once for the first view, the
    # findings and the value, and refuses nothing within the limits: all three are the small path's.
    bulk = _cls(pool, "ext.Bulk")()
    for i in range(5_000):
        bulk.rows.add(f1=[i])
    data = bulk.SerializeToString() + b"\xf8\x01\x01"
    assert len(data) > small_large.LARGE
    counted = []
    real = protobuf.lower_bound_over
    monkeypatch.setattr(protobuf, "lower_bound_over", lambda *args: counted.append(1) or real(*args))
    document = fl.load(data, "protobuf", schema=EXTENDED, message="ext.Bulk")
    head = document._guarded(document.glance_factory)["head"]
    large = (head, document.value, [(f.code, f.message) for f in document.findings])
    monkeypatch.setattr(protobuf, "LARGE", 1 << 40)
    small = fl.load(data, "protobuf", schema=EXTENDED, message="ext.Bulk")
    assert large == (firstview.head_of(small.value), small.value, [(f.code, f.message) for f in small.findings])
    assert large[1]["!unknown"] == {"31": 1} and len(large[1]["rows"]) == 5_000
    assert counted == [1]


def test_a_bomb_whose_conversion_refuses_first_keeps_that_verdict(pool, small_large, monkeypatch):
    # The same with a Timestamp out of range in the last row: the conversion refuses it before any count, so
    # the count without the unknown field (over at the third batch, before that row's Timestamp) must not decide.
    monkeypatch.setenv("FORMATLENS_MAX_NODES", "50000")
    flat = _cls(pool, "glance.Flat")()
    for _ in range(12_000):
        flat.rows.add()
    flat.rows[-1].at.seconds = 10**15
    data = flat.SerializeToString() + b"\xf8\x01\x01"
    outcomes, made = _refusals(data, KINDS, "glance.Flat", monkeypatch)
    assert len(set(outcomes)) == 1 and outcomes[0][0] is fl.FormatError
    assert outcomes[0][1].startswith("protobuf: a google.protobuf.Timestamp that is no date and time: ")
    assert made  # the whole conversion decided


def test_findings_with_trouble_are_refused_when_the_value_is(pool, small_large, monkeypatch):
    # An unknown field makes the whole conversion decide; the value is too deep: its findings are refused too
    # (they were given while the value and the first view were refused).
    monkeypatch.setenv("FORMATLENS_MAX_DEPTH", "20")
    top = _cls(pool, "glance.Top")(title="t" * 30_000)
    node = top.tree
    for depth in range(40):
        node.n = depth
        node = node.only
    data = top.SerializeToString() + b"\xf8\x01\x01"
    outcomes, made = _refusals(data, KINDS, "glance.Top", monkeypatch)
    assert len(set(outcomes)) == 1 and outcomes[0][0] is fl.LimitExceeded
    assert outcomes[0][1].startswith("protobuf: the nesting depth of the value is over the limit of 20. ")
    assert made  # the whole conversion decided


def test_a_worker_sends_the_first_view_and_makes_the_whole_value_when_a_view_asks(pool):
    # Through the worker pool (pickled across processes, as the app gets it): the head and shape of the
    # glance; the value and its findings, asked for later (Table, Convert, Compare), are a decode's again.
    # (No map in this message: upb iterates a map in an order of its process, another in a worker.)
    from formatlens.runtime.isolation import WorkerPool

    flat = _cls(pool, "glance.Flat")()
    for i in range(700):
        row = flat.rows.add(id=i, name=f"row {i}", color=i % 3)
        if i % 3:
            row.at.FromDatetime(AT + dt.timedelta(days=i))
            row.took.FromTimedelta(dt.timedelta(seconds=i))
            row.b = i
    data = flat.SerializeToString() * 100  # a repeated field's entries one after another: 70,000 rows
    assert len(data) >= firstview.LIGHT_FROM
    expected = fl.load(data, "protobuf", schema=KINDS, message="glance.Flat")
    workers = WorkerPool(workers=1, memory_mb=1024)
    try:
        document = workers.load(data, "protobuf", schema=KINDS, message="glance.Flat")
        assert document.first_view is not None and document.has("value") is False
        assert _typed(document.first_view["head"]) == _typed(firstview.head_of(expected.value))
        assert document.first_view["shape"] == "object of 1 keys" and len(document.first_view["head"]["rows"]) == 70_000
        assert document.value == expected.value  # made in a worker (remote_part)
        assert [f.code for f in document.findings] == [f.code for f in expected.findings]
    finally:
        workers.close()


def _chunked(pool) -> bytes:
    """A Record whose packed field 11 is written twice more packed and once unpacked, and an unknown varint 99."""
    record = _record(pool, 1).SerializeToString()
    return record + b"\x5a\x02\x01\x02" + b"\x58\x07" + b"\x5a\x01\x03" + b"\x98\x06\x05"


@pytest.mark.parametrize("name", ["top", "record", "empty", "wide", "deep", "groups", "flat", "unknown", "chunked"])
def test_the_top_levels_counts_from_the_parse_are_the_walks(pool, name):
    from formatlens.codecs.protobuf.projection import top_counts
    from formatlens.codecs.protobuf.wire import top_level_walk

    messages = _messages(pool)
    messages["unknown"] = (_older_reads_newer(pool), OLDER, "glance.List")
    messages["chunked"] = (_chunked(pool), KINDS, "glance.Record")
    data, proto, message_name = messages[name]
    walked = top_level_walk(data, 0)
    counted = top_counts(data, compile_proto(proto).descriptor(message_name))
    assert counted == (None if walked is None else walked[0])
    assert (walked is None) == (name == "groups")  # a group at the top level: neither counts it
    if name == "chunked":
        assert counted[11] == 4 and counted[99] == 1  # (the record wrote field 11 once itself)


@pytest.mark.parametrize("name", ["top", "wide", "deep", "flat"])
def test_the_census_counts_the_same_a_few_instances_at_a_time(pool, name, monkeypatch):
    # Instances are made BATCH at a time (a Python object for each of 700,000 records at once took 1.8 GB);
    # batches of 3 split every level here, and the counts and the verdict are the same.
    from formatlens.codecs.protobuf import glance

    data, proto, message_name = _messages(pool)[name]
    message = _as_read(data, proto, message_name)
    levels = _levels(message_to_value(message, []))
    monkeypatch.setattr(glance, "BATCH", 3)
    counted = census(message, Limits())
    assert dict(counted.levels) == levels and counted.deepest == len(levels) and counted.trouble is None
