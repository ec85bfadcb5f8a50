"""Side-by-side timing for the benchmarks: medians of two callables timed in alternation."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def compare(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of both, timed in alternation (after a warm-up each) so that drift on a shared
    machine hits both sides alike."""
    ours(), theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for side, fn in enumerate((ours, theirs)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times[side].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])
