"""`python -m formatlens inspect URL` on a 1 GiB Parquet file: how many bytes it reads.

    python bench/remote_inspect.py [--size-mb 1024]

Writes a Parquet file of about --size-mb MB (random, incompressible columns, several row groups)
with pyarrow, serves it from a local HTTP server with Range support that counts the bytes it sends
(tests/support/rangeserver), and runs the CLI's `inspect` on its URL in a child process, then
again with `--rows 20`. It prints the bytes served for each against the file's size (goal: the
footer view reads under 1 MB of a 1 GB file).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.rangeserver import serving

ROOT = Path(__file__).resolve().parent.parent


def big_parquet(size_mb: int) -> bytes:
    rng = np.random.default_rng(13)
    sink = pa.BufferOutputStream()
    rows_per_group = 2_000_000
    schema = pa.schema([("id", pa.int64()), ("value", pa.float64()), ("code", pa.int64()), ("blob", pa.binary())])
    with pq.ParquetWriter(sink, schema, compression="none") as writer:
        start = 0
        while sink.tell() < size_mb * 1024 * 1024:
            n = rows_per_group
            writer.write_table(
                pa.table(
                    {
                        "id": np.arange(start, start + n),
                        "value": rng.random(n),
                        "code": rng.integers(0, 2**62, n),
                        "blob": pa.array([b"x" * 16] * n),
                    },
                    schema=schema,
                )
            )
            start += n
    return sink.getvalue().to_pybytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    started = time.perf_counter()
    data = big_parquet(args.size_mb)
    print(f"Parquet file: {len(data):,} bytes (written in {time.perf_counter() - started:.0f} s)")
    with serving({"big.parquet": data}) as server:
        for extra in ([], ["--rows", "20"]):
            before = server.served
            result = subprocess.run(
                [sys.executable, "-m", "formatlens", "inspect", f"{server.url}/big.parquet", *extra],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise SystemExit(result.stderr)
            served = server.served - before
            label = "inspect URL" + (" " + " ".join(extra) if extra else "")
            print(f"{label:<26} served {served:>12,} bytes = {served / len(data):.5%} of the file")
            print("   CLI says: " + result.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
