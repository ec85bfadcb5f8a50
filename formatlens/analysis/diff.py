"""``fl.diff``: what changed between two inputs, in any two formats, with the bytes that hold each change.

Both inputs are decoded (or given as Documents) and their values walked side
by side. The rules, which the README repeats:

- objects compare key by key, key order ignored; a key only one side has is
  ``added`` or ``removed``;
- scalars compare by meaning (formatlens.analysis.meaning): 1 == 1.0, a
  datetime equals its ISO string, a number equals the text that spells it.
  Such a pair is equal unless ``strict``, where it is a change of kind ``type``;
  with ``strict`` a tuple against a list or a dict subclass against a dict is one too;
- lists align by index when their lengths agree; when they differ, the common
  head and tail are matched and the middle is aligned with difflib, so one
  record inserted at the top is one ``added``; with ``key="id"``, every list
  of records that all carry a unique ``id`` aligns by it instead;
- each change carries the byte span of its path on both sides (the deepest
  span the codec annotated on the way to it) so views can show the bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from formatlens.analysis.meaning import container_kind, same_meaning, same_value
from formatlens.core.api import load
from formatlens.core.document import Document, Span
from formatlens.core.errors import FormatError, LimitExceeded
from formatlens.runtime.gcpause import gc_paused

ChangeKind = Literal["added", "removed", "changed", "type"]
_PLAIN_SCALARS = frozenset({str, int, bool, bytes, type(None)})
"""Types whose == is the whole comparison (floats are not: NaN)."""
MAX_CHANGES = 100_000
"""Changes kept per diff: two unrelated inputs would otherwise list every value."""
MAX_ALIGNED = 20_000
"""Items difflib aligns in one list (its cost grows faster than linearly); past it, a bounded greedy walk."""
REACH = 16
"""How far the greedy walk looks ahead on each side to find an item again after an insert or delete."""
MISSES = 1000
"""Look-aheads that may fail before the greedy walk pairs the rest by position (bounds its cost)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: where, what kind, the values on both sides and the bytes that hold them."""

    path: tuple
    """Where the change is, in b's value (in a's for ``removed``)."""
    kind: ChangeKind
    old: Any
    """The value in a (None when ``added``)."""
    new: Any
    """The value in b (None when ``removed``)."""
    path_a: tuple | None = None
    """The path in a when it differs from ``path`` (records aligned by key, or shifted by an insert)."""
    spans: _SpanPair | None = field(default=None, repr=False, compare=False)

    @property
    def span_a(self) -> Span | None:
        """The bytes of a that hold ``old`` (the deepest annotated span on its path); None when added."""
        if self.spans is None or self.kind == "added":
            return None
        return self.spans.a(self.path_a if self.path_a is not None else self.path)

    @property
    def span_b(self) -> Span | None:
        """The bytes of b that hold ``new``; None when removed."""
        if self.spans is None or self.kind == "removed":
            return None
        return self.spans.b(self.path)


@dataclass
class Diff:
    """The result of fl.diff: ``equal``, ``changes`` and, lazily, schema compatibility and the byte diff."""

    a: Document
    b: Document
    changes: list[Change]
    strict: bool = False
    key: str | None = None
    truncated: bool = False
    """True when more than MAX_CHANGES changes were found and only the first were kept."""
    notes: list[str] = field(default_factory=list)
    root_a: tuple = ()
    """Where the comparison started in a: past a wrapper one format needed (BSON's "items"), else ()."""
    root_b: tuple = ()

    @property
    def equal(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        """Changes per kind, every kind listed."""
        counts = dict.fromkeys(("added", "removed", "changed", "type"), 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    @cached_property
    def schema(self):
        """The schemas' compatibility (schema_compat.SchemaComparison) when both carry comparable ones, else None."""
        from formatlens.analysis.schema_compat import compare_documents

        return compare_documents(self.a, self.b)

    @cached_property
    def bytes(self):
        """The aligned byte differences (bytediff.ByteDiff)."""
        from formatlens.analysis.bytediff import byte_diff

        return byte_diff(self.a.data, self.b.data)


def diff(
    a: bytes | Document,
    b: bytes | Document,
    *,
    format_a: str | None = None,
    format_b: str | None = None,
    key: str | None = None,
    strict: bool = False,
) -> Diff:
    """Compare two inputs by meaning (see the module docstring for the rules). Bad input raises FormatError."""
    doc_a = _document(a, format_a, "a")
    doc_b = _document(b, format_b, "b")
    walker = _Walker(strict=strict, key=key)
    root_a, root_b = _roots(doc_a.value, doc_b.value, walker.notes)
    with gc_paused():  # the walk allocates paths by the million and frees no cycles
        try:
            walker.walk(_at(doc_a.value, root_a), _at(doc_b.value, root_b), root_a, root_b)
        except RecursionError:
            raise LimitExceeded("the values are nested too deeply to compare", hint="compare a part of them") from None
        changes = _with_spans(walker.changes, doc_a, doc_b)
    return Diff(doc_a, doc_b, changes, strict, key, walker.truncated, walker.notes, root_a, root_b)


def _roots(x: Any, y: Any, notes: list[str]) -> tuple[tuple, tuple]:
    """Where to start comparing: past a wrapper that one side's format needed around the other's value.

    BSON keeps a list as {"items": [...]}, XML as {"root": {"item": [...]}}, CSV an object as a
    one-row table. Comparing from the top would report the whole value as one change.
    """
    if container_kind(x) == container_kind(y):
        return (), ()
    for a_side in (True, False):
        inner, outer = (x, y) if a_side else (y, x)
        path = _wrapped(inner, outer)
        if path is not None:
            side, other = ("b", "a") if a_side else ("a", "b")
            where = _path_text(path)
            notes.append(f"{side} holds {other}'s value under {where} (a wrapper its format needs): compared there")
            return ((), path) if a_side else (path, ())
    return (), ()


def _wrapped(inner: Any, outer: Any) -> tuple | None:
    """The path in ``outer`` at which a value of ``inner``'s kind sits alone, through at most 3 wrappers."""
    path: tuple = ()
    want = container_kind(inner)
    for _ in range(3):
        if isinstance(outer, Mapping) and len(outer) == 1:
            step = next(iter(outer))
        elif isinstance(outer, list) and len(outer) == 1 and want == "object":
            step = 0
        else:
            return None
        outer = outer[step]
        path = (*path, step)
        if container_kind(outer) == want:
            return path
    return None


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _document(source: bytes | Document, format: str | None, side: str) -> Document:
    if isinstance(source, Document):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return load(bytes(source), format)
    raise FormatError(f"diff() takes bytes or Documents; {side} is a {type(source).__name__}")


class _Walker:
    def __init__(self, *, strict: bool, key: str | None) -> None:
        self.strict = strict
        self.key = key
        self.changes: list[tuple] = []  # (path_a, path_b, kind, old, new)
        self.truncated = False
        self.notes: list[str] = []

    def emit(self, path_a: tuple | None, path_b: tuple | None, kind: ChangeKind, old: Any, new: Any) -> None:
        if len(self.changes) >= MAX_CHANGES:
            self.truncated = True
            return
        self.changes.append((path_a, path_b, kind, old, new))

    def walk(self, x: Any, y: Any, path_a: tuple, path_b: tuple) -> None:
        if self.truncated:
            return
        tx = type(x)
        if tx is type(y) and tx is not dict and tx is not list and (x == y or same_value(x, y)):
            return  # the common case, before any normalisation
        kind_x, kind_y = container_kind(x), container_kind(y)
        if kind_x is None and kind_y is None:
            if same_meaning(x, y):
                if self.strict and not same_value(x, y):
                    self.emit(path_a, path_b, "type", x, y)
            else:
                self.emit(path_a, path_b, "changed", x, y)
            return
        if kind_x != kind_y:
            self.emit(path_a, path_b, "changed", x, y)
            return
        if self.strict and type(x) is not type(y):
            self.emit(path_a, path_b, "type", _type_label(x), _type_label(y))
        if kind_x == "object":
            self.objects(x, y, path_a, path_b)
        else:
            self.arrays(x, y, path_a, path_b)

    def objects(self, x: Mapping, y: Mapping, path_a: tuple, path_b: tuple) -> None:
        for k, v in x.items():
            if k in y:
                w = y[k]
                t = type(v)
                if t is type(w) and t in _PLAIN_SCALARS and v == w:  # most values: equal, no call, no path
                    continue
                self.walk(v, w, (*path_a, k), (*path_b, k))
            else:
                other = _same_key(k, y) if not self.strict else None
                if other is None:
                    self.emit((*path_a, k), None, "removed", v, None)
                else:
                    self.walk(v, y[other], (*path_a, k), (*path_b, other))
        for k, v in y.items():
            if k not in x and (self.strict or _same_key(k, x) is None):
                self.emit(None, (*path_b, k), "added", None, v)

    def arrays(self, x: Any, y: Any, path_a: tuple, path_b: tuple) -> None:
        if not isinstance(x, (list, tuple)) or not isinstance(y, (list, tuple)):
            x, y = _ordered(x), _ordered(y)  # sets: compared in a stable order
        if self.key is not None:
            pairs = self.keyed(x, y, path_b)
            if pairs is not None:
                self.aligned(x, y, pairs, path_a, path_b)
                return
        if len(x) == len(y) and not _shifted(x, y):
            for i, (v, w) in enumerate(zip(x, y)):
                self.walk(v, w, (*path_a, i), (*path_b, i))
                if self.truncated:
                    return
            return
        self.aligned(x, y, _sequence_pairs(x, y), path_a, path_b)

    def keyed(self, x: Any, y: Any, path: tuple) -> list[tuple[int | None, int | None]] | None:
        """Pairs of indexes matched by ``key``, or None when the lists are not records that all carry it."""
        key = self.key
        assert key is not None  # arrays() asks only when a key was given
        index_x = _key_index(x, key)
        index_y = _key_index(y, key)
        if index_x is None or index_y is None:
            if x and y and all(isinstance(r, Mapping) for r in (x[0], y[0])):
                self.notes.append(
                    f"the list at {_path_text(path)} is not aligned by {key!r}: not every record has a unique one"
                )
            return None
        pairs: list[tuple[int | None, int | None]] = []
        for i, k in enumerate(index_x):
            pairs.append((i, index_y.get(k)))
        for j, k in enumerate(index_y):
            if k not in index_x:
                pairs.append((None, j))
        return pairs

    def aligned(self, x: Any, y: Any, pairs, path_a: tuple, path_b: tuple) -> None:
        for i, j in pairs:
            if self.truncated:
                return
            if j is None:
                self.emit((*path_a, i), None, "removed", x[i], None)
            elif i is None:
                self.emit(None, (*path_b, j), "added", None, y[j])
            else:
                self.walk(x[i], y[j], (*path_a, i), (*path_b, j))


def _key_index(records: Any, key: str) -> dict | None:
    """{key value: index} when every item is a record with a unique, hashable ``key``."""
    index: dict = {}
    for i, record in enumerate(records):
        if (type(record) is not dict and not isinstance(record, Mapping)) or key not in record:
            return None
        try:
            if record[key] in index:
                return None
            index[record[key]] = i
        except TypeError:  # an unhashable key value
            return None
    return index


def _sequence_pairs(x: Any, y: Any) -> list[tuple[int | None, int | None]]:
    """Index pairs aligning two lists of different lengths: same head, same tail, difflib in between."""
    head = 0
    limit = min(len(x), len(y))
    while head < limit and _quick_equal(x[head], y[head]):
        head += 1
    tail = 0
    while tail < limit - head and _quick_equal(x[len(x) - 1 - tail], y[len(y) - 1 - tail]):
        tail += 1
    pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(head)]
    mid_x, mid_y = range(head, len(x) - tail), range(head, len(y) - tail)
    if 0 < len(mid_x) <= MAX_ALIGNED and 0 < len(mid_y) <= MAX_ALIGNED:
        keys_x = [_fingerprint(x[i]) for i in mid_x]
        keys_y = [_fingerprint(y[j]) for j in mid_y]
        matcher = difflib.SequenceMatcher(None, keys_x, keys_y, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            pairs.extend(_block(head + i1, head + i2, head + j1, head + j2, tag))
    elif len(mid_x) and len(mid_y):
        pairs.extend(_greedy_pairs(x, y, mid_x, mid_y))
    else:
        pairs.extend(_block(mid_x.start, mid_x.stop, mid_y.start, mid_y.stop, "replace"))
    offset = len(y) - len(x)
    pairs.extend((i, i + offset) for i in range(len(x) - tail, len(x)))
    return pairs


def _greedy_pairs(x: Any, y: Any, mid_x: range, mid_y: range) -> list[tuple[int | None, int | None]]:
    """Pairs for a long middle: walk both lists, and where items differ look up to REACH items ahead
    on each side for the same item (an insert or a delete); after MISSES failed looks, by position."""
    pairs: list[tuple[int | None, int | None]] = []
    i, j, end_x, end_y, misses = mid_x.start, mid_y.start, mid_x.stop, mid_y.stop, 0
    while i < end_x and j < end_y:
        if misses < MISSES and not _quick_equal(x[i], y[j]):
            skip_y = next((d for d in range(1, REACH + 1) if j + d < end_y and _quick_equal(x[i], y[j + d])), 0)
            skip_x = (
                0
                if skip_y
                else next((d for d in range(1, REACH + 1) if i + d < end_x and _quick_equal(x[i + d], y[j])), 0)
            )
            if skip_y:
                pairs.extend((None, j + d) for d in range(skip_y))
                j += skip_y
                continue
            if skip_x:
                pairs.extend((i + d, None) for d in range(skip_x))
                i += skip_x
                continue
            misses += 1
        pairs.append((i, j))
        i += 1
        j += 1
    pairs.extend((k, None) for k in range(i, end_x))
    pairs.extend((None, k) for k in range(j, end_y))
    return pairs


def _shifted(x: Any, y: Any, reach: int = 8) -> bool:
    """Whether two lists of one length look shifted (an insert and a delete): at the first position
    where they differ, the item reappears a few places further on the other side."""
    limit = len(x)
    first = next((i for i in range(limit) if not _quick_equal(x[i], y[i])), None)
    if first is None:
        return False
    near = range(first + 1, min(first + 1 + reach, limit))
    return any(_quick_equal(x[first], y[j]) for j in near) or any(_quick_equal(x[j], y[first]) for j in near)


def _block(i1: int, i2: int, j1: int, j2: int, tag: str) -> list[tuple[int | None, int | None]]:
    """Pairs for one difflib block: matched items pair up, a replaced block pairs by position, extras stand alone."""
    common = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0
    pairs: list[tuple[int | None, int | None]] = [(i1 + n, j1 + n) for n in range(common)]
    pairs.extend((i, None) for i in range(i1 + common, i2))
    pairs.extend((None, j) for j in range(j1 + common, j2))
    return pairs


def _quick_equal(v: Any, w: Any) -> bool:
    try:
        return type(v) is type(w) and bool(v == w)
    except (TypeError, ValueError):
        return False


def _fingerprint(value: Any) -> Any:
    """A hashable stand-in for a value, for difflib: equal values (same types) give equal fingerprints."""
    if type(value) is dict:
        try:
            return frozenset(value.items())  # a flat record: fast, and key order does not matter
        except TypeError:
            pass
    if isinstance(value, Mapping):
        return ("{", tuple(sorted(((repr(k), _fingerprint(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    if isinstance(value, (list, tuple)):
        return ("[", tuple(_fingerprint(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("?", repr(value))
    return value


def _ordered(items: Any) -> list:
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def _same_key(k: Any, mapping: Mapping) -> Any:
    """The key of ``mapping`` that means ``k`` (1 and "1" as object keys), or None."""
    if len(mapping) > 256:  # a linear search per missing key: only for objects of a sensible size
        return None
    for other in mapping:
        if type(other) is not type(k) and not isinstance(other, Mapping) and same_meaning(other, k):
            return other
    return None


def _type_label(value: Any) -> str:
    return type(value).__name__


def _path_text(path: tuple) -> str:
    return "/".join(map(str, path)) or "the top"


def _with_spans(raw: list[tuple], a: Document, b: Document) -> list[Change]:
    """Changes that find their bytes on first use: a codec annotates a document's spans only when asked
    (the app's worker has them ready; a library caller who never looks at bytes never pays for them)."""
    spans = _SpanPair(_SpanIndex(a), _SpanIndex(b))
    changes = []
    for path_a, path_b, kind, old, new in raw:
        path = path_b if path_b is not None else path_a
        changes.append(Change(path, kind, old, new, path_a if path_a != path else None, spans))
    return changes


@dataclass(frozen=True, slots=True)
class _SpanPair:
    a: _SpanIndex
    b: _SpanIndex


class _SpanIndex:
    """Finds the deepest annotated span on the way to a path, descending level by level.

    Each level's spans are indexed by path once, when a lookup first passes through it, so a few
    changes in a large document touch a few levels, not every span. Several spans may share a
    path (a header and the data blocks both have the empty path): the one that leads deepest wins.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self._levels: dict[int, dict[tuple, list[Span]]] = {}
        self._spans: Sequence[Span] | None = None

    def _level(self, spans: Sequence[Span]) -> dict[tuple, list[Span]]:
        index = self._levels.get(id(spans))
        if index is None:
            index = {}
            widest_leaf: dict[tuple, Span] = {}
            for span in spans:
                try:
                    path = tuple(span.path)
                    hash(path)
                except TypeError:  # an unhashable path step
                    continue
                if span.children:
                    index.setdefault(path, []).append(span)
                else:  # of the spans with nothing inside, keep the widest (a key's only if nothing else)
                    held = widest_leaf.get(path)
                    if held is None or _leaf_rank(span) > _leaf_rank(held):
                        widest_leaf[path] = span
            for path, span in widest_leaf.items():
                index.setdefault(path, []).append(span)
            self._levels[id(spans)] = index
        return index

    def __call__(self, path: tuple) -> Span | None:
        if self._spans is None:
            try:
                self._spans = self.document.spans
            except FormatError:
                self._spans = []
        return self._search(self._spans, path)

    def _search(self, level: Sequence[Span], path: tuple) -> Span | None:
        index = self._level(level)
        for length in range(len(path), -1, -1):
            try:
                spans = index.get(path[:length])
            except TypeError:
                continue
            if not spans:
                continue
            best: Span | None = None
            for span in spans:
                found = span
                if length < len(path) and span.children:
                    deeper = self._search(span.children, path)
                    if deeper is not None and len(deeper.path) > length:
                        found = deeper
                if (
                    best is None
                    or len(found.path) > len(best.path)
                    or (len(found.path) == len(best.path) and _leaf_rank(found) > _leaf_rank(best))
                ):
                    best = found
            return best
        return None


def _leaf_rank(span: Span) -> tuple[bool, bool, int]:
    """Values before headers and footers, anything before a key, then the widest."""
    return span.kind != "key", span.kind in ("value", "entry"), span.end - span.start
