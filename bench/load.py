"""N concurrent browser sessions against one server: time to the decoded view, peak memory, isolation.

    python bench/load.py [--sessions 1 5 20]

Starts `streamlit run app.py` on 127.0.0.1, then for each N opens N browser contexts at once
(Playwright, Debian's chromium). Each uploads its own JSON file, carrying a marker no other session
has, waits for the decoded view, then walks Convert and Schemas. It reports p50/p95 of the time
from upload to the decoded view, the peak resident memory of the server and its worker processes,
and checks that no session ever shows another session's marker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.launch import CHROMIUM, CHROMIUM_ARGS, running_app

ROOT = Path(__file__).resolve().parent.parent


def rss_tree_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        stack.extend(int(c) for c in children)
    return total


class PeakMemory(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_tree_kb(self.pid))
            time.sleep(0.1)


async def settle(page) -> None:
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    await asyncio.sleep(0.8)


async def session(browser, url: str, path: Path, marker: str, others: list[str]) -> float:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(120_000)
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
    uploader = page.locator("[data-testid='stFileUploader'] input[type='file']").first
    started = time.perf_counter()
    await uploader.set_input_files(str(path))
    await page.get_by_text(marker).first.wait_for()
    elapsed = time.perf_counter() - started
    for name in ("Convert", "Schemas", "Inspect"):
        await page.locator("[data-testid='stSidebarNav']").get_by_text(name, exact=True).click()
        await page.get_by_role("heading", name=name).first.wait_for()
        text = await page.content()
        leaked = [other for other in others if other in text]
        if leaked:
            raise AssertionError(f"session {marker} saw another session's data: {leaked[:3]}")
    await context.close()
    return elapsed


async def round_of(n: int, url: str, files: list[tuple[Path, str]]) -> list[float]:
    markers = [marker for _, marker in files[:n]]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(
                *(
                    session(browser, url, path, marker, [m for m in markers if m != marker])
                    for path, marker in files[:n]
                )
            )
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    args = parser.parse_args()
    with running_app() as (url, server), tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(max(args.sessions)):
            marker = f"session-marker-{i:03d}-{os.urandom(4).hex()}"
            path = Path(tmp) / f"upload-{i}.json"
            rows = [{"id": r, "owner": marker, "note": f"row {r} of session {i}"} for r in range(2000)]
            path.write_text(json.dumps(rows))
            files.append((path, marker))
        print(f"each upload: {files[0][0].stat().st_size:,} bytes of JSON (2,000 rows)")
        print(f"{'sessions':>8} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'peak RSS MiB':>13}  isolation")
        for n in args.sessions:
            memory = PeakMemory(server.pid)
            memory.start()
            times = asyncio.run(round_of(n, url, files))
            memory.running = False
            memory.join()
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(
                f"{n:>8} {statistics.median(times):>7.2f} {p95:>7.2f} {max(times):>7.2f} "
                f"{memory.peak / 1024:>13.0f}  no session saw another's data"
            )


if __name__ == "__main__":
    main()
