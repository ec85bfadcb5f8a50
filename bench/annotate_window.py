"""Annotating a far window of a large input (runtime/annotate.py): latency, and the server's memory after many.

    python bench/annotate_window.py [--mb 46] [--formats json,bson,...] [--windows 300]

For each format, a file of about ``--mb`` MiB (the records bench/upload_to_view.py writes, cached in
/tmp/formatlens-bench/) is decoded by a worker as the app does for an upload (WorkerPool.load: the
first view), then, as the inspector does when the person scrolls past the first view:

- one far window (4 KiB at 90 % of the input) is annotated by a worker from byte 0: the round trip
  (decode again, the walk in a span window, the values of the items there, pickling) beside the
  format's own library parsing the whole input in this process (the floor of a worker that must
  parse), and the windowed walk alone on an already-decoded Document (what the window itself costs);
- as the app does (runtime.annotate.WindowAnnotator, core.checkpoints): the first far request (the
  same window at 90 %: it notes checkpoints on its way), then a second far request at 60 % that
  starts from them, beside the same 60 % window from byte 0; for formats whose items need context
  (CSV, Avro, protobuf with a schema), the values of that window's items as a tree slice asks for
  them: from a decode of the input again (values_of), and each read alone (values_from);
- ``--windows`` windows spread over the rest are annotated in batches of 24 (the browser's most per
  request) and merged into a TreeModel: the most memory the merged windows held (held_by: the objects
  counted once, the input's bytes not included) and what they hold at the end (render.tree keeps 64
  windows or 20,000 spans, plus one request's), and this process's resident memory (with the
  checkpoints, as the app does; ``--windows 0`` leaves this out).

Nothing here is a pass/fail test; one run on a shared machine, so read the times as rough.
"""

from __future__ import annotations

import argparse
import gc
import io
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from upload_to_view import load_average, make_input, rss  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.core.checkpoints import Checkpoints  # noqa: E402
from formatlens.render.hexdump import WINDOW, window  # noqa: E402
from formatlens.render.tree import TreeModel, restrict  # noqa: E402
from formatlens.runtime.annotate import (  # noqa: E402
    ALONE,
    annotate,
    annotate_from,
    spans_of,
    values_from,
    values_of,
    window_spans,
)
from formatlens.runtime.isolation import WorkerPool  # noqa: E402

FORMATS = ["json", "bson", "msgpack", "cbor", "protobuf", "protobuf+schema", "csv", "avro", "xml"]
BATCH = 24


def library_parse(fmt: str, data: bytes) -> None:
    """The format's own library over the whole input (what any worker that reads the input pays)."""
    if fmt == "json":
        import json

        json.loads(data)
    elif fmt == "bson":
        import bson

        bson.decode_all(data)
    elif fmt == "msgpack":
        import msgpack

        msgpack.unpackb(data)
    elif fmt == "cbor":
        import cbor2

        cbor2.loads(data)
    elif fmt == "csv":
        import csv

        list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    elif fmt == "avro":
        import fastavro

        list(fastavro.reader(io.BytesIO(data)))
    elif fmt == "xml":
        import xmltodict

        xmltodict.parse(data)
    elif fmt == "protobuf":  # uploaded without a schema: no library parse; the wire walk's top level
        from formatlens.codecs.protobuf.wire import top_level_walk

        top_level_walk(data, 0)


