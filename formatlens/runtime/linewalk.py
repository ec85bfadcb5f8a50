"""Far windows of a JSON Lines stream: the lines there, found by their line ends, each read alone.

A JSON Lines upload is peeled by the json-lines layer (layers.framing) and decoded as a stream
(layers.peel: one "entry" span per non-blank line, labelled "line N", its JSON spans nested under the
path (N - 1,)). The JSON walker of runtime.annotate would read the whole stream as one JSON value;
lines need no checkpoints instead: the lines over a window are found with rfind/find of b"\\n" around
it, and N by counting the line ends before it (C-speed bytes methods: no Python loop over 45 MiB of
lines per request). Each line gets the spans the stream's own spans() makes for it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from formatlens.core.checkpoints import Checkpoints
from formatlens.core.document import Span, _as_tuples
from formatlens.core.errors import FormatError
from formatlens.core.limits import current, sized_for, span_window
from formatlens.layers.base import shift
from formatlens.render.tree import restrict

KIND = "json-lines"
"""The layer kind whose streams these windows annotate."""
BLANK = re.compile(rb"(?:\n|\r(?!\n))(?=[ \t\x0b\x0c]*[\r\n])")
"""A line end followed by a blank line (what bytes.splitlines() and strip() leave empty: the layer's rule)."""
_BLANK_FIRST = re.compile(rb"[ \t\x0b\x0c]*[\r\n]")
"""A blank first line."""
MARK_STEP = 1 << 20
"""How far apart the kept counts of lines are (45 of them in a 45 MiB stream)."""


def annotate_lines(
    bounds: tuple[int, int],
    data: bytes,
    format: str,
    options: dict,
    ranges: Sequence[tuple[int, int]],
    checkpoints: Checkpoints,
) -> tuple[list[tuple], Checkpoints]:
    """In a worker: annotate_from() for a JSON Lines stream lying at ``bounds`` (start, end) of ``data``."""
    if not checkpoints.fits(format, len(data)):
        checkpoints = Checkpoints(format, len(data))
    from formatlens.runtime.annotate import item_values  # (it imports this module)

    out = []
    with sized_for(current().for_input(len(data))):
        for lo, hi in ranges:
            spans = line_spans(data, bounds, lo, hi, options, checkpoints.context)
            out.append((_as_tuples(spans), item_values(data, "json", spans)))
    return out, checkpoints


def line_spans(
    data: bytes, bounds: tuple[int, int], lo: int, hi: int, options: dict | None = None, context: dict | None = None
) -> list[Span]:
    """The stream's spans with bytes in ``lo``..``hi``: those of the lines there, as layers.peel makes them."""
    base, end = bounds
    lo, hi = max(lo, base), min(hi, end)
    if lo >= hi:
        return []
    first = data.rfind(b"\n", base, lo) + 1 or base  # after a \n a line starts (\r\n ends there too)
    last = data.find(b"\n", hi, end)
    last = end if last < 0 else last + 1
    index = _lines_before(data, base, first, {} if context is None else context)
    spans = []
    pos = first
    for line in data[first:last].splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        if body.strip():
            spans.append(_entry(body, pos, index, lo, hi, options or {}))
            index += 1
        pos += len(line)
    return restrict(spans, lo, hi)


def _lines_before(data: bytes, base: int, at: int, context: dict) -> int:
    """How many non-blank lines lie in ``base``..``at`` (``at``: where a line starts), counted from the
    last of the marks kept in ``context`` before it (each MARK_STEP bytes: the count there), which this
    count extends: a request counts at most MARK_STEP bytes once the marks reach its window."""
    marks: list[tuple[int, int]] = context.setdefault("jsonl.marks", [(base, 0)])
    pos, count = marks[bisect_right(marks, (at, 0)) - 1]
    while pos == marks[-1][0]:  # past the last mark: add marks up to ``at``
        mark = data.find(b"\n", pos + MARK_STEP, at) + 1
        if not mark:
            break
        count += _count(data, pos, mark)
        marks.append((pos := mark, count))
    return count + _count(data, pos, at)


def _count(data: bytes, start: int, end: int) -> int:
    """How many non-blank lines lie in ``start``..``end`` (both where a line starts): their ends (\n, \r\n
    or a lone \r, as bytes.splitlines has them) less the blank ones, with C-speed counts and one regex."""
    if start >= end:
        return 0
    ends = data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    return ends - len(BLANK.findall(data, start, end)) - bool(_BLANK_FIRST.match(data, start, end))


def _entry(body: bytes, start: int, index: int, lo: int, hi: int, options: dict) -> Span:
    """Line ``index + 1`` (``body``, at ``start``) as layers.peel's _stream spans it: an "entry" holding
    its "value" span, the line's own JSON spans inside (walked in the window only, as a far walk is)."""
    from formatlens.core.api import _decode

    label = f"line {index + 1}"
    path = (index,)
    try:
        with span_window(max(lo - start, 0), hi - start):
            inner: Sequence[Span] = _decode(body, "json", options, None).spans
    except FormatError:  # as the stream leaves a line that does not decode (layers.peel: _unparsed)
        inner = [Span(0, len(body), "value", f"unparsed, {len(body):,} bytes")]
    value = Span(start, start + len(body), "value", label, path, tuple(shift(span, start, path) for span in inner))
    return Span(start, start + len(body), "entry", label, path, (value,))
