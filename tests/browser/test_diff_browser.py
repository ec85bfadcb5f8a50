"""The Diff page in a real browser: from the Convert page's link, strict type changes side by side, the bytes."""

from .conftest import SHOTS
from .test_browser import metric, settle


def shot(page, name: str) -> None:
    page.set_viewport_size({"width": 1500, "height": 1800})  # the app scrolls inside: a tall window shows more
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1500, "height": 1000})


def test_convert_links_to_the_diff_of_its_conversion(page, server):
    page.goto(f"{server}/convert?sample=training.json&target=csv")
    settle(page, "What the target could not hold")
    page.get_by_text("Diff the source and the converted data").click()
    settle(page, "Compare with")
    page.get_by_role("heading", name="Diff").wait_for()
    assert metric(page, "Verdict") != "Equal"  # CSV flattens training's nested records: the losses are changes
    assert int(metric(page, "Added").replace(",", "")) > 0
    shot(page, "diff-1-converted-to-csv")


def test_strict_type_changes_side_by_side_and_next_difference(page, server):
    page.goto(f"{server}/diff?sample=users.json")
    settle(page, "Compare with")
    assert metric(page, "Verdict") == "Equal"  # users.json against the users.yaml sample
    page.get_by_text("Strict: report type changes too").click()
    settle(page, "100 changes")
    assert metric(page, "Type") == "100"
    shot(page, "diff-2-strict-side-by-side")
    page.get_by_role("tab", name="Bytes").click()
    page.get_by_role("button", name="Next difference ▶").click()
    settle(page, "difference 1:")
    page.get_by_role("button", name="Next difference ▶").click()
    settle(page, "difference 2:")
    assert page.locator(".fl.compact .vp .b.sel").count() >= 2  # the difference is highlighted on both sides
    shot(page, "diff-3-bytes-next-difference")
