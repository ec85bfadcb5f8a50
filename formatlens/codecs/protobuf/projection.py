"""A second, merged parse of a message: what all its instances at one place hold, without visiting each one.

The census of a large message (codecs.protobuf.glance) must know whether any of its 770,000 records
holds an unknown field or a Timestamp out of range; asking each record makes a Python object of each
(0.4 s per 770,000, and as much again for their Timestamps). Protobuf's own parse can gather them:
a singular message field written many times is merged into one message, its repeated fields
concatenated and its unknown fields kept. So the schema is copied with every message field made
singular (repeated ones, map entries, oneof members, groups), and Timestamp and Duration replaced by
a message of repeated ``seconds`` and ``nanos``: parsing the same bytes with the copy gives one
message per place in the schema (``items.registered_at``), holding every value written there.

What it says is at least what the message holds (values the real parse overwrote or a oneof cleared
are there too): enough to say "none out of range, no unknown field anywhere"; when it cannot say
that, the census asks each instance, or the whole conversion decides.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet

_FILE = "formatlens/census_parts.proto"
_PACKAGE = "formatlens_census"
PARTS = {"google.protobuf.Timestamp": "TimestampParts", "google.protobuf.Duration": "DurationParts"}
"""The well-known types whose values are checked here, and the message of their parts replacing each."""
_F = descriptor_pb2.FieldDescriptorProto


def merged(data: bytes, descriptor: Any) -> Any | None:
    """``data`` parsed with the merged copy of ``descriptor``'s schema, or None when the copy cannot be made
    or does not parse the bytes (a field of a Timestamp written with another wire type: the copy reads it
    as a packed list); the census then asks each instance."""
    made = _merged_class(descriptor)
    if made is None:
        return None
    copy = made()
    try:
        copy.ParseFromString(data)
    except DecodeError:
        return None
    return copy


def walk(copy: Any) -> tuple[bool, dict[str, list[Any]]]:
    """Whether any merged message holds an unknown field (an extension counts: the copy declares none),
    and the merged parts messages of each well-known type (PARTS), by its full name."""
    parts: dict[str, list[Any]] = {name: [] for name in PARTS}
    kinds = {f"{_PACKAGE}.{part}": name for name, part in PARTS.items()}
    unknown = False
    todo = [copy]
    while todo:
        message = todo.pop()
        kind = kinds.get(message.DESCRIPTOR.full_name)
        if kind is not None:
            parts[kind].append(message)
            continue
        unknown = unknown or len(UnknownFieldSet(message)) > 0
        todo += [value for field, value in message.ListFields() if field.message_type is not None]
    return unknown, parts


def top_counts(data: bytes, descriptor: Any) -> dict[int, int] | None:
    """How many fields of each number the top level of ``data`` (a message of ``descriptor`` that parsed)
    holds: wire.top_level_walk's counts (its Python loop took 0.3 s for 770,000 fields), from protobuf's parse
    of a message declaring each of the top level's numbers as repeated bytes (a field written with another wire
    type, or a number not declared, is kept as an unknown field: counted too). None for a top level holding a
    group, as top_level_walk says."""
    numbers = tuple(sorted({field.number for field in descriptor.fields}))
    copy = _parsed(data, numbers)
    if copy is None:
        return None
    counts = {number: len(getattr(copy, f"f{number}")) for number in numbers}
    for unknown in UnknownFieldSet(copy):
        if unknown.wire_type == 3:  # a group
            return None
        counts[unknown.field_number] = counts.get(unknown.field_number, 0) + 1
    return {number: count for number, count in counts.items() if count}


def length_delimited_counts(data: bytes, numbers: tuple[int, ...]) -> dict[int, int] | None:
    """How many fields of each of ``numbers`` a message's top level holds, when every one of its fields is a
    length-delimited field of one of them (a list of records: protobuf's parse counts them in C), else None.
    The parse's fields, written back canonically, must take every byte of ``data``: a field of another number
    or wire type is left unknown and takes bytes of its own (its count is not asked of protobuf: listing 23
    million unknown fields crashed a worker at its memory limit), and so does a tag or length written longer
    than it need be."""
    copy = _parsed(data, numbers)
    if copy is None:
        return None
    counts, written = {}, 0
    for number in numbers:
        items = getattr(copy, f"f{number}")
        lengths = list(map(len, items))
        tag = -(-((number << 3) | 2).bit_length() // 7)  # the tag's varint: 7 bits a byte
        # each field: its tag, its length as a varint (1 byte, one more from 2**7, 2**14...) and its bytes
        written += len(lengths) * (tag + 1) + sum(lengths)
        longest = max(lengths, default=0)  # records of under 128 bytes: no more passes
        written += sum(sum(map(bound.__le__, lengths)) for bound in _VARINT_STEPS if bound <= longest)
        counts[number] = len(lengths)
    if written != len(data):
        return None
    return {number: count for number, count in counts.items() if count}


_VARINT_STEPS = tuple(1 << (7 * step) for step in range(1, 10))
"""A length of at least each of these takes one more byte as a varint."""


def _parsed(data: bytes, numbers: tuple[int, ...]) -> Any | None:
    """``data`` parsed as a message declaring ``numbers`` as repeated bytes, or None where protobuf refuses it."""
    copy = _occurrences_class(numbers)()
    try:
        copy.ParseFromString(data)
    except DecodeError:
        return None
    return copy


@lru_cache(maxsize=256)
def _occurrences_class(numbers: tuple[int, ...]) -> Any:
    own = descriptor_pb2.FileDescriptorProto(name=_FILE, package=_PACKAGE, syntax="proto2")
    message = own.message_type.add(name="Occurrences")
    for number in numbers:
        message.field.add(name=f"f{number}", number=number, label=_F.LABEL_REPEATED, type=_F.TYPE_BYTES)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(own)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.Occurrences"))


@lru_cache(maxsize=256)
def _merged_class(descriptor: Any) -> Any | None:
    files = _closure(descriptor.file)
    pool = descriptor_pool.DescriptorPool()
    own = descriptor_pb2.FileDescriptorProto(name=_FILE, package=_PACKAGE, syntax="proto2")
    for part in PARTS.values():
        message = own.message_type.add(name=part)
        message.field.add(name="seconds", number=1, label=_F.LABEL_REPEATED, type=_F.TYPE_INT64)
        message.field.add(name="nanos", number=2, label=_F.LABEL_REPEATED, type=_F.TYPE_INT32)
    try:
        pool.Add(own)
        for file in files:
            proto = descriptor_pb2.FileDescriptorProto()
            file.CopyToProto(proto)
            proto.dependency.append(_FILE)
            del proto.extension[:]
            for message in proto.message_type:
                _merge_fields(message)
            pool.Add(proto)
    except TypeError:  # a schema the copy cannot be built from (its features): each instance is asked
        return None
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(descriptor.full_name))


def _merge_fields(message: Any) -> None:
    """Every message field of ``message`` (and of its nested messages) singular, outside any oneof; the
    well-known types of PARTS replaced by their parts."""
    del message.extension[:]
    del message.oneof_decl[:]
    message.options.ClearField("map_entry")  # a map's entries: a message like any other here
    for field in message.field:
        field.ClearField("oneof_index")
        field.ClearField("proto3_optional")
        if field.label == _F.LABEL_REQUIRED:  # a merged message need not hold it
            field.label = _F.LABEL_OPTIONAL
        if field.type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP):
            field.label = _F.LABEL_OPTIONAL
            part = PARTS.get(field.type_name.lstrip("."))
            if part is not None:
                field.type_name = f".{_PACKAGE}.{part}"
    for nested in message.nested_type:
        _merge_fields(nested)


def _closure(file: Any) -> list[Any]:
    """``file`` and the files it imports, each after its imports."""
    ordered: list[Any] = []
    seen: set[str] = set()

    def visit(current: Any) -> None:
        if current.name in seen:
            return
        seen.add(current.name)
        for dependency in current.dependencies:
            visit(dependency)
        ordered.append(current)

    visit(file)
    return ordered
