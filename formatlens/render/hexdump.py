"""The hexdump model: windows of bytes, and which span (tree node) covers each byte.

A view sends only the windows on screen to the browser (4 KiB each), whatever
the size of the input; each byte carries the index of the innermost node
covering it, so the view can color it by kind, show the label on hover and,
on a click, reveal that node in the structure tree.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from formatlens.core.document import Span
from formatlens.render.tree import NOT_LAZY, UNPARSED, TreeModel, gap_label
from formatlens.render.tree import path_text as node_text

WINDOW = 4096
"""Bytes per hexdump window the browser asks for (256 rows of 16)."""
ROW = 16


@dataclass(frozen=True)
class SpanRow:
    """A span flattened for a table: where it is, what it is, how deep it nests."""

    start: int
    end: int
    kind: str
    label: str
    path: str
    depth: int

    @property
    def length(self) -> int:
        return self.end - self.start


def flatten(spans: list[Span], limit: int = 100_000) -> list[SpanRow]:
    """Every span, parents before children, in byte order (at most ``limit``)."""
    rows: list[SpanRow] = []
    stack = [(span, 0) for span in reversed(spans)]
    while stack and len(rows) < limit:
        span, depth = stack.pop()
        rows.append(SpanRow(span.start, span.end, span.kind, span.label, path_text(span.path), depth))
        stack.extend((child, depth + 1) for child in reversed(span.children))
    return rows


def path_text(path: tuple) -> str:
    """A value path as a person reads it: users/3/name."""
    return "/".join(str(step) for step in path)


def innermost_span(spans: list[Span], offset: int) -> Span | None:
    """The deepest span that covers ``offset``."""
    found, level = None, spans
    while True:
        starts = [s.start for s in level]
        i = bisect_right(starts, offset) - 1
        candidates = [s for s in level[max(i - 4, 0) : i + 1] if s.start <= offset < s.end]
        if not candidates:
            return found
        found = candidates[-1]
        level = list(found.children)


def span_for_path(spans: list[Span], path: tuple) -> Span | None:
    """The outermost span whose path is ``path`` (how a tree node finds its bytes)."""
    stack = list(spans)
    while stack:
        span = stack.pop(0)
        if span.path == path:
            return span
        if span.path == path[: len(span.path)] or not span.path:
            stack[:0] = list(span.children)
    return None


def window(data: bytes, tree: TreeModel, index: int, size: int = WINDOW) -> dict:
    """Window ``index`` of the hexdump: its bytes, the nodes on it (outer first) and, as runs,
    which of them is the innermost at each byte.

    ``nodes`` rows are [start, end, kind, label, node path]; ``runs`` is [[length, node index], ...]
    with -1 where no node covers the bytes (only possible outside the input).
    """
    start = index * size
    end = min(len(data), start + size)
    nodes: list[list] = []
    inner = [-1] * max(end - start, 0)

    def collect(node: tuple[int, ...]) -> None:
        children = tree.items(node)
        for i in tree.overlapping(node, start, end):
            child, path = children[i], (*node, i)
            position = len(nodes)
            label = gap_label(child) if child.kind == UNPARSED else child.label
            nodes.append([child.start, child.end, child.kind, label, node_text(path)])
            lo, hi = max(child.start, start) - start, min(child.end, end) - start
            inner[lo:hi] = [position] * (hi - lo)  # deeper nodes overwrite their parents
            if (child.span is not None and child.span.children) or child.slot != NOT_LAZY:
                collect(path)  # the rest of a large input and its windows hold nodes too

    if end > start:
        collect(())
    runs: list[list[int]] = []
    for value in inner:
        if runs and runs[-1][1] == value:
            runs[-1][0] += 1
        else:
            runs.append([1, value])
    return {"index": index, "offset": start, "hex": data[start:end].hex(), "nodes": nodes, "runs": runs}
