"""The app's URL source: off by default; the operator's allowlist; SSRF refusals shown as messages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest, app_test

from tests.support.rangeserver import serving
from tests.test_app import APP, _NavigationPagesManager

CSV = b"city,people\nLyon,522000\nNantes,320000\n"


def start(monkeypatch) -> AppTest:
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


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
