"""What decoding in a worker process adds per upload, against decoding in-process, side by side.

    python bench/isolation_latency.py [--repeat 9]

Both sides compute everything a view needs (value, spans, table, schema, findings); the worker
side also pickles the Document back to the server process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import compare  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402
from formatlens.runtime.isolation import WorkerPool  # noqa: E402


def in_process(data: bytes) -> fl.Document:
    document = fl.load(data)
    for part in ("value", "spans", "table", "schema", "findings"):
        getattr(document, part)
    return document


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    inputs = {
        "users.json (sample)": (ROOT / "samples" / "users.json").read_bytes(),
        "users.parquet (sample)": (ROOT / "samples" / "users.parquet").read_bytes(),
        "users.pickle (sample)": (ROOT / "samples" / "users.pickle").read_bytes(),
        "5,000 users, msgpack": fl.convert_value(users(5000), "msgpack").data,
        "30,000 users, JSON (5 MB)": fl.convert_value(users(30000), "json").data,
    }
    pool = WorkerPool(workers=2)
    pool.load(b"[1]")  # warm
    print(f"{'input':<28}{'bytes':>12}{'in-process':>13}{'worker':>11}{'added':>10}{'ratio':>8}")
    for name, data in inputs.items():
        ours, direct = compare(lambda d=data: pool.load(d), lambda d=data: in_process(d), args.repeat)
        print(
            f"{name:<28}{len(data):>12,}{direct * 1e3:>11.1f}ms{ours * 1e3:>9.1f}ms{(ours - direct) * 1e3:>8.1f}ms"
            f"{ours / direct:>8.2f}"
        )
    pool.close()


if __name__ == "__main__":
    main()
