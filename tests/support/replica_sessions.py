"""Browser sessions through the replicas' proxy: each uploads its own file and walks every page.

    python -m tests.support.replica_sessions [--pages A,B] URL FILE:MARKER [FILE:MARKER ...]   -> JSON

Used by tests/test_replicas.py (in a child process, apart from the browser tests' own Playwright)
and by bench/replicas_load.py. Each session opens the proxy's URL in its own browser context (its
own cookies, so its own sticky route), uploads its file, waits for its marker in the decoded view,
then opens every page of the sidebar navigation and checks that no other session's marker shows.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from playwright.async_api import async_playwright

from tests.support.launch import CHROMIUM, CHROMIUM_ARGS, ROOT

SHOTS = ROOT / "artifacts" / "screenshots"


async def settle(page) -> None:
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    await asyncio.sleep(0.5)


async def one_session(
    browser, url: str, path: Path, marker: str, others: list[str], only: list[str] | None = None
) -> dict:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(180_000)
    errors: list[str] = []
    try:
        await page.goto(url)
        await page.get_by_text("Detection confidence").first.wait_for()
        await settle(page)
        for _ in range(10):  # a click that lands while the first run is still going is lost: try again
            await page.locator("[data-testid='stSidebar'] label", has_text="Upload").first.click()
            try:
                await page.locator("[data-testid='stFileUploader']").first.wait_for(timeout=5_000)
                break
            except Exception:
                await settle(page)
        started = time.perf_counter()
        await page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
        await page.get_by_text(marker).first.wait_for()
        to_view = time.perf_counter() - started
        nav = page.locator("[data-testid='stSidebarNav'] a")
        names = [(await nav.nth(i).inner_text()).strip() for i in range(await nav.count())]
        names = [n for n in names if only is None or n in only]  # default: every page
        pages = []
        for name in names:
            await nav.filter(has_text=name).first.click()
            await settle(page)
            text = await page.content()
            pages.append(name)
            leaked = [other for other in others if other in text]
            if leaked:
                errors.append(f"{name}: saw another session's data {leaked[:3]}")
            if "Traceback" in text or "this is a bug in formatlens" in text:
                errors.append(f"{name}: shows an exception")
        route = next((c["value"] for c in await context.cookies() if c["name"] == "formatlens_route"), None)
        return {"marker": marker, "to_view": to_view, "pages": pages, "route": route, "errors": errors}
    except BaseException:
        SHOTS.mkdir(parents=True, exist_ok=True)  # what the session showed when it failed
        await page.screenshot(path=str(SHOTS / f"replica-session-{marker}.png"), full_page=True)
        raise
    finally:
        await context.close()


async def run_sessions(url: str, files: list[tuple[Path, str]], only: list[str] | None = None) -> list[dict]:
    markers = [marker for _, marker in files]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(
                *(one_session(browser, url, path, m, [o for o in markers if o != m], only) for path, m in files)
            )
        finally:
            await browser.close()


def main(argv: list[str]) -> None:
    only = None
    if argv[0] == "--pages":
        only, argv = argv[1].split(","), argv[2:]
    url, pairs = argv[0], [arg.rsplit(":", 1) for arg in argv[1:]]
    results = asyncio.run(run_sessions(url, [(Path(p), m) for p, m in pairs], only))
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
