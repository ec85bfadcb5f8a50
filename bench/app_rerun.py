"""Is the app still interactive with a 5 MB file loaded? Rerun time against a bare page, in one run.

    python bench/app_rerun.py [--mb 5] [--repeat 7]

Uses streamlit's AppTest (no browser): the app with a ~5 MB JSON file uploaded is rerun (as a
click would) and timed against a bare page of the same app (the sidebar and router only, no data).
It also reports what the hexdump sends to the browser per 4 KiB window against the file's size, and how
many nodes the tree is given.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "samples")]

from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest, app_test  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402
from formatlens.render.hexdump import window  # noqa: E402
from formatlens.render.preview import count_nodes, truncate  # noqa: E402
from formatlens.render.tree import TreeModel  # noqa: E402


class _NavigationPagesManager(PagesManager):  # see tests/test_app.py
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def timed_reruns(at: AppTest, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app_test.PagesManager = _NavigationPagesManager
    rows = users(int(args.mb * 1024 * 1024 / 170))
    data = fl.convert_value(rows, "json").data
    print(f"input: {len(data) / 1024**2:.1f} MiB of JSON ({len(rows):,} records)")

    bare = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    bare.run()
    bare.radio(key="source").set_value("Upload").run()  # nothing uploaded: the bare app
    bare_time = timed_reruns(bare, args.repeat)

    loaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    loaded.run()
    loaded.radio(key="source").set_value("Upload").run()
    start = time.perf_counter()
    loaded.file_uploader(key="upload").set_value(("big.json", data, "application/json")).run()
    first = time.perf_counter() - start
    loaded_time = timed_reruns(loaded, args.repeat)
    print(f"first run after the upload (decode, spans, render): {first * 1e3:8.0f} ms")
    print(f"rerun, bare app (no data):                          {bare_time * 1e3:8.0f} ms")
    print(
        f"rerun, {args.mb:g} MB loaded (decode cached):              {loaded_time * 1e3:8.0f} ms   "
        f"ratio {loaded_time / bare_time:.2f}"
    )

    document = fl.load(data)
    shown = window(data, TreeModel(document.spans, document.value, len(data)), 10)
    sent = len(json.dumps(shown))
    print(f"hexdump: {sent:,} bytes of JSON per 4 KiB window, {sent / len(data):.3%} of the file")
    print(f"tree: {count_nodes(truncate(document.value)):,} nodes shown of {count_nodes(document.value):,}")


if __name__ == "__main__":
    main()
