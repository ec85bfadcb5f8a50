"""Every working page at 1366x768 (light) and 1920x1080 (dark): screenshots to look at, and no clipped metrics.

The pages are opened by link (as a presenter would), one browser context per size and theme.
"""

import pytest

from .conftest import SHOTS
from .test_browser import clipped_metrics, inspector_ready, settle
from .test_tour import COMBINATIONS, themed_context

PAGES = {
    "inspect": ("/?sample=runs-shell-command.pickle", "formatlens did not run it"),
    "inspect-parquet": ("/?sample=users.parquet", "Detection confidence"),
    "convert": ("/convert?sample=users.json&target=avro", "What the target could not hold"),
    "schemas": ("/schemas?sample=users.json", "Inferred from the data"),
    "compare": ("/compare?sample=users.json", "Size per format"),
    "guide": ("/guide", "How the formats classify"),
    "pickle-lab": ("/pickle_lab?sample=runs-shell-command.pickle", "Protocol 0"),
}


@pytest.mark.parametrize(("size", "theme"), COMBINATIONS)
def test_every_page(browser, server, size, theme):
    context = themed_context(browser, size, theme)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        for name, (path, text) in PAGES.items():
            page.goto(server + path)
            settle(page, text)
            if name.startswith("inspect"):
                inspector_ready(page)
                settle(page, "Detection confidence")
            assert not page.locator("[data-testid='stException']").count(), name
            # A metric whose value does not fit is cut with an ellipsis: its text box is wider than its box.
            clipped = clipped_metrics(page)
            assert clipped == [], f"{name}: clipped metric values {clipped}"
            page.screenshot(path=str(SHOTS / f"page-{name}-{size}-{theme}.png"))
    finally:
        context.close()
