"""The app's URL source: off by default; the operator's allowlist; SSRF refusals shown as messages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from formatlens.render.words import human_size
from tests.support.rangeserver import serving
from tests.test_app import started_app

CSV = b"city,people\nLyon,522000\nNantes,320000\n"


def start(monkeypatch) -> AppTest:
    return started_app(monkeypatch)


def test_url_source_is_off_by_default(monkeypatch):
    monkeypatch.delenv("FORMATLENS_REMOTE_ALLOW", raising=False)
    at = start(monkeypatch)
    assert "URL" not in at.radio(key="source").options


@pytest.fixture
def server(monkeypatch):
    with serving({"cities.csv": CSV}) as srv:
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW", f"{srv.url}/data/,http://169.254.169.254/")
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW_ADDRESSES", "127.0.0.1/32")
        yield srv


def test_allowed_url_is_fetched_and_decoded(monkeypatch, server):
    at = start(monkeypatch)
    at.radio(key="source").set_value("URL").run()
    at.text_input(key="remote_url").input(f"{server.url}/data/cities.csv").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Format"] == "csv"
    assert server.served == len(CSV)
    at.run()  # a rerun does not fetch again
    assert server.served == len(CSV)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file:// URLs are not allowed"),
        ("http://169.254.169.254/latest/meta-data/", "metadata-service address"),
        ("http://127.0.0.1:9/data/x.csv", "outside the allowed prefixes"),
    ],
)
def test_refusals_are_messages(monkeypatch, server, url, message):
    at = start(monkeypatch)
    at.radio(key="source").set_value("URL").run()
    at.text_input(key="remote_url").input(url).run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.sidebar.error]  # plain() escapes markdown
    assert any(message in text for text in shown), shown
    assert server.requests == []


ROWS = 1_000_000


@pytest.fixture(scope="module")
def big_parquet() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": pa.array(range(ROWS)), "label": pa.array([f"label-{i:08d}" for i in range(ROWS)])})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=ROWS // 4)
    return sink.getvalue()


def test_big_parquet_url_is_read_lazily(monkeypatch, big_parquet):
    """Over EAGER_BYTES: the worker reads the footer and the first pages; the app shows schema, layout,
    row-group statistics and the first rows, and says what was not read."""
    with serving({"big.parquet": big_parquet}) as srv:
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW", f"{srv.url}/data/")
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW_ADDRESSES", "127.0.0.1/32")
        at = start(monkeypatch)
        at.radio(key="source").set_value("URL").run()
        at.text_input(key="remote_url").input(f"{srv.url}/data/big.parquet").run()
        assert not at.exception
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Format"] == "parquet"
        loaded = at.session_state["current"]
        document = loaded.document
        assert document.details["rows"] == ROWS
        assert document.details["row_groups"] == 4
        assert document.value[0] == {"id": 0, "label": "label-00000000"}
        assert len(document.value) == 100
        stats = document.schema.details["row_groups"][3]["columns"][0]
        assert (stats["min"], stats["max"]) == (750_000, ROWS - 1)
        # Footer + first pages (worker) + the first hexdump window (server): a small part of the file.
        assert document.details["bytes_fetched"] < len(big_parquet) / 8
        assert srv.served < len(big_parquet) / 5, (srv.served, len(big_parquet))
        info = [i.value for i in at.sidebar.info]
        fetched = document.details["bytes_fetched"]
        assert any(text.startswith("Read lazily: ") and "The rest of the file was not read" in text for text in info)
        assert any(f"{human_size(fetched)} of {human_size(len(big_parquet))} fetched" in text for text in info), info
        served = srv.served
        at.run()  # a rerun fetches nothing again
        assert srv.served == served
        # Selecting the whole file (the root node, or ?select=0:N) offers no download through the server:
        # the button's bytes would be fetched on every rerun.
        from formatlens.ui import state

        at.session_state[state.INSPECT.selection] = (0, len(big_parquet), "the whole file")
        at.run()
        assert not at.exception
        assert srv.served < served + 1024 * 1024, (srv.served, served)
        assert any("not downloaded through the server" in c.value for c in at.main.caption)
        # Convert works on the rows read and says so, with no size change against the whole file.
        at.switch_page("pages/convert.py").run()
        at.selectbox(key="target").set_value("csv").run()
        assert not at.exception
        losses = at.session_state["convert_result"][1].losses
        assert losses[0] == (
            f"only what was read of the remote file was converted (the value shows the first 100 of {ROWS:,} rows)"
        )
        assert {m.label: m.value for m in at.metric}["Size change"] == "—"


def big_avro() -> bytes:
    import io

    import fastavro

    schema = {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}, {"name": "s", "type": "string"}]}
    out = io.BytesIO()
    fastavro.writer(out, schema, ({"n": i, "s": f"value {i} " * 4} for i in range(200_000)), codec="null")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "fmt", "first"),
    [
        ("big.csv", lambda: b"id,name\n" + b"".join(b"%d,name-%d\n" % (i, i) for i in range(600_000)), "csv", "name-0"),
        ("big.jsonl", lambda: b"".join(b'{"n": %d, "tag": "t%d"}\n' % (i, i) for i in range(300_000)), "json", "t0"),
        ("big.avro", big_avro, "avro", "value 0 "),
    ],
)
def test_big_text_and_avro_urls_show_their_first_rows(monkeypatch, name, make, fmt, first):
    data = make()
    assert len(data) > 4 * 1024 * 1024
    with serving({name: data}) as srv:
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW", f"{srv.url}/data/")
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW_ADDRESSES", "127.0.0.1/32")
        at = start(monkeypatch)
        at.radio(key="source").set_value("URL").run()
        at.text_input(key="remote_url").input(f"{srv.url}/data/{name}").run()
        assert not at.exception
        assert {m.label: m.value for m in at.metric}["Format"] == fmt
        document = at.session_state["current"].document
        assert first in str(document.value[0])
        assert 100 <= len(document.value) < 200_000
        # The first MiB (CSV, JSON Lines) or the first blocks (Avro), and the first hexdump window.
        assert srv.served <= 1024 * 1024 + 2 * 64 * 1024, srv.served
        assert any("Read lazily: " in i.value for i in at.sidebar.info)
