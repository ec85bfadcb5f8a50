"""Far windows of a large YAML: the top-level items walked from a checkpoint near the window, each read alone.

A far window of a large YAML was annotated by decoding the whole input again (8-9 s at the upload cap).
Where the document is one block sequence or block mapping written from column 0 (what PyYAML's dump
writes), each top-level item starts on a line of its own ("- " or its key at column 0), and what the
parser does there does not depend on the items before it: a walk started on that line makes the same
events, shifted. The first far request's walk (from byte 0, after a decode) notes such lines about every
STEP bytes (core.checkpoints, ``noter``); the next walks start at the last one before their window
(``far_walk``), and an item's value is its own lines read alone.

Only where that is proven: the decode left ``far_context`` (one document, UTF-8, no directives, a
top level without tag or anchor, no top-level key given twice: the whole value's key is the item's);
a walk that meets an alias to an anchor before its checkpoint, and an item whose lines do not read
alone to one item with its key as written, raise NotAlone: the caller decodes the whole input instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import yaml

from formatlens.codecs.support import yamlevents
from formatlens.codecs.support.textpos import Text, split_bom
from formatlens.core.checkpoints import STEP, TOP, Checkpoints
from formatlens.core.document import Document, Span
from formatlens.core.errors import FormatError
from formatlens.core.limits import current_window

HEAD_CHARS = 64 * 1024
"""Text read for the directives and the top level's start (a longer head of comments: no far walks)."""


class NotAlone(Exception):
    """What a far walk cannot read from a checkpoint or an item's own lines: decode the whole input."""


def far_context(document: Document) -> dict[str, Any]:
    """{"yaml.far": {"mapping": bool}} when ``document`` (a whole decode) is one block sequence or mapping
    whose items a far walk may read from their own lines (see the module doc); else {}."""
    value = document.value
    if document.details.get("documents") != 1 or not isinstance(value, (list, dict)):
        return {}
    mapping = top_level(document.data)
    if mapping is None or mapping is not isinstance(value, dict):
        return {}
    if mapping and _top_level_repeats(document):
        return {}  # the whole value holds the last item of a repeated key: not each item's own
    if mapping and _MAYBE_MERGE.search(document.data):
        return {}  # a top-level merge key: the decode took PyYAML's node graph, whose spans are the merged pairs
    return {"yaml.far": {"mapping": mapping}}


_MAYBE_MERGE = re.compile(rb"^(?:<<|!!merge|!<tag:yaml\.org,2002:merge>|\?)", re.M)
"""A line that may start a top-level merge key (`<<:`, an explicit !!merge tag, a `? ` complex key)."""


def note_marks(document: Document, checkpoints: Checkpoints) -> None:
    """The checkpoints a decode of ``document``'s input marked over the whole of it, noted in ``checkpoints``
    (by its spans' walk in a window before its first entry: codecs.yaml._entry_spans notes them first), for a
    decode that makes no spans (runtime.annotate.values_from)."""
    from formatlens.core.checkpoints import resuming
    from formatlens.core.limits import span_window

    with resuming(checkpoints), span_window(0, 1):
        document._guarded(document._spans_factory)


def top_level(data: bytes) -> bool | None:
    """Whether the (first) document of ``data`` is a block mapping (True) or a block sequence (False) at
    column 0, in UTF-8, without directives and without a tag or anchor of its own; None if not."""
    from formatlens.codecs.yaml import _Loader

    encoding, skip = split_bom(data)
    if encoding not in (None, "utf-8"):
        return None
    head = data[skip : skip + HEAD_CHARS].decode("utf-8", "ignore")  # (a cut character at the end)
    loader = _Loader(head)
    try:
        loader.get_event()  # StreamStartEvent
        started, top = loader.get_event(), loader.get_event()
    except yaml.YAMLError:  # a head of more than HEAD_CHARS before the first item
        return None
    finally:
        loader.dispose()
    mapping = isinstance(top, yaml.MappingStartEvent)
    if not (mapping or isinstance(top, yaml.SequenceStartEvent)):
        return None
    if started.version or started.tags or top.tag is not None or top.anchor is not None:
        return None  # %YAML / %TAG directives, a tag or an anchor on the top level: the items' meaning depends on them
    if top.flow_style or top.start_mark.column != 0:
        return None
    return mapping


def window_from_checkpoints(data: bytes, checkpoints: Checkpoints) -> list[Span] | None:
    """For a decode's own spans in a span window (one document: codecs.yaml): the far walk's spans, from the
    checkpoints its marks were noted in, when there is one before the window; else None (walk from byte 0)."""
    window = current_window()
    frame = checkpoints.frames.get(TOP)
    if window is None or frame is None or frame.at_or_before(window[0]) is None:
        return None
    mapping = top_level(data)
    if mapping is None:
        return None
    walk, _read = far_walk(data, {"mapping": mapping}, checkpoints)
    try:
        return walk()
    except NotAlone:
        return None


def _top_level_repeats(document: Document) -> bool:
    """Whether a key may be given twice in the top-level mapping (the repeats the decode reported are all
    it found, unless as many as it keeps; one of an unknown mapping counts)."""
    from formatlens.codecs.support.duplicates import LIMIT

    repeats = [finding for finding in document.findings if finding.code == "yaml.duplicate-key"]
    if len(repeats) >= min(LIMIT, yamlevents.LIMIT_REPEATS):
        return True
    return any(finding.span is None or len(finding.span.path) <= 1 for finding in repeats)


