"""Upload to first view at the upload cap: the app against a bare Streamlit page, side by side in one run.

    python bench/upload_to_view.py [--mb 46] [--formats json,csv,...] [--timeout 120] [--repeat 3]
    python bench/upload_to_view.py --sessions 20 --mb 25     # twenty sessions, each a different upload

For each of the 11 formats a file of about ``--mb`` MiB (the same records, written by formatlens)
is uploaded through the file input of (a) the app, timed until the inspector's first tree node is
drawn, and (b) bench/bare_page.py, a bare page that parses the upload with the format's own library
and prints its length, timed until that text appears. Both servers run at the same time on
127.0.0.1, driven by Playwright and Debian's chromium. The moment a view appears is taken in the
page (a MutationObserver that also watches components' shadow roots), not by Playwright's wait:
after its first tries that polls every 500 ms, so each time came out just past 0.3, 0.8, 1.3 s...
Printed per format: both times, their ratio
(goal: at most 1.5), the CPU seconds each server (with its workers) used from the upload to the view and
their ratio (the machine's load stretches the wall time of the app's several processes more than the bare
page's one), and the growth of each server process's resident memory while the session
holds the file, against the file's size (goal for the app: at most 3x). With ``--repeat N`` each
page is sent the file N times in turn (a new session each time) and the median times are printed
with each run's ratio: the machine is shared, and one burst of load moves a single run by 2x.
The inputs are cached in /tmp/formatlens-bench/. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import formatlens as fl  # noqa: E402
from tests.support.launch import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

FORMATS = ["json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor", "parquet", "avro", "protobuf"]
EXTENSION = {"yaml": "yaml", "protobuf": "pb", "pickle": "pickle"}
CACHE = Path("/tmp/formatlens-bench")


def records(count: int) -> list[dict]:
    """``count`` users: 2,000 generated ones repeated (Faker is slow at 300,000), each row with its own id,
    email and time. Rows that repeat whole objects would flatter the formats that share them: pickle
    writes a repeated object once, and Parquet's dictionaries and compression shrank them to a tenth."""
    import datetime as dt

    from formatlens.analysis.samples import users

    base = users(2000)
    made = []
    for i in range(count):
        user = base[i % len(base)]
        local, _, domain = user["email"].partition("@")
        made.append(
            {
                **user,
                "id": i + 1,
                "email": f"{local}.{i + 1}@{domain}",
                "registered_at": user["registered_at"] + dt.timedelta(seconds=i),
            }
        )
    return made


# Writing the inputs is not what is measured: the writer's limits are lifted for it only (the app's
# server runs with the defaults).
WRITER_LIMITS_LIFTED = {"FORMATLENS_MAX_NODES": "100000000", "FORMATLENS_MAX_OUTPUT_BYTES": str(2**31)}


def _choose_upload(page) -> None:
    """On the app's first page: pick the sidebar's Upload source (a click that lands mid-run is lost: retry)."""
    page.locator("[data-testid='stMetric']").first.wait_for()
    for _ in range(10):
        page.locator("[data-testid='stSidebar'] label", has_text="Upload").first.click()
        time.sleep(1.5)
        if page.locator("[data-testid='stFileUploader']").count():
            break


def make_input(fmt: str, mib: float) -> tuple[Path, str | None]:
    """A file of about ``mib`` MiB in ``fmt`` (and, for protobuf, its .proto), cached."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"rows-{mib:g}MiB.{EXTENSION.get(fmt, fmt)}"
    proto = CACHE / f"rows-{mib:g}MiB.proto"
    if not path.exists():
        with patch.dict(os.environ, WRITER_LIMITS_LIFTED):
            write(fmt, mib, path, proto)
    return path, (proto.read_text() if fmt == "protobuf" else None)


def write(fmt: str, mib: float, path: Path, proto: Path) -> None:
    """Rows in ``fmt`` until the file is within 4% under ``mib`` MiB, in at most four tries (a row's size in a
    file of 2,000 is not its size in one of 300,000: Parquet and Avro compress per page and block); a file
    still over ``mib`` after them is refused here rather than written over the upload cap."""
    target = mib * 1024 * 1024
    count = int(target / (len(fl.convert_value(records(2000), fmt).data) / 2000))
    for _ in range(4):
        result = fl.convert_value(records(count), fmt)
        if 0.96 * target <= len(result.data) <= target:
            break
        count = int(count * 0.98 * target / len(result.data))
    if len(result.data) > target:
        raise SystemExit(f"{fmt}: {len(result.data):,} bytes after four tries, over the {mib:g} MiB asked for")
    path.write_bytes(result.data)
    if fmt == "protobuf" and result.schema is not None:
        proto.write_text(result.schema.text)


def rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 once it has ended)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and the processes it started (the decode workers)."""
    total = 0
    for each in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid``, and theirs (the decode workers and their forkserver)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(child) for child in children]
        todo += [int(child) for child in children]
    return found


