"""The Tour in a real browser: every step at 1366x768 (light) and 1920x1080 (dark), moved by the arrow keys."""

import pytest

from formatlens.ui.tour import STEPS

from .conftest import SHOTS
from .test_browser import settle

SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
COMBINATIONS = [("1366x768", "light"), ("1920x1080", "dark")]
"""Each size and each theme once (all four took a minute of CI's 15; the pages do not lay out by theme)."""


def themed_context(browser, size: str, theme: str):
    """A browser context at ``size`` whose Streamlit theme is ``theme``, as the settings menu would store it.

    Streamlit keeps the chosen theme in localStorage under stActiveTheme-<path>-v2 (read at startup);
    .streamlit/config.toml sets a light base, so the system's color scheme alone would not switch it.
    """
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=theme)
    context.add_init_script(
        f"window.localStorage.setItem('stActiveTheme-' + window.location.pathname + '-v2', '\"{theme.title()}\"')"
    )
    return context


@pytest.mark.parametrize(("size", "theme"), COMBINATIONS)
def test_every_step_by_arrow_keys(browser, server, size, theme):
    context = themed_context(browser, size, theme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/tour?step=1")
        for number, step in enumerate(STEPS, start=1):
            page.get_by_role("heading", name=step.title).wait_for()
            # the links come last: the step is drawn (a run can still be going when the heading shows)
            page.get_by_role("link", name=step.links[0].label).wait_for()
            settle(page)
            assert f"step={number}" in page.url
            assert not page.locator("[data-testid='stException']").count()
            if number == 1:
                background = page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
                assert (background == "rgb(255, 255, 255)") == (theme == "light"), background
            page.screenshot(path=str(SHOTS / f"tour-{number}-{size}-{theme}.png"), full_page=True)
            if number < len(STEPS):
                page.wait_for_function("() => !!window.__formatlensArrowKeys")  # the key listener is mounted
                page.keyboard.press("ArrowRight")
        page.wait_for_function("() => !!window.__formatlensArrowKeys")
        page.keyboard.press("ArrowLeft")
        page.get_by_role("heading", name=STEPS[-2].title).wait_for()
    finally:
        context.close()