def rest_from(document: fl.Document) -> int | None:
    if not document.details.get("spans_cut_at") or not document.spans:
        return None
    span = document.spans[-1]
    while span.children:
        span = span.children[-1]
    return span.end


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def one(name: str, mib: float, windows: int, pool: WorkerPool) -> None:
    fmt = name.split("+")[0]
    path, proto = make_input(fmt, mib)
    options = {"schema": proto, "message": "formatlens.inferred.Record"} if name == "protobuf+schema" else {}
    data = path.read_bytes()
    size = len(data)
    try:
        first_s, document = timed(lambda: pool.load(data, fmt, **options))
    except fl.FormatError as exc:  # a limit (e.g. the decode time): said, and the next format goes on
        print(f"{name:15} {size / 2**20:5.1f} MiB  first view refused: {exc}")
        return
    cut = rest_from(document)
    if cut is None:
        print(f"{name:15} {size / 2**20:5.1f} MiB  first view {first_s:5.1f} s: all annotated at once, no rest")
        return
    tree = TreeModel(document.spans, document.value_for_view(), size, rest_from=cut, step=WINDOW)
    far = size * 9 // 10 // WINDOW * WINDOW
    one_s, done = timed(pool.run_sized, size, annotate, data, fmt, options, [(far, far + WINDOW)])
    slot = tree.slots_over(far, far + 1)[0]
    tree.fill(slot, restrict(spans_of(done[0]), *tree.slot_range(slot)), done[0][1])
    shown = window(data, tree, far // WINDOW)
    annotated = sum(length for length, node in shown["runs"] if shown["nodes"][node][2] != "unparsed")
    # As the app does: the first far request notes checkpoints, the next starts from them.
    checkpoints = Checkpoints(fmt, size)
    noting_s, (_done, checkpoints) = timed(
        pool.run_sized, size, annotate_from, data, fmt, options, [(far, far + WINDOW)], checkpoints
    )
    other = size * 6 // 10 // WINDOW * WINDOW
    resumed_s, (resumed, checkpoints) = timed(
        pool.run_sized, size, annotate_from, data, fmt, options, [(other, other + WINDOW)], checkpoints
    )
    zero_s, from_zero = timed(pool.run_sized, size, annotate, data, fmt, options, [(other, other + WINDOW)])
    assert resumed == from_zero, f"{fmt}: the window from checkpoints differs from the walk from byte 0"
    slice_line = ""
    if fmt not in ALONE or options:  # the values a tree slice there shows: from a decode, or each read alone
        spans = spans_of(resumed[0])
        decode_s, decoded = timed(pool.run_sized, size, values_of, data, fmt, options, spans)
        alone_s, (alone, checkpoints) = timed(pool.run_sized, size, values_from, data, fmt, options, spans, checkpoints)
        assert alone == decoded, f"{fmt}: the values read alone differ from the decode's"
        slice_line = f"values of its {len(decoded)} items: decode again {decode_s:5.2f} s, read alone {alone_s:5.3f} s"
    library_s, _ = timed(library_parse, fmt, data)
    local = fl.load(data, fmt, peel=False, **options)
    local.spans  # noqa: B018 - the decode's own work done, as in the worker before the window
    walk_s, _ = timed(window_spans, local, far, far + WINDOW)
    del local
    gc.collect()
    # many windows, spread over the rest, in the browser's batches
    slots = tree.slot_count()
    chosen = sorted({round(i * (slots - 1) / max(windows - 1, 1)) for i in range(windows)}) if windows else []
    peak = 0
    many_s = time.perf_counter()
    for lo in range(0, len(chosen), BATCH):
        batch = chosen[lo : lo + BATCH]
        ranges = [tree.slot_range(s) for s in batch]
        results, checkpoints = pool.run_sized(size, annotate_from, data, fmt, options, ranges, checkpoints)
        tree.trim(keep=set(batch))  # as the inspector's payload does before filling
        for s, result in zip(batch, results, strict=True):
            tree.fill(s, restrict(spans_of(result), *tree.slot_range(s)), result[1])
        peak = max(peak, held_by(tree))
    many_s = time.perf_counter() - many_s
    held = held_by(tree)
    print(
        f"{name:15} {size / 2**20:5.1f} MiB  first view {first_s:5.1f} s (annotated to {cut / size:4.0%})  "
        f"far window at 90% from byte 0 {one_s:5.2f} s [library parse {library_s:5.2f} s, windowed walk "
        f"{walk_s * 1000:6.1f} ms, {annotated:,} of {len(shown['hex']) // 2:,} bytes annotated]\n"
        f"{'':15} checkpoints: first far request (90%, notes them) {noting_s:5.2f} s, then at 60% {resumed_s:5.3f} s "
        f"(from byte 0 there: {zero_s:5.2f} s; same result) [{checkpoints.marks:,} checkpoints in "
        f"{len(checkpoints.frames)} containers, {len(pickle.dumps(checkpoints)) / 1024:,.0f} KiB pickled]"
    )
    if slice_line:
        print(f"{'':15} {slice_line}")
    if chosen:
        print(
            f"{'':15} {len(chosen)} windows in {many_s:5.1f} s: tree holds at most {peak / 2**20:5.1f} MiB, "
            f"{held / 2**20:5.1f} MiB at the end ({len(tree.slots)} windows kept)  RSS {rss_mib():,.0f} MiB"
        )


def held_by(tree: TreeModel) -> int:
    """Bytes of the objects the tree's merged windows hold (spans, their labels and paths, the values
    decoded there, and the child lists made of them), each object counted once."""
    seen: set[int] = set()
    total = 0
    stack: list = [tree.slots, tree._slot_values, tree._slot_spans, tree.more_values]
    rest = tree.rest_path()
    stack += [items for node, items in tree._items.items() if rest is not None and node[:1] == rest]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
    return total


def rss_mib() -> float:
    import os

    return rss(os.getpid()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=46)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--windows", type=int, default=300)
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    pool = WorkerPool()
    try:
        for fmt in args.formats.split(","):
            one(fmt, args.mb, args.windows, pool)
    finally:
        pool.close()
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
