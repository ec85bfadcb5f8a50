"""The tree's groups of a long list name the items they hold: in a pretty-printed JSON array every record is
followed by a gap (",\\n  "), so the 100 nodes of a group are 50 records and 50 gaps, and the group says so."""

import csv
import json
import re
import time

import pytest

from .conftest import SHOTS
from .test_annotate_browser import _colored
from .test_browser import choose_source, inspector_ready, settle, shot

RECORDS = [{"id": i, "name": f"user {i}"} for i in range(2_000)]


@pytest.fixture(scope="module")
def pretty_json(tmp_path_factory):
    """About 100 KB written by the json module: 2,000 records, each with a gap after it (4,001 root nodes)."""
    path = tmp_path_factory.mktemp("groups") / "records.json"
    path.write_bytes(json.dumps(RECORDS, indent=2).encode())
    return path


def _upload(page, server, path) -> None:
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    inspector_ready(page)
    settle(page)


def _group(page, key: str):
    return page.locator(f".fl .tree .n.grp[data-k='{key}']")


def test_a_group_of_a_pretty_json_list_names_the_records_it_holds(page, server, pretty_json):
    _upload(page, server, pretty_json)
    # Nodes 3,000-3,099 of the root: record 1,500 is node 3,001 (a gap before each record), record 1,549 node 3,099.
    group = _group(page, "#3000-3100")
    assert group.locator(".lb").inner_text() == "[1,500 \u2026 1,549]"
    assert group.locator(".pv").inner_text() == "50 items, 50 gaps"
    shot(page, "tree-groups-closed")
    group.locator(".lb").click()  # a group row opens on a click
    first = page.locator(".fl .tree .n[data-k='3001']")
    first.wait_for()
    settle(page)
    inside = page.locator(".fl .tree .n[data-k]").evaluate_all(
        "rows => rows.filter(r => /^3[01][0-9][0-9]$/.test(r.dataset.k) && Number(r.dataset.k) < 3100)"
        ".map(r => [r.classList.contains('unparsed'), r.querySelector('.lb').textContent])"
    )
    records = [label for unparsed, label in inside if not unparsed]
    assert len(inside) == 100 and len(records) == 50
    indexes = [int(re.match(r"\[(\d+)\]", label).group(1)) for label in records]
    assert indexes == list(range(1_500, 1_550))  # the first child named is the record the label starts with
    assert first.locator(".lb").inner_text() == "[1500] object of 2 members"
    # the first group, opened on a first look, and the last, which holds only the closing "\n]"
    assert _group(page, "#0-100").locator(".lb").inner_text() == "[0 \u2026 49]"
    assert _group(page, "#4000-4001").locator(".pv").inner_text() == "1 gap"
    shot(page, "tree-groups-open")


@pytest.fixture(scope="module")
def rows_csv(tmp_path_factory):
    """A header and 300 rows written by the csv module: 301 root nodes, no gaps ("row 100" is node 100), so
    the last group holds one node."""
    path = tmp_path_factory.mktemp("groups") / "rows.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name"])
        writer.writerows([i, f"user {i}"] for i in range(1, 301))
    return path


def test_a_group_of_one_node_is_named_as_one(page, server, rows_csv):
    _upload(page, server, rows_csv)
    # node 0 is the header row, no item: the first group holds "row 1".."row 99" and says so
    assert _group(page, "#0-100").locator(".lb").inner_text() == "[1 \u2026 99]"
    assert _group(page, "#0-100").locator(".pv").inner_text() == "the header, 99 items"
    assert [_group(page, key).locator(".lb").inner_text() for key in ["#200-300", "#300-301"]] == [
        "[200 \u2026 299]",
        "[300]",
    ]
    assert [_group(page, key).locator(".pv").inner_text() for key in ["#200-300", "#300-301"]] == [
        "100 items",
        "1 item",
    ]
    _group(page, "#300-301").scroll_into_view_if_needed()  # the groups after the open one
    shot(page, "tree-groups-one")


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """A header and 90,000 rows written by the csv module: 1.4 MB, over 1 MiB, so the worker sends a first
    view whose spans stop at row 3,999; the rows after it are in "the rest"."""
    path = tmp_path_factory.mktemp("groups") / "big.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "email"])
        writer.writerows([i, f"user {i}", f"user{i}@example.com"] for i in range(1, 90_001))
    return path


