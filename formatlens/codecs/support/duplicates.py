"""Duplicate map keys: the warnings JSON, BSON, MessagePack and CBOR give when one map holds a key twice.

Each library quietly keeps the last value (at the place of the first key), so an
inspector has to say so. The codecs detect repeats with their library at C speed
(a pairs hook, cbor2's ``allow_duplicate_keys=False``, a dict subclass for BSON),
and only then walk the bytes (the span walker) to name where both keys are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from formatlens.core.document import Finding, Span

LIMIT = 20
"""At most this many duplicate-key warnings per document (the first ones in byte order)."""


class Repeat(NamedTuple):
    """One key found twice in one map: the map's path, the key, both keys' spans (None if not annotated)."""

    path: tuple | None
    key: Any
    first: Span | None
    again: Span | None


def where(path: tuple | None) -> str:
    if path is None:
        return "in some map"
    return "at the top level" if not path else "in " + "/".join(map(str, path))


def finding(format: str, library: str, repeat: Repeat) -> Finding:
    """The warning for ``repeat``: the key, its map's path, both byte offsets, and which value is kept."""
    if repeat.first is not None and repeat.again is not None:
        at = f"bytes {repeat.first.start} and {repeat.again.start}"
    else:
        at = "offsets unknown (beyond the annotated bytes)"
    return Finding(
        "warning",
        f"duplicate key {repeat.key!r} {where(repeat.path)}, {at}: {library} keeps the last value"
        " (in the first key's place)",
        repeat.again,
        code=f"{format}.duplicate-key",
        subject=str(repeat.key),
    )


def in_spans(spans: Sequence[Span], limit: int = LIMIT, skip: frozenset | set = frozenset()) -> list[Repeat]:
    """Repeated keys among the spans of one map, walked depth first over the span tree.

    A map's keys are its children of kind ``key`` (MessagePack, CBOR) or the ``key``
    child of each ``entry`` (BSON); a key's path ends with the key as the value holds it.
    Spans whose path is in ``skip`` are not maps (BSON arrays, whose keys are indexes).
    """
    found: list[Repeat] = []
    stack = list(reversed(spans))
    while stack and len(found) < limit:
        span = stack.pop()
        seen: dict[Any, Span] = {}
        for key_span in () if span.path in skip else _keys(span.children):
            key = key_span.path[-1] if key_span.path else None
            try:
                first = seen.setdefault(key, key_span)
            except TypeError:  # an unhashable key (a walker's fallback never is; be safe for any path)
                continue
            if first is not key_span:
                found.append(Repeat(span.path, key, first, key_span))
        stack.extend(reversed(span.children))
    return sorted(found[:limit], key=lambda r: r.again.start if r.again else 0)


def _keys(children: Iterable[Span]) -> list[Span]:
    keys = []
    for child in children:
        if child.kind == "key":
            keys.append(child)
        elif child.kind == "entry":
            keys.extend(c for c in child.children if c.kind == "key")
    return keys


def findings(
    format: str, library: str, detected: Sequence[Any], spans: Sequence[Span], skip: frozenset | set = frozenset()
) -> list[Finding]:
    """Warnings for the keys the library ``detected`` as repeated, located in ``spans`` where they are."""
    located = in_spans(spans, skip=skip)
    known = {_same(r.key) for r in located}
    by_repr = {_same(key): key for key in detected}
    unlocated = [Repeat(None, key, None, None) for shown, key in by_repr.items() if shown not in known]
    return [finding(format, library, r) for r in (located + unlocated)[:LIMIT]]


def _same(key: Any) -> str:
    return repr(key)


def written_back(
    data: bytes, items: Iterable[Any], encode: Callable[[Any], bytes], cannot: tuple[type[BaseException], ...]
) -> bool:
    """Whether ``encode`` writes the decoded ``items``, one after the other, as exactly ``data``: then no map
    held a key twice. (Bytes parse one way; a dict holds each key once and is written with one entry per
    key, so a map that repeated a key comes back shorter.) At C speed, a third of the exact check's time;
    bytes another writer wrote differently take the exact check. ``cannot``: the errors of a decoded value
    the library does not write back (then the exact check decides)."""
    at = 0
    for item in items:
        try:
            written = encode(item)
        except cannot:
            return False
        if not data.startswith(written, at):
            return False
        at += len(written)
    return at == len(data)
