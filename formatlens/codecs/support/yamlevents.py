"""YAML values built straight from PyYAML's parse events, without composing its node graph.

PyYAML's loaders compose a whole document into nodes (each with two marks) before
constructing the value: reading 39 MiB of records that way peaked at 2.0 GB, and a worker's
memory limit refused it (this way: about 440 MB). Here the C parser's events are turned into the value as
they come: each scalar is resolved and constructed by the loader's own resolver and
constructors (the same types and errors as PyYAML's safe loader), each mapping is a dict and
each sequence a list, and an alias is the anchored value itself (shared, as PyYAML shares it).
What the codec reports besides the value is kept on the way, small: repeated keys with both
keys' positions, the custom and Python tags, the alias expansion count (a "billion laughs"
is refused before it is built), and the positions of the top-level entries for the spans.
A far window of a large input is annotated by reading the events again without values (window()).

Constructs whose meaning PyYAML gives through its node graph (merge keys ``<<``, and
collections tagged ``!!set``, ``!!omap``, ``!!pairs`` or another core tag) raise
:class:`Unsupported`: the codec then loads that input with PyYAML's composer and constructor.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.events import (
    AliasEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from formatlens.core import checkpoints
from formatlens.core.limits import Limits

_CORE = "tag:yaml.org,2002:"
SEQ, MAP, STR, INT = _CORE + "seq", _CORE + "map", _CORE + "str", _CORE + "int"
MERGE, VALUE = _CORE + "merge", _CORE + "value"
_PLAIN_SCALARS = frozenset(_CORE + name for name in ("null", "bool", "int", "float", "timestamp"))
"""Tags whose safe constructors only read the scalar's text: called directly, without the node cache."""
_NO_KEY = object()


class Unsupported(Exception):
    """A construct left to PyYAML's own composer and constructor (merge keys, sets, ordered maps)."""


class BadScalar(Exception):
    """A scalar's constructor failed with a plain Python error (``2020-13-45`` as a timestamp)."""

    def __init__(self, error: Exception, index: int) -> None:
        super().__init__(str(error))
        self.error, self.index = error, index


class Entry(NamedTuple):
    """A top-level entry of one document, for its span: character positions and its label."""

    key: str | None
    """The key as written (``?`` for a collection) in a mapping; None for a sequence's item or a scalar."""
    key_start: int
    key_end: int
    start: int
    end: int
    describe: str
    whole: bool = False
    """The document is this one scalar."""
    place: int = 0
    """Its place among the document's top-level entries (a sequence item's index)."""


@dataclass
class Repeat:
    """A key given twice in one mapping: both keys' character ranges, and where the mapping is."""

    document: int
    path: tuple
    key: Any
    first: tuple[int, int]
    again: tuple[int, int]


@dataclass
class Built:
    documents: list = field(default_factory=list)
    entries: list[list[Entry]] = field(default_factory=list)
    """Per document, its first top-level entries (at most ``spans`` in all)."""
    repeats: list[Repeat] = field(default_factory=list)
    marks: list[tuple[int, int, bool]] = field(default_factory=list)
    """(character where it starts, place, whether the top level is a mapping) of a top-level entry of the
    first document about every eighth of core.checkpoints.STEP characters: where a far window's walk may
    start (codecs.yamlfar; a checkpoint is kept about every STEP bytes of them)."""


SCALAR_ERRORS = (ValueError, IndexError, KeyError, AttributeError, OverflowError)
"""PyYAML's scalar constructors (int, float, bool, timestamp) fail with plain Python errors when an
explicitly tagged or timestamp-looking scalar holds something else: bad input, raised by the library."""

LIMIT_REPEATS = 20
"""Repeated keys kept (the codec reports the first ones in byte order; see support.duplicates.LIMIT)."""


