"""The structure tree: the span tree as nodes a person expands one level at a time.

A node is what a hex editor's structure pane shows: a label, a type, a byte
range and a value preview. Its children are made on demand (a node's children
are computed when it is expanded, never for the whole input), and the bytes a
parent has that none of its children explain are shown as "unparsed" nodes,
so every byte of the input belongs to some node. Where spans stop (a JSON
object annotated as one span), the tree goes on into the decoded value: those
nodes have a type and a preview but no byte range of their own. Types,
previews and what a value expands into are render/typed.py's: the tree, the
CLI's text tree and ``inspect --json`` name a value the same way.

A node is named by its path of child indexes from the root, e.g. ``(3, 0, 5)``;
the browser writes it as "3/0/5". Long child lists are split 100 per level by
the view (``GROUP``), and the browser asks for them 100 at a time. The groups
are cut by node index (so paths stay what they are), but they are labelled by
the items they hold: where gaps lie between the items (a pretty-printed JSON
array), 100 nodes are 50 records and 50 gaps, and ``marks()`` says so. A group
is named by the numbers its items show, at the root and in a window of the rest
alike: their indexes, or where labels count from 1 (a CSV's "row 1", JSON
Lines' "line 1") that count; a CSV's header row is not an item.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, NamedTuple, TypedDict

from formatlens.core.document import Span, count_spans
from formatlens.render import typed
from formatlens.render.preview import count_nodes
from formatlens.runtime.gcpause import gc_paused

GROUP = 100
"""Children per level: longer lists are split into groups of 100, 10,000, ..."""
UNPARSED = "unparsed"
"""The kind of a gap: bytes inside a parent that no child span explains."""
PREVIEW_CHARS = 60

NOT_LAZY, REST = -1, -2
MAX_SLOTS = 64
"""Windows of the rest kept annotated per tree (the least recently used are dropped: the same walk makes
them again, with the same node paths, when they are asked for again)."""
MAX_SLOT_SPANS = 20_000
"""Spans kept in those windows in all (about 6 MB, as many as a first view holds: a 4 KiB window of BSON
holds about 1,000 spans)."""

WINDOW_KIND = "window"
"""The kind of a window of the rest (a neutral color; its bytes no walk explains are gaps inside it)."""
MAX_MORE_VALUES = 2_000
"""Items past a first view's head whose values are kept per tree (values(): the tree slices a person opened)."""
MAX_KEPT_VALUES = 200_000
"""Values kept in all in those items' heads (about 12 MB): an item's head may hold 2,000 (runtime.annotate)."""

_kind = itemgetter(2)
_COUNTED = re.compile(r"(?:row|line) (\d+)")
"""Item labels that count from 1: a CSV's "row 1" and JSON Lines' "line 1" are item 0."""

MISSING: Any = object()
"""What value_at gives for a path that leads nowhere (None is a value)."""


class NoValue:
    """What a worker says of a path it cannot give a value for. Pickled as the name of this module's
    constant, so the server gets the same object back (``is`` compares them)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


CLASHED = NoValue("CLASHED")
"""Two items of one request stand for the path (a repeated key): neither is shown as the other's."""
UNREADABLE = NoValue("UNREADABLE")
"""The item was tried and has no value of its own to show (too large, or not readable alone)."""


class Marks(TypedDict):
    """How the groups of a node with gaps among its children are labelled (see TreeModel.marks)."""

    gaps: list[int]
    """gaps[k]: how many of the children before node k * GROUP (the last entry: before the end) are gaps."""
    origin: int
    """The number the first item is named by ([1500] in a window of the rest that starts there; 1 for a
    CSV's "row 1" or JSON Lines' "line 1"), else 0."""
    rest: bool
    """The last child, counted among the gaps, is "the rest" of a large input (the view names it so)."""
    head: list[str]
    """The kinds of the children before the first item that are not items, counted among the gaps (a
    CSV's "header" row; an array's "type" byte and "length"): the view names them ("the header")."""
    tail: list[str]
    """The same after the last item (a BSON document's "footer": its end byte)."""


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
    slot: int = NOT_LAZY
    """REST for the bytes a large input's first view did not annotate; k >= 0 for window k of them."""


def value_at(root: Any, path: Sequence | None) -> Any:
    """The value at ``path`` in ``root`` (``MISSING`` if the path leads nowhere). Steps index dicts,
    lists and tuples; other containers (sets, CBOR tags, DBRefs) by what typed.children lists."""
    if path is None or root is MISSING:
        return MISSING
    node = root
    for step in path:
        if isinstance(node, (dict, list, tuple)) and _module(node) != "msgpack":
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return MISSING
            continue
        node = dict(_members(node)).get(step, MISSING) if isinstance(step, (int, str)) else MISSING
        if node is MISSING:
            return MISSING
    return node