def noter(text: str, byte_offset: Callable[[int], int], checkpoints: Checkpoints) -> Callable[[int, int, bool], None]:
    """yamlevents.window's ``note``: a top-level entry starting at character ``start`` of ``text``, at ``place``,
    becomes a checkpoint (its line's first byte, (place, mapping)) when its line starts with it: its key
    at column 0, or "- " and spaces before the item."""

    def note(start: int, place: int, mapping: bool) -> None:
        if not checkpoints.wants(TOP, byte_offset(start)):
            return
        line = text.rfind("\n", 0, start) + 1
        if mapping:
            alone = line == start
        else:
            alone = text.startswith("- ", line) and line + 2 <= start and not text[line + 2 : start].strip(" ")
        if alone:
            checkpoints.note(TOP, byte_offset(line), (place, mapping))

    return note


class _Shifted:
    """Character positions of a slice of the input -> the input's byte offsets (for yaml._range_span)."""

    def __init__(self, text: Text, base: int) -> None:
        self.text, self.base = text, base

    def byte_offset(self, char_index: int) -> int:
        return self.base + self.text.byte_offset(char_index)


def far_walk(
    data: bytes, context: dict[str, Any], checkpoints: Checkpoints
) -> tuple[Callable[[], list[Span]], Callable[[Span], Any]]:
    """The top-level entries of a span window (as the codec's spans there), walked from the last checkpoint
    before it, and an entry's value read from its own lines (NotAlone where either cannot be)."""
    from formatlens.codecs.yaml import _entry_span, _Loader

    mapping = bool(context["mapping"])

    def walk() -> list[Span]:
        window = current_window()
        if window is None:
            raise NotAlone("no window")
        # Far-apart ranges (a batch of windows over the input) each from their own checkpoint: events cost
        # what they pass over (about 4 MB/s), and a walk over the items between them would pass over all.
        groups: list[list[int]] = []
        for lo, hi in window.ranges:
            if groups and lo - groups[-1][1] < STEP:
                groups[-1][1] = hi
            else:
                groups.append([lo, hi])
        spans: dict[tuple, Span] = {}  # (an entry over two ranges' groups is found by both)
        for lo, hi in groups:
            for span in walk_range(lo, hi):
                spans.setdefault((span.start, span.end, span.path), span)
        return list(spans.values())

    def walk_range(lo: int, hi: int) -> list[Span]:
        start, state = checkpoints.start(TOP, 0, None, lo)
        frame = checkpoints.frames.get(TOP)
        later = frame.offsets[bisect_right(frame.offsets, hi) :] if frame is not None else []
        # The text to two checkpoints past the window: the entry that stops the walk is whole in it
        end = later[1] if len(later) > 1 else len(data)
        try:
            if state is None:  # from the start of the input (its BOM, directives marker and all)
                encoding, skip = split_bom(data)
                text, base, place, expect = Text(data[:end], encoding or "utf-8", skip), 0, 0, None
            else:
                text, base, (place, expect) = Text(data[start:end], "utf-8"), start, state
        except UnicodeDecodeError:  # (the decode read these bytes whole: never cut in a character)
            raise NotAlone("a cut character") from None
        if expect is not None and expect is not mapping:
            raise NotAlone("a checkpoint of another top level")
        shifted = _Shifted(text, base)
        loader = _Loader(text.text)
        try:
            found = yamlevents.window(
                loader,
                lo,
                hi,
                shifted.byte_offset,
                place=place,
                note=noter(text.text, shifted.byte_offset, checkpoints),
                mapping=expect,
            )
        except (yaml.YAMLError, yamlevents.Outside) as exc:  # the decode read these bytes: the cut did this
            raise NotAlone(str(exc)) from None
        finally:
            loader.dispose()
        return [_entry_span(shifted, entry, ()) for _document, entry in found]  # type: ignore[arg-type]

    def read(span: Span) -> Any:
        if span.kind != "entry" or len(span.path) != 1 or isinstance(span.path[0], int) is mapping:
            raise NotAlone("not a top-level entry")
        line = _item_line(data, span.start, mapping)
        if line is None:
            raise NotAlone("an entry whose lines do not start with it")
        value = _read_alone(data[line : span.end])
        key = span.path[0]
        if mapping and isinstance(value, dict) and len(value) == 1 and key in value and type(next(iter(value))) is str:
            return value[key]
        if not mapping and isinstance(value, list) and len(value) == 1:
            return value[0]
        raise NotAlone("its lines read as another value")  # e.g. a key written `1` is the int 1, a merge key

    return walk, read


GAP_BYTES = 4096
"""Most bytes of blank and comment lines looked through between a "-" and the item below it."""


def _item_line(data: bytes, start: int, mapping: bool) -> int | None:
    """Where the lines of the top-level item whose node (or key) starts at ``start`` begin: its key's line
    (the key at column 0), or the line of its "-": the node's own ("- " and spaces before it), or the first
    line above that is not blank or a comment (nothing but whitespace and comments lies between an item's
    "-" and its node), if it is a "-" alone; else None."""
    line = data.rfind(b"\n", 0, start) + 1
    if mapping:
        return line if line == start else None
    if data.startswith(b"- ", line) and line + 2 <= start and not data[line + 2 : start].strip(b" "):
        return line
    if data[line:start].strip(b" "):
        return None
    while line > 0 and start - line <= GAP_BYTES:
        above = data.rfind(b"\n", 0, line - 1) + 1
        content = data[above : line - 1].removesuffix(b"\r").rstrip(b" ")
        if not content.lstrip(b" ") or content.lstrip(b" ").startswith(b"#"):
            line = above
            continue
        after = content[1:]
        lone = content[:1] == b"-" and (not after or (after[:1] == b" " and after.lstrip(b" ").startswith(b"#")))
        return above if lone else None
    return None


def _read_alone(raw: bytes) -> Any:
    from formatlens.codecs.yaml import codec

    try:
        return codec.load(raw).value
    except FormatError:  # an alias to an anchor before it, or more nodes than one item may have alone
        raise NotAlone("its lines do not read alone") from None
