"""Aligned byte differences: inserts and deletes found, not only bytes that differ at the same offset.

Google's diff-match-patch (Myers' algorithm with a deadline) aligns the two
inputs as Latin-1 text, one character per byte. Its ``Diff_Timeout`` bounds
the cost: past the deadline it returns a coarser but still correct alignment
(``exact`` is then False), so a large or unrelated pair of inputs never hangs
the server.
"""

from __future__ import annotations

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


def byte_diff(a: bytes, b: bytes, timeout: float = TIMEOUT_SECONDS) -> ByteDiff:
    """Align ``a`` and ``b`` and list where they differ (cost bounded by ``timeout`` plus a linear scan)."""
    if a == b:
        return ByteDiff([], True, len(a), len(b))
    engine = diff_match_patch()
    engine.Diff_Timeout = timeout
    began = time.monotonic()
    ops = engine.diff_main(a.decode("latin-1"), b.decode("latin-1"), False)
    exact = time.monotonic() - began < timeout
    engine.diff_cleanupEfficiency(ops)  # merge differences split by a few equal bytes
    hunks: list[Hunk] = []
    pos_a = pos_b = 0
    pending: list[int] | None = None  # [a_start, a_end, b_start, b_end] of the hunk being built
    for op, text in ops:
        length = len(text)
        if op == 0:
            if pending is not None:
                hunks.append(_hunk(*pending))
                pending = None
            pos_a += length
            pos_b += length
            continue
        if pending is None:
            pending = [pos_a, pos_a, pos_b, pos_b]
        if op < 0:
            pos_a += length
            pending[1] = pos_a
        else:
            pos_b += length
            pending[3] = pos_b
    if pending is not None:
        hunks.append(_hunk(*pending))
    return ByteDiff(hunks, exact, len(a), len(b))


def _hunk(a_start: int, a_end: int, b_start: int, b_end: int) -> Hunk:
    tag: HunkTag = "replace" if a_end > a_start and b_end > b_start else "delete" if a_end > a_start else "insert"
    return Hunk(tag, a_start, a_end, b_start, b_end)
