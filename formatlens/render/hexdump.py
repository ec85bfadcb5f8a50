"""The paged hexdump model: one page of bytes, and which span covers each byte.

A view sends only one page to the browser (4 KiB by default), whatever the
size of the input; each byte carries the index of the innermost span covering
it, so the view can color it by kind and show the span's label on hover.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from formatlens.core.document import Span

PAGE_SIZE = 4096
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


def page_of(offset: int, page_size: int = PAGE_SIZE) -> int:
    return max(offset, 0) // page_size


def page_count(size: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, -(-size // page_size))


def hex_page(data: bytes, spans: list[Span], page: int, page_size: int = PAGE_SIZE) -> dict:
    """What the hex view needs for one page: its bytes, the spans on it, and each byte's innermost span."""
    start = page * page_size
    end = min(len(data), start + page_size)
    chunk = data[start:end]
    on_page: list[tuple[Span, int]] = []  # (span, depth) overlapping the page, outer first

    def collect(level: list[Span], depth: int) -> None:
        starts = [s.start for s in level]
        first = max(bisect_right(starts, start) - 1, 0)
        for span in level[first:]:
            if span.start >= end:
                break
            if span.end > start:
                on_page.append((span, depth))
                collect(list(span.children), depth + 1)

    collect(spans, 0)
    innermost = [-1] * len(chunk)
    for index, (span, _depth) in enumerate(on_page):  # later (deeper) spans overwrite outer ones
        for offset in range(max(span.start, start), min(span.end, end)):
            innermost[offset - start] = index
    return {
        "offset": start,
        "hex": chunk.hex(),
        "spans": [[s.start, s.end, s.kind, s.label, path_text(s.path)] for s, _ in on_page],
        "innermost": innermost,
    }


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
