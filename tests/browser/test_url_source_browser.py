"""The URL source on a large Parquet file, in a real browser: read lazily, schema and row groups shown."""

import io

import pyarrow as pa
import pyarrow.parquet as pq

from tests.support.launch import running_app
from tests.support.rangeserver import serving

from .conftest import SHOTS
from .test_browser import choose_source, metric, settle, shot

ROWS = 1_000_000


def big_parquet() -> bytes:
    table = pa.table({"id": pa.array(range(ROWS)), "label": pa.array([f"label-{i:08d}" for i in range(ROWS)])})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=ROWS // 4)
    return sink.getvalue()


def test_big_parquet_url_read_lazily(browser, monkeypatch):
    data = big_parquet()
    with serving({"big.parquet": data}) as files:
        # The operator's settings, in the environment of the app this test starts.
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW", f"{files.url}/data/")
        monkeypatch.setenv("FORMATLENS_REMOTE_ALLOW_ADDRESSES", "127.0.0.1/32")
        with running_app() as (app, _process):
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(90_000)
            try:
                page.goto(app)
                settle(page, "Detection confidence")
                choose_source(page, "URL")
                box = page.locator("[data-testid='stSidebar'] input[type='text']").first
                box.fill(f"{files.url}/data/big.parquet")
                box.press("Enter")
                settle(page, "Read lazily:")
                assert metric(page, "Format") == "parquet"
                assert page.get_by_text("the first 100 of 1,000,000 rows × 2 columns").first.is_visible()
                summary = page.locator("[data-testid='stSidebar'] [data-testid='stAlert']", has_text="Read lazily")
                assert "The rest of the file was not read" in summary.first.inner_text()
                shot(page, "url-source-lazy-parquet")
                page.get_by_role("tab", name="Schema").click()
                page.locator("code", has_text="optional int64 field_id=-1 id").first.wait_for()
                settle(page)
                shot(page, "url-source-lazy-parquet-schema")
                assert files.served < len(data) / 5, (files.served, len(data))
            finally:
                context.close()
    assert (SHOTS / "url-source-lazy-parquet.png").stat().st_size > 10_000
