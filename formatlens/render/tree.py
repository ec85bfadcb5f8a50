"""The structure tree: the span tree as nodes a person expands one level at a time.

A node is what a hex editor's structure pane shows: a label, a type, a byte
range and a value preview. Its children are made on demand (a node's children
are computed when it is expanded, never for the whole input), and the bytes a
parent has that none of its children explain are shown as "unparsed" nodes,
so every byte of the input belongs to some node. Where spans stop (a JSON
object annotated as one span), the tree goes on into the decoded value: those
nodes have a type and a preview but no byte range of their own.

A node is named by its path of child indexes from the root, e.g. ``(3, 0, 5)``;
the browser writes it as "3/0/5". Long child lists are split 100 per level by
the view (``GROUP``), and the browser asks for them 100 at a time.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple

from formatlens.core.document import Span
from formatlens.render import typed
from formatlens.runtime.gcpause import gc_paused

GROUP = 100
"""Children per level: longer lists are split into groups of 100, 10,000, ..."""
UNPARSED = "unparsed"
"""The kind of a gap: bytes inside a parent that no child span explains."""
PREVIEW_CHARS = 60

_MISSING = object()


class Item(NamedTuple):
    """One child of a node: a span, a gap, or (below the spans) a member of the decoded value."""

    start: int
    """First byte, or -1 for a value member without bytes of its own."""
    end: int
    kind: str
    label: str
    span: Span | None = None
    value_path: tuple | None = None
    """Where this node's value is in Document.value (None: no value, e.g. a length or a tag)."""


