"""The Diff page through streamlit's AppTest: a sample against another, against its own conversion, bad b."""

import pytest
from streamlit.testing.v1 import AppTest, app_test

from formatlens.ui import state
from tests.test_app import APP, _NavigationPagesManager


def open_diff(sample: str = "users.json") -> AppTest:
    """The app with ``sample`` loaded in the sidebar (input a), on the Diff page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if sample != "users.json":
        at.selectbox(key="sample").set_value(sample).run()
    at.switch_page("pages/diff.py").run()
    assert not at.exception
    return at


@pytest.fixture
def diff_page(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    return open_diff()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_json_sample_against_its_yaml_twin(diff_page):
    assert diff_page.title[0].value == "Diff"
    assert metrics(diff_page)["Verdict"] == "Equal"  # users.json vs users.yaml: the same data
    diff_page.toggle(key="diff_strict").set_value(True).run()
    assert not diff_page.exception
    found = metrics(diff_page)
    assert (found["Verdict"], found["Type"]) == ("100 changes", "100")


def test_against_its_own_conversion_shows_the_losses_as_changes(diff_page):
    diff_page.radio(key="diff_against").set_value("The first input, converted").run()
    diff_page.selectbox(key="diff_target").set_value("csv").run()
    assert not diff_page.exception
    assert metrics(diff_page)["Verdict"] == "Equal"  # users are flat; CSV text means the same numbers
    assert any("numbers, booleans and nulls written as text" in c.value for c in diff_page.caption)


def test_two_avro_samples_get_a_schema_verdict(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    at = open_diff("users.avro")
    at.selectbox(key="diff_sample").set_value("training.avro").run()
    assert not at.exception
    assert metrics(at)["Verdict"] == "108 changes"
    assert any(e.value.startswith("NONE") for e in at.error)  # unrelated Avro schemas: neither direction reads


def test_a_b_that_does_not_decode_is_a_message(diff_page):
    diff_page.radio(key="diff_source").set_value("Paste text").run()
    diff_page.text_area(key="diff_paste_text").input('{"a": 1 2}').run()
    diff_page.selectbox(key="diff_format").set_value("json").run()
    assert not diff_page.exception
    assert any("Could not read b as json at byte 8" in e.value for e in diff_page.error)


def test_keyed_pasted_records(diff_page):
    diff_page.selectbox(key="sample").set_value("users.json").run()
    diff_page.radio(key="diff_source").set_value("Paste text").run()
    diff_page.text_area(key="diff_paste_text").input('[{"id": 2, "v": 1}]').run()
    diff_page.text_input(key="diff_key").input("id").run()
    assert not diff_page.exception
    # Record id 2 pairs up: its four other fields are removed and "v" added; the other 99 records are removed.
    assert (metrics(diff_page)["Added"], metrics(diff_page)["Removed"]) == ("1", "103")
    table = diff_page.dataframe[0].value
    assert list(table[table["kind"] == "added"]["path"]) == ["0/v"]


def test_against_its_conversion_lists_the_sources_own_losses_first(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="source").set_value("Paste text").run()
    at.text_area(key="paste_text").input('{\n  // the port\n  "port": 8080,\n}\n').run()
    at.switch_page("pages/diff.py").run()
    at.radio(key="diff_against").set_value("The first input, converted").run()
    at.selectbox(key="diff_target").set_value("json").run()
    assert not at.exception
    shown = [c.value for c in at.caption]
    assert any("1 comment and 1 trailing comma of the source dropped" in text for text in shown), shown


def test_a_refused_b_is_shown_in_its_own_inspector_with_the_offending_byte_selected(diff_page):
    diff_page.radio(key="diff_source").set_value("Paste text").run()
    diff_page.text_area(key="diff_paste_text").input('{"a": 1 2}').run()
    diff_page.selectbox(key="diff_format").set_value("json").run()
    assert not diff_page.exception
    keys = state.DIFF_ERROR_INSPECTOR
    assert diff_page.session_state[keys.selection] == (8, 9, "the offending byte")
    seq = diff_page.session_state[keys.seq]
    view = diff_page.session_state[state.DIFF_B][1].__dict__["_inspector"]
    assert view.data == b'{"a": 1 2}' and view.error_offset == 8
    rows = view.tree.rows((), 0, 100)
    assert [row[:3] for row in rows if row[2] == "error"] == [[8, 9, "error"]]
    assert state.SELECTION not in diff_page.session_state  # Inspect's selection (input a) is left alone
    diff_page.run()  # a rerun (a click in the inspector) selects nothing again
    assert diff_page.session_state[keys.seq] == seq


def test_next_difference_selects_its_bytes_on_both_sides(diff_page):
    import formatlens as fl
    from formatlens.analysis.samples import read_sample

    diff_page.button(key="diff_next").click().run()
    assert not diff_page.exception
    hunk = fl.diff(fl.load(read_sample("users.json")), fl.load(read_sample("users.yaml"))).bytes.hunks[0]
    a, b = state.DIFF_INSPECTOR_A, state.DIFF_INSPECTOR_B
    assert diff_page.session_state[a.selection] == (hunk.a_start, hunk.a_end, "difference 1")
    assert diff_page.session_state[b.selection] == (hunk.b_start, hunk.b_end, "difference 1")
    seq = diff_page.session_state[a.seq]
    diff_page.run()  # the same focus: the person's clicks in between are not undone
    assert diff_page.session_state[a.seq] == seq
    diff_page.button(key="diff_next").click().run()
    second = fl.diff(fl.load(read_sample("users.json")), fl.load(read_sample("users.yaml"))).bytes.hunks[1]
    assert diff_page.session_state[a.selection][:2] == (second.a_start, second.a_end)
    assert diff_page.session_state[a.seq] == seq + 1
