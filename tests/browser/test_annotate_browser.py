"""A large upload past its first view: the hexdump there is annotated where the person looks, and a
click there reveals its node in the tree (render.tree's rest, runtime.annotate)."""

import json
import time

import pytest

import formatlens as fl
from formatlens.codecs.json import top_level_spans
from formatlens.codecs.support.textpos import Text

from .test_browser import choose_source, inspector_ready, selected_offsets, settle, shot

RECORDS = [{"id": i, "name": f"user {i}", "ok": i % 3 == 0} for i in range(40_000)]


@pytest.fixture(scope="module")
def big_json(tmp_path_factory):
    """A 1.7 MB JSON array written by the json module: over 1 MiB, so the worker sends a first view,
    whose spans (firstview.HEAD_SPANS: its first 2,000 records) stop a twentieth of the way in."""
    path = tmp_path_factory.mktemp("big") / "records.json"
    path.write_bytes(json.dumps(RECORDS, indent=1).encode())
    return path


def _deepest(spans: list, offset: int):
    """The innermost span of a full walk's ``spans`` at ``offset`` (what the browser must show there)."""
    found, level = None, spans
    while True:
        hits = [s for s in level if s.start <= offset < s.end]
        if not hits:
            return found
        found, level = hits[-1], hits[-1].children


def _upload(page, server, path) -> None:
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    settle(page, "Annotated at once")
    inspector_ready(page)
    settle(page)


def _colored(page, offsets: list[int]) -> list[int]:
    """Which of ``offsets`` are drawn as annotated (a kind color) in the hexdump now."""
    read = "(e, os) => os.filter(o => { const b = e.querySelector(`.b[data-o='${o}']`); return b && b.classList.contains('k'); })"
    return page.locator(".fl .hex").first.evaluate(read, offsets)


def test_a_far_offset_of_a_large_upload_is_annotated_and_its_node_revealed(page, server, big_json):
    data = big_json.read_bytes()
    assert len(data) > 1 << 20
    _upload(page, server, big_json)
    caption = page.get_by_text("Annotated at once", exact=False).first.inner_text()
    rest_from = int(caption.split("up to byte ")[1].split(" of")[0].replace(",", ""))
    assert rest_from < len(data) // 2  # the first view stopped well before the offset we go to
    far = len(data) * 9 // 10
    far = data.index(b'"name"', far) + 2  # inside a key, past the head
    expected = _deepest(top_level_spans(Text(data, "utf-8")), far)
    page.locator(".fl .goto").fill(str(far))
    page.locator(".fl .go").click()
    deadline = time.time() + 60
    while time.time() < deadline and _colored(page, [far]) != [far]:
        time.sleep(0.5)
    assert _colored(page, [far]) == [far], "the far bytes are drawn annotated"
    settle(page)
    page.locator(f".fl .hex .b[data-o='{far}']").first.click()
    settle(page)
    assert selected_offsets(page) == list(range(expected.start, expected.end))
    selected = page.locator(".fl .tree .n.sel")
    assert selected.locator(".lb").inner_text() == expected.label
    index = json.loads(data[: expected.start].rsplit(b'"id": ', 1)[1].split(b",")[0])
    assert page.locator(".fl .tree .n", has_text=f"[{index}] object of 3 members").count() == 1
    assert selected.locator(".ty").inner_text() == "dict (3)"  # typed from the value a worker read for it
    # Its window of the rest holds over 100 nodes (records and the gaps between them): the group it is in
    # is named by the records' array indexes, not by node indexes from the window's start.
    entry_key = page.locator(".fl .tree .n", has_text=f"[{index}] object of 3 members").first.get_attribute("data-k")
    window_key, at = entry_key.rsplit("/", 1)
    group = page.locator(".fl .tree .n.grp").evaluate_all(
        "(rows, [parent, at]) => rows.filter(r => r.dataset.k.startsWith(parent + '#')"
        " && Number(r.dataset.k.split('#')[1].split('-')[0]) <= at && at < Number(r.dataset.k.split('-').pop()))"
        ".map(r => r.querySelector('.lb').textContent)",
        [window_key, int(at)],
    )
    first, last = (int(n.replace(",", "")) for n in group[0].strip("[]").split(" \u2026 "))
    assert len(group) == 1 and first <= index <= last
    shot(page, "annotate-far-offset")
    # the tree node selects its bytes back (two-way sync past the first view)
    page.locator(".fl .tree .n", has_text=f"[{index}] object of 3 members").first.locator(".lb").click()
    settle(page)
    entry = next(s for s in top_level_spans(Text(data, "utf-8")) if s.path == (index,))
    assert selected_offsets(page)[0] == entry.start