class _Open:
    """A collection being read: its value so far and what the codec reports about it."""

    __slots__ = ("anchor", "count", "key", "mapping", "node", "seen", "size", "slot", "start", "value")

    def __init__(self, mapping: bool, node: yaml.Node | None, anchor: str | None, start: int, slot: Any) -> None:
        self.mapping = mapping
        self.value: Any = {} if mapping else []
        self.node = node
        """A collection with a custom or Python tag: its node (tag and marks, no children), else None."""
        self.anchor, self.start = anchor, start
        self.slot = slot
        """Its key (as written) or index in its parent, for a repeated key's path; None inside a key."""
        self.size = 1
        """Values once aliases are expanded, itself included (a "billion laughs" is refused on this)."""
        self.count = 0
        """Items, or key-value pairs as written (repeats included): what its span's label says."""
        self.key: Any = _NO_KEY
        """In a mapping: (key, as written, start, end) of the key waiting for its value."""
        self.seen: dict[Any, tuple] = {}
        """In a mapping: each key's (key, as written, start, end), the last one given."""


# A node once read: (value, start, end, size once aliases are expanded, the scalar as written or None
# for a collection, items or pairs, whether it is a mapping).
_Made = tuple[Any, int, int, int, "str | None", int, bool]


def _describe(made: _Made) -> str:
    """A top-level entry's label: "mapping of N", "sequence of N", or the scalar as written."""
    text = made[4]
    if text is None:
        return f"{'mapping' if made[6] else 'sequence'} of {made[5]}"
    return text if len(text) <= 40 else text[:37] + "..."


