"""Values of far items (runtime.annotate) must be the values of those items' own bytes, or none: never another
item's. Two ways they could be another's: two items with one path (a repeated key) and a CBOR reference,
whose meaning depends on bytes outside the item (both found by review)."""

from __future__ import annotations

import json
import pickle

import cbor2

import formatlens as fl
from formatlens.render.tree import CLASHED, MISSING, UNREADABLE, TreeModel, restrict, value_at
from formatlens.runtime.annotate import annotate, spans_of

PAD = ", ".join(f'"a{i}": "{"x" * 40}"' for i in range(150))


def _annotated_tree(data: bytes, format: str) -> TreeModel:
    """A tree whose rest starts at byte 0, every window annotated as the inspector does."""
    tree = TreeModel([], MISSING, len(data), rest_from=0, step=4096)
    slots = tree.slots_over(0, len(data))
    annotated = annotate(data, format, {}, [tree.slot_range(s) for s in slots])
    annotated = pickle.loads(pickle.dumps(annotated))  # as a worker sends it to the server
    for slot, done in zip(slots, annotated, strict=True):
        tree.fill(slot, restrict(spans_of(done), *tree.slot_range(slot)), done[1])
    return tree


def _rows_of(tree: TreeModel, key: str) -> dict[int, list]:
    rest = tree.rest_path()
    assert rest is not None
    return {
        row[0]: row
        for slot in range(tree.slot_count())
        for row in tree.rows((*rest, slot), 0, 1000)
        if row[2] == "entry" and row[3].startswith(f"'{key}'")
    }


def test_a_key_repeated_in_another_window_shows_each_items_own_value():
    data = ('{"status": "ok", ' + PAD + ', "status": "REVOKED", ' + PAD.replace('"a', '"b') + "}").encode()
    assert json.loads(data)["status"] == "REVOKED"
    rows = _rows_of(_annotated_tree(data, "json"), "status")
    first, second = data.index(b'"status"'), data.rindex(b'"status"')
    assert second // 4096 != first // 4096  # the two members are in different windows
    assert (rows[first][4:6], rows[second][4:6]) == (["str", "'ok'"], ["str", "'REVOKED'"])


def test_a_key_repeated_in_one_window_shows_neither_value_as_the_others():
    assert pickle.loads(pickle.dumps(CLASHED)) is CLASHED  # the server compares what a worker sent with `is`
    data = b'{"status": "ok", "id": 7, "status": "REVOKED"}' + b" " * 5000
    rows = _rows_of(_annotated_tree(data, "json"), "status")
    assert sorted(rows) == [1, 26]
    assert [rows[1][4:6], rows[26][4:6]] == [["entry", ""], ["entry", ""]]  # the labels say what the bytes hold


def test_a_cbor_reference_read_alone_is_not_given_another_items_value():
    value = [{"who": "A"}, [{"who": "C"}, {"who": "A"}]]
    value[1][1] = value[0]  # the same object twice: written once, then referenced (tag 29)
    data = cbor2.dumps(value, value_sharing=True)
    assert b"\xd8\x1d" in data
    (done,) = annotate(data, "cbor", {}, [(0, len(data))])
    values = done[1]
    whole = fl.load(data, "cbor").value
    assert all(value_at(whole, path) == found for path, found in values.items() if found is not UNREADABLE)
    assert values[(1, 0)] == {"who": "C"}
    assert values[(1, 1)] is UNREADABLE  # its content is the reference's index (0), not the value
    assert pickle.loads(pickle.dumps(values))[(1, 1)] is UNREADABLE  # as the server gets it from a worker


