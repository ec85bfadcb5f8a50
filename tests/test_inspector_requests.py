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
    st.session_state.payload = inspector.payload(view, None, None, keys, inspector._answered(view, keys, None))
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
