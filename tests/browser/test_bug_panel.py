"""A bug in formatlens is shown as one ("not a problem with your data"), with its report, never as a refusal.

The app here is a second server whose JSON codec has a planted bug (tests/support/planted_bug): no real
input is known to reach a bug, and this test is about how one looks to the person who meets it.
"""

import pytest

from tests.support.launch import ROOT, running_app

from .conftest import SHOTS
from .test_browser import choose_source, settle

MARKER = "plant-a-bug-here"


@pytest.fixture(scope="module")
def buggy_server(browser):
    env = {"FORMATLENS_PLANTED_BUG": MARKER, "PYTHONPATH": f"{ROOT / 'tests' / 'support' / 'planted_bug'}:{ROOT}"}
    with running_app(env=env) as (url, _process):
        yield url


def test_a_bug_is_shown_as_a_bug_with_its_report(browser, buggy_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(buggy_server)
        settle(page, "Detection confidence")
        choose_source(page, "Paste text")
        page.get_by_role("textbox", name="Text").fill(f'{{"note": "{MARKER}"}}')
        page.keyboard.press("Control+Enter")
        settle(page, "This is a bug in formatlens")
        alert = page.locator("[data-testid='stAlert']").first.inner_text()
        assert alert.startswith("This is a bug in formatlens, not a problem with your data:")
        assert "KeyError" in alert and "planted bug" in alert
        report = page.locator("[data-testid='stCode']").first.inner_text()
        assert "Traceback" in report and "_decode_with_a_bug" in report  # where the bug is, for the report
        assert page.get_by_text("Could not read").count() == 0  # not dressed up as bad input
        assert not page.locator("[data-testid='stException']").count()  # and not a raw Streamlit traceback
        page.screenshot(path=str(SHOTS / "14-bug-panel-1366.png"), full_page=True)
    finally:
        context.close()
