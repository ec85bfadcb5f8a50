"""The tree's groups of a long list name the items they hold: in a pretty-printed JSON array every record is
followed by a gap (",\\n  "), so the 100 nodes of a group are 50 records and 50 gaps, and the group says so."""

import csv
import json
import re

import pytest

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
    """A header and 300 rows written by the csv module: 301 root nodes, no gaps (nodes are named by index),
    so the last group holds one node."""
    path = tmp_path_factory.mktemp("groups") / "rows.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name"])
        writer.writerows([i, f"user {i}"] for i in range(1, 301))
    return path


def test_a_group_of_one_node_is_named_as_one(page, server, rows_csv):
    _upload(page, server, rows_csv)
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