class Peak:
    """Samples a server's resident memory (and its workers') every 0.2 s in a thread; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.server, self.total = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            server = rss(self.pid)
            self.server = max(self.server, server)
            self.total = max(self.total, server + sum(rss(child) for child in descendants(self.pid)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def median(times: list[float | None]) -> float | None:
    """The median of the runs' times (None if one timed out; negative if the app refused one: see upload)."""
    values = [t for t in times if t is not None]
    if len(values) < len(times):
        return None
    middle = sorted(abs(t) for t in values)[len(values) // 2]
    return -middle if any(t < 0 for t in values) else middle


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@contextmanager
def bare_server(fmt: str, proto: str | None):
    env = {"FORMAT": fmt, "PYTHONPATH": str(ROOT)}
    if proto:
        (CACHE / "bench.proto").write_text(proto)
        env["PROTO"] = str(CACHE / "bench.proto")
        env["MESSAGE"] = "formatlens.inferred.Record"
    args = ("--server.maxUploadSize", "60")
    with running_app(env=env, script=str(ROOT / "bench" / "bare_page.py"), args=args) as (url, process):
        yield url, process


# In the page: the first moment (Date.now(), ms) a mutation makes ``window.__done()`` true, in the
# document or in any shadow root (the inspector is a components-v2 element: it draws in one).
# Mutation callbacks run right after the DOM changes, so the time is the DOM's, to a few ms.
SHOWN_WATCHER = """
window.__shownAt = null;
window.__roots = [document];
const watch = (root) => new MutationObserver(() => {
  if (window.__shownAt === null && window.__done && window.__done()) window.__shownAt = Date.now();
}).observe(root, {subtree: true, childList: true, characterData: true});
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attach.call(this, init);
  window.__roots.push(root);
  watch(root);
  return root;
};
document.addEventListener('DOMContentLoaded', () => watch(document));
"""
APP_SHOWN = """() => window.__roots.some((r) => (r === document || r.host.isConnected)
    && r.querySelector('.fl .tree .n'))
  || [...document.querySelectorAll("[data-testid='stAlert']")].some((a) => a.textContent.includes('Could not read'))"""
BARE_SHOWN = "() => document.body.textContent.includes('parsed:')"


def upload(browser, url: str, path: Path, *, app: bool, timeout: float, cpu: list[float] | None = None) -> float | None:
    """Seconds from handing the file to the file input until the first view is in the page: the
    inspector's first tree node or the app's refusal (``app``), or the bare page's "parsed:" text
    (negative: the app refused the input; None: nothing within ``timeout`` seconds). ``cpu``: [server pid],
    to which the CPU seconds the server and its workers used meanwhile are appended."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.add_init_script(SHOWN_WATCHER)
    page = context.new_page()
    page.set_default_timeout(180_000)
    try:
        page.goto(url)
        if app:
            _choose_upload(page)
        page.locator("[data-testid='stFileUploader'] input[type='file']").first.wait_for(state="attached")
        time.sleep(1.0)
        page.evaluate(f"window.__shownAt = null; window.__done = {APP_SHOWN if app else BARE_SHOWN}")
        if page.evaluate("window.__done()"):
            raise RuntimeError(f"{url}: the page shows a first view before the upload")
        used = cpu_seconds(int(cpu[0])) if cpu else 0.0
        start = time.time()  # the page's Date.now() is this clock too
        page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
        try:
            page.wait_for_function("window.__shownAt !== null", timeout=timeout * 1000)
        except PlaywrightTimeout:
            return None
        if cpu:
            cpu.append(cpu_seconds(int(cpu[0])) - used)
        elapsed = page.evaluate("window.__shownAt") / 1000 - start
        refused = app and page.locator("[data-testid='stAlert']", has_text="Could not read").count() > 0
        if refused:
            message = page.locator("[data-testid='stAlert']", has_text="Could not read").first.inner_text()
            print(f"          ({path.suffix[1:]} refused: {' '.join(message.split())[:150]})", flush=True)
        return -elapsed if refused else elapsed
    finally:
        context.close()


SESSION_FORMATS = ["json", "csv", "msgpack", "cbor", "pickle"]  # top-level lists: the caption counts rows


def session_inputs(count: int, mib: float) -> list[tuple[Path, int]]:
    """``count`` different files of about ``mib`` MiB (formats in turn, each with its own number of
    records, so each session's page names a row count no other session has): (path, rows)."""
    CACHE.mkdir(exist_ok=True)
    per_record = {fmt: len(fl.convert_value(records(2000), fmt).data) / 2000 for fmt in SESSION_FORMATS}
    made = []
    for index in range(count):
        fmt = SESSION_FORMATS[index % len(SESSION_FORMATS)]
        rows = int(mib * 1024 * 1024 / per_record[fmt] * 0.98) - index  # distinct per session
        path = CACHE / f"rows-session-{index:02d}-{rows}.{fmt}"
        if not path.exists():
            with patch.dict(os.environ, WRITER_LIMITS_LIFTED):
                path.write_bytes(fl.convert_value(records(rows), fmt).data)
        made.append((path, rows))
    return made


def sessions(count: int, mib: float, timeout: float) -> None:
    """``count`` browser sessions, each holding a different upload, all open at once; then each page is
    checked to show its own file and row count (no cross-talk), and the server's peak memory is printed."""
    from playwright.sync_api import sync_playwright

    inputs = session_inputs(count, mib)
    total = sum(path.stat().st_size for path, _ in inputs)
    print(f"{count} sessions, {total / 2**20:,.0f} MiB of uploads in all; load average {load_average()}", flush=True)
    with running_app() as (app_url, app_process), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        base = rss(app_process.pid)
        peak = Peak(app_process.pid)
        pages, errors = [], 0
        started = time.perf_counter()
        for path, rows in inputs:
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(timeout * 1000)
            page.goto(app_url)
            _choose_upload(page)
            page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
            page.locator(".fl .tree .n, [data-testid='stAlert']").first.wait_for()
            if page.locator("[data-testid='stAlert']", has_text="Could not read").count():
                errors += 1
                print(f"  {path.name}: refused", flush=True)
            pages.append((page, path, rows))
            print(f"  {len(pages):2d} open: {path.name} shown after {time.perf_counter() - started:6.1f} s; server RSS "
                  f"{rss(app_process.pid) / 2**20:,.0f} MiB", flush=True)  # fmt: skip
        crossed = 0
        for page, path, rows in pages:  # every session, run again ("r" reruns), still shows its own upload
            page.locator("h1").first.click()
            page.keyboard.press("r")
            time.sleep(2)
            caption = page.locator("[data-testid='stCaptionContainer']", has_text=" rows × ").first
            caption.wait_for()
            text = caption.inner_text()
            if path.name not in text or f"{rows:,} rows" not in text:
                crossed += 1
                print(f"  {path.name}: the page shows {text!r}", flush=True)
        peak.stop()
        held = rss(app_process.pid) - base
        print(f"errors: {errors}; sessions showing another's data: {crossed}; load average {load_average()}")
        print(f"server RSS: peak {peak.server / 2**20:,.0f} MiB, held with all {count} open +{held / 2**20:,.0f} MiB "
              f"({held / total:.2f}x the uploads); peak with its workers {peak.total / 2**20:,.0f} MiB")  # fmt: skip
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    # Streamlit's maxUploadSize = 50 means 50,000,000 bytes: a 48 MiB file is refused by the file input
    # itself (nothing happens on the page), so the largest inputs that reach the app are ~47 MiB.
    parser.add_argument("--mb", type=float, default=46, help="MiB per input (the upload cap is 50 MB)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--timeout", type=float, default=150, help="seconds to wait for a first view")
    parser.add_argument(
        "--lift-limits",
        action="store_true",
        help="run the app with FORMATLENS_MAX_NODES=100000000 and FORMATLENS_MAX_DECODE_SECONDS=300, to time "
        "the first view of inputs the default limits refuse",
    )
    parser.add_argument("--sessions", type=int, default=0, help="instead: this many sessions of --mb MiB each")
    parser.add_argument(
        "--repeat", type=int, default=1, help="uploads per format to each page, in turn; the median is printed"
    )
    args = parser.parse_args()
    if args.sessions:
        sessions(args.sessions, args.mb, args.timeout)
        return
    from playwright.sync_api import sync_playwright

    formats = args.formats.split(",")
    inputs = {fmt: make_input(fmt, args.mb) for fmt in formats}
    print(f"load average at the start: {load_average()} (2 cores, shared with other engineers' work)")
    print(f"{'format':9} {'MiB':>6} {'bare s':>7} {'app s':>7} {'ratio':>6}  {'bare RSS+':>9} {'app RSS+':>9} "
          f"{'app/size':>8}  {'CPU s bare':>10} {'app':>5} {'ratio':>5}")  # fmt: skip
    if args.lift_limits:  # the app's server inherits this environment
        os.environ.update({"FORMATLENS_MAX_NODES": "100000000", "FORMATLENS_MAX_DECODE_SECONDS": "300"})
    with running_app() as (app_url, app_process), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Not timed: one upload of the largest input first, so the first format's RSS+ is not the
        # server's one-time costs (the inspector's first mount, the pipe buffer an upload's size
        # that the first transfer to a worker allocates and every later one reuses).
        warm = max((inputs[fmt][0] for fmt in formats), key=lambda path: path.stat().st_size)
        upload(browser, app_url, warm, app=True, timeout=args.timeout)
        for fmt in formats:
            path, proto = inputs[fmt]
            size = path.stat().st_size
            bares: list[float | None] = []
            apps: list[float | None] = []
            bare_grows: list[int] = []
            app_grows: list[int] = []
            bare_cpu: list[float] = [0]  # [server pid, CPU s of each upload...]
            app_cpu: list[float] = [app_process.pid]
            with bare_server(fmt, proto) as (bare_url, bare_process):
                bare_cpu[0] = bare_process.pid
                for _ in range(args.repeat):  # in turn, so that a burst of the machine's load hits both
                    before = rss(bare_process.pid)
                    bares.append(upload(browser, bare_url, path, app=False, timeout=args.timeout, cpu=bare_cpu))
                    bare_grows.append(rss(bare_process.pid) - before)
                    before = rss(app_process.pid)
                    apps.append(upload(browser, app_url, path, app=True, timeout=args.timeout, cpu=app_cpu))
                    app_grows.append(rss(app_process.pid) - before)
            bare_grow, app_grow = bare_grows[0], app_grows[0]  # the first session's growth
            bare, app = median(bares), median(apps)
            if len(bares) > 1:
                runs = ", ".join(f"{abs(a) / b:.2f}" for a, b in zip(apps, bares) if a is not None and b is not None)
                print(f"          ({fmt}: {len(bares)} runs, ratio per run {runs})", flush=True)
            note = "  REFUSED by the app (a limit: see its message)" if app is not None and app < 0 else ""
            shown = lambda t: f"{abs(t):7.2f}" if t is not None else "timeout"  # noqa: E731
            ratio = f"{abs(app) / bare:6.2f}" if app is not None and bare is not None else "     -"
            # CPU seconds the server (and its workers) used from the upload to the view: what the machine's
            # load does not stretch, as it stretches the wall time of the app's several processes more
            cpu_bare, cpu_app = median(bare_cpu[1:]), median(app_cpu[1:])
            cpu = f"{cpu_bare:10.2f} {cpu_app:5.2f} {cpu_app / cpu_bare:5.2f}" if cpu_bare and cpu_app else ""
            print(
                f"{fmt:9} {size / 2**20:6.1f} {shown(bare)} {shown(app)} {ratio}  "
                f"{bare_grow / 2**20:7.0f}MB {app_grow / 2**20:7.0f}MB {app_grow / size:7.1f}x  {cpu}{note}",
                flush=True,
            )
        browser.close()
    print(f"load average at the end: {load_average()}")
    print("goal: ratio <= 1.5 and app RSS growth <= 3x the input (a session's RSS+ also holds what")
    print("the allocator has not yet given back; sessions of earlier formats stay open meanwhile)")


if __name__ == "__main__":
    main()