def _rows_in(page, parent: str, gs: int, ge: int) -> list[str]:
    """The labels of the drawn children gs..ge-1 of the node ``parent`` ("" for the root)."""
    return page.locator(".fl .tree .n[data-k]:not(.grp)").evaluate_all(
        "(rows, [parent, gs, ge]) => rows.filter(r => { const k = r.dataset.k, cut = k.lastIndexOf('/');"
        " const at = Number(k.slice(cut + 1)); return k.slice(0, Math.max(cut, 0)) === parent && gs <= at && at < ge; })"
        ".map(r => r.querySelector('.lb').textContent)",
        [parent, gs, ge],
    )


def test_groups_of_a_large_csv_name_the_rows_they_hold_at_the_root_and_in_the_rest(page, server, big_csv):
    data = big_csv.read_bytes()
    assert len(data) > 1 << 20
    page.goto(server)
    settle(page, "Detection confidence")
    choose_source(page, "Upload")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(big_csv))
    settle(page, "Annotated at once")
    inspector_ready(page)
    settle(page)
    # The root: the header row, then "row 1"...: the group of nodes 100-199 holds rows 100-199.
    assert _group(page, "#0-100").locator(".lb").inner_text() == "[1 \u2026 99]"
    assert _group(page, "#0-100").locator(".pv").inner_text() == "the header, 99 items"
    _group(page, "#100-200").locator(".lb").click()
    page.locator(".fl .tree .n[data-k='100']").wait_for()
    settle(page)
    assert _group(page, "#100-200").locator(".lb").inner_text() == "[100 \u2026 199]"
    held = _rows_in(page, "", 100, 200)
    assert (len(held), held[0], held[-1]) == (100, "row 100", "row 199")
    # A far row, in a window of "the rest": its group is named by the row numbers the rows there show.
    far = data.index(b"\n", len(data) * 2 // 3) + 1  # the first byte of a row
    row = data[:far].count(b"\n")  # line 0 is the header: line k is "row k"
    page.locator(".fl .goto").fill(str(far))
    page.locator(".fl .go").click()
    deadline = time.time() + 60
    while time.time() < deadline and _colored(page, [far]) != [far]:
        time.sleep(0.5)
    assert _colored(page, [far]) == [far], "the far row is drawn annotated"
    settle(page)
    page.locator(f".fl .hex .b[data-o='{far}']").first.click()  # its node is revealed and selected
    settle(page)
    assert page.locator(".fl .tree .n.sel .lb").inner_text() == f"row {row}"
    key = page.locator(".fl .tree .n.sel").get_attribute("data-k")
    window, at = key.rsplit("/", 1)
    groups = page.locator(".fl .tree .n.grp").evaluate_all(
        "(rows, [parent, at]) => rows.filter(r => r.dataset.k.startsWith(parent + '#')"
        " && Number(r.dataset.k.split('#')[1].split('-')[0]) <= at && at < Number(r.dataset.k.split('-').pop()))"
        ".map(r => [r.dataset.k, r.querySelector('.lb').textContent, r.querySelector('.pv').textContent])",
        [window, int(at)],
    )
    assert len(groups) == 1, groups
    group_key, label, count = groups[0]
    gs, ge = (int(n) for n in group_key.split("#")[1].split("-"))
    held = _rows_in(page, window, gs, ge)
    assert len(held) == ge - gs and held[0].startswith("row ")
    assert label == f"[{int(held[0][4:]):,} \u2026 {int(held[-1][4:]):,}]" and count == f"{ge - gs} items"
    assert int(held[0][4:]) <= row <= int(held[-1][4:])
    # One picture of both: the root's groups closed, the last of them, "the rest" and the window's group.
    for key in ("#0-100", "#100-200"):
        _group(page, key).locator(".lb").click()
    settle(page)
    page.set_viewport_size({"width": 2400, "height": 3200})  # the whole tall pane painted
    pane = page.locator(".fl .pane.tree").first
    pane.evaluate(  # a tall pane for the picture only: from the root's last groups down to the window's rows
        "(pane, [top, bottom]) => { const at = (k) => pane.querySelector(`.n[data-k='${k}']`).getBoundingClientRect();"
        " pane.style.height = `${at(bottom).bottom - at(top).top + 60}px`;"
        " pane.scrollTop += at(top).top - pane.getBoundingClientRect().top - 30; }",
        ["#0-100", f"{window}/{gs + 3}"],
    )
    settle(page)
    pane.screenshot(path=str(SHOTS / "tree-groups-csv.png"))
