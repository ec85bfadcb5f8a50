"""The Tour page, the danger banner and the wording of the Inspect metrics."""

import itertools
import os
import pickle
from pathlib import Path

import pytest

import formatlens as fl
from formatlens.analysis import tour
from formatlens.analysis.danger import summarize
from formatlens.analysis.samples import read_sample
from formatlens.render.words import findings_in_words, human_size
from formatlens.ui import state
from formatlens.ui.tour import STEPS
from tests.test_app import APP, started_app


@pytest.fixture
def app(monkeypatch):
    return started_app(monkeypatch, timeout=60)


def _step_title(at) -> str:
    return next(h.value for h in at.header if h.value != "Load data")


def test_the_tour_walks_every_step_with_next(app):
    app.switch_page("pages/tour.py").run()
    assert not app.exception
    seen = [_step_title(app)]
    for number in range(2, len(STEPS) + 1):
        app.button(key="tour_next").click().run()
        assert not app.exception, seen
        assert app.query_params["step"] == str(number)
        seen.append(_step_title(app))
    assert seen == [step.title for step in STEPS]
    assert app.button(key="tour_next").disabled
    app.button(key="tour_previous").click().run()
    assert _step_title(app) == STEPS[-2].title
    assert 7 <= len(STEPS) <= 9


@pytest.mark.parametrize("number", range(1, len(STEPS) + 1))
def test_step_opens_from_its_link(app, number):
    app.query_params["step"] = str(number)
    app.switch_page("pages/tour.py").run()
    assert not app.exception
    assert _step_title(app) == STEPS[number - 1].title
    assert STEPS[number - 1].links, "every step links to a working page"


@pytest.mark.parametrize("bad", ["0", "99", "two", "-1"])
def test_a_bad_step_opens_the_first(app, bad):
    app.query_params["step"] = bad
    app.switch_page("pages/tour.py").run()
    assert not app.exception
    assert _step_title(app) == STEPS[0].title


def test_links_name_pages_and_samples_that_exist():
    from formatlens.analysis.samples import sample_names

    root = Path(APP).parent
    for step in STEPS:
        for link in step.links:
            assert (root / link.page).is_file(), link
            if "sample" in link.params:
                assert link.params["sample"] in sample_names(), link


# -- the danger banner


def _banner(at) -> str:
    texts = [e.value for e in at.error if "formatlens did not run it" in e.value]
    assert len(texts) == 1, [e.value for e in at.error]
    return texts[0].replace("\\", "")  # the banner escapes Markdown


@pytest.mark.parametrize("page", ["pages/inspect.py", "pages/convert.py", "pages/schemas.py", "pages/compare.py"])
def test_banner_on_the_shipped_shell_command_pickle(app, shipped_marker, page):
    app.selectbox(key="sample").set_value("runs-shell-command.pickle").run()
    if page != "pages/inspect.py":
        app.switch_page(page).run()
    assert not app.exception
    text = _banner(app)
    assert "pickle.load would call posix.system('echo formatlens-demo > /tmp/formatlens-pwned')" in text
    assert "runs a shell command" in text


def test_banner_on_an_uploaded_pickle(app, marker):
    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    app.radio(key="source").set_value("Upload").run()
    app.file_uploader(key="upload").set_value(("evil.pkl", pickle.dumps(Payload()), "application/octet-stream")).run()
    assert not app.exception
    text = _banner(app)
    assert f"system('touch {marker}')" in text and "runs a shell command" in text
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Findings"] == "2 dangers"


def test_no_banner_on_a_safe_document(app):
    assert not [e.value for e in app.error if "did not run it" in e.value]
    assert {m.label: m.value for m in app.metric}["Findings"] == "no findings"


def test_danger_summary_of_jsonpickle_puts_the_shell_first():
    summary = summarize(fl.load(read_sample("jsonpickle.json")))
    assert summary is not None
    assert (
        summary.headline
        == "Loading this file with jsonpickle.decode would call os.system('id'), which runs a shell command."
    )
    assert [t.call for t in summary.threats] == ["os.system", "tutorial.User"]
    assert summarize(fl.load(read_sample("users.pickle"))) is None


# -- wording


@pytest.mark.parametrize(
    "size,words",
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 kB"),
        (6822, "6.8 kB"),
        (14_021_544, "14.0 MB"),
        (999_999, "1.0 MB"),
        (3 * 10**9, "3.0 GB"),
    ],
)
def test_human_size(size, words):
    assert human_size(size) == words


def test_size_metric_is_human_with_exact_bytes_on_hover(app):
    app.selectbox(key="sample").set_value("users.parquet").run()
    size = next(m for m in app.metric if m.label == "Size")
    assert size.value == "6.8 kB"
    assert size.proto.help == f"{len(read_sample('users.parquet')):,} bytes"