def type_name(value: Any) -> str:
    """A short type name a person recognises (minimal; the fidelity work gives richer names)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if type(value) is int else typed.type_name(value)  # bson.Int64 stays Int64
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else "Infinity" if math.isinf(value) else "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"bytes[{len(value)}]"
    if isinstance(value, dict):
        if isinstance(value.get("!tag"), str):  # a YAML custom tag read as data (!Ref, !vault...)
            return typed.type_name(value)
        return f"object{{{len(value)}}}"
    if isinstance(value, (list, tuple)):
        return f"array[{len(value)}]"
    if isinstance(value, (set, frozenset)):
        return f"set[{len(value)}]"
    if isinstance(value, _dt.datetime):
        return "datetime" + (" (zone)" if value.tzinfo is not None else " (no zone)")
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, _dt.time):
        return "time"
    if isinstance(value, decimal.Decimal):
        return "decimal"
    if isinstance(value, uuid.UUID):
        return "uuid"
    return typed.type_name(value)  # library types (bson, msgpack, cbor2...) named as the CLI names them


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """One line of a value: scalars in full (cut at ``limit``), containers by their size."""
    if isinstance(value, dict):
        return f"{{{len(value):,} keys}}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"[{len(value):,} items]"
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value[:24])
        return raw.hex(" ") + (" …" if len(value) > 24 else "")
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _container(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple))


def _members(value: Any) -> list[tuple[Any, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    return list(enumerate(value))


class TreeModel:
    """The lazy tree over one document's spans and value; child lists are cached as they are asked for."""

    def __init__(self, spans: Sequence[Span], value: Any = _MISSING, size: int = 0) -> None:
        self.roots = list(spans)
        self.value = value
        self.size = size
        self._items: dict[tuple, list[Item]] = {}
        self._starts: dict[tuple, list[int]] = {}
        self._reach: dict[tuple, list[int]] = {}

    # -- value lookups -------------------------------------------------------------------
    def value_at(self, path: tuple | None) -> Any:
        if path is None or self.value is _MISSING:
            return _MISSING
        node = self.value
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return _MISSING
        return node

    # -- children ------------------------------------------------------------------------
    def items(self, node: tuple[int, ...]) -> list[Item]:
        """The children of ``node`` (``()`` is the root), in byte order, gaps included."""
        cached = self._items.get(node)
        if cached is not None:
            return cached
        with gc_paused():  # hundreds of thousands of small tuples: no collections while they are made
            made = self._with_gaps(self.roots, 0, self.size) if not node else self._children_of(self.item(node))
        self._items[node] = made
        return made

    def item(self, node: tuple[int, ...]) -> Item:
        parent = self.items(node[:-1])
        if not 0 <= node[-1] < len(parent):
            raise KeyError(node)
        return parent[node[-1]]

    def _children_of(self, item: Item) -> list[Item]:
        if item.span is not None and item.span.children:
            return self._with_gaps(list(item.span.children), item.start, item.end)
        path = self.value_path(item)
        if path is None or item.kind in (UNPARSED, "key"):
            return []
        value = self.value_at(path)
        if not _container(value):
            return []
        return [Item(-1, -1, "member", str(k), None, (*path, k)) for k, _ in _members(value)]

    def _with_gaps(self, spans: list[Span], start: int, end: int) -> list[Item]:
        # The hot path for a large input (hundreds of thousands of root spans): plain tuples, no
        # labels or value paths yet; row() makes those for the few children that are shown.
        out: list[Item] = []
        append, new = out.append, tuple.__new__
        cursor = start
        for span in spans:
            if span.start > cursor:
                append(new(Item, (cursor, span.start, UNPARSED, "", None, None)))
            append(new(Item, (span.start, span.end, span.kind, span.label, span, None)))
            if span.end > cursor:
                cursor = span.end
        if end > cursor:
            append(new(Item, (cursor, end, UNPARSED, "", None, None)))
        return out

    @staticmethod
    def value_path(item: Item) -> tuple | None:
        """Where ``item``'s value is in Document.value; only spans that stand for a value have one
        (a length, a tag or a type byte does not)."""
        if item.value_path is not None:
            return item.value_path
        span = item.span
        if span is not None and span.kind in ("value", "entry") and span.path:
            return tuple(span.path)
        return None

    def count(self, node: tuple[int, ...]) -> int:
        """How many children ``node`` has (computes that one level only)."""
        return len(self.items(node))

    # -- rows for the browser ------------------------------------------------------------
    def row(self, node: tuple[int, ...], item: Item) -> list:
        """[start, end, kind, label, type, preview, children] as the view draws a node."""
        value = self.value_at(self.value_path(item))
        if value is _MISSING:
            kind_type = "gap" if item.kind == UNPARSED else item.kind
            type_text, preview_text = kind_type, ""
        else:
            type_text, preview_text = type_name(value), preview(value)
        label = gap_label(item) if item.kind == UNPARSED else item.label
        return [item.start, item.end, item.kind, label, type_text, preview_text, self.count(node)]

    def rows(self, node: tuple[int, ...], lo: int, hi: int) -> list[list]:
        """Rows of the children ``lo``..``hi`` (exclusive) of ``node``."""
        children = self.items(node)
        return [self.row((*node, i), children[i]) for i in range(max(lo, 0), min(hi, len(children)))]

    # -- byte -> node ----------------------------------------------------------------------
    def overlapping(self, node: tuple[int, ...], start: int, end: int) -> list[int]:
        """Indexes of the children of ``node`` with bytes in ``start``..``end`` (exclusive)."""
        children = self.items(node)
        if node not in self._starts:
            starts = [c.start for c in children]
            reach, top = [], -1
            for c in children:  # reach[i]: the furthest end among children 0..i (siblings may overlap)
                top = max(top, c.end)
                reach.append(top)
            self._starts[node], self._reach[node] = starts, reach
        starts, reach = self._starts[node], self._reach[node]
        first = bisect_right(reach, start)  # the first child whose reach passes ``start``
        last = bisect_left(starts, end)
        return [i for i in range(first, last) if children[i].end > start and children[i].start >= 0]

    def locate(self, offset: int) -> tuple[int, ...]:
        """The path of the deepest node with bytes that covers ``offset`` (``()`` if none)."""
        node: tuple[int, ...] = ()
        while True:
            hits = self.overlapping(node, offset, offset + 1)
            if not hits:
                return node
            node = (*node, hits[-1])  # the later sibling is the more specific one when spans overlap


def gap_label(item: Item) -> str:
    size = item.end - item.start
    return f"{size:,} byte{'s' if size != 1 else ''} not annotated"


def path_text(node: tuple[int, ...]) -> str:
    return "/".join(str(i) for i in node)


def parse_path(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("/") if part != "")
