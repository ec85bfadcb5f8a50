"""Streaming CSV -> Parquet: formatlens's convert_file against pyarrow's own open_csv -> ParquetWriter loop.

    python bench/streaming_convert.py [--size-mb 2048] [--repeat 1] [--dir /tmp]

Generates a CSV of about --size-mb MB (ids, names, cities, scores, flags, timestamps), then runs,
alternately and each in a fresh child process, (a) pyarrow's loop: ``csv.open_csv`` and
``ParquetWriter.write_batch`` per batch, and (b) ``fl.convert_file(src, dst, "parquet")``. It prints
the wall time and the peak resident memory (VmHWM of the child) of each, and the ratio. Goals
(issue 13): peak memory under 1 GiB, time within 1.5x pyarrow's loop.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The child's own high-water mark. Not ru_maxrss: on Linux that survives fork + exec, so every child
# reported the bench parent's RSS (both runs showed exactly the parent's 313 MiB in the first 2 GB run).
PEAK = """
def peak_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

BASELINE = (
    PEAK
    + """
import sys, time
import pyarrow.csv as csv, pyarrow.parquet as pq
src, dst = sys.argv[1], sys.argv[2]
start = time.perf_counter()
reader = csv.open_csv(src)
with pq.ParquetWriter(dst, reader.schema, compression="snappy") as writer:
    for batch in reader:
        writer.write_batch(batch)
print(time.perf_counter() - start, peak_kb())
"""
)

FORMATLENS = (
    PEAK
    + """
import sys, time
sys.path.insert(0, sys.argv[3])
import formatlens as fl
src, dst = sys.argv[1], sys.argv[2]
start = time.perf_counter()
result = fl.convert_file(src, dst, "parquet")
print(time.perf_counter() - start, peak_kb())
"""
)


def generate(path: Path, size_mb: int) -> int:
    """A CSV of about size_mb MB written in 32 MB pieces by pyarrow (the bench must not hold it all)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as csv

    cities = np.array(["Lyon", "Nantes", "Lille", "Rennes", "Brest", "Nice", "Metz", "Dijon"])
    target, rows, written = size_mb * 1024 * 1024, 0, 0
    rng = np.random.default_rng(13)
    with open(path, "wb") as out:
        first = True
        while written < target:
            n = 400_000
            ids = np.arange(rows, rows + n)
            table = pa.table(
                {
                    "id": ids,
                    "name": pa.array([f"user-{i}" for i in ids]),
                    "city": pa.array(cities[rng.integers(0, len(cities), n)]),
                    "score": rng.random(n).round(4),
                    "active": rng.integers(0, 2, n).astype(bool),
                    "seen": pa.array(1_700_000_000_000 + ids * 1000, pa.timestamp("ms")),
                }
            )
            sink = pa.BufferOutputStream()
            csv.write_csv(table, sink, csv.WriteOptions(include_header=first))
            chunk = sink.getvalue()
            out.write(chunk)
            written += chunk.size
            rows += n
            first = False
    return rows


def measure(script: str, src: Path, dst: Path) -> tuple[float, int]:
    result = subprocess.run(
        [sys.executable, "-c", script, str(src), str(dst), str(ROOT)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"run failed: {result.stderr[-2000:]}")
    seconds, rss_kb = result.stdout.split()
    return float(seconds), int(rss_kb)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        src = Path(tmp) / "big.csv"
        started = time.perf_counter()
        rows = generate(src, args.size_mb)
        size = src.stat().st_size
        print(f"CSV: {size / 2**20:,.0f} MiB, {rows:,} rows (generated in {time.perf_counter() - started:.0f} s)")
        runs: dict[str, list[tuple[float, int]]] = {"pyarrow loop": [], "formatlens": []}
        for _ in range(args.repeat):
            for name, script in (("pyarrow loop", BASELINE), ("formatlens", FORMATLENS)):
                dst = Path(tmp) / f"{name.replace(' ', '-')}.parquet"
                runs[name].append(measure(script, src, dst))
                out_size = dst.stat().st_size
                dst.unlink()
        print(f"{'':<14} {'seconds':>8} {'MiB/s':>7} {'peak RSS MiB':>13}")
        summary = {}
        for name, values in runs.items():
            seconds = statistics.median(v[0] for v in values)
            peak = max(v[1] for v in values) / 1024
            summary[name] = (seconds, peak)
            print(f"{name:<14} {seconds:>8.1f} {size / 2**20 / seconds:>7.0f} {peak:>13.0f}")
        ratio = summary["formatlens"][0] / summary["pyarrow loop"][0]
        print(f"time ratio formatlens / pyarrow loop: {ratio:.2f}x (goal <= 1.5x)")
        print(f"formatlens peak memory: {summary['formatlens'][1]:.0f} MiB (goal < 1024 MiB)")
        print(f"last Parquet output: {out_size / 2**20:,.0f} MiB")
        print(json.dumps({"csv_bytes": size, "rows": rows, "ratio": round(ratio, 3), "runs": runs}))


if __name__ == "__main__":
    main()