def test_findings_in_words():
    f = fl.Finding
    assert findings_in_words([]) == "no findings"
    assert findings_in_words([f("danger", "a"), f("danger", "b")]) == "2 dangers"
    assert findings_in_words([f("info", "a"), f("warning", "b"), f("info", "c")]) == "1 warning, 2 notes"


# -- the data behind the steps


def test_sizes_cover_every_format_raw_gzip_and_zstd():
    rows = tour.sizes_in_every_format(tour.users_value())
    formats = {r["format"] for r in rows}
    assert formats == {c.name for c in fl.formats()}
    assert {r["encoding"] for r in rows} == {"raw", "gzip", "zstd"}
    raw = {r["format"]: r["bytes"] for r in rows if r["encoding"] == "raw"}
    assert raw["json"] == len(fl.dump(tour.users_value(), "json"))
    assert raw["msgpack"] < raw["json"]


def test_one_record_highlights_the_same_field_in_both():
    json_written, msgpack_written = tour.one_record()
    for written in (json_written, msgpack_written):
        assert written.field is not None
        assert written.data[written.field.start : written.field.end].count(b"email") == 1
    assert json_written.data.startswith(b"{")


def test_protobuf_field_three_is_the_email():
    pair = tour.protobuf_with_and_without_schema()
    assert pair.data[pair.field.start : pair.field.end].endswith(b"emiliocalatayud@example.net")
    assert tour.first_record_keys(pair.without.value)["3"] == tour.first_record_keys(pair.with_schema.value)["email"]


def test_parquet_layout_tiles_the_whole_file():
    data = read_sample("users.parquet")
    regions = tour.parquet_layout(fl.load(data, "parquet"))
    assert regions[0]["start"] == 0 and regions[-1]["end"] == len(data)
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(regions))
    chunks = [r["region"] for r in regions if r["kind"] == "column chunk"]
    assert [c.split("column chunk ")[1].split(":")[0] for c in chunks] == [
        "id",
        "name",
        "email",
        "language",
        "registered_at",
    ]


def test_conversion_loss_is_a_strict_diff():
    loss = tour.conversion_loss()
    assert loss.changes == [
        {"field": "id", "kind": "type", "before": "1 (int)", "after": "'1' (str)"},
        {
            "field": "registered_at",
            "kind": "type",
            "before": "'2020-12-11T21:26:47+00:00' (datetime)",
            "after": "'2020-12-11T21:26:47+00:00' (str)",
        },
    ]
    assert loss.per_field == {"id": 100, "registered_at": 100} and loss.total == 200
    assert loss.equal_by_meaning is True
    assert "datetimes written as ISO 8601 strings" in loss.losses
    assert '-    "id": 1,' in loss.diff and '+    "id": "1",' in loss.diff


def test_kafka_message_is_peeled_by_the_layers():
    message = tour.kafka_message()
    document = message.document
    assert [(layer.kind, layer.start, layer.end) for layer in document.layers] == [("confluent", 0, len(message.data))]
    assert document.layers[0].details["schema_id"] == message.schema_id == 42
    assert document.format == "avro" and document.value == tour.users_value()[0]
    assert message.without_schema.format == "unparsed"
    assert [row["layer"] for row in tour.layer_rows(document)] == ["confluent", "avro"]
    assert tour.layer_rows(document)[-1]["bytes"] == f"5–{len(message.data)}"


def test_pickle_twins(shipped_marker):
    twins = tour.pickle_twins()
    assert twins.safe_verifies is True and twins.dangerous_verifies is False
    assert twins.document.value == {"!call": "posix.system", "args": ["echo formatlens-demo > /tmp/formatlens-pwned"]}


# -- the steps' bytes, in compact inspectors


@pytest.mark.parametrize(
    "number,name,expected",
    [
        (2, "json", lambda: tour.one_record()[0].field),
        (2, "msgpack", lambda: tour.one_record()[1].field),
        (3, "pb", lambda: tour.protobuf_with_and_without_schema().field),
        (6, "kafka", lambda: tour.kafka_message().document.layers[0]),
    ],
)
def test_a_step_selects_the_bytes_it_speaks_of(app, number, name, expected):
    app.query_params["step"] = str(number)
    app.switch_page("pages/tour.py").run()
    assert not app.exception
    keys = state.tour_inspector(name)
    want = expected()
    start, end = (0, 5) if name == "kafka" else (want.start, want.end)
    if name == "kafka":
        assert [(s.start, s.end) for s in want.spans] == [(0, 1), (1, 5)]  # magic byte, schema id
    assert app.session_state[keys.selection][:2] == (start, end)
    seq = app.session_state[keys.seq]
    app.run()  # shown again (a click, a rerun): the person's selection is not taken back
    assert app.session_state[keys.seq] == seq
