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
from tests.support.replica_sessions import one_session

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


async def session(browser, url: str, path: Path, marker: str, others: list[str]) -> float:
    """One session (tests/support/replica_sessions.one_session): upload, decoded view, Convert/Schemas/Inspect."""
    result = await one_session(browser, url, path, marker, others, only=["Convert", "Schemas", "Inspect"])
    if result["errors"]:
        raise AssertionError(f"session {marker}: {result['errors'][:3]}")
    return result["to_view"]


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
            path = Path(tmp) / f"{marker}.json"  # the view shows the name; the pages carry the data
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
