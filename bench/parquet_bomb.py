"""How fast a Parquet decompression bomb is refused, next to reading its footer with pyarrow directly.

The refusal should cost about what the footer read costs: the declared uncompressed size is checked
before any page is inflated. Run: python bench/parquet_bomb.py (needs ../shared/corpus).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import formatlens as fl

BOMB = (
    Path(__file__).resolve().parents[2]
    / "shared/corpus/parquet-testing/decompression_bomb/large_string_map.brotli.parquet"
)


def best_of(runs: int, step) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def refuse(data: bytes) -> None:
    document = fl.load(data, "parquet")
    try:
        document.value  # noqa: B018
    except fl.LimitExceeded:
        return
    raise AssertionError("the bomb was not refused")


def main() -> None:
    data = BOMB.read_bytes()
    footer = best_of(20, lambda: pq.ParquetFile(pa.BufferReader(data)).metadata)
    refused = best_of(20, lambda: refuse(data))
    print(
        f"pyarrow footer read: {footer * 1e3:.2f} ms; formatlens refusal: {refused * 1e3:.2f} ms; "
        f"ratio {refused / footer:.1f}x"
    )


if __name__ == "__main__":
    main()