class _Reader:
    def __init__(
        self,
        loader: Any,
        wrap: Callable[[str, Any], Any],
        hashable: Callable[[Any], Any],
        limits: Limits,
        count_aliases: bool,
        spans: int,
    ) -> None:
        self.loader, self.wrap, self.hashable, self.limits = loader, wrap, hashable, limits
        self.count_aliases, self.spans_left = count_aliases, spans
        self.built = Built()
        self.stack: list[_Open] = []
        self.entries: list[Entry] = []
        self.next_mark = 0
        self.mark_every = max(1, checkpoints.STEP // 8)

    def stream(self) -> Built:
        get_event = self.loader.get_event
        get_event()  # StreamStartEvent
        while type(get_event()) is not StreamEndEvent:  # DocumentStartEvent
            self.entries = []
            self.built.entries.append(self.entries)
            self.built.documents.append(self.document())
            get_event()  # DocumentEndEvent
        return self.built

    def document(self) -> Any:
        """Read one document's events (after its start) and return its value."""
        loader, stack, hashable, intern = self.loader, self.stack, self.hashable, sys.intern
        get_event, resolve, resolvers = loader.get_event, loader.resolve, loader.yaml_implicit_resolvers
        # A plain scalar is resolved as Resolver.resolve does (by its first character), inline unless
        # the loader has path or wildcard resolvers.
        always_resolve = None in resolvers or bool(loader.yaml_path_resolvers)
        constructors, tags = loader.yaml_constructors, loader.tags
        max_nodes, max_depth, count_aliases = self.limits.max_nodes, self.limits.max_depth, self.count_aliases
        anchors: dict[str, _Made] = {}
        opened: dict[str, _Open] = {}
        anchored_at: dict[str, Any] = {}
        while True:
            event = get_event()
            kind = type(event)
            made: _Made
            if kind is ScalarEvent:
                tag, text = event.tag, event.value
                if tag is None or tag == "!":
                    implicit = event.implicit
                    if not implicit[0]:
                        tag = STR
                    elif always_resolve:
                        tag = resolve(yaml.ScalarNode, text, implicit)
                    else:  # Resolver.resolve without path or wildcard resolvers, inline
                        tag = STR
                        for candidate, pattern in resolvers.get(text[:1], ()):
                            if pattern.match(text):
                                tag = candidate
                                break
                if tag == STR:
                    value: Any = text
                elif tag == INT and len(text) < 19 and text.isdigit() and text.isascii() and text[0] != "0":
                    value = int(text)  # what construct_yaml_int makes of a plain decimal (a leading 0 is octal)
                else:
                    as_key = bool(stack) and stack[-1].mapping and stack[-1].key is _NO_KEY
                    if as_key and tag == MERGE:
                        raise Unsupported("a merge key")
                    if as_key and tag == VALUE:
                        value = text  # PyYAML's flatten_mapping makes a `=` key a string
                    else:
                        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
                        value = _scalar(loader, constructors, node, tag)
                made = (value, event.start_mark.index, event.end_mark.index, 1, text, 0, False)
                if event.anchor is not None:
                    _check_anchor(event, anchors, opened, anchored_at)
                    anchors[event.anchor] = made
            elif kind is AliasEvent:
                name = event.anchor
                if name in anchors:
                    value, _start, _end, size, text, count, mapping = anchors[name]
                    made = (value, event.start_mark.index, event.end_mark.index, size, text, count, mapping)
                elif name in opened:  # a collection that holds itself: the same object, as PyYAML makes it
                    inside = opened[name]
                    if inside.node is not None:
                        raise yaml.constructor.ConstructorError(
                            None, None, "found unconstructable recursive node", anchored_at[name]
                        )
                    made = (inside.value, event.start_mark.index, event.end_mark.index, 1, None, 0, inside.mapping)
                else:
                    raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                mapping = kind is MappingStartEvent
                tag = event.tag
                node_made: yaml.Node | None = None
                if tag is not None and tag != "!" and tag != (MAP if mapping else SEQ):
                    if tag in constructors:  # !!set, !!omap, !!pairs, or a scalar's tag on a collection
                        raise Unsupported(f"a collection tagged {tag}")
                    node_class = yaml.MappingNode if mapping else yaml.SequenceNode
                    node_made = node_class(tag, [], event.start_mark, event.end_mark, event.flow_style)
                    tags.setdefault(tag, []).append(node_made)
                if len(stack) >= max_depth:
                    self.limits.check("max_depth", len(stack) + 1, what="the nesting depth of the value")
                opening = _Open(mapping, node_made, event.anchor, event.start_mark.index, _slot(stack))
                if event.anchor is not None:
                    _check_anchor(event, anchors, opened, anchored_at)
                    opened[event.anchor] = opening
                stack.append(opening)
                continue
            else:  # SequenceEndEvent or MappingEndEvent
                done = stack.pop()
                value = done.value
                if done.node is not None:
                    done.node.end_mark = event.end_mark
                    value = self.wrap(done.node.tag, value)
                if count_aliases and done.size > max_nodes:
                    self.limits.check("max_nodes", done.size, what="the document once its aliases are expanded")
                made = (value, done.start, event.end_mark.index, done.size, None, done.count, done.mapping)
                if done.anchor is not None:
                    del opened[done.anchor]
                    anchors[done.anchor] = made
            if not stack:
                if made[4] is not None:  # a document that is one scalar: its span
                    self._entry(None, 0, 0, made, whole=True)
                return made[0]
            # Into the collection being read (inline: this runs for every node).
            parent = stack[-1]
            parent.size += made[3]
            if count_aliases and parent.size > max_nodes:  # refused now, not when it ends: an alias used
                # as a key is walked whole (hashable), so many of them would take long before that
                self.limits.check("max_nodes", parent.size, what="the document once its aliases are expanded")
            if not parent.mapping:
                parent.value.append(made[0])
                parent.count += 1
                if len(stack) == 1:
                    self._entry(None, 0, 0, made)
            elif parent.key is _NO_KEY:  # a key: it waits for its value
                key = made[0] if made[4] is not None else hashable(made[0])
                if type(key) is str:
                    key = intern(key)  # the same keys in every record: one string each
                parent.key = (key, "?" if made[4] is None else made[4], made[1], made[2])
            else:
                waiting = parent.key
                key = waiting[0]
                parent.key = _NO_KEY
                seen = parent.seen
                if key in seen:
                    self._repeat(key, seen[key], waiting)
                seen[key] = waiting
                parent.value[key] = made[0]
                parent.count += 1
                if len(stack) == 1:
                    self._entry(waiting[1], waiting[2], waiting[3], made)

    def _entry(self, key: str | None, key_start: int, key_end: int, made: _Made, whole: bool = False) -> None:
        if self.spans_left > 0:
            self.spans_left -= 1
            index = len(self.entries)
            self.entries.append(Entry(key, key_start, key_end, made[1], made[2], _describe(made), whole, index))
        first = made[1] if key is None else key_start
        if first >= self.next_mark and not whole and not self.built.documents:  # (the first document's)
            self.next_mark = first + self.mark_every
            self.built.marks.append((first, self.stack[0].count - 1, key is not None))

    def _repeat(self, key: Any, first: tuple, again: tuple) -> None:
        """A key given again in the mapping being read (``first``, ``again``: (key, as written, start, end))."""
        if len(self.built.repeats) < LIMIT_REPEATS:
            path = tuple(frame.slot for frame in self.stack[1:])
            document = len(self.built.documents)
            self.built.repeats.append(Repeat(document, path, key, (first[2], first[3]), (again[2], again[3])))


def _slot(stack: list[_Open]) -> Any:
    """Where a collection opening now sits in the one being read: an index, a key as written, None in a key."""
    if not stack:
        return ()
    parent = stack[-1]
    if not parent.mapping:
        return len(parent.value)
    return None if parent.key is _NO_KEY else parent.key[1]


def _check_anchor(event: Any, anchors: dict, opened: dict, anchored_at: dict) -> None:
    """PyYAML's C composer refuses an anchor given twice in one document (YAML 1.2 allows it)."""
    name = event.anchor
    if name in anchors or name in opened:
        raise yaml.composer.ComposerError(
            "found duplicate anchor; first occurrence", anchored_at[name], "second occurrence", event.start_mark
        )
    anchored_at[name] = event.start_mark


def _scalar(loader: Any, constructors: dict, node: yaml.ScalarNode, tag: str) -> Any:
    """A scalar other than a string, made by the loader's own constructor for its tag."""
    try:
        if tag in _PLAIN_SCALARS:
            return constructors[tag](loader, node)
        value = loader.construct_object(node, deep=True)
        loader.constructed_objects.pop(node, None)  # the node is not kept: neither is its cache entry
        return value
    except SCALAR_ERRORS as exc:
        raise BadScalar(exc, node.start_mark.index) from None


def build(
    loader: Any,
    *,
    wrap: Callable[[str, Any], Any],
    hashable: Callable[[Any], Any],
    limits: Limits,
    count_aliases: bool,
    spans: int,
) -> Built:
    """The documents of ``loader``'s stream (a PyYAML safe loader on the C parser, nothing read yet).

    ``wrap(tag, value)`` makes the value of a collection with a custom or Python tag (the loader's
    ``tags`` dict gets its node: tag and marks); ``hashable`` turns a collection used as a key into
    a dict key. With ``count_aliases`` (the text holds a ``*``) a document whose aliases expand past
    ``limits.max_nodes`` values is refused as it is read. ``spans``: most top-level entries recorded.
    """
    return _Reader(loader, wrap, hashable, limits, count_aliases, spans).stream()


class Outside(Exception):
    """A walk resumed at a checkpoint met what it cannot read from there (an alias to an anchor before it,
    another kind of top level): the window is read from the whole input instead."""


def window(
    loader: Any,
    lo: int,
    hi: int,
    byte_offset: Callable[[int], int],
    *,
    place: int = 0,
    note: Callable[[int, int, bool], None] | None = None,
    mapping: bool | None = None,
) -> list[tuple[int, Entry]]:
    """(document number, entry) for the top-level entries with bytes in ``lo``..``hi``, read again from
    ``loader``'s events without making values (an input build() has read: its errors are not checked
    again). Byte positions come from ``byte_offset`` (character index -> byte); the walk stops past ``hi``.
    How a far window of a large YAML is annotated (runtime.annotate, core.limits.span_window).

    ``note(start, place, mapping)`` is told of each top-level entry of the first document (the character
    where it starts, its place, whether the top level is a mapping): where a later walk may resume
    (codecs.yamlfar). A resumed walk reads the text from a checkpoint: its first entry is at ``place``, its
    top level must be a block mapping if ``mapping`` else a block sequence, and an alias whose anchor it
    has not read raises Outside."""
    found: list[tuple[int, Entry]] = []
    get_event = loader.get_event
    get_event()  # StreamStartEvent
    document = -1
    resumed = mapping is not None
    while type(get_event()) is not StreamEndEvent:  # DocumentStartEvent
        document += 1
        if resumed and document:
            raise Outside("a second document")
        anchors: dict[str, _Made] = {}
        # Open collections: [mapping, items or pairs, anchor, start, the key waiting for its value].
        stack: list[list] = []
        while True:
            event = get_event()
            kind = type(event)
            if kind is SequenceStartEvent or kind is MappingStartEvent:
                if resumed and not stack and (mapping is not (kind is MappingStartEvent) or event.flow_style):
                    raise Outside("another kind of top level")
                stack.append([kind is MappingStartEvent, 0, event.anchor, event.start_mark.index, None])
                continue
            made: _Made
            if kind is ScalarEvent:
                made = (None, event.start_mark.index, event.end_mark.index, 1, event.value, 0, False)
                if event.anchor is not None:
                    anchors[event.anchor] = made
            elif kind is AliasEvent:
                if resumed and event.anchor not in anchors:
                    raise Outside("an alias to an anchor before the checkpoint")
                _value, _start, _end, _size, text, count, is_map = anchors.get(event.anchor, _UNKNOWN)
                made = (None, event.start_mark.index, event.end_mark.index, 1, text, count, is_map)
            else:  # SequenceEndEvent or MappingEndEvent
                is_map, count, anchor, start, _key = stack.pop()
                made = (None, start, event.end_mark.index, 1, None, count, is_map)
                if anchor is not None:
                    anchors[anchor] = made
            if not stack:
                if resumed and made[4] is not None:
                    raise Outside("a top level that is one scalar")
                if made[4] is not None and _overlaps(made, lo, hi, byte_offset):
                    found.append((document, Entry(None, 0, 0, made[1], made[2], _describe(made), True)))
                break
            parent = stack[-1]
            if parent[0] and parent[4] is None:  # a key
                parent[4] = ("?" if made[4] is None else made[4], made[1], made[2])
                continue
            key, parent[4] = parent[4], None
            parent[1] += 1
            if len(stack) > 1:
                continue
            first = made[1] if key is None else key[1]
            if byte_offset(first) >= hi:
                return found  # entries come in byte order: the rest are past the window
            at = parent[1] - 1 + (place if not document else 0)
            if note is not None and not document:
                note(first, at, parent[0])
            if byte_offset(made[2]) > lo:
                written, key_start, key_end = key if key is not None else (None, 0, 0)
                entry = Entry(written, key_start, key_end, made[1], made[2], _describe(made), False, at)
                found.append((document, entry))
        get_event()  # DocumentEndEvent
    return found


_UNKNOWN: _Made = (None, 0, 0, 1, "*", 0, False)
"""An alias build() would have refused (it read this input): labelled as written."""


def _overlaps(made: _Made, lo: int, hi: int, byte_offset: Callable[[int], int]) -> bool:
    return byte_offset(made[2]) > lo and byte_offset(made[1]) < hi
