"""The compact inspector (the Tour's and Diff's small hexdumps) in a real browser at 1366 px, light and dark.

What a presenter's room sees: the field a step speaks of highlighted, every drawn row holding bytes (no empty
box), the legend and hover labels, the box inside its column, and the Diff refusal's offending byte marked.
"""

import time

import pytest

from formatlens.analysis import tour
from formatlens.analysis.samples import read_sample
from tests.support.launch import running_app

from .conftest import ROOT, SHOTS
from .test_browser import settle
from .test_tour import themed_context


def offsets(inspector, cls: str = "sel") -> list[int]:
    """Offsets of one inspector's hex cells with ``cls``, once two reads agree (a rerun may redraw)."""
    read = "(e, cls) => [...e.querySelectorAll('.vp .b.' + cls)].map(b => Number(b.dataset.o))"
    last = None
    for _ in range(20):
        now = inspector.locator(".hex").evaluate(read, cls)
        if now == last:
            return now
        last = now
        time.sleep(0.3)
    return last


def box(inspector) -> dict:
    """The compact layout, measured: the hexdump's size against its rows and its column."""
    return inspector.evaluate(
        """root => {
            const hex = root.querySelector('.hex'), rows = [...root.querySelectorAll('.vp .r')];
            return {
                rows: rows.length,
                empty: rows.filter(r => r.style.visibility === 'hidden').length,
                cols: rows[0].querySelectorAll('.b').length,
                height: hex.clientHeight,
                overflow: hex.getBoundingClientRect().right - root.getBoundingClientRect().right,
                clipped: hex.scrollWidth - hex.clientWidth,
                find: getComputedStyle(root.querySelector('.bar')).display,
                inspector: root.querySelectorAll('.insp').length,
                legend: [...root.querySelectorAll('.legend .chip')].map(c => c.textContent),
            };
        }"""
    )


def check_compact(inspector) -> dict:
    measured = box(inspector)
    assert measured["empty"] == 0, measured  # every drawn row holds bytes: the box is as tall as its content
    assert measured["height"] == 22 + 18 * measured["rows"], measured  # the head and the rows, nothing more
    assert measured["overflow"] <= 0 and measured["clipped"] <= 0, measured  # inside its column, uncut
    assert measured["find"] == "none" and measured["inspector"] == 0, measured  # no find bar, no data inspector
    return measured


def tall_shot(page, name: str, height: int = 1400) -> None:
    page.set_viewport_size({"width": 1366, "height": height})  # the app scrolls inside: a tall window shows all
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1366, "height": 768})


