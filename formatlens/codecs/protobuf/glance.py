"""A large message read with its schema, summed up without converting it whole (a first view).

Converting a parsed message into its Python value (values.message_to_value) costs about 15-60x the
parse: a 45 MiB message of 684,516 records parses in 0.06 s and converts in 3-6 s. A first view shows
the head of the value, and needs the verdict of the whole conversion (its limits, its refusals) and
its findings. So:

- ``census()`` counts what ``limits.check_value`` would count in the whole value, level by level
  (``len()`` of each dict and list), and looks for anything that makes the whole conversion say more
  than a value: unknown fields, extensions, a Timestamp or Duration outside what converts, a Struct the
  JSON mapping refuses. Any of those ("trouble") and the whole conversion decides, as it did before.
  A merged parse of the bytes (codecs.protobuf.projection) answers for every instance at once where it
  can: unknown fields, the well-known types' ranges, and the counts of records of a simple enough type
  (an upper bound: ``exact_census`` counts exactly when it does not fit the limits). Other records are
  walked one field at a time over a batch of instances (``map`` with ``attrgetter``/``methodcaller``:
  the per-instance work runs in C).
- ``check_levels()`` then refuses what ``check_value`` would refuse, with its words.
- ``head_value()`` converts the head only: the first HEAD_ITEMS of each container, HeadList/HeadDict
  carrying the whole lengths, stopping where ``firstview.head_of`` stops (its value budget), so that
  ``head_of(head_value(m)) == head_of(message_to_value(m))``.

A schema reaching google.protobuf.Any is not summed up (codec: ``reaches_any``): an Any's findings
decide whether the message is written back verbatim, which the decode must know at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, compress, islice
from operator import attrgetter, methodcaller
from typing import Any

from google.protobuf import json_format
from google.protobuf.internal import well_known_types
from google.protobuf.unknown_fields import UnknownFieldSet

from formatlens.codecs.protobuf.projection import merged
from formatlens.codecs.protobuf.projection import walk as projection_walk
from formatlens.codecs.protobuf.values import (
    _MESSAGE_TYPES,
    ALWAYS,
    IF_SET,
    NEVER,
    WELL_KNOWN,
    _is_map,
    _single,
    fields_shown,
)
from formatlens.codecs.protobuf.wire import is_repeated
from formatlens.core.errors import LimitExceeded
from formatlens.core.limits import Limits

_TIMESTAMP = "google.protobuf.Timestamp"
_DURATION = "google.protobuf.Duration"
BATCH = 4096
"""Instances of a type the census makes Python objects for at a time (see _Walk.messages)."""
_JSON_TYPES = frozenset(f"google.protobuf.{name}" for name in ("Struct", "Value", "ListValue"))
_NANOS = 1_000_000_000
# What converts without an error (well_known_types' own checks; a Duration within them fits a timedelta).
_SECONDS = {
    _TIMESTAMP: (well_known_types._TIMESTAMP_SECONDS_MIN, well_known_types._TIMESTAMP_SECONDS_MAX),
    _DURATION: (-well_known_types._DURATION_SECONDS_MAX, well_known_types._DURATION_SECONDS_MAX),
}
_NANOS_RANGE = {_TIMESTAMP: (0, _NANOS - 1), _DURATION: (-_NANOS + 1, _NANOS - 1)}
_SCALAR_TYPES = frozenset(WELL_KNOWN) - _JSON_TYPES
"""Well-known message types whose value is no container (datetime, timedelta, the wrappers' values)."""


class _Trouble(Exception):
    """Something only the whole conversion says rightly (its findings, its error): it decides."""


@dataclass
class Census:
    """What check_value would count in the whole value, without making it."""

    levels: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    """Depth (the top message is 1) -> the sum of len() of the dicts and lists at that depth."""
    deepest: int = 0
    """The depth of the deepest dict or list (empty ones count: check_value's levels do)."""
    trouble: str | None = None
    """Why the whole conversion must decide (unknown fields, extensions...), or None."""
    over: bool = False
    """The count passed max_nodes within max_depth (the walk stopped there)."""
    exact: bool = True
    """False: ``levels`` are at least the value's (flat records counted by their type, see census)."""


def census(message: Any, limits: Limits, data: bytes | None = None, *, tolerant: bool = False) -> Census:
    """Count the value of ``message`` level by level (see the module's doc); stops once the count within
    max_depth passes max_nodes (a message of a million empty records of a wide type would make a
    billion values: they are counted by type, not made).

    With ``data`` (the bytes ``message`` was parsed from), what the merged parse of codecs.protobuf.projection
    says replaces asking each instance for its unknown fields and each Timestamp/Duration for its range, and
    records of a type of scalars, lists of scalars and single nested records of such types are counted by
    their type (_Walk.by_type), every field with presence as if set: ``levels`` are then an upper bound
    (``exact`` False), and within the limits that says enough; else the exact census decides
    (``exact_census``).

    ``tolerant`` (without ``data``): unknown fields and extensions are no trouble, and the levels are at most
    the value's (the conversion adds their keys too): enough to say "over max_nodes" (``lower_bound_over``)."""
    found = Census()
    walk = _Walk(found, limits)
    walk.tolerant = tolerant
    try:
        copy = merged(data, message.DESCRIPTOR) if data is not None else None
        if copy is not None:
            unknown, parts = projection_walk(copy)
            if unknown:
                raise _Trouble("unknown fields or extensions")
            for name, gathered in parts.items():
                walk.in_range(name, [*chain.from_iterable(map(attrgetter("seconds"), gathered))], "seconds")
                walk.in_range(name, [*chain.from_iterable(map(attrgetter("nanos"), gathered))], "nanos")
            walk.bounded, found.exact = True, False
        walk.messages([message], message.DESCRIPTOR, 1, copy)
    except _Trouble as trouble:
        found.trouble = str(trouble)
    except _Over:
        found.over = True
    return found


def exact_census(message: Any, limits: Limits, data: bytes) -> Census:
    """census() with ``data``, and the exact census when its upper bound does not fit the limits."""
    found = census(message, limits, data)
    if found.exact or found.trouble:
        return found
    if not found.over:
        try:
            check_levels(found, limits)
            return found
        except LimitExceeded:
            pass  # maybe over: counted exactly below
    return census(message, limits)


class _Over(Exception):
    """The count within max_depth passed max_nodes: the value is refused whatever else it holds."""


class _Walk:
    def __init__(self, found: Census, limits: Limits) -> None:
        self.found, self.limits = found, limits
        self.counted = 1  # the top dict itself, as check_value's count starts
        self.bounded = False
        """The merged parse checked unknown fields and well-known ranges: flat records are counted by type."""
        self.tolerant = False
        """Unknown fields and extensions are not looked for (census(tolerant=True))."""

    def add(self, depth: int, items: int) -> None:
        """``items`` more values in the containers at ``depth`` (at least one container is there)."""
        found = self.found
        found.deepest = max(found.deepest, depth)
        found.levels[depth] += items
        if depth <= self.limits.max_depth:
            self.counted += items
            if self.counted > self.limits.max_nodes:  # refused at a level within max_depth, before any depth
                raise _Over

    def in_range(self, name: str, values: list[int], part: str) -> None:
        """Raise _Trouble unless every one of ``values`` (a Timestamp's or Duration's ``part``) converts."""
        low, high = (_SECONDS if part == "seconds" else _NANOS_RANGE)[name]
        if values and not (low <= min(values) and max(values) <= high):
            raise _Trouble(f"a {name} out of range")

    def messages(self, instances: Iterable, descriptor: Any, depth: int, merged: Any = None) -> None:
        """``instances`` of ``descriptor``, each a dict at ``depth`` of the value; ``merged``: all of them
        merged (codecs.protobuf.projection), when the walk is bounded. Walked BATCH at a time, each batch's
        nested messages before the next batch: a Python object for every record of a 46 MiB message (and
        for each of their lists and maps) held at once took more memory than the whole value."""
        iterator = iter(instances)
        while batch := list(islice(iterator, BATCH)):
            self.batch(batch, descriptor, depth, merged)

    def batch(self, instances: list, descriptor: Any, depth: int, merged: Any) -> None:
        """messages() for a list of instances."""
        count = len(instances)
        looked = not self.bounded and not self.tolerant
        if looked and any(map(len, map(UnknownFieldSet, instances))):
            raise _Trouble(f"unknown fields in {descriptor.full_name}")
        if looked and descriptor.extension_ranges and any(map(len, map(attrgetter("Extensions"), instances))):
            raise _Trouble(f"extensions set on {descriptor.full_name}")
        keys = 0
        # (made(), how many, their type, their depth, them merged): walked after this level's count (a bomb
        # stops sooner); made() makes the instances, only when asked
        nested: list[tuple[Callable[[], Iterator], int, Any, int, Any]] = []
        for field_descriptor, name, when in fields_shown(descriptor):
            if is_repeated(field_descriptor):
                keys += count
                containers = list(map(attrgetter(name), instances))
                items = sum(map(len, containers))
                self.add(depth + 1, items)
                if _is_map(field_descriptor):
                    value_field = field_descriptor.message_type.fields_by_name["value"]
                    if value_field.type in _MESSAGE_TYPES:
                        values = partial(_chained, map(methodcaller("values"), containers))
                        entries = _merged_field(merged, name)
                        nested.append(
                            (values, items, value_field.message_type, depth + 2, _merged_field(entries, "value"))
                        )
                elif field_descriptor.type in _MESSAGE_TYPES:
                    values = partial(_chained, containers)
                    nested.append(
                        (values, items, field_descriptor.message_type, depth + 2, _merged_field(merged, name))
                    )
            elif when is IF_SET:
                flags = list(map(methodcaller("HasField", name), instances))
                present = sum(flags)
                keys += present
                if present and field_descriptor.type in _MESSAGE_TYPES:
                    values = partial(_gathered, name, compress(instances, flags))
                    nested.append(
                        (values, present, field_descriptor.message_type, depth + 1, _merged_field(merged, name))
                    )
            elif when is ALWAYS:
                keys += count
                if field_descriptor.type in _MESSAGE_TYPES:  # no presence: an older protobuf's message field
                    values = partial(_gathered, name, instances)
                    nested.append(
                        (values, count, field_descriptor.message_type, depth + 1, _merged_field(merged, name))
                    )
        self.add(depth, keys)
        for made, many, value_descriptor, value_depth, value_merged in nested:  # made(): the instances, if asked
            self.values(made, many, value_descriptor, value_depth, value_merged)

    def values(self, instances: Callable[[], Iterator], count: int, descriptor: Any, depth: int, merged: Any) -> None:
        """``count`` messages of ``descriptor`` (made by ``instances()``) that are values at ``depth``: a
        well-known type's converted value, or a dict; ``merged``: all of them merged (a bounded walk)."""
        if not count:
            return
        name = descriptor.full_name
        if name in _SECONDS:  # datetime, timedelta: the range they convert in
            if not self.bounded:  # (else the merged parse had every one of them checked)
                made = list(instances())  # (the parent's batch: at most BATCH messages' worth)
                self.in_range(name, list(map(attrgetter("seconds"), made)), "seconds")
                self.in_range(name, list(map(attrgetter("nanos"), made)), "nanos")
        elif name in _JSON_TYPES:  # JSON inside protobuf: converted as the value has it, and counted
            for instance in instances():
                try:
                    converted = json_format.MessageToDict(instance)
                except ValueError:  # NaN or infinity: the JSON mapping refuses it; the whole conversion says how
                    raise _Trouble(f"a {name} the JSON mapping refuses") from None
                self.python(converted, depth)
        elif name in WELL_KNOWN:  # the wrappers' values are scalars
            return
        elif self.bounded and merged is not None and _countable(descriptor):
            self.by_type(count, descriptor, depth, merged)
        else:
            self.messages(instances(), descriptor, depth, merged)

    def by_type(self, count: int, descriptor: Any, depth: int, merged: Any) -> None:
        """``count`` dicts of ``descriptor`` at ``depth``, counted without making them (_countable): each field
        with presence as if set, a list's items as many as the merged message holds in all."""
        self.add(depth, count * sum(when is not NEVER for _field, _name, when in fields_shown(descriptor)))
        for field_descriptor, name, when in fields_shown(descriptor):
            if when is NEVER:
                continue
            if is_repeated(field_descriptor):  # a list in each dict (empty ones too), of scalars
                self.add(depth + 1, len(getattr(merged, name)))
            elif field_descriptor.type in _MESSAGE_TYPES and field_descriptor.message_type.full_name not in WELL_KNOWN:
                inside = _merged_field(merged, name)  # at most one in each dict; none in any: nothing to count
                if inside is not None:
                    self.by_type(count, field_descriptor.message_type, depth + 1, inside)

    def python(self, value: Any, depth: int) -> None:
        """A converted value (a Struct's dicts and lists) at ``depth``, counted as check_value counts it."""
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            return
        self.add(depth, len(value))
        for child in children:
            self.python(child, depth + 1)


def _chained(containers: Any) -> Iterator:
    return chain.from_iterable(containers)


def _gathered(name: str, instances: Any) -> Iterator:
    return map(attrgetter(name), instances)


def _merged_field(merged: Any, name: str) -> Any:
    """The merged message of the field ``name`` of ``merged`` (every message field is singular there), or None."""
    return getattr(merged, name) if merged is not None and merged.HasField(name) else None


@lru_cache(maxsize=4096)
def _countable(descriptor: Any, within: frozenset = frozenset()) -> bool:
    """Whether dicts of ``descriptor`` can be counted by type from their merged message (_Walk.by_type): its
    fields are scalars (lists of them too, not maps), the well-known types shown as scalars (Timestamp,
    Duration, the wrappers), or single messages of such a type (a type holding itself is not)."""
    for field_descriptor in descriptor.fields:
        if field_descriptor.type not in _MESSAGE_TYPES:
            continue
        nested = field_descriptor.message_type
        if is_repeated(field_descriptor) or nested.full_name in _JSON_TYPES:
            return False
        if nested.full_name in _SCALAR_TYPES:
            continue
        if nested.full_name in within or not _countable(nested, within | {descriptor.full_name}):
            return False
    return True


def lower_bound_over(message: Any, limits: Limits) -> Census | None:
    """A census of ``message`` that found trouble (unknown fields or extensions), counted without them: when
    that count is already over max_nodes within max_depth, the value is too (their keys only add to it), and
    check_value refuses it in check_levels' words. None when it is not over, or when the conversion may refuse
    first (a Timestamp, Duration, Struct, Value or ListValue reachable: the caller must make sure of that)."""
    found = census(message, limits, tolerant=True)
    return found if found.over and not found.trouble else None


def check_levels(found: Census, limits: Limits) -> None:
    """Refuse what limits.check_value refuses in the value ``found`` counts, with its words: level by level,
    the depth first, then the count."""
    nodes = 1
    for depth in range(1, found.deepest + 1):
        if depth > limits.max_depth:
            limits.check("max_depth", depth, what="the nesting depth of the value")
        nodes += found.levels.get(depth, 0)
        if nodes > limits.max_nodes:
            limits.check("max_nodes", nodes, what="the number of values")
    if found.over:  # the walk stopped past max_nodes within max_depth: the loop above has raised
        raise AssertionError("a census over max_nodes passed check_levels")


def head_value(message: Any, items: int, budget: int) -> dict:
    """The head of ``message``'s value: what ``firstview.head_of(value, items, budget)`` visits of it, made
    in the same order (the fields in message_to_value's order, each container's first ``items``), the
    dicts and lists cut there as HeadDict/HeadList with the whole lengths. The census found none of what
    only the whole conversion shows (unknown fields, extensions, an Any)."""
    from formatlens.runtime.firstview import _head_dict, head_list

    left = budget + 1  # one more than head_of visits: what it does not visit it does not see

    def message_value(message: Any) -> Any:
        nonlocal left
        left -= 1
        shown = [
            (field, name)
            for field, name, when in fields_shown(message.DESCRIPTOR)
            if when is ALWAYS or (when is IF_SET and message.HasField(name))
        ]
        kept: dict[str, Any] = {}
        for field_descriptor, name in shown:
            if len(kept) >= items or left <= 0:
                break
            kept[name] = field_value(field_descriptor, getattr(message, name))
        return kept if len(kept) == len(shown) else _head_dict(list(kept.items()), len(shown))

    def field_value(field_descriptor: Any, value: Any) -> Any:
        nonlocal left
        if _is_map(field_descriptor):
            left -= 1
            value_field = field_descriptor.message_type.fields_by_name["value"]
            entries: dict = {}
            for key, item in value.items():
                if len(entries) >= items or left <= 0:
                    break
                entries[key] = single(value_field, item)
            return entries if len(entries) == len(value) else _head_dict(list(entries.items()), len(value))
        if is_repeated(field_descriptor):
            left -= 1
            kept: list = []
            for item in value:
                if len(kept) >= items or left <= 0:
                    break
                kept.append(single(field_descriptor, item))
            return kept if len(kept) == len(value) else head_list(kept, len(value))
        return single(field_descriptor, value)

    def single(field_descriptor: Any, value: Any) -> Any:
        nonlocal left
        if field_descriptor.type in _MESSAGE_TYPES and value.DESCRIPTOR.full_name not in WELL_KNOWN:
            return message_value(value)
        left -= 1  # a scalar, or a well-known type's value (a Struct's insides: head_of cuts them, made whole)
        return _single(field_descriptor, value, [])

    return message_value(message)