def test_the_values_a_request_sends_and_a_tree_keeps_are_bounded_by_their_size_not_only_their_count():
    # A crafted input of large items (each near VALUE_BYTES, thousands of small values): kept whole, 2,000
    # of them held gigabytes in the server (found by review). Now: a head per item, a budget per request
    # and per tree.
    import msgpack

    from formatlens.render.preview import count_nodes as count_values
    from formatlens.render.tree import MAX_KEPT_VALUES
    from formatlens.runtime.annotate import CALL_VALUES, ITEM_HEAD_VALUES, VALUE_BYTES

    item = [[f"{i % 97:02d}" for i in range(100)] for _ in range(25)]  # 2,526 values
    raw = msgpack.packb(item)
    assert len(raw) < VALUE_BYTES and count_values(item, 10**6) == 2526
    data = msgpack.packb([item] * 60)
    (done,) = annotate(data, "msgpack", {}, [(0, len(data))])
    sizes = [count_values(found, 10**6) for found in done[1].values()]
    assert max(sizes) <= ITEM_HEAD_VALUES + 1
    assert CALL_VALUES <= sum(sizes) <= CALL_VALUES + ITEM_HEAD_VALUES + 1  # then the rest get none
    assert len(sizes) < 60
    reached = sorted(path for path, found in done[1].items() if found is not UNREADABLE and len(path) == 1)
    assert reached == [(i,) for i in range(len(reached))]  # in byte order: what is cut is the farthest
    assert not any(found is UNREADABLE for found in done[1].values())  # and it is not said to be unreadable

    tree = TreeModel([], MISSING, len(data))
    for start in range(0, 400, 50):
        tree.values({(i,): item for i in range(start, start + 50)})
    kept = sum(count_values(found, 10**6) for found in tree.more_values.values())
    assert MAX_KEPT_VALUES - 2526 < kept <= MAX_KEPT_VALUES
    assert (399,) in tree.more_values and (0,) not in tree.more_values  # the oldest went first


def test_a_key_repeated_in_two_tree_slices_past_the_head_shows_neither_value_as_the_others():
    # Items past the value's head get values per opened slice (values_of); the second slice's "status"
    # showed the first one's value (found by review).
    from formatlens.runtime.annotate import values_of
    from formatlens.runtime.firstview import head_of

    members = [f'"k{i}": {i}' for i in range(500)]
    members[150], members[350] = '"status": "ok"', '"status": "REVOKED"'
    data = ("{" + ", ".join(members) + "}").encode()
    document = fl.load(data, "json", peel=False)
    tree = TreeModel(document.spans, head_of(document.value), len(data))
    where = [i for i, item in enumerate(tree.items(())) if item.span is not None and item.span.path == ("status",)]
    for index in where:  # each slice opened in its own request, as the inspector asks
        lo = index // 100 * 100
        asked = tree.without_values((), lo, lo + 100)
        tree.values(values_of(data, "json", {}, asked), asked)
    rows = [tree.row((index,), tree.items(())[index]) for index in where]
    assert [row[3] for row in rows] == ["'status': \"ok\"", "'status': \"REVOKED\""]
    assert [row[4:6] for row in rows] == [["entry", ""], ["entry", ""]]
    assert tree.row((where[0] + 2,), tree.items(())[where[0] + 2])[4:6] == ["int", "151"]  # the others keep theirs


def test_a_cbor_reference_written_with_a_wider_tag_head_is_not_read_alone_either():
    value = [{"who": "A"}, [{"who": "C"}, {"who": "A"}]]
    value[1][1] = value[0]
    data = cbor2.dumps(value, value_sharing=True)
    for wide in (b"\xd9\x00\x1d", b"\xda\x00\x00\x00\x1d", b"\xdb" + (0x1D).to_bytes(8, "big")):
        widened = data.replace(b"\xd8\x1d", wide)
        whole = fl.load(widened, "cbor").value
        assert whole == value  # cbor2 reads the wide head as tag 29 all the same
        (done,) = annotate(widened, "cbor", {}, [(0, len(widened))])
        given = {path: found for path, found in done[1].items() if found is not UNREADABLE}
        assert given and all(value_at(whole, path) == found for path, found in given.items()), wide.hex()