def test_scrolling_to_the_middle_annotates_the_rows_on_screen(page, server, big_json):
    data = big_json.read_bytes()
    _upload(page, server, big_json)
    page.locator(".fl .hex").first.evaluate("e => { e.scrollTop = e.scrollHeight * 0.6; }")
    shown: list[int] = []
    deadline = time.time() + 60
    while time.time() < deadline:
        shown = page.locator(".fl .hex").first.evaluate(
            "e => [...e.querySelectorAll('.b[data-o]')].map(b => Number(b.dataset.o))"
        )
        if shown and len(_colored(page, shown)) > len(shown) // 2:
            break
        time.sleep(0.5)
    assert min(shown) > len(data) // 2
    colored = _colored(page, shown)
    spans = top_level_spans(Text(data, "utf-8"))
    # what is not colored is JSON's separators between items (gaps), as a full walk has them
    for offset in shown:
        deepest = _deepest(spans, offset)
        assert (offset in colored) == (deepest is not None), offset
    shot(page, "annotate-scrolled")


def test_an_item_past_the_head_of_the_value_is_typed_and_opens_into_its_members(page, server, big_json):
    # Inside the first view's spans (2,000 records) but past the value's head (100 items): its value is read
    # on demand. (Record 3,000 was inside them when they were 20,000: past them, a click could land before
    # its window was annotated.)
    from formatlens.runtime import firstview

    data = big_json.read_bytes()
    assert firstview.HEAD_SPANS // 2 > 1500 > firstview.HEAD_ITEMS  # an entry and a value span per record
    _upload(page, server, big_json)
    at = data.index(b'"id": 1500,') + 2
    page.locator(".fl .goto").fill(str(at))
    page.locator(".fl .go").click()
    page.locator(f".fl .hex .b[data-o='{at}']").first.wait_for()
    settle(page)
    page.locator(f".fl .hex .b[data-o='{at}']").first.click()
    settle(page)
    selected = page.locator(".fl .tree .n.sel")
    assert selected.locator(".ty").inner_text() == "dict (3)"
    assert selected.locator(".pv").inner_text() == "{id, name, ok}"
    # Open it: its rows come when a worker has read them (a click made while a run is in flight is kept,
    # and its request too: tests/browser/test_inflight_browser.py).
    selected.locator(".tw").click()
    members = page.locator(".fl .tree .n").filter(has=page.locator(".lb", has_text="name"))
    members.first.wait_for()
    assert members.first.locator(".pv").inner_text() == "'user 1500'"
    shot(page, "annotate-past-the-head")


def test_a_far_offset_of_a_large_bson_upload_is_annotated_down_to_its_fields(page, server, tmp_path):
    # A binary format: far bytes are colored by a walk that skipped the documents before them by length.
    from dataclasses import replace

    import bson

    from formatlens.core.limits import current, sized_for

    path = tmp_path / "records.bson"
    path.write_bytes(b"".join(bson.encode(record) for record in RECORDS))  # written by pymongo
    data = path.read_bytes()
    assert len(data) > 1 << 20
    _upload(page, server, path)
    with sized_for(replace(current(), max_spans=10**9)):
        whole = fl.load(data, "bson", peel=False)._spans_factory()  # a full walk from byte 0
    far = data.index(b"user 37000") + 3  # inside a string value near the end
    _go_and_select(page, far, _deepest(whole, far), "string bytes")
    shot(page, "annotate-far-bson")
    # Another far offset, before the first: its walk starts at a checkpoint the first one noted (the server
    # keeps them), and finds the same node a walk from byte 0 does.
    far = data.index(b"user 21000") + 3
    _go_and_select(page, far, _deepest(whole, far), "string bytes")
    shot(page, "annotate-far-bson-again")