def hover_label(page, inspector, offset: int) -> str:
    inspector.locator(f".vp [data-o='{offset}']").first.hover()
    return inspector.locator(".status").inner_text()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tour_steps_highlight_their_field_in_compact_inspectors(browser, server, theme):
    json_written, msgpack_written = tour.one_record()
    pb = tour.protobuf_with_and_without_schema().field
    steps = {
        2: [
            (json_written.field.start, json_written.field.end),
            (msgpack_written.field.start, msgpack_written.field.end),
        ],
        3: [(pb.start, pb.end)],
        6: [(0, 5)],  # the Confluent framing: magic byte and schema id
    }
    context = themed_context(browser, "1366x768", theme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        for number, ranges in steps.items():
            page.goto(f"{server}/tour?step={number}")
            page.get_by_role("heading", name=tour_title(number)).wait_for()
            page.locator(".fl.compact .vp .b.sel").first.wait_for()
            settle(page)
            inspectors = page.locator(".fl.compact")
            assert inspectors.count() == len(ranges)
            for index, (start, end) in enumerate(ranges):
                inspector = inspectors.nth(index)
                assert offsets(inspector) == list(range(start, end)), (number, index)
                measured = check_compact(inspector)
                assert measured["cols"] == 16  # a 3:2 column at 1366 px holds a 16-byte row with its ASCII
                assert "Selected" in inspector.locator(".what").inner_text()
            tall_shot(page, f"compact-tour-{number}-1366-{theme}")
        # step 6: hover labels, the legend, and the folded structure tree in step with the bytes
        kafka = page.locator(".fl.compact").first
        assert box(kafka)["legend"] == ["header", "magic", "value"]
        assert box(kafka)["rows"] == 6  # 86 bytes: six rows, no empty box
        assert hover_label(page, kafka, 2).startswith("header: schema id 42")
        kafka.locator(".fold summary").click()
        kafka.locator(".tree .n", has_text="magic byte 0x00").first.click()
        assert offsets(kafka) == [0]
        kafka.locator(".vp [data-o='3']").first.click()  # a byte of the schema id selects it and shows its node
        assert offsets(kafka) == [1, 2, 3, 4]
        assert kafka.locator(".tree .n.sel .lb").inner_text() == "schema id 42"
        tall_shot(page, f"compact-tour-6-structure-1366-{theme}")
    finally:
        context.close()


def tour_title(number: int) -> str:
    from formatlens.ui.tour import STEPS

    return STEPS[number - 1].title


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_diff_refusal_marks_the_offending_byte(browser, server, theme):
    context = themed_context(browser, "1366x768", theme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/diff?sample=users.json")
        settle(page, "Compare with")
        main = page.locator("[data-testid='stMain']")
        main.locator("label", has_text="Paste text").first.click()
        settle(page)
        main.locator("textarea").first.fill('{"a": 1 2}')
        page.keyboard.press("Control+Enter")
        settle(page, "Could not read b as json at byte 8")
        inspector = page.locator(".fl.compact").first
        inspector.locator(".vp .b.err").first.wait_for()
        assert offsets(inspector, "err") == [8]  # the offending byte, outlined
        assert offsets(inspector) == [8]  # and selected
        assert "error" in inspector.locator(".what").inner_text()
        measured = check_compact(inspector)
        assert measured["rows"] == 1 and "error" in measured["legend"]
        assert hover_label(page, inspector, 8).startswith("error: ")
        inspector.locator(".fold summary").click()  # what was read before the error
        assert inspector.locator(".tree .n.sel .lb").inner_text().startswith("error")
        tall_shot(page, f"compact-diff-refusal-1366-{theme}", 1100)
    finally:
        context.close()


def test_diff_bytes_side_by_side_at_1366(browser, server):
    context = themed_context(browser, "1366x768", "light")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/diff?sample=users.json")
        settle(page, "Compare with")
        page.get_by_role("tab", name="Bytes").click()
        page.get_by_role("button", name="Next difference ▶").click()
        settle(page, "difference 1:")
        a, b = page.locator(".fl.compact").nth(0), page.locator(".fl.compact").nth(1)
        a.locator(".vp .b.sel").first.wait_for()
        assert offsets(a) == list(range(0, 24)) and offsets(b) == list(range(0, 10))  # fl.diff's first hunk
        for inspector in (a, b):
            assert check_compact(inspector)["cols"] == 8  # half of 1366 px: 8 bytes a row, ASCII kept
        assert a.bounding_box()["x"] + a.bounding_box()["width"] <= b.bounding_box()["x"]  # side by side
        tall_shot(page, "compact-diff-bytes-1366", 1300)
        page.set_viewport_size({"width": 1920, "height": 1300})  # wider columns: back to 16 bytes a row
        for _ in range(50):  # the columns are measured again when the page is resized
            if box(a)["cols"] == box(b)["cols"] == 16:
                break
            time.sleep(0.2)
        for inspector in (a, b):
            assert check_compact(inspector)["cols"] == 16
        assert offsets(a) == list(range(0, 24))  # the selection survives the new rows
        page.screenshot(path=str(SHOTS / "compact-diff-bytes-1920.png"))
    finally:
        context.close()


def test_the_data_inspector_when_asked(browser):
    # No page asks for it yet: a bare page with one Compact(data_inspector=True) inspector.
    with running_app(env={"PYTHONPATH": str(ROOT)}, script=str(ROOT / "tests" / "support" / "compact_page.py")) as (
        url,
        _process,
    ):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(60_000)
        try:
            page.goto(url)
            u32 = page.locator(".fl.compact .insp tr[data-t='u32']")
            u32.wait_for()
            size = len(read_sample("users.bson"))
            assert int(u32.locator(".le").inner_text()) == size  # the document length, little-endian
            assert int(u32.locator(".be").inner_text()) == int.from_bytes(size.to_bytes(4, "little"), "big")
            assert offsets(page.locator(".fl.compact")) == [0, 1, 2, 3]
            assert box(page.locator(".fl.compact"))["find"] == "none"
            page.screenshot(path=str(SHOTS / "compact-data-inspector.png"), full_page=True)
        finally:
            page.close()
