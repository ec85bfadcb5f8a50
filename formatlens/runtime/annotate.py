"""Annotating a far window of a large input: a worker walks just those bytes (a span window).

A large input's first view annotates only its head (runtime.firstview). When the person scrolls
the hexdump, goes to an offset, finds something or opens a node past it, the inspector asks
for the windows on screen: a worker decodes the input again and walks its spans inside a
``span_window`` (core.limits) for each run of windows; the walkers pass over whole items before
the window without making spans (by their length prefixes where the format has them) and stop
after it. What comes back is the spans that overlap each window (and their ancestors) and the
decoded values of the small items there (for the tree's types and previews): a few KB per
window, never the whole span list or value. The server merges them into its TreeModel
(render.tree: fill), which keeps a bounded number of windows.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from formatlens.codecs.cbor import REFERENCES as CBOR_REFERENCES
from formatlens.core.boundary import translate
from formatlens.core.checkpoints import Checkpoints, resuming
from formatlens.core.document import Document, Span, SpanColumns, _as_spans, _as_tuples
from formatlens.core.errors import FormatError
from formatlens.core.limits import current, sized_for, span_window
from formatlens.render.preview import count_nodes
from formatlens.render.tree import CLASHED, MISSING, UNREADABLE, restrict, span_value_path, value_at
from formatlens.runtime.farwalk import NeedsDecode, context_of, far_walk, wire_walk_only
from formatlens.runtime.linewalk import annotate_lines

WINDOWED = frozenset({"json", "bson", "msgpack", "cbor", "protobuf", "csv", "avro", "yaml", "xml", "pickle"})
"""Formats whose span walkers honour a span window."""
ALONE = frozenset({"json", "msgpack", "cbor", "bson"})
"""Formats whose items are read alone from their own bytes (no header, schema or context needed)."""
ITEM_HEAD_VALUES = 2_000
"""Values kept of each far item: its preview and its first members (a first view's head keeps 20,000 in all).
A CBOR item holding a string reference or a shared value (codecs.cbor.REFERENCES) is not read alone."""
CALL_VALUES = 100_000
"""Values one request sends back in all (about 6 MB in the server)."""
VALUE_BYTES = 64 * 1024
"""Items up to this size in a window get their value decoded (larger ones: the items inside them)."""

NOT_ALONE: Any = object()
"""What an item's reader gives for an item whose value depends on bytes outside it: its parts with their own
paths may still be read, but not the parts that share its path (a CBOR reference's index is not its value)."""

Annotated = tuple[SpanColumns, dict]
"""One window's spans (as columns: they pickle fast) and {value path: head of the value}."""


def window_spans(document: Document, start: int, end: int) -> list[Span]:
    """The spans of ``document`` with bytes in ``start``..``end``: its codec's walk in a span window."""
    return _in_windows(lambda: document._guarded(document._spans_factory), [(start, end)])[0]


def _in_windows(walk: Callable[[], Sequence[Span]], ranges: Sequence[tuple[int, int]]) -> list[list[Span]]:
    """One walk for all ``ranges`` (items between them passed over once), its spans restricted to each."""
    (start, end), *more = ranges
    with span_window(start, end, *more):
        walked = sorted(walk(), key=lambda s: (s.start, -s.end))
    return [restrict(walked, lo, hi) for lo, hi in ranges]


def annotate(data: bytes, format: str, options: dict, ranges: Sequence[tuple[int, int]]) -> list[Annotated]:
    """In a worker: annotate each of ``ranges`` (start, end) of ``data`` as ``format``, walking from byte 0."""
    return annotate_from(data, format, options, ranges, Checkpoints(format, len(data)))[0]


def annotate_from(
    data: bytes, format: str, options: dict, ranges: Sequence[tuple[int, int]], checkpoints: Checkpoints
) -> tuple[list[Annotated], Checkpoints]:
    """In a worker: annotate each of ``ranges`` (start, end) of ``data`` as ``format``, the walks starting
    at ``checkpoints`` (core.checkpoints: noted by earlier walks of this input); returns the annotations
    and the checkpoints with those this walk noted. Formats whose items stand alone are only walked (the
    first view's decode accepted these bytes: the whole parse is not done again); the others are decoded
    again first (a CSV row needs the dialect, an Avro block the header, a protobuf field the schema)."""
    from formatlens.core.api import load

    if not checkpoints.fits(format, len(data)):  # noted for another input: start afresh
        checkpoints = Checkpoints(format, len(data))
    try:
        walk = _walk_only(data, format, checkpoints) if not options else None
        if walk is not None:
            with resuming(checkpoints):
                return _walked(data, format, walk, ranges, lambda spans: item_values(data, format, spans)), checkpoints
    except FormatError:  # bytes only the codec's own reading accepts: decoded again below, as it does
        checkpoints = Checkpoints(format, len(data))  # what the refused walk noted is not kept
    far = far_walk(data, format, options, checkpoints)
    if far is not None:  # what the walk needs of a decode was kept from an earlier request's (runtime.farwalk)
        walk, read = far

        def read_values(spans: Sequence[Span]) -> dict[tuple, Any]:
            return {} if read is None else _values(spans, lambda span, _path: read(span))

        try:
            with resuming(checkpoints):
                return _walked(data, format, walk, ranges, read_values), checkpoints
        except NeedsDecode:  # an item whose value depends on the others: decoded whole below
            pass
    document = load(data, format, peel=False, **options)
    checkpoints.context.update(context_of(document))
    out = []
    with resuming(checkpoints):
        windows = _in_windows(lambda: document._guarded(document._spans_factory), ranges)
    for spans in windows:
        if format in ALONE:
            values = item_values(data, format, spans)
        elif not wire_walk_only(document):  # the parse made the value (CSV rows, Avro records, a message)
            values = _values(spans, lambda _span, path: value_at(document.value, path))
        else:  # a large schemaless protobuf: its whole value is a second, full walk (the labels say enough)
            values = {}
        out.append((_as_tuples(spans), values))
    return out, checkpoints


def _walk_only(data: bytes, format: str, checkpoints: Checkpoints) -> Callable[[], Sequence[Span]] | None:
    """The codec's own span walk of ``data``, without its parse (the walkers check every byte they
    read; items passed over in a span window are read by the format's library or their lengths).
    What it learns of the whole input once is kept in ``checkpoints.context``."""
    # The codecs' walkers, as their decode() hands them to the Document.
    if format == "json":
        from formatlens.codecs.json import codec as json_codec
        from formatlens.codecs.json import top_level_spans
        from formatlens.codecs.support.jsonscan import has_comment_marks

        text = json_codec._text(data)
        plain = checkpoints.context.get("json.plain")
        if plain is None:  # a scan of the whole text: once per input
            plain = checkpoints.context["json.plain"] = not has_comment_marks(text.text)
        if not plain:  # maybe JSON with comments: the codec's reading blanks them first
            return None
        return lambda: top_level_spans(text)
    if format == "bson":
        from formatlens.codecs.bson import _Walker as BsonWalker

        many = int.from_bytes(data[:4], "little", signed=True) != len(data)  # decode()'s "more than one document"
        return lambda: BsonWalker(data).items(many)
    if format == "msgpack":
        from formatlens.codecs.msgpack import _Walker as MsgpackWalker

        return lambda: MsgpackWalker(data).items()
    if format == "cbor":
        from formatlens.codecs.cbor import _Walker as CborWalker

        return lambda: CborWalker(data).items()
    if format == "pickle":  # opcodes are read, never run; their spans have no values
        from formatlens.codecs.pickle.codec import opcode_spans

        return lambda: opcode_spans(data)
    return None


def _walked(
    data: bytes,
    format: str,
    walk: Callable[[], Sequence[Span]],
    ranges: Sequence[tuple[int, int]],
    values: Callable[[Sequence[Span]], dict[tuple, Any]],
) -> list[Annotated]:
    from formatlens.core.registry import get

    codec = get(format)
    needs: list[NeedsDecode] = []

    def walked() -> Sequence[Span]:
        try:
            return walk()
        except NeedsDecode as exc:  # a far walk that cannot go on from its checkpoint (a YAML alias to an
            needs.append(exc)  # anchor before it): not a bug, the caller decodes the whole input instead
            return []

    with sized_for(current().for_input(len(data))):
        found = _in_windows(lambda: translate(format, walked, bad_input=codec.bad_input), ranges)
    if needs:
        raise needs[0]
    return [(_as_tuples(spans), values(spans)) for spans in found]


def spans_of(annotated: Annotated) -> list[Span]:
    """On the server: the spans a worker sent back."""
    return _as_spans(annotated[0])


def item_values(data: bytes, format: str, spans: Sequence[Span]) -> dict[tuple, Any]:
    """{value path: the head of the value} for the outermost items of at most VALUE_BYTES among ``spans``,
    each decoded from its own bytes by the format's codec (an item that cannot be read alone, e.g. a
    CBOR shared reference, gets no value: the tree shows its span's label)."""
    from formatlens.core.api import load

    def alone(span: Span, _path: tuple) -> Any:
        raw = data[span.start : span.end]
        if format == "cbor" and any(tag in raw for tag in CBOR_REFERENCES):
            # Numbered across the whole input: read alone, a reference would find another value. The
            # reference itself has no value here (its content is an index); an item holding one, its parts.
            return NOT_ALONE if raw.startswith(CBOR_REFERENCES) else MISSING
        element = format == "bson" and span.kind == "entry"
        if element:  # a BSON element (type, key, value) is read as the one element of a document
            raw = struct.pack("<i", len(raw) + 5) + raw + b"\x00"
        try:
            value = load(raw, format, peel=False).value
        except FormatError:  # not readable alone (a JSON member "key": value): its parts may be
            return MISSING
        if element and isinstance(value, dict) and len(value) == 1:
            value = next(iter(value.values()))
        return value

    return _values(spans, alone)


def _values(spans: Sequence[Span], read: Callable[[Span, tuple], Any]) -> dict[tuple, Any]:
    """{path: head of read(span, path)} for the outermost spans of at most VALUE_BYTES that stand for a value
    (the spans inside one that ``read`` cannot make are tried instead)."""
    from formatlens.runtime.firstview import head_of

    values: dict[tuple, Any] = {}
    tried: list[tuple] = []  # paths whose item was tried and gave no value of its own
    left = CALL_VALUES
    owner: dict[tuple, tuple[int, int]] = {}  # path -> the bytes of the item that stands for it
    stack = list(reversed(spans))
    while stack:
        span = stack.pop()  # in byte order, a parent before its children: a cut request drops the farthest
        path = span_value_path(span)
        inside = reversed(span.children)
        if path is None:
            stack.extend(inside)
            continue
        start, end = owner.setdefault(path, (span.start, span.end))
        if span.start < start or span.end > end:  # another item with the same path (a repeated key)
            values[path] = CLASHED  # neither is shown as the other's
            continue
        if path in values:  # a span inside the item already read (a JSON member's value)
            continue
        value = read(span, path) if span.end - span.start <= VALUE_BYTES else MISSING
        if value is NOT_ALONE:
            stack.extend(child for child in inside if span_value_path(child) != path)
        if value is MISSING:
            stack.extend(inside)
        if value is NOT_ALONE or value is MISSING:  # its parts may still be read (a JSON member's value)
            tried.append(path)
            continue
        values[path] = kept = head_of(value, budget=ITEM_HEAD_VALUES)
        left -= count_nodes(kept, left)
        if left <= 0:  # a crafted input of large items: the items past here are not reached (asked again later)
            break
    for path in tried:
        values.setdefault(path, UNREADABLE)
    return values


def values_of(data: bytes, format: str, options: dict, spans: Sequence[Span]) -> dict[tuple, Any]:
    """In a worker: {path: head of the value} of ``spans`` (items past a first view's head that a tree
    slice shows): read alone from their own bytes where the format's items stand alone, else from the
    value of a decode of the input again."""
    from formatlens.core.api import load

    if format in ALONE and not options:
        return item_values(data, format, spans)
    document = load(data, format, peel=False, **options)
    if wire_walk_only(document):  # a large schemaless protobuf: its value is a second full walk
        return {path: UNREADABLE for path in map(span_value_path, spans) if path is not None}
    return _values(spans, lambda _span, path: value_at(document.value, path))


def values_from(
    data: bytes, format: str, options: dict, spans: Sequence[Span], checkpoints: Checkpoints
) -> tuple[dict[tuple, Any], Checkpoints]:
    """values_of(), each item read alone from its bytes and what an earlier request's decode left in
    ``checkpoints.context`` (runtime.farwalk: a CSV row with the dialect and header, an Avro record with
    the header, a protobuf field with the schema) where it can, else from a decode of the input again
    (which leaves that context for the next request); returns the values and the checkpoints."""
    from formatlens.core.api import load

    if not checkpoints.fits(format, len(data)):  # noted for another input: start afresh
        checkpoints = Checkpoints(format, len(data))
    if not any(span_value_path(inner) is not None for span in spans for inner in span.walk()):
        return {}, checkpoints  # a pickle's opcodes: no span stands for a value, nothing to decode for
    if format in ALONE and not options:
        return item_values(data, format, spans), checkpoints
    far = far_walk(data, format, options, checkpoints)
    if far is not None and far[1] is None:  # a large schemaless protobuf: as values_of says of it
        return {path: UNREADABLE for path in map(span_value_path, spans) if path is not None}, checkpoints
    if far is not None and far[1] is not None:
        read = far[1]
        try:
            return _values(spans, lambda span, _path: read(span)), checkpoints
        except NeedsDecode:  # an item whose value depends on the others: decoded whole below
            pass
    document = load(data, format, peel=False, **options)
    checkpoints.context.update(context_of(document))
    if format == "yaml" and "yaml.far" in checkpoints.context:  # the next far windows walk from its marks
        from formatlens.codecs.yamlfar import note_marks

        note_marks(document, checkpoints)
    if wire_walk_only(document):
        return {path: UNREADABLE for path in map(span_value_path, spans) if path is not None}, checkpoints
    return _values(spans, lambda _span, path: value_at(document.value, path)), checkpoints


class WindowAnnotator:
    """On the server: annotates windows of one input past its first view (annotate_from, in a worker) and
    reads the values of items past its head (values_from), keeping the checkpoints its walks noted and
    what a decode left for the next request (core.checkpoints). One per session's
    view of a document: the checkpoints come only from walks of these bytes, never from the browser."""

    def __init__(self, data: bytes, format: str, options: dict, lines: tuple[int, int] | None = None) -> None:
        """``lines``: where in ``data`` a JSON Lines stream lies (start, end), when the document is one
        (runtime.linewalk annotates its windows: the format's walker would read the stream as one value)."""
        self.data, self.format, self.options, self.lines = data, format, options, lines
        self.checkpoints = Checkpoints(format, len(data))

    def __call__(self, ranges: Sequence[tuple[int, int]]) -> list[Annotated]:
        task = annotate_from if self.lines is None else partial(annotate_lines, self.lines)
        return self._run(task, list(ranges))

    def values(self, spans: Sequence[Span]) -> dict[tuple, Any]:
        """The values of items past the first view's head that a tree slice shows (values_from, in a worker)."""
        return self._run(values_from, list(spans))

    def _run(self, task: Callable[..., tuple[Any, Checkpoints]], items: list) -> Any:
        """``task`` on these bytes and ``items`` with the checkpoints so far (in a worker unless
        FORMATLENS_ISOLATE=0); the checkpoints it comes back with are kept for the next request."""
        args = (self.data, self.format, self.options, items, self.checkpoints)
        if os.environ.get("FORMATLENS_ISOLATE", "1") == "0":
            result, checkpoints = task(*args)
        else:
            from formatlens.runtime.isolation import shared_pool

            result, checkpoints = shared_pool().run_sized(len(self.data), task, *args)
        # Requests of one session run one at a time; were two to overlap, either's checkpoints are true.
        self.checkpoints = checkpoints
        return result