def span_value_path(span: Span) -> tuple | None:
    """Where the value a span stands for is in Document.value: only ``value`` and ``entry`` spans
    with a path have one (a length, a tag or a type byte does not)."""
    if span.kind in ("value", "entry") and span.path:
        return tuple(span.path)
    return None


def _module(value: Any) -> str:
    return type(value).__module__.split(".")[0]


def _members(value: Any) -> list[tuple[Any, Any]]:
    # typed.children is the one rule for what a value expands into (the CLI's tree uses it too)
    return typed.children(value)


class TreeModel:
    """The lazy tree over one document's spans and value; child lists are cached as they are asked for.

    ``rest_from``: where a large input's first view stopped annotating (runtime.firstview). The bytes
    from there are one root node, "the rest", whose children are its windows of ``step`` bytes (aligned
    like the hexdump's); a window's nodes are what a worker's walk of just those bytes found (fill()),
    so the node paths of everything else stay as they were. A window not annotated yet has one
    "not annotated yet" child, so the browser can ask to open it."""

    def __init__(
        self,
        spans: Sequence[Span],
        value: Any = MISSING,
        size: int = 0,
        rest_from: int | None = None,
        step: int = 4096,
    ) -> None:
        self.roots = list(spans)
        self.value = value
        self.size = size
        self.rest_from = rest_from if rest_from is not None and rest_from < size else None
        self.step = step
        self.slots: OrderedDict[int, list[Span]] = OrderedDict()
        """Annotated windows of the rest: slot -> the walk's spans there (least recently used first)."""
        self._slot_values: dict[int, dict[tuple, Any]] = {}
        self._slot_spans: dict[int, int] = {}
        self.more_values: OrderedDict[tuple, Any] = OrderedDict()
        self._weights: dict[tuple, int] = {}
        self._owners: dict[tuple, int] = {}
        """path -> the first byte of the item whose value more_values holds for it."""
        self._kept = 0
        self._asked: set[tuple] = set()
        self._items: dict[tuple, list[Item]] = {}
        self._starts: dict[tuple, list[int]] = {}
        self._reach: dict[tuple, list[int]] = {}
        self._marks: dict[tuple, Marks | None] = {}

    # -- value lookups -------------------------------------------------------------------
    def value_at(self, path: tuple | None, slot: int | None = None) -> Any:
        """The value at ``path``. For a node in window ``slot`` of the rest, the values decoded there come
        first, and only those: another window's item may have the same path (a repeated key) and other
        bytes. Then the values decoded for tree slices, then the first view's head."""
        if path:
            for values in (self._slot_values.get(slot) if slot is not None else None, self.more_values):
                found = _by_prefix(values, path) if values else MISSING
                if isinstance(found, NoValue):
                    return MISSING
                if found is not MISSING:
                    return found
        return value_at(self.value, path)

    def without_values(self, node: tuple[int, ...], lo: int, hi: int) -> list[Span]:
        """The spans among children ``lo``..``hi`` of ``node`` that stand for a value this tree lacks (past a
        first view's head): what values() is to be given before their rows are made."""
        out = []
        children = self.items(node)
        slot = self.slot_of_path((*node, 0))
        for item in children[max(lo, 0) : min(hi, len(children))]:
            if item.span is None:
                continue
            path = span_value_path(item.span)
            if path is None or path in self._asked:
                continue
            # Asked for too when the value held for its path is another item's (a repeated key): values() then
            # shows neither as the other's.
            if self.value_at(path, slot) is MISSING or self._owners.get(path, item.start) != item.start:
                out.append(item.span)
        return out

    def values(self, found: dict[tuple, Any], asked: Sequence[Span] = ()) -> None:
        """Values decoded past the head (paths -> values); the oldest go past MAX_MORE_VALUES. The paths of
        ``asked`` that got none (an item that cannot be read alone) are not asked for again."""
        for span in asked:
            path = span_value_path(span)
            if path is not None and isinstance(found.get(path), NoValue):  # tried: none, or two items'
                self._asked.add(path)  # (an item the worker did not reach is asked for again)
        if len(self._asked) > 10 * MAX_MORE_VALUES:
            self._asked.clear()
        starts = {span_value_path(span): span.start for span in asked}
        for path, value in found.items():
            if value is UNREADABLE:  # remembered above; not kept (the head's value, if any, is shown)
                continue
            start = starts.get(path)
            if start is not None and self._owners.setdefault(path, start) != start:  # another item, one path
                value = CLASHED  # (a repeated key): neither is shown as the other's
            self._kept -= self._weights.pop(path, 0)
            self._weights[path] = weight = count_nodes(value, MAX_KEPT_VALUES)
            self._kept += weight
            self.more_values[path] = value
            self.more_values.move_to_end(path)
        while len(self.more_values) > MAX_MORE_VALUES or self._kept > MAX_KEPT_VALUES:
            path, _ = self.more_values.popitem(last=False)
            self._kept -= self._weights.pop(path, 0)
            self._owners.pop(path, None)
        for node in [node for node in self._items if node]:  # child counts may change: made again on demand
            del self._items[node]
            self._marks.pop(node, None)
        self._starts.clear()
        self._reach.clear()

    # -- the rest of a large input, annotated window by window ---------------------------
    def rest_path(self) -> tuple[int, ...] | None:
        """The path of "the rest" node (the last root), or None when everything was annotated."""
        return None if self.rest_from is None else (len(self.items(())) - 1,)

    def slot_count(self) -> int:
        if self.rest_from is None:
            return 0
        return (self.size - 1) // self.step - self.rest_from // self.step + 1

    def slot_range(self, slot: int) -> tuple[int, int]:
        assert self.rest_from is not None
        first = self.rest_from // self.step + slot
        return max(self.rest_from, first * self.step), min(self.size, (first + 1) * self.step)

    def slots_over(self, start: int, end: int) -> list[int]:
        """The rest's windows with bytes in ``start``..``end`` (exclusive)."""
        if self.rest_from is None or end <= self.rest_from:
            return []
        base = self.rest_from // self.step
        first, last = max(start, self.rest_from) // self.step - base, (min(end, self.size) - 1) // self.step - base
        return list(range(max(first, 0), last + 1))

    def slot_of_path(self, node: tuple[int, ...]) -> int | None:
        """The window of the rest that ``node`` lies in (None: not in the rest)."""
        rest = self.rest_path()
        if rest is None or len(node) < 2 or node[0] != rest[0] or not 0 <= node[1] < self.slot_count():
            return None
        return node[1]

    def fill(self, slot: int, spans: Sequence[Span], values: dict[tuple, Any] | None = None) -> None:
        """Window ``slot`` of the rest is annotated with ``spans`` (and the values decoded there); trim()
        drops windows past the caps."""
        self._forget((*self.rest_path(), slot))  # type: ignore[misc]  # a rest exists when slots are filled
        self.slots[slot] = list(spans)
        self.slots.move_to_end(slot)
        self._slot_values[slot] = {path: value for path, value in (values or {}).items() if value is not UNREADABLE}
        # What the window holds, spans and values alike, is what the caps count.
        held = sum(count_nodes(value, MAX_SLOT_SPANS) for value in self._slot_values[slot].values())
        self._slot_spans[slot] = count_spans(spans, MAX_SLOT_SPANS) + held

    def trim(self, keep: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        """Drop the least recently used windows past MAX_SLOTS / MAX_SLOT_SPANS, except those in ``keep``
        (the ones a request is about to show: called before filling, so what is filled is drawn)."""
        for old in [slot for slot in self.slots if slot not in keep]:
            if len(self.slots) <= MAX_SLOTS and sum(self._slot_spans.values()) <= MAX_SLOT_SPANS:
                return
            del self.slots[old]
            self._slot_values.pop(old, None)
            self._slot_spans.pop(old, None)
            self._forget((*self.rest_path(), old))  # type: ignore[misc]  # a rest exists when slots are filled

    def touch(self, slot: int) -> None:
        if slot in self.slots:
            self.slots.move_to_end(slot)

    def _forget(self, node: tuple[int, ...]) -> None:
        for cache in (self._items, self._starts, self._reach, self._marks):
            for key in [key for key in cache if key[: len(node)] == node]:
                del cache[key]

    def _slot_items(self, slot: int) -> list[Item]:
        start, end = self.slot_range(slot)
        if slot in self.slots:
            return self._with_gaps(self.slots[slot], start, end)
        return [Item(start, end, UNPARSED, "not annotated yet: scroll the hexdump here, or open this node")]

    def _rest_items(self) -> list[Item]:
        made = []
        for slot in range(self.slot_count()):
            start, end = self.slot_range(slot)
            made.append(Item(start, end, WINDOW_KIND, f"bytes {start:,}–{end:,}", None, None, slot))
        return made

    # -- children ------------------------------------------------------------------------
    def items(self, node: tuple[int, ...]) -> list[Item]:
        """The children of ``node`` (``()`` is the root), in byte order, gaps included."""
        cached = self._items.get(node)
        if cached is not None:
            return cached
        with gc_paused():  # hundreds of thousands of small tuples: no collections while they are made
            made = self._root_items() if not node else self._children_of(self.item(node), self.slot_of_path(node))
        self._items[node] = made
        return made

    def _root_items(self) -> list[Item]:
        made = self._with_gaps(self.roots, 0, self.size)
        if self.rest_from is None:
            return made
        last = made[-1] if made else None
        if last is not None and last.kind == UNPARSED and last.end == self.size:  # the rest replaces that gap
            made.pop()
            if last.start < self.rest_from:
                made.append(last._replace(end=self.rest_from))
        made.append(Item(self.rest_from, self.size, UNPARSED, "", None, None, REST))
        return made

    def item(self, node: tuple[int, ...]) -> Item:
        parent = self.items(node[:-1])
        if not 0 <= node[-1] < len(parent):
            raise KeyError(node)
        return parent[node[-1]]

    def _children_of(self, item: Item, slot: int | None = None) -> list[Item]:
        if item.slot == REST:
            return self._rest_items()
        if item.slot >= 0:
            self.touch(item.slot)
            return self._slot_items(item.slot)
        if item.span is not None and item.span.children:
            return self._with_gaps(list(item.span.children), item.start, item.end)
        path = self.value_path(item)
        if path is None or item.kind in (UNPARSED, "key"):
            return []
        value = self.value_at(path, slot)
        if value is MISSING:
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
                append(new(Item, (cursor, span.start, UNPARSED, "", None, None, NOT_LAZY)))
            append(new(Item, (span.start, span.end, span.kind, span.label, span, None, NOT_LAZY)))
            if span.end > cursor:
                cursor = span.end
        if end > cursor:
            append(new(Item, (cursor, end, UNPARSED, "", None, None, NOT_LAZY)))
        return out

    @staticmethod
    def value_path(item: Item) -> tuple | None:
        """Where ``item``'s value is in Document.value; only spans that stand for a value have one
        (a length, a tag or a type byte does not)."""
        if item.value_path is not None:
            return item.value_path
        return span_value_path(item.span) if item.span is not None else None

    def count(self, node: tuple[int, ...]) -> int:
        """How many children ``node`` has (computes that one level only)."""
        return len(self.items(node))

    # -- group labels ----------------------------------------------------------------------
    def marks(self, node: tuple[int, ...]) -> Marks | None:
        """What the view needs to label the groups of ``node``'s children by the items they hold, or None
        where node indexes are item indexes (100 children or fewer, or a list of items alone from item 0).

        A group is a run of node indexes from a multiple of GROUP (a group of a group starts at one too) to
        another or to the end, so the number of gaps before each of those boundaries is enough: a group
        ``gs``..``ge`` holds the items ranked ``gs - gaps(gs)`` to ``ge - gaps(ge) - 1``. The children before
        the first item and after the last that are not items (a CSV's header row, an array's type byte and
        length, a BSON document's end byte) are counted with the gaps, and named apart (``head``, ``tail``).
        One pass over the kinds of a child list that is made anyway (C speed, no per-child Python), once
        per node."""
        if node in self._marks:
            return self._marks[node]
        children = self.items(node)
        made: Marks | None = None
        if len(children) > GROUP:
            kinds = list(map(_kind, children))
            head, tail = self._ends(children, kinds)
            counted = _as_gaps(kinds, head + tail)
            gaps = _gaps(counted)
            origin = self._origin(children, counted, gaps)
            if origin is None and (head or tail):  # not a numbered list: every child counts, as before
                head, tail, gaps = [], [], _gaps(kinds)
            if gaps[-1] or origin:
                made = Marks(
                    gaps=gaps,
                    origin=origin or 0,
                    rest=children[-1].slot == REST,
                    head=[children[i].kind for i in head],
                    tail=[children[i].kind for i in tail],
                )
        self._marks[node] = made
        return made

    def _ends(self, children: list[Item], kinds: list[str]) -> tuple[list[int], list[int]]:
        """The children before the first item and after the last (looked for within a group of either end)
        that are neither items nor gaps: a CSV's header row, a MessagePack array's type byte and length, a
        BSON document's end byte. Items are the children with an index (a value path (..., k))."""
        count = len(children)

        def item(i: int) -> bool:
            return kinds[i] != UNPARSED and self._index(children[i]) is not None

        first = next((i for i in range(min(GROUP, count)) if item(i)), None)
        last = next((i for i in range(count - 1, max(count - 1 - GROUP, -1), -1) if item(i)), None)
        if first is None or last is None:
            return [], []
        head = [i for i in range(first) if kinds[i] != UNPARSED]
        return head, [i for i in range(last + 1, count) if kinds[i] != UNPARSED]

    def _origin(self, children: list[Item], kinds: list[str], gaps: list[int]) -> int | None:
        """The number the first item is named by, when every item at a group boundary (and the last) is
        named by the number that follows from its rank: its index ([1500] ... in a window of the rest),
        plus one where the labels count from 1 (a CSV's "row 1" and JSON Lines' "line 1" are index 0), so
        that a group's label names what its items say, at the root and in a window of the rest alike.
        Else None: the groups then count items from 0 (a YAML mapping's keys, an XML element's mixed
        children)."""
        ranked: list[tuple[int, int]] = []  # (node, rank: the items before it)
        for k, lo in enumerate(range(0, len(children), GROUP)):
            at = next((i for i in range(lo, min(lo + GROUP, len(children))) if kinds[i] != UNPARSED), None)
            if at is not None:
                ranked.append((at, lo - gaps[k]))
        last = next((i for i in range(len(children) - 1, -1, -1) if kinds[i] != UNPARSED), None)
        if last is None:
            return None
        ranked.append((last, len(children) - gaps[-1] - 1))
        origin: int | None = None
        for at, rank in ranked:
            index = self._index(children[at])
            if index is None or (origin is not None and index - rank != origin):
                return None
            origin = index - rank
        if origin is None:
            return None
        counted_from_one = all(_shown(children[at].label) == origin + rank + 1 for at, rank in ranked)
        return origin + counted_from_one

    def _index(self, item: Item) -> int | None:
        path = self.value_path(item)
        step = path[-1] if path else None
        return step if isinstance(step, int) and not isinstance(step, bool) else None

    # -- rows for the browser ------------------------------------------------------------
    def row(self, node: tuple[int, ...], item: Item) -> list:
        """[start, end, kind, label, type, preview, children] as the view draws a node."""
        value = self.value_at(self.value_path(item), self.slot_of_path(node))
        if value is MISSING:
            kind_type = "gap" if item.kind == UNPARSED else item.kind
            type_text, preview_text = kind_type, ""
        else:
            type_text, preview_text = typed.type_name(value), typed.preview(value, PREVIEW_CHARS)
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


def _by_prefix(values: dict[tuple, Any], path: tuple) -> Any:
    """The value at ``path`` inside the values decoded for items (keyed by each item's path)."""
    for cut in range(len(path), 0, -1):
        found = values.get(path[:cut], MISSING)
        if isinstance(found, NoValue):
            return found
        if found is not MISSING:
            return value_at(found, path[cut:])
    return MISSING


def _as_gaps(kinds: list[str], nodes: list[int]) -> list[str]:
    """``kinds`` with the children at ``nodes`` counted as gaps (a copy, if there are any)."""
    if not nodes:
        return kinds
    kinds = list(kinds)
    for i in nodes:
        kinds[i] = UNPARSED
    return kinds


def _gaps(kinds: list[str]) -> list[int]:
    """How many gaps lie before each multiple of GROUP, and (the last entry) before the end (Marks.gaps)."""
    gaps, total = [0], 0
    for lo in range(0, len(kinds), GROUP):
        total += kinds[lo : lo + GROUP].count(UNPARSED)
        gaps.append(total)
    return gaps


def _shown(label: str) -> int | None:
    """The number an item's label counts it by ("row 1544" -> 1544, "line 3" -> 3), if it is one that does."""
    found = _COUNTED.fullmatch(label)
    return int(found.group(1)) if found else None


def gap_label(item: Item) -> str:
    size = item.end - item.start
    if item.slot == REST:
        return f"the rest, {size:,} bytes: annotated where you look (scroll the hexdump, go to, find, open)"
    return item.label or f"{size:,} byte{'s' if size != 1 else ''} not annotated"


def restrict(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans with bytes in ``start``..``end`` (exclusive), each with its children restricted the same
    way: what a window of the hexdump shows (a walk in a span window may make a few more)."""
    new = tuple.__new__
    out = []
    for span in spans:
        if span.start < end and (span.end > start or span.start >= start):  # zero-length spans inside count
            children = tuple(restrict(span.children, start, end)) if span.children else ()
            out.append(new(Span, (span.start, span.end, span.kind, span.label, span.path, children)))
    return out


def path_text(node: tuple[int, ...]) -> str:
    return "/".join(str(i) for i in node)


def parse_path(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("/") if part != "")
