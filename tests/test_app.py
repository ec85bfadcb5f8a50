"""The app through streamlit's AppTest: samples, uploads and a malformed upload."""

import hashlib
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

APP = str(Path(__file__).resolve().parent.parent / "app.py")


class _NavigationPagesManager(PagesManager):
    """What the real server has once app.py called st.navigation: pages/ is not a v1 pages folder.

    AppTest resets ``uses_pages_directory`` before every run, so from the second run on it would
    run pages/inspect.py on its own (multipage v1), without app.py's sidebar.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def started_app(monkeypatch, timeout: float = 30) -> AppTest:
    """The whole app (app.py and its pages) run once through AppTest, without an exception."""
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def app(monkeypatch):
    return started_app(monkeypatch)


def test_default_sample_is_decoded(app):
    assert app.title[0].value == "Inspect"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Format"] == "json" and metrics["Detection confidence"] == "100%"  # .json adds its hint


def test_sample_with_danger_findings(app):
    app.selectbox(key="sample").set_value("runs-shell-command.pickle").run()
    assert not app.exception
    assert any("runs a shell command" in e.value for e in app.error)


def test_upload_and_malformed_upload(app):
    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("data.cbor", bytes.fromhex("a2616101616202"), "application/cbor")).run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Format"] == "cbor"
    app.file_uploader(key="upload").set_value(("bad.json", b'{"a": 1 2}', "application/json")).run()
    assert not app.exception
    assert "at byte 8" in app.error[0].value


def test_a_load_is_decoded_once_per_bytes_format_and_options(app):
    from formatlens.ui import state

    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("one.json", b'[{"a": 1}]', "application/json")).run()
    first = app.session_state[state.LOADED]
    app.run()  # a rerun with the same bytes: the same decode
    assert app.session_state[state.LOADED][1] is first[1]
    app.file_uploader(key="upload").set_value(("two.json", b'[{"a": 2}]', "application/json")).run()
    again = app.session_state[state.LOADED]  # the same length, format and options: other bytes
    assert again[1] is not first[1] and again[1].document.value == [{"a": 2}] and again[0][0] != first[0][0]
    assert again[0][0] == hashlib.sha256(b'[{"a": 2}]').hexdigest()  # the key other views cache by
    app.selectbox(key=state.FORMAT_OVERRIDE).set_value("yaml").run()
    assert app.session_state[state.LOADED][1].document.format == "yaml"


def test_paste_hex_with_format_override(app):
    app.radio(key="source").set_value("Paste hex/base64").run()
    app.text_area(key="paste_hex").input("82 a1 61 01 a1 62 02").run()
    app.selectbox(key="format_override").set_value("msgpack").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Format"] == "msgpack"


def test_every_sample_decodes_in_the_app(app):
    from formatlens.analysis.samples import sample_names

    for name in sample_names():
        app.selectbox(key="sample").set_value(name).run()
        assert not app.exception, name
        assert not [e.value for e in app.error if "Could not read" in e.value], name


def test_protobuf_sample_uses_its_shipped_schema(app):
    app.selectbox(key="sample").set_value("users.pb").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Format"] == "protobuf"
    assert any("shipped with this sample" in c.value for c in app.caption)
    assert not [e.value for e in app.error if "Could not read" in e.value]
    assert "100 rows" not in " ".join(c.value for c in app.caption)  # one message holding 100 items


def test_convert_page(app):
    app.switch_page("pages/convert.py").run()
    assert not app.exception
    app.selectbox(key="target").set_value("csv").run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert "From json" in labels and "To csv" in labels
    app.selectbox(key="target").set_value("parquet").run()
    assert not app.exception and app.text_area  # the inferred schema is shown and editable


@pytest.mark.parametrize("target", ["pickle", "bson", "msgpack", "cbor", "parquet", "avro", "protobuf"])
def test_convert_shows_a_binary_output_in_the_inspector(app, target):
    import formatlens as fl

    app.switch_page("pages/convert.py").run()
    app.selectbox(key="target").set_value(target).run()
    assert not app.exception
    result = app.session_state["convert_result"][1]
    view = app.session_state["convert_view"][1]
    assert view.data == result.data and result.format == target  # the inspector shows the bytes downloaded
    spans = fl.load(result.data, target, schema=result.schema.text if target == "protobuf" else None).spans
    shown = [row[:3] for row in view.tree.rows((), 0, 100) if row[2] != "unparsed"]
    assert shown and shown == [[s.start, s.end, s.kind] for s in spans[: len(shown)]]  # its spans, as Inspect has them
    token = view.token
    app.run()  # a rerun (a click in the inspector) converts nothing again: same bytes, same view
    assert app.session_state["convert_view"][1].token == token


def test_schemas_page(app):
    app.switch_page("pages/schemas.py").run()
    assert not app.exception
    assert [s.value for s in app.success][:2] == [
        "Every record is valid.",
        "Compatible: the reader can read data written with the writer schema",
    ]
    bad = '{"type": "object", "properties": {"id": {"type": "string"}}}'
    app.text_area(key="validate_schema_JSON Schema").set_value(bad).run()
    assert "100 problem(s)" in app.error[0].value


def test_a_new_load_lands_on_inspect(app):
    app.switch_page("pages/convert.py").run()
    assert app.title[0].value == "Convert"
    app.selectbox(key="sample").set_value("users.cbor").run()
    assert not app.exception
    assert app.title[0].value == "Inspect"


@pytest.mark.parametrize("page", ["pages/compare.py", "pages/guide.py", "pages/pickle_lab.py"])
def test_demo_pages_render(app, page):
    app.switch_page(page).run()
    assert not app.exception


def test_pickle_lab_never_runs_an_uploaded_payload(app, marker):
    import pickle

    class Payload:
        def __reduce__(self):
            import os

            return (os.system, (f"touch {marker}",))

    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("evil.pkl", pickle.dumps(Payload()), "application/octet-stream")).run()
    app.switch_page("pages/pickle_lab.py").run()
    assert not app.exception
    assert any("Dangerous" in e.value for e in app.error)
    app.text_input(key="lab_hmac_key").input("k").run()
    assert not app.exception


def test_pickle_lab_bounds_fickling_on_an_upload_that_makes_it_slow(app, monkeypatch):
    import pickle

    # fickling needs about 0.5 s of CPU per 100,000 list items (1.9 s for 300,000 with the garbage collector
    # on, 1.45 s paused as in a worker: too close to the limit); the lab asks it in a worker, under that limit
    monkeypatch.setenv("FORMATLENS_MAX_DECODE_SECONDS", "2")
    big = pickle.dumps(list(range(1_000_000)))
    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("big.pkl", big, "application/octet-stream")).run()
    app.switch_page("pages/pickle_lab.py").run()
    assert not app.exception
    opinions = [m.value for m in app.markdown if "second opinion" in m.value]
    assert len(opinions) == 1 and "none" in opinions[0] and "took longer than 2 s" in opinions[0]


@pytest.mark.parametrize(
    "name,payload",
    [
        ("evil.yaml", '!!python/object/apply:os.system ["touch {marker}"]'),
        ("evil.json", '{{"py/reduce": [{{"py/function": "os.system"}}, {{"py/tuple": ["touch {marker}"]}}]}}'),
    ],
)
def test_hostile_uploads_never_run(app, marker, name, payload):
    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value((name, payload.format(marker=marker).encode(), "text/plain")).run()
    assert not app.exception
    messages = [e.value for e in [*app.error, *app.warning]]
    # YAML python tags load as data with a danger finding; jsonpickle is shown as the JSON it is. The
    # Findings tab runs only when opened, so the danger banner is what the first view shows.
    assert any("never constructed" in m or "py/reduce" in m or "would call os" in m for m in messages), messages


def test_convert_page_names_what_the_source_lost(app):
    app.radio(key="source").set_value("Upload").run()
    tsconfig = b'{\n  // strict mode\n  "strict": true,\n  "strict": false,\n}\n'
    app.file_uploader(key="upload").set_value(("tsconfig.json", tsconfig, "application/json")).run()
    assert {m.label: m.value for m in app.metric}["Format"] == "json"
    app.switch_page("pages/convert.py").run()
    app.selectbox(key="target").set_value("yaml").run()
    assert not app.exception
    shown = [w.value.replace("\\", "") for w in app.warning]  # plain() escapes markdown
    assert any("JSON with comments: 1 comment and 1 trailing comma of the source dropped" in w for w in shown), shown
    assert any("duplicate keys in the source ('strict')" in w for w in shown), shown
