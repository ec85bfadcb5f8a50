"""The operator's limits, read from environment variables.

Every decode is bounded so that no upload can hang the server or eat its
memory. A limit that trips raises :class:`LimitExceeded`, naming the variable
that raises it. Defaults suit a small team server.
"""

from __future__ import annotations

import gc
import os
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from itertools import chain, compress
from typing import Any

from formatlens.core.errors import LimitExceeded

_PREFIX = "FORMATLENS_"


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int = 50 * 1024 * 1024
    """Largest input accepted by load()."""
    max_depth: int = 200
    """Deepest nesting of containers that is converted or rendered (kept well under Python's recursion limit)."""
    max_nodes: int = 2_000_000
    """Most values in a decoded or converted value (YAML aliases and pickle memo
    references count once per use, so a 'billion laughs' trips this). A large input
    may hold more: see max_nodes_per_mib."""
    max_nodes_per_mib: int = 262_144
    """Values allowed per full MiB of input, when that is more than max_nodes (one value per 4 bytes:
    a 50 MB file of records holds 3-4 million values; an expansion bomb holds far more than its bytes)."""
    max_decompressed_bytes: int = 512 * 1024 * 1024
    """Most bytes that compressed data (Parquet pages, Avro blocks) may inflate to."""
    max_layers: int = 8
    """Most wrappers (compression, base64, framing...) peeled off one input."""
    max_output_bytes: int = 200 * 1024 * 1024
    """Largest output of dump() or convert()."""
    max_spans: int = 200_000
    """Most byte spans annotated per document; the rest of the bytes stay unannotated."""
    max_decode_seconds: float = 10.0
    """CPU time for one decode in a worker process (wall time: twice that, plus 2 s); more for a large
    input, see max_decode_seconds_per_mib."""
    max_decode_seconds_per_mib: float = 0.5
    """CPU seconds added per full MiB of input (the libraries take about 0.05-0.3 s per MiB of records;
    a 50 MB upload may use 10 + 23 s)."""
    max_tree_items: int = 50
    """Items per list or object that the tree view starts with ("show more" multiplies it)."""
    max_table_rows: int = 10_000
    """Rows the table view sends to the browser."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(env_name(field.name))
            if raw is not None:
                values[field.name] = float(raw) if field.type == "float" else int(raw)  # annotations are strings
        return cls(**values)

    def for_input(self, size: int) -> Limits:
        """These limits for an input of ``size`` bytes: the node and time bounds grow with its full MiBs."""
        mib = size >> 20
        if not mib:
            return self
        return replace(
            self,
            max_nodes=max(self.max_nodes, mib * self.max_nodes_per_mib),
            max_decode_seconds=self.max_decode_seconds + mib * self.max_decode_seconds_per_mib,
        )

    def check(self, name: str, value: int | float, *, what: str, offset: int | None = None) -> None:
        """Raise LimitExceeded when ``value`` is over the limit called ``name``."""
        bound = getattr(self, name)
        if value > bound:
            raise LimitExceeded(
                f"{what} is over the limit of {bound:,}",
                offset=offset,
                hint=f"an operator can raise it with the environment variable {env_name(name)}",
            )


def env_name(field_name: str) -> str:
    return _PREFIX + field_name.upper()


_ENV_NAMES = tuple(env_name(field.name) for field in fields(Limits))
_cache: tuple[tuple, Limits] | None = None


_sized: ContextVar[Limits | None] = ContextVar("formatlens_sized_limits", default=None)


@contextmanager
def sized_for(limits: Limits) -> Iterator[Limits]:
    """Within this block current() is ``limits`` (a decode's limits, sized for its input by for_input)."""
    token = _sized.set(limits)
    try:
        yield limits
    finally:
        _sized.reset(token)


class SpanWindow(tuple[int, int]):
    """Byte ranges to annotate (``ranges``: sorted, not overlapping; each start inclusive, end exclusive).
    As a tuple it is ``(lo, hi)``, the first start and the last end (a walker that reads one stretch of
    bytes uses those; restrict() trims what it makes between the ranges)."""

    ranges: tuple[tuple[int, int], ...]

    def __new__(cls, ranges: tuple[tuple[int, int], ...]) -> SpanWindow:
        made = super().__new__(cls, (ranges[0][0], ranges[-1][1]))
        made.ranges = ranges
        return made

    def past(self, pos: int) -> bool:
        """Whether ``pos`` is at or after the end of the last range (the walk can stop)."""
        return pos >= self.ranges[-1][1]

    def misses(self, start: int, end: int) -> bool:
        """Whether bytes ``start``..``end`` lie wholly outside every range (an item passed over)."""
        # Only two ranges can decide: the last to start at or before ``start``, and the next one.
        i = bisect_right(self.ranges, (start, float("inf"))) - 1
        return all(not (lo < end and start < hi) for lo, hi in self.ranges[max(i, 0) : i + 2])


_window: ContextVar[SpanWindow | None] = ContextVar("formatlens_span_window", default=None)


@contextmanager
def span_window(lo: int, hi: int, *more: tuple[int, int]) -> Iterator[SpanWindow]:
    """Within this block the span walkers annotate only bytes ``lo``..``hi`` (exclusive), and any ``more``
    ranges: the spans that overlap them and their ancestors. Whole items outside them are passed over
    without spans (skipped by their length prefixes where the format has them), and the walk stops past
    the last. How a view annotates far windows of a large input in one walk (runtime/annotate.py).

    Not a Limits field: a window is what one call asks for, not an operator's bound."""
    window = SpanWindow(tuple(sorted({(lo, hi), *more})))
    token = _window.set(window)
    try:
        yield window
    finally:
        _window.reset(token)


def current_window() -> SpanWindow | None:
    """The span window in force (span_window), or None: annotate everything (up to max_spans)."""
    return _window.get()


def current() -> Limits:
    """The limits in force now: the environment is consulted on each call (tests and operators may
    change it), but parsed again only when one of its variables changed. Inside sized_for(), its limits."""
    sized = _sized.get()
    if sized is not None:
        return sized
    global _cache
    key = tuple(os.environ.get(name) for name in _ENV_NAMES)
    if _cache is None or _cache[0] != key:
        _cache = (key, Limits.from_env())
    return _cache[1]


_CONTAINERS = (dict, list, tuple, set, frozenset)
_EXIT = object()


def collections() -> int:
    """How many garbage collections this process has run (all generations, gc.get_stats())."""
    return sum(generation["collections"] for generation in gc.get_stats())


def check_value(value: object, limits: Limits | None = None, *, built_at: int | None = None) -> None:
    """Refuse a decoded tree (no shared or cyclic containers) deeper than max_depth or over max_nodes values.

    Level by level (see _levels): each container's items are counted with len(), and only containers
    go on to the next level (see check_shared_value for values that may hold cycles). ``built_at``:
    collections() when the value's decode began (Document.built_at), see _levels.
    """
    limits = limits or current()
    if isinstance(value, _CONTAINERS):
        _levels_since(value, limits, built_at)


def check_records(value: list, limits: Limits | None = None, *, built_at: int | None = None) -> None:
    """check_value for a list of records whose values are all scalars (a CSV's strings): the same
    count and depth, with len() on the records only (their values are not visited)."""
    _levels(value, limits or current(), leaves=2)


def _no_collection_since(built_at: int | None) -> bool:
    return built_at is not None and collections() == built_at


def _levels_since(value: object, limits: Limits, built_at: int | None, *, distinct: bool = False) -> bool:
    """_levels, skipping untracked dicts while no collection has run since ``built_at``. A collection
    during the walk (another thread's, in the server) may have untracked dicts it then skipped: a
    verdict of "within the limits" is only kept if none ran, else the value is walked again in full."""
    if not _no_collection_since(built_at):
        return _levels(value, limits, distinct=distinct)
    verdict = _levels(value, limits, distinct=distinct, untracked=True)
    if _no_collection_since(built_at):
        return verdict
    return _levels(value, limits, distinct=distinct)


def _levels(value: object, limits: Limits, *, distinct: bool = False, leaves: int = 0, untracked: bool = False) -> bool:
    """Walk ``value``'s containers level by level; raise LimitExceeded past max_depth or max_nodes.

    A level's values are counted with len() on its containers before they are gathered (a shared
    container multiplies a level: the count stops it first). The per-value work runs in C (chain, map,
    compress): the containers among a level's children are picked by their types. With ``distinct``,
    return False as soon as a container is met a second time (shared, or a cycle), else True. ``leaves``:
    the level whose items the caller knows to be scalars (not visited).

    ``untracked``: no garbage collection has run since the value was made. CPython makes a dict untracked
    by the collector and keeps it so while every key and value it holds is atomic (str, int, float,
    None, datetime...) or an untracked tuple; a tuple is made tracked and only a collection untracks it.
    So such a dict holds no container made since (only a tuple made before the decode could hide there,
    and no decoder puts one in a value): its values are counted by len() and not visited. That is most
    records (0.34 -> 0.04 s for a 46 MiB BSON's 388,000 documents). An untracked tuple is one made before
    the decode: it is counted by len() and not visited either (no input can have made it large). With
    ``distinct``, untracked containers are not looked for twice: holding no container, they make no cycle,
    and a shared one already counts once per use.
    """
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    level: list[Any] = [value]
    seen = {id(value)}
    depth, nodes = 1, 1
    while level:
        if depth > max_depth:
            limits.check("max_depth", depth, what="the nesting depth of the value")
        nodes += sum(map(len, level))
        if nodes > max_nodes:
            limits.check("max_nodes", nodes, what="the number of values")
        if depth == leaves:
            break
        if untracked:  # see above: an untracked dict holds no container made since the decode began
            level = _tracked(level)
        if len(level) == 1:  # one container (the top): its items as they are, not copied
            children = level[0].values() if isinstance(level[0], dict) else level[0]
        else:
            children = list(chain.from_iterable([node.values() if isinstance(node, dict) else node for node in level]))
        inner = {kind for kind in set(map(type, children)) if issubclass(kind, _CONTAINERS)}
        level = list(compress(children, map(inner.__contains__, map(type, children)))) if inner else []
        if distinct:  # an untracked container holds no container: met twice, it still counts per use above
            shareable = _tracked(level) if untracked else level
            before = len(seen)
            seen.update(map(id, shareable))
            if len(seen) - before != len(shareable):
                return False
        depth += 1
    return True


def _tracked(level: list) -> list:
    """The containers of ``level`` the collector tracks (see _levels): with no collection since the decode
    began, an untracked one holds atomic values only (or tuples that existed before the input was read)."""
    return list(compress(level, map(gc.is_tracked, level)))


def check_shared_value(value: object, limits: Limits | None = None, *, built_at: int | None = None) -> None:
    """check_value for values that may share containers or hold cycles (pickle memo, YAML anchors, CBOR).

    Depth first: a shared container counts once per use (an expansion bomb trips max_nodes); a
    reference back to an ancestor (a cycle) is counted once and not followed. Most such values share
    nothing: they are checked level by level first (_levels, at C speed), and depth first only when a
    container is met twice or a limit trips (then the verdict and message are the depth-first walk's).
    """
    limits = limits or current()
    if not isinstance(value, _CONTAINERS):
        return
    try:
        if _levels_since(value, limits, built_at, distinct=True):
            return  # a tree within the limits: the depth-first walk would count the same
    except LimitExceeded:
        pass  # over a limit: the depth-first walk below names which, counting shared containers its way
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    nodes = 1
    on_path: set[int] = set()
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if node is _EXIT:
            on_path.discard(depth)  # here ``depth`` holds the id of the container being left
            continue
        if depth > max_depth:
            limits.check("max_depth", depth, what="the nesting depth of the value")
        children = node.values() if isinstance(node, dict) else node
        nodes += len(children)
        if nodes > max_nodes:
            limits.check("max_nodes", nodes, what="the number of values")
        ident = id(node)
        on_path.add(ident)
        stack.append((_EXIT, ident))
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, _CONTAINERS) and id(child) not in on_path
        )
