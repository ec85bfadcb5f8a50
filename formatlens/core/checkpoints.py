"""Checkpoints: item boundaries where a walk in a span window may start, instead of at byte 0.

A far window's walk (core.limits.span_window) passes over every item before the window: its cost
follows the window's position in the file, not what is on screen. While it passes over items, a
walker notes a checkpoint about every STEP bytes in each large container it is in: the offset of an
item boundary and what the walk needs to go on from there (the item's index; the character index of
a text format). When a container's loop ends, it notes where and in what state. A later walk of the
same input, given these checkpoints (``resuming``), starts each container's loop at the last
checkpoint at or before its window, and from past the window jumps to the container's known end:
the spans it makes are the same as a walk from byte 0 (tests/test_annotate.py compares them).

Checkpoints are found by our walkers in the input's own bytes, in a worker; the server keeps them
with the session's view of the document (runtime.annotate.WindowAnnotator) and sends them back with the
next request. The browser sends only window ranges, never a checkpoint. The index is bounded
(MAX_MARKS, MAX_FRAMES): past that, walks go on from the nearest checkpoint there is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formatlens.core.limits import SpanWindow

STEP = 64 * 1024
"""Bytes passed over between two checkpoints of one container (a resumed walk passes over at most this)."""
MAX_MARKS = 8192
"""Checkpoints per input in all (about 1 MB: a 50 MB input needs about 800)."""
MAX_FRAMES = 256
"""Containers with checkpoints or a known end, per input (the few a far window lies in, at any depth)."""
TOP = -1
"""The key of the top level (a stream of items, or a text's top-level members): containers are keyed by
the offset of their first byte."""


class Frame:
    """The checkpoints of one container: sorted offsets, the walk's state at each, and where its loop ended."""

    __slots__ = ("_next", "end", "offsets", "states")

    def __init__(self) -> None:
        self.offsets: list[int] = []
        self.states: list[Any] = []
        self.end: tuple[int, Any] | None = None
        """(offset, state) where the container's loop ended: a walk past its window jumps there."""
        self._next = 0
        """No checkpoint is noted before this offset (set as the walk notes one)."""

    def at_or_before(self, offset: int) -> tuple[int, Any] | None:
        """The last checkpoint at or before ``offset``."""
        i = bisect_right(self.offsets, offset) - 1
        return (self.offsets[i], self.states[i]) if i >= 0 else None

    def __getstate__(self) -> tuple:
        return self.offsets, self.states, self.end

    def __setstate__(self, state: tuple) -> None:
        self.offsets, self.states, self.end = state
        self._next = 0


class Checkpoints:
    """The checkpoints of one input (``size`` bytes, read as ``format``): {container key: Frame}.
    ``context``: what a format's walk needs besides (a CSV's dialect and header)."""

    def __init__(self, format: str, size: int) -> None:
        self.format = format
        self.size = size
        self.frames: dict[int, Frame] = {}
        self.context: dict[str, Any] = {}
        self.marks = 0
        self.ends: dict[int, int] = {}
        """{offset: end} of large items a walk passed over (a stream's one large item is not read again)."""

    def fits(self, format: str, size: int) -> bool:
        """Whether these checkpoints were noted in an input like this one (else a walk starts afresh)."""
        return self.format == format and self.size == size

    # -- a resumed walk ------------------------------------------------------------------
    def start(self, key: int, offset: int, state: Any, lo: int) -> tuple[int, Any]:
        """Where container ``key``'s loop starts for a window from ``lo``: the last checkpoint at or before
        ``lo`` past ``offset`` (where the loop starts without one), with its state; else ``offset``, ``state``."""
        frame = self.frames.get(key)
        found = frame.at_or_before(lo) if frame is not None else None
        if found is None or found[0] <= offset:
            return offset, state
        return found

    def end(self, key: int) -> tuple[int, Any] | None:
        """Where container ``key``'s loop ended in an earlier walk (offset, state), if noted."""
        frame = self.frames.get(key)
        return frame.end if frame is not None else None

    def step(self, key: int, offset: int, state: Any, window: SpanWindow) -> tuple[int, Any] | None:
        """At an item of container ``key`` in a walk of ``window``: past the window, where the container's
        loop ended in an earlier walk (offset, state), for the walk to jump there; else None, the item
        noted as a checkpoint (note)."""
        ended = self.end(key) if window.past(offset) else None
        if ended is None:
            self.note(key, offset, state)
        return ended

    def item_end(self, offset: int) -> int | None:
        """Where the item at ``offset`` ends, if an earlier walk passed over it and it was large."""
        return self.ends.get(offset)

    # -- noting, as a walk passes over items ---------------------------------------------
    def wants(self, key: int, offset: int) -> bool:
        """Whether note() may keep a checkpoint of container ``key`` at ``offset`` (a walk whose state is
        costly to copy asks first)."""
        frame = self.frames.get(key)
        if frame is None:
            return offset - key >= STEP and len(self.frames) < MAX_FRAMES
        return offset >= frame._next and self.marks < MAX_MARKS

    def note(self, key: int, offset: int, state: Any) -> None:
        """An item of container ``key`` starts at ``offset``, in ``state``: kept about every STEP bytes."""
        frame = self.frames.get(key)
        if frame is None:
            if offset - key < STEP or len(self.frames) >= MAX_FRAMES:  # none in a small container's first STEP
                return
            frame = self.frames[key] = Frame()
        if offset < frame._next:
            return
        frame._next = offset + STEP
        if self.marks >= MAX_MARKS:
            return
        i = bisect_left(frame.offsets, offset)
        if i > 0 and offset - frame.offsets[i - 1] < STEP:  # one noted by an earlier walk is near enough
            frame._next = frame.offsets[i - 1] + STEP
            return
        if i < len(frame.offsets) and frame.offsets[i] - offset < STEP:
            return
        frame.offsets.insert(i, offset)
        frame.states.insert(i, state)
        self.marks += 1

    def passed(self, offset: int, end: int) -> None:
        """A walk passed over the item at ``offset``..``end``: kept for large ones."""
        if end - offset >= STEP and len(self.ends) < MAX_FRAMES:
            self.ends[offset] = end

    def ended(self, key: int, offset: int, state: Any) -> None:
        """Container ``key`` ended its loop at ``offset`` in ``state``: kept for large ones."""
        frame = self.frames.get(key)
        if frame is None:
            if offset - key < STEP or len(self.frames) >= MAX_FRAMES:
                return
            frame = self.frames[key] = Frame()
        frame.end = (offset, state)


_resuming: ContextVar[Checkpoints | None] = ContextVar("formatlens_checkpoints", default=None)


@contextmanager
def resuming(checkpoints: Checkpoints) -> Iterator[Checkpoints]:
    """Within this block, walks in a span window start from ``checkpoints`` and note new ones in it."""
    token = _resuming.set(checkpoints)
    try:
        yield checkpoints
    finally:
        _resuming.reset(token)


def current_checkpoints() -> Checkpoints | None:
    """The checkpoints in force (``resuming``), or None: walks start at byte 0 and note nothing."""
    return _resuming.get()