def _go_and_select(page, offset: int, expected, label: str) -> None:
    """Go to a far ``offset``, wait until it is colored, click it: the selection is the span ``expected`` (the
    deepest a full walk from byte 0 has there), and its node's label is ``label``."""
    page.locator(".fl .goto").fill(str(offset))
    page.locator(".fl .go").click()
    deadline = time.time() + 60
    while time.time() < deadline and _colored(page, [offset]) != [offset]:
        time.sleep(0.5)
    assert _colored(page, [offset]) == [offset], f"the bytes at {offset} are drawn annotated"
    settle(page)
    page.locator(f".fl .hex .b[data-o='{offset}']").first.click()
    settle(page)
    assert selected_offsets(page) == list(range(expected.start, expected.end))
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == expected.label == label


def test_a_far_opcode_of_a_large_pickle_is_annotated_and_its_node_revealed(page, server, tmp_path):
    # A 1.1 MB pickle (protocol 4, framed): its first view annotates its first 4,000 spans; an opcode near
    # its end is annotated when the person goes there (the opcodes before it passed over by their sizes).
    import pickle

    from formatlens.codecs.pickle.codec import op_span
    from formatlens.codecs.pickle.unpickler import parse_ops

    path = tmp_path / "records.pickle"
    path.write_bytes(pickle.dumps([{**record, "id": i * 7} for i, record in enumerate(RECORDS)], protocol=4))
    data = path.read_bytes()
    assert len(data) > 1 << 20
    _upload(page, server, path)
    far = data.index(b"user 39000")  # inside the string of record 39,000, near the end
    op = next(op for op in parse_ops(data)[0] if op.start <= far < op.end)
    _go_and_select(page, far, _deepest([op_span(op)], far), "'user 39000'")
    shot(page, "annotate-far-pickle-opcode")


def test_far_offsets_of_a_large_yaml_upload_are_annotated_from_checkpoints(page, server, tmp_path):
    # A 1.3 MB YAML list written by PyYAML: its first view annotates its first 4,000 records; a record near the
    # end is annotated when the person goes there (the first far request decodes it and notes checkpoints), and
    # one before it from the nearest checkpoint (codecs.yamlfar): the nodes a full walk from byte 0 has there.
    from dataclasses import replace

    import yaml

    from formatlens.core.limits import current, sized_for

    path = tmp_path / "records.yaml"
    path.write_bytes(yaml.safe_dump(RECORDS, sort_keys=False).encode())
    data = path.read_bytes()
    assert len(data) > 1 << 20
    _upload(page, server, path)
    with sized_for(replace(current(), max_spans=10**9)):
        whole = fl.load(data, "yaml", peel=False)._spans_factory()  # a full walk from byte 0
    for record in (37_000, 21_000):
        far = data.index(f"user {record}\n".encode()) + 3
        _go_and_select(page, far, _deepest(whole, far), f"- [{record}] mapping of 3")
        shot(page, f"annotate-far-yaml-{record}")


def test_a_far_line_of_a_large_json_lines_upload_is_annotated_and_its_line_revealed(page, server, tmp_path):
    # A 1.2 MB JSON Lines upload (json.dumps per line, a blank line now and then): its first view annotates
    # its head; a line near the end is annotated when the person goes there (runtime.linewalk finds the lines
    # by their line ends), as the whole stream's spans have it, and the tree reveals its "line N".
    from dataclasses import replace

    from formatlens.core.limits import current, sized_for

    path = tmp_path / "records.jsonl"
    lines = [json.dumps(record).encode() + (b"\n\n" if i % 1000 == 999 else b"\n") for i, record in enumerate(RECORDS)]
    path.write_bytes(b"".join(lines))
    data = path.read_bytes()
    assert len(data) > 1 << 20
    _upload(page, server, path)
    caption = page.get_by_text("Annotated at once", exact=False).first.inner_text()
    assert int(caption.split("up to byte ")[1].split(" of")[0].replace(",", "")) < len(data) // 2
    with sized_for(replace(current(), max_spans=10**9)):
        whole = fl.load(data, filename="records.jsonl").spans  # the whole stream's spans
    far = data.index(b'"user 39321"') + 3  # inside a string value near the end
    expected = _deepest(whole, far)
    _go_and_select(page, far, expected, '"user 39321"')
    assert expected.path == (39321, "name")
    line = page.locator(".fl .tree .n").filter(has=page.locator(".lb", has_text="line 39322"))
    # the line's entry and its value, as the stream's spans nest them
    assert line.locator(".lb").all_inner_texts() == ["line 39322", "line 39322"]
    shot(page, "annotate-far-json-lines")
