"""20 concurrent browser sessions over 2 replicas behind nginx: time to view, memory per replica, isolation.

    python bench/replicas_load.py [--sessions 20] [--replicas 2] [--upload-mb 5]

Starts deploy/replicas.sh (N Streamlit replicas + Debian's nginx, sticky by cookie) on 127.0.0.1,
writes one JSON file of about --upload-mb MB per session, each carrying a marker no other session
has, then opens all sessions at once (Playwright, Debian's chromium; tests/support/replica_sessions):
each uploads its file, waits for its marker in the decoded view and walks every page. It reports
errors, whether any session saw another's marker, p50/p95 of upload -> decoded view, how the
sessions spread over the replicas (nginx's access log), and the resident memory of each replica
with its worker processes (bench/load.py's sampler): warm and idle before the sessions (each
replica opened once directly), at its peak, and the growth per session above idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import PeakMemory, rss_tree_kb
from tests.support.launch import free_port
from tests.support.replica_sessions import CHROMIUM, CHROMIUM_ARGS, async_playwright, one_session

ROOT = Path(__file__).resolve().parent.parent


def upload(path: Path, marker: str, megabytes: float) -> None:
    rows, size, i = [], 0, 0
    while size < megabytes * 1024 * 1024:
        row = {"id": i, "owner": marker, "note": f"row {i} of {marker}", "score": i * 0.25, "tags": ["a", "b"]}
        rows.append(row)
        size += len(json.dumps(row)) + 2
        i += 1
    path.write_text(json.dumps(rows))


async def warm_up(replica_urls: list[str]) -> None:
    """Open each replica directly once (the app imported, a sample decoded, the workers started), so the
    baseline memory is a warm replica's and the sessions' own memory is what grows above it."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for url in replica_urls:
                context = await browser.new_context()
                page = await context.new_page()
                page.set_default_timeout(180_000)
                await page.goto(url)
                await page.get_by_text("Detection confidence").first.wait_for()
                await context.close()
        finally:
            await browser.close()


async def all_sessions(url: str, files: list[tuple[Path, str]]) -> list[dict]:
    """Every session at once; one that fails is counted as an error, the others go on."""
    markers = [m for _, m in files]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            outcomes = await asyncio.gather(
                *(one_session(browser, url, p, m, [o for o in markers if o != m]) for p, m in files),
                return_exceptions=True,
            )
        finally:
            await browser.close()
    return [
        o
        if isinstance(o, dict)
        else {"marker": m, "to_view": None, "pages": [], "route": None, "errors": [f"{type(o).__name__}: {o}"[:200]]}
        for o, (_, m) in zip(outcomes, files)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--upload-mb", type=float, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        proxy, base = free_port(), 18_700 + os.getpid() % 500
        env = dict(
            os.environ,
            FORMATLENS_RUN_DIR=str(run_dir),
            FORMATLENS_PROXY_LISTEN=f"127.0.0.1:{proxy}",
            FORMATLENS_REPLICA_BASE=str(base),
            FORMATLENS_PYTHON=sys.executable,
        )
        script = str(ROOT / "deploy" / "replicas.sh")
        subprocess.run([script, "start", str(args.replicas)], env=env, check=True)
        try:
            pids = [int((run_dir / f"replica-{i}.pid").read_text()) for i in range(args.replicas)]
            files = []
            for i in range(args.sessions):
                marker = f"session-marker-{i:03d}-{os.urandom(4).hex()}"
                path = Path(tmp) / f"{marker}.json"  # the view shows the name; the pages carry the data
                upload(path, marker, args.upload_mb)
                files.append((path, marker))
            print(
                f"{args.sessions} sessions, {args.replicas} replicas, each upload {files[0][0].stat().st_size:,} bytes"
            )
            asyncio.run(warm_up([f"http://127.0.0.1:{base + i}" for i in range(args.replicas)]))
            time.sleep(2)
            baseline = [rss_tree_kb(pid) for pid in pids]
            samplers = [PeakMemory(pid) for pid in pids]
            for sampler in samplers:
                sampler.start()
            started = time.perf_counter()
            results = asyncio.run(all_sessions(f"http://127.0.0.1:{proxy}", files))
            wall = time.perf_counter() - started
            for sampler in samplers:
                sampler.running = False
                sampler.join()
        finally:
            subprocess.run([script, "stop"], env=env, check=False)
        upstream_of: dict[str, set[str]] = defaultdict(set)
        for line in (run_dir / "access.log").read_text().splitlines():
            match = re.search(r"route=(\S+) upstream=(\S+)", line)
            if match and match[2] != "-":
                upstream_of[match[1]].add(match[2])
        placement = Counter(",".join(sorted(upstream_of[r["route"]])) for r in results)
        times = sorted(r["to_view"] for r in results if r["to_view"] is not None) or [float("nan")]
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        errors = [e for r in results for e in r["errors"]]
        leaks = [e for e in errors if "another session" in e]
        unsticky = [r["route"] for r in results if r["route"] and len(upstream_of[r["route"]]) != 1]
        print(f"pages walked per session: {', '.join(max((r['pages'] for r in results), key=len))}")
        print(f"errors: {len(errors)}   cross-talk: {len(leaks)}   sessions on more than one replica: {len(unsticky)}")
        print(f"upload -> decoded view: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")
        print(f"all sessions done in {wall:.1f} s")
        print("sessions per replica: " + ", ".join(f"{k}: {v}" for k, v in sorted(placement.items())))
        sessions_on = Counter(next(iter(upstream_of[r["route"]]), "-") for r in results if r["route"])
        for i, sampler in enumerate(samplers):
            n = sessions_on.get(f"127.0.0.1:{base + i}", 0)
            grown = (sampler.peak - baseline[i]) / 1024
            print(
                f"replica {i} RSS (server + workers): warm idle {baseline[i] / 1024:,.0f} MiB, "
                f"peak {sampler.peak / 1024:,.0f} MiB; {n} sessions: {grown / max(n, 1):,.0f} MiB per session over idle"
            )
        for e in errors[:10]:
            print("  " + e)


if __name__ == "__main__":
    main()
