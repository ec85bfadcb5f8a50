"""Aligned byte differences: inserts and deletes found, not only bytes that differ at the same offset.

The common head and tail are skipped first (memory comparisons). A middle of
up to EDLIB_MAX bytes a side is aligned exactly by edlib (Myers' bit-vector
edit distance in C, fast even when everything differs, as between a JSON
file and its YAML twin). A larger middle goes to Google's diff-match-patch
(Myers' O(ND) with a deadline): quick when few bytes differ, and past
``timeout`` it returns a coarser but still correct alignment (``exact`` is
then False). Either way the cost is bounded and nothing hangs the server.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

TIMEOUT_SECONDS = 2.0

HunkTag = Literal["replace", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class Hunk:
    """One difference: bytes a[a_start:a_end] became b[b_start:b_end] (an empty side: inserted or deleted)."""

    tag: HunkTag
    a_start: int
    a_end: int
    b_start: int
    b_end: int

    def start(self, side: str) -> int:
        return self.a_start if side == "a" else self.b_start

    def end(self, side: str) -> int:
        return self.a_end if side == "a" else self.b_end


@dataclass(frozen=True)
class ByteDiff:
    hunks: list[Hunk]
    exact: bool
    """False when the deadline cut the search short (the alignment is valid, maybe not minimal)."""
    size_a: int
    size_b: int

    @property
    def equal(self) -> bool:
        return not self.hunks

    def bytes_changed(self) -> tuple[int, int]:
        """Bytes of a deleted or replaced, bytes of b inserted or replacing."""
        return sum(h.a_end - h.a_start for h in self.hunks), sum(h.b_end - h.b_start for h in self.hunks)

    def next_difference(self, offset: int, side: str = "a") -> Hunk | None:
        """The first hunk that starts after ``offset`` on ``side`` ("a" or "b")."""
        starts = [h.start(side) for h in self.hunks]
        i = bisect_right(starts, offset)
        return self.hunks[i] if i < len(self.hunks) else None

    def previous_difference(self, offset: int, side: str = "a") -> Hunk | None:
        """The last hunk that starts before ``offset`` on ``side``."""
        starts = [h.start(side) for h in self.hunks]
        i = bisect_left(starts, offset) - 1
        return self.hunks[i] if i >= 0 else None


EDLIB_MAX = 40_000
"""Bytes a side that edlib aligns exactly (its time grows with the product of the two lengths)."""
MERGE_EQUAL_BELOW = 4
"""Equal runs shorter than this between two differences are folded into one hunk (readability)."""


def byte_diff(a: bytes, b: bytes, timeout: float = TIMEOUT_SECONDS) -> ByteDiff:
    """Align ``a`` and ``b`` and list where they differ (cost bounded; see the module docstring)."""
    if a == b:
        return ByteDiff([], True, len(a), len(b))
    head = _common_prefix(a, b)
    tail = _common_prefix(a[head:][::-1], b[head:][::-1])
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if not mid_a or not mid_b:
        runs, exact = [("-", len(mid_a)), ("+", len(mid_b))], True
    elif max(len(mid_a), len(mid_b)) <= EDLIB_MAX:
        runs, exact = _edlib_runs(mid_a, mid_b), True
    else:
        runs, exact = _dmp_runs(mid_a, mid_b, timeout)
    return ByteDiff(_hunks(runs, head), exact, len(a), len(b))


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, by binary search over memory comparisons (no per-byte Python loop)."""
    low, high = 0, min(len(a), len(b))
    view_a, view_b = memoryview(a), memoryview(b)
    while low < high:
        middle = (low + high + 1) // 2
        if view_a[low:middle] == view_b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _edlib_runs(a: bytes, b: bytes) -> list[tuple[str, int]]:
    import edlib

    cigar = edlib.align(a, b, mode="NW", task="path")["cigar"] or ""
    runs: list[tuple[str, int]] = []
    for count, op in re.findall(r"(\d+)([=XID])", cigar):
        n = int(count)
        if op == "=":
            runs.append(("=", n))
        elif op == "X":  # mismatches: a's bytes replaced by as many of b's
            runs += [("-", n), ("+", n)]
        elif op == "I":  # edlib's query (a) has bytes the target (b) lacks
            runs.append(("-", n))
        else:
            runs.append(("+", n))
    return runs


def _dmp_runs(a: bytes, b: bytes, timeout: float) -> tuple[list[tuple[str, int]], bool]:
    engine = diff_match_patch()
    engine.Diff_Timeout = timeout
    began = time.monotonic()
    ops = engine.diff_main(a.decode("latin-1"), b.decode("latin-1"), False)
    exact = time.monotonic() - began < timeout
    symbol = {0: "=", -1: "-", 1: "+"}
    return [(symbol[op], len(text)) for op, text in ops], exact


def _hunks(runs: list[tuple[str, int]], offset: int) -> list[Hunk]:
    hunks: list[Hunk] = []
    pos_a = pos_b = offset
    pending: list[int] | None = None  # [a_start, a_end, b_start, b_end] of the hunk being built
    for index, (op, n) in enumerate(runs):
        if n == 0:
            continue
        if op == "=":
            between = pending is not None and index + 1 < len(runs) and n < MERGE_EQUAL_BELOW
            pos_a += n
            pos_b += n
            if between and pending is not None:
                pending[1], pending[3] = pos_a, pos_b
                continue
            if pending is not None:
                hunks.append(_hunk(*pending))
                pending = None
            continue
        if pending is None:
            pending = [pos_a, pos_a, pos_b, pos_b]
        if op == "-":
            pos_a += n
            pending[1] = pos_a
        else:
            pos_b += n
            pending[3] = pos_b
    if pending is not None:
        hunks.append(_hunk(*pending))
    return hunks


def _hunk(a_start: int, a_end: int, b_start: int, b_end: int) -> Hunk:
    tag: HunkTag = "replace" if a_end > a_start and b_end > b_start else "delete" if a_end > a_start else "insert"
    return Hunk(tag, a_start, a_end, b_start, b_end)
