"""The inspector's requests on the server (formatlens/ui/inspector.py), through streamlit's AppTest: a request
is answered with its sequence number, taken only once answered, and a find carried again is not run again."""

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    import formatlens as fl
    from formatlens.ui import inspector, state

    if "view" not in st.session_state:
        data = b'{"name": "ada", "tags": ["x", "y"], "note": "ada again"}'
        document = fl.load(data, "json")
        st.session_state.view = inspector.make_view(data, document.spans, document.value)
    view = st.session_state.view
    keys = state.inspector_keys("probe")
    answered = inspector._answered(view, keys, None), inspector._answered_mount(view, keys, None)
    st.session_state.payload = inspector.payload(view, None, None, keys, *answered)
    inspector.inspector(view, keys)


def _run(app: AppTest) -> AppTest:
    app.run(timeout=30)
    assert not app.exception, app.exception
    return app


def test_a_request_is_answered_with_its_seq_and_a_find_carried_again_runs_once():
    app = _run(AppTest.from_function(_script))
    view = app.session_state["view"]
    assert app.session_state["payload"]["answered"] == 0  # nothing asked yet
    find = {"pattern": b"ada".hex(), "from": 11, "dir": 1, "id": "f1"}
    app.session_state["_probe_ask"] = {"doc": view.token, "windows": [], "nodes": [], "seq": 4, "find": find}
    _run(app)
    assert "_probe_ask" not in app.session_state  # taken: its answer was sent
    assert app.session_state["_probe_ask_answered"] == (view.token, 4)
    found = app.session_state["_probe_found"]
    assert (found["offset"], found["seq"], found["id"]) == (45, 1, "f1")  # "ada again" (the first "ada" is at 10)
    # The next request carries the same find (sent before the first answer came): it is not run again,
    # so the answer the browser has coming does not move its selection a second time.
    app.session_state["_probe_ask"] = {"doc": view.token, "windows": [], "nodes": [], "seq": 5, "find": find}
    _run(app)
    assert app.session_state["_probe_found"]["seq"] == 1
    assert app.session_state["_probe_ask_answered"] == (view.token, 5)
    _run(app)  # a run with no request (the selection sync) says the newest answered again
    assert app.session_state["payload"]["answered"] == 5
    # A request about an input since replaced is dropped, unanswered
    app.session_state["_probe_ask"] = {"doc": "d0", "windows": [0], "nodes": [], "seq": 9}
    _run(app)
    assert "_probe_ask" not in app.session_state
    assert app.session_state["_probe_ask_answered"] == (view.token, 5)


def _took_script() -> None:
    import streamlit as st

    import formatlens as fl
    from formatlens.ui import inspector, state

    data = b'{"name": "ada", "tags": ["x", "y"], "note": "ada again"}'
    document = fl.load(data, "json")
    view = inspector.make_view(data, document.spans, document.value)
    keys = state.inspector_keys("probe")
    ask = {"doc": view.token, "windows": list(range(30)), "nodes": [f"|{i}" for i in range(50)], "seq": 3}
    st.session_state.took = inspector.payload(view, ask, None, keys, 3)["took"]
    st.session_state.took_none = inspector.payload(view, None, None, keys, 3)["took"]


def test_a_run_says_what_it_took_of_a_request_within_its_caps():
    """The browser counts a try only for a key the run took and did not send back (review F6): the keys past
    the per-run caps are not refused, only left for a later run."""
    from formatlens.ui.inspector import MAX_ASK_SLICES, MAX_ASK_WINDOWS

    app = _run(AppTest.from_function(_took_script))
    assert app.session_state["took"] == {
        "seq": 3,
        "windows": list(range(MAX_ASK_WINDOWS)),
        "nodes": [f"|{i}" for i in range(MAX_ASK_SLICES)],
    }
    assert app.session_state["took_none"] is None  # a run with no request took nothing


def _ask(view, mount: str, seq: int, pattern: bytes, find_id: str, sel_at: int = 0) -> dict:
    find = {"pattern": pattern.hex(), "from": 0, "dir": 1, "id": find_id, "selAt": sel_at}
    return {"doc": view.token, "mount": mount, "windows": [], "nodes": [], "seq": seq, "find": find}


def test_finds_and_seqs_of_another_mount_of_the_element_are_not_taken_for_this_ones():
    """Review F11: leaving Inspect and coming back mounts the element afresh, and its seqs and find ids count
    from 1 again. A find with the number of an earlier mount's is a new find, and is run."""
    app = _run(AppTest.from_function(_script))
    view = app.session_state["view"]
    app.session_state["_probe_ask"] = _ask(view, "m1", 57, b"ada", f"{view.token}.1")
    _run(app)
    found = app.session_state["_probe_found"]
    assert (found["offset"], found["seq"]) == (10, 1)
    app.session_state["_probe_ask"] = _ask(view, "m2", 1, b"tags", f"{view.token}.1")  # the fresh mount's first
    _run(app)
    found = app.session_state["_probe_found"]
    assert (found["offset"], found["seq"]) == (17, 2)  # "tags" is at 17: run, not the old answer sent again
    assert found["mount"] == "m2"
    assert app.session_state["probe_sel"][:2] == (17, 21)
    _run(app)  # a run with no request names the mount whose request it answered last
    assert (app.session_state["payload"]["answered"], app.session_state["payload"]["mount"]) == (1, "m2")


def test_a_find_answered_after_the_person_selected_something_else_keeps_their_selection_on_the_server():
    """Review S1: the browser keeps a selection made while a find ran; the server keeps it too, so the two
    agree (the selection report says how many selections the mount has made, the find when it was asked)."""
    app = _run(AppTest.from_function(_script))
    view = app.session_state["view"]
    # The person asked at their 3rd selection, then selected bytes 0-1 (their 4th) before the find ran
    app.session_state["probe_sel"] = (0, 1, "bytes 0–1")
    app.session_state["_probe_ask_picked"] = ("m1", 4)
    app.session_state["_probe_ask"] = _ask(view, "m1", 1, b"tags", "a", sel_at=3)
    _run(app)
    assert app.session_state["_probe_found"]["offset"] == 17
    assert app.session_state["probe_sel"][:2] == (0, 1)
    # Nothing selected since the find was asked: the find selects what it found
    app.session_state["_probe_ask"] = _ask(view, "m1", 2, b"note", "b", sel_at=4)
    _run(app)
    assert app.session_state["probe_sel"][:2] == (37, 41)
    # A selection count of another mount says nothing about this one's finds
    app.session_state["_probe_ask_picked"] = ("m0", 9)
    app.session_state["_probe_ask"] = _ask(view, "m2", 1, b"tags", "c", sel_at=0)
    _run(app)
    assert app.session_state["probe_sel"][:2] == (17, 21)
    # Another view chose a selection (select_in raised the count) after the find was asked: it is kept
    app.session_state["probe_sel"], app.session_state["probe_seq"] = (2, 3, "chosen"), 1
    app.session_state["_probe_ask"] = {
        **_ask(view, "m2", 2, b"note", "d"),
        "find": {**_ask(view, "m2", 2, b"note", "d")["find"], "selSeq": 0},
    }
    _run(app)
    assert (app.session_state["_probe_found"]["id"], app.session_state["probe_sel"][:2]) == ("d", (2, 3))
