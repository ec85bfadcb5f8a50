"""The Protocol Buffers wire format, walked byte by byte into values and spans.

Without a schema the walk guesses, as protoscope and blackboxprotobuf do: a
length-delimited payload is a string when it is printable UTF-8, else a nested
message when it parses as one, else packed varints, else bytes; fixed32/64
values are shown both as integers and as floats. The guess is shown honestly:
``readings()`` lists every reading of a length-delimited payload that parses and
why the chosen one won, and the span labels and findings carry it. Groups (wire
types 3 and 4, proto2's ``group``) are decoded as nested field lists, not refused.
Fields keep their wire order in the spans. With a message descriptor the same
walk names every field and follows the declared types instead of guessing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from formatlens.codecs.support.binwalk import ByteWalker, preview, read_varint
from formatlens.core.checkpoints import TOP
from formatlens.core.document import Finding, Span
from formatlens.core.errors import FormatError
from formatlens.core.limits import current_window

WIRE_TYPES = {0: "varint", 1: "fixed64", 2: "length-delimited", 5: "fixed32", 3: "group start", 4: "group end"}
MAX_FIELD = (1 << 29) - 1
MAX_NOTED_NUMBERS = 256
"""A checkpoint of a message's top level holds the count of each field number so far: past this many
numbers (a crafted message), none are noted (each would copy them all)."""


@dataclass(slots=True)
class WireField:
    number: int
    wire_type: int
    start: int
    tag_end: int
    payload_start: int
    end: int
    value: Any
    kind: str
    """How the payload was read: varint, fixed32, fixed64, string, bytes, message, packed, group."""
    children: list[WireField] = field(default_factory=list)
    name: str = ""
    declared: Any = None
    """The field's descriptor, when a schema names it."""
    close: int = 0
    """For a group: where its end-group tag starts (the tag runs to ``end``)."""


class _NotAMessage(Exception):
    pass


class WireWalker(ByteWalker):
    format = "protobuf"
    group_close: tuple[int, int] = (0, 0)
    """Where the last group walked ends: its end-group tag's start and the offset after it."""
    top_seen: dict[int, int] | None = None
    top_counts: dict[int, int] | None = None
    """In a span window walked from a checkpoint (core.checkpoints): how many fields of each number the top
    level holds before the first field walked, and in all (wire_spans numbers repeated fields with them)."""

    def bad_varint(self, message: str, pos: int) -> Exception:
        return _NotAMessage(pos)  # guessing tries many readings: a cheap exception, made a FormatError in message()

    def fields(self, start: int, end: int, depth: int, descriptor: Any = None, group: int = 0) -> list[WireField]:
        """All fields in [start, end); raises _NotAMessage (with the offset) if the bytes are not one.

        Inside a group (``group`` is its field number) the walk stops at the matching end-group
        tag and leaves its offsets in ``self.group_close``.
        """
        if depth > self.limits.max_depth:
            self.limits.check("max_depth", depth, what="the message nesting", offset=start)
        data, pos = self.data, start
        out: list[WireField] = []
        by_number = numbered_fields(descriptor) if descriptor is not None else None
        # The top level of a whole message in a span window: from the last checkpoint before the window, and
        # from past it to the end an earlier walk found (with the count of each field number there).
        marks = self.checkpoints if depth == 0 and not group and (start, end) == (0, len(data)) else None
        seen: dict[int, int] = {}
        if marks is not None and self.window is not None:
            pos, found = marks.start(TOP, pos, None, self.window[0])
            seen = dict(found) if found is not None else {}
            self.top_seen = dict(seen)
        while pos < end:
            if marks is not None and self.window is not None:
                ended = marks.end(TOP) if self.window.past(pos) else None
                if ended is not None:
                    pos, seen = ended[0], dict(ended[1])
                    break
                if marks.wants(TOP, pos) and len(seen) <= MAX_NOTED_NUMBERS:
                    marks.note(TOP, pos, dict(seen))
            # The one-byte tag and the one-byte varint are inlined: they are most of the wire.
            tag = data[pos]
            tag, after_tag = (tag, pos + 1) if tag < 0x80 else self.varint(pos, end)
            number, wire_type = tag >> 3, tag & 7
            if number < 1 or number > MAX_FIELD or wire_type > 5:
                raise _NotAMessage(pos)
            if wire_type == 4:  # end of a group: only the one that is open
                if number != group:
                    raise _NotAMessage(pos)
                self.group_close = (pos, after_tag)
                self.spans_left -= len(out)
                return out
            field_descriptor = by_number.get(number) if by_number is not None else None
            if marks is not None:
                seen[number] = seen.get(number, 0) + 1
            if self.window is not None and wire_type != 3:
                passed = self.passed(pos, after_tag, end, number, wire_type)
                if passed is not None:  # wholly outside a span window: its tag and length checked, not read
                    out.append(passed)
                    pos = passed.end
                    continue
            if wire_type == 0 and after_tag < end and data[after_tag] < 0x80:
                wire = WireField(number, 0, pos, after_tag, after_tag, after_tag + 1, data[after_tag], "varint")
            elif wire_type == 3:
                wire = self.group(pos, after_tag, end, number, depth, field_descriptor)
            else:
                wire = self.field(pos, after_tag, end, number, wire_type, depth, field_descriptor)
            if field_descriptor is not None:
                extension = field_descriptor.is_extension  # named as the value names it: [full.name]
                wire.name = f"[{field_descriptor.full_name}]" if extension else field_descriptor.name
                wire.declared = field_descriptor
            out.append(wire)
            pos = wire.end
        if group:
            raise _NotAMessage(start)  # the group never ends
        if marks is not None:
            if len(seen) <= MAX_NOTED_NUMBERS:
                marks.ended(TOP, pos, dict(seen))
            self.top_counts = seen
        self.spans_left -= len(out)
        return out

    def passed(self, pos: int, after_tag: int, end: int, number: int, wire_type: int) -> WireField | None:
        """The field at ``pos`` as a bare range when it lies wholly outside the span window, else None."""
        assert self.window is not None
        if wire_type == 2:
            length, payload_start = self.varint(after_tag, end)
            field_end = payload_start + length
        elif wire_type == 0:
            field_end = payload_start = self.varint(after_tag, end)[1]
        else:
            payload_start, field_end = after_tag, after_tag + (8 if wire_type == 1 else 4)
        if field_end > end:
            raise _NotAMessage(after_tag)
        if not self.window.misses(pos, field_end):
            return None
        return WireField(number, wire_type, pos, after_tag, payload_start, field_end, None, "passed")

    def group(self, pos: int, after_tag: int, end: int, number: int, depth: int, field_descriptor: Any) -> WireField:
        """A group: fields up to the end-group tag with the same number (proto2; deprecated, still on the wire)."""
        message_type = getattr(field_descriptor, "message_type", None) if field_descriptor is not None else None
        children = self.fields(after_tag, end, depth + 1, message_type, group=number)
        close, after_close = self.group_close
        wire = WireField(number, 3, pos, after_tag, after_tag, after_close, None, "group", children, close=close)
        return wire

    def field(
        self, pos: int, after_tag: int, end: int, number: int, wire_type: int, depth: int, field_descriptor: Any
    ) -> WireField:
        if wire_type == 0:
            value, after = self.varint(after_tag, end)
            return WireField(number, 0, pos, after_tag, after_tag, after, value, "varint")
        if wire_type in (1, 5):
            size = 8 if wire_type == 1 else 4
            if after_tag + size > end:
                raise _NotAMessage(after_tag)
            raw = self.data[after_tag : after_tag + size]
            integer = int.from_bytes(raw, "little")
            real = struct.unpack("<d" if size == 8 else "<f", raw)[0]
            kind = "fixed64" if size == 8 else "fixed32"
            return WireField(
                number,
                wire_type,
                pos,
                after_tag,
                after_tag,
                after_tag + size,
                {kind: integer, "double" if size == 8 else "float": real},
                kind,
            )
        length, payload_start = self.varint(after_tag, end)
        payload_end = payload_start + length
        if payload_end > end:
            raise _NotAMessage(after_tag)
        wire = WireField(number, 2, pos, after_tag, payload_start, payload_end, None, "bytes")
        self.read_payload(wire, depth, field_descriptor)
        return wire

    def read_payload(self, wire: WireField, depth: int, field_descriptor: Any) -> None:
        raw = self.data[wire.payload_start : wire.end]
        declared = _declared_kind(field_descriptor)
        if declared == "message":
            wire.children = self.fields(wire.payload_start, wire.end, depth + 1, field_descriptor.message_type)
            wire.kind, wire.value = "message", None
            return
        if declared in ("string", "bytes"):
            wire.kind = declared
            wire.value = raw.decode("utf-8", "replace") if declared == "string" else raw
            return
        if declared == "packed":
            wire.kind, wire.value = "packed", self.packed(wire.payload_start, wire.end, field_descriptor)
            return
        # No schema: guess.
        text = _printable(raw)
        if text is not None:
            wire.kind, wire.value = "string", text
            return
        try:
            wire.children = self.fields(wire.payload_start, wire.end, depth + 1)
            wire.kind = "message"
            return
        except _NotAMessage:
            pass
        try:
            wire.kind, wire.value = "packed", self.packed(wire.payload_start, wire.end, None)
        except _NotAMessage:
            wire.kind, wire.value = "bytes", raw

    def packed(self, start: int, end: int, field_descriptor: Any) -> list:
        size = _fixed_size(field_descriptor)
        if size:
            count, rest = divmod(end - start, size)
            if rest:
                raise _NotAMessage(start)
            fmt = {4: "<f", 8: "<d"} if _is_float(field_descriptor) else {4: "<I", 8: "<Q"}
            return [struct.unpack_from(fmt[size], self.data, start + i * size)[0] for i in range(count)]
        values, pos = [], start
        while pos < end:
            value, pos = self.varint(pos, end)
            values.append(value)
        if not values:
            raise _NotAMessage(start)
        return values

    def message(self, start: int, end: int, descriptor: Any = None) -> list[WireField]:
        """The fields of a whole message, raising FormatError at the first byte that is not one."""
        try:
            return self.fields(start, end, 0, descriptor)
        except _NotAMessage as exc:
            raise FormatError(
                "not a valid Protocol Buffers message",
                offset=exc.args[0],
                format=self.format,
                hint="a tag's field number or wire type is invalid, or a length runs past the end",
            ) from None


_NUMBERED: dict[Any, dict[int, Any]] = {}


def numbered_fields(descriptor: Any) -> dict[int, Any]:
    """A message's fields by number, with the extensions its pool knows for it (cached per descriptor)."""
    found = _NUMBERED.get(descriptor)
    if found is None:
        found = dict(descriptor.fields_by_number)
        if descriptor.extension_ranges:
            found.update((ext.number, ext) for ext in descriptor.file.pool.FindAllExtensions(descriptor))
        if len(_NUMBERED) > 4096:
            _NUMBERED.clear()
        _NUMBERED[descriptor] = found
    return found


def _printable(raw: bytes) -> str | None:
    if not raw:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.isprintable() or text.translate(_WHITESPACE).isprintable():
        return text
    return None


_WHITESPACE = str.maketrans("\n\r\t", "   ")


def _declared_kind(field_descriptor: Any) -> str | None:
    if field_descriptor is None:
        return None
    from google.protobuf.descriptor import FieldDescriptor as F

    if field_descriptor.type in (F.TYPE_MESSAGE, F.TYPE_GROUP):
        return "message"
    if field_descriptor.type == F.TYPE_STRING:
        return "string"
    if field_descriptor.type == F.TYPE_BYTES:
        return "bytes"
    if is_repeated(field_descriptor):
        return "packed"
    return None


def is_repeated(field_descriptor: Any) -> bool:
    """Whether a field is repeated (protobuf 7 has ``is_repeated``; older versions only ``label``)."""
    repeated = getattr(field_descriptor, "is_repeated", None)
    if repeated is not None:
        return bool(repeated)
    return field_descriptor.label == field_descriptor.LABEL_REPEATED


def _fixed_size(field_descriptor: Any) -> int:
    if field_descriptor is None:
        return 0
    from google.protobuf.descriptor import FieldDescriptor as F

    return {
        F.TYPE_FIXED32: 4,
        F.TYPE_SFIXED32: 4,
        F.TYPE_FLOAT: 4,
        F.TYPE_FIXED64: 8,
        F.TYPE_SFIXED64: 8,
        F.TYPE_DOUBLE: 8,
    }.get(field_descriptor.type, 0)


def _is_float(field_descriptor: Any) -> bool:
    from google.protobuf.descriptor import FieldDescriptor as F

    return field_descriptor is not None and field_descriptor.type in (F.TYPE_FLOAT, F.TYPE_DOUBLE)


# -- values and spans from the walked fields


def wire_value(fields: list[WireField]) -> dict:
    """The guessed tree: field numbers (as strings) -> values; a number seen more than once -> a list."""
    counts: dict[int, int] = {}
    for wire in fields:
        counts[wire.number] = counts.get(wire.number, 0) + 1
    out: dict[str, Any] = {}
    for wire in fields:
        value = wire_value(wire.children) if wire.kind in ("message", "group") else wire.value
        key = str(wire.number)
        if counts[wire.number] > 1:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def window_spans(data: bytes, descriptor: Any = None, readings: bool = True) -> list[Span]:
    """The spans of the whole message ``data`` in a span window (core.limits.span_window): its top level
    walked from the last checkpoint before the window when there are checkpoints (core.checkpoints), only
    the fields in the window read; with ``readings``, guessed payloads list their other readings."""
    walker = WireWalker(data)
    fields = walker.message(0, len(data), descriptor)
    return wire_spans(fields, (), data if readings else None, walker.top_counts, walker.top_seen)


def wire_spans(
    fields: list[WireField],
    path: tuple = (),
    data: bytes | None = None,
    counts: dict[int, int] | None = None,
    seen: dict[int, int] | None = None,
) -> list[Span]:
    """Spans of the walked fields in wire order; with ``data``, guessed payloads list their other readings.
    ``counts``: how many fields of each number the message holds (else counted in ``fields``); ``seen``:
    how many come before ``fields`` (a walk from a checkpoint)."""
    # Spans are built with tuple.__new__ directly: this loop makes tens of thousands of them.
    if counts is None:
        counts = {}
        for wire in fields:
            counts[wire.number] = counts.get(wire.number, 0) + 1
    spans: list[Span] = []
    seen = dict(seen or {})
    window = current_window()
    for wire in fields:
        number = wire.number
        key = wire.name or str(number)
        if counts[number] > 1:
            index = seen.get(number, 0)
            seen[number] = index + 1
            field_path = (*path, key, index)
        else:
            field_path = (*path, key)
        if window is not None and window.misses(wire.start, wire.end):
            continue  # outside a span window: counted (for the indexes of repeated fields), not annotated
        described = _describe(wire)
        tag_label = (
            _TAG_LABELS.get((number, wire.wire_type))
            or f"tag: field {number}, wire type {wire.wire_type} ({WIRE_TYPES[wire.wire_type]})"
        )
        children = [_new(Span, (wire.start, wire.tag_end, "tag", tag_label, field_path, ()))]
        if wire.wire_type == 2:
            children.append(
                _new(
                    Span,
                    (
                        wire.tag_end,
                        wire.payload_start,
                        "length",
                        f"length {wire.end - wire.payload_start:,}",
                        field_path,
                        (),
                    ),
                )
            )
        if data is not None and wire.wire_type == 2 and wire.declared is None:
            described += _readings_note(readings(data, wire), wire.kind)
        if wire.kind == "message":
            nested = tuple(wire_spans(wire.children, field_path, data))
            children.append(_new(Span, (wire.payload_start, wire.end, "value", described, field_path, nested)))
        elif wire.kind == "group":
            nested = tuple(wire_spans(wire.children, field_path, data))
            children.append(_new(Span, (wire.payload_start, wire.close, "value", described, field_path, nested)))
            end_label = f"tag: field {number}, wire type 4 (group end)"
            children.append(_new(Span, (wire.close, wire.end, "tag", end_label, field_path, ())))
        elif wire.end > wire.payload_start:
            children.append(_new(Span, (wire.payload_start, wire.end, "value", described, field_path, ())))
        label = f"{wire.name or 'field ' + str(number)}: {described}"
        spans.append(_new(Span, (wire.start, wire.end, "entry", label, field_path, tuple(children))))
    return spans


_new = tuple.__new__
_TAG_LABELS: dict[tuple[int, int], str] = {
    (number, wire_type): f"tag: field {number}, wire type {wire_type} ({name})"
    for number in range(1, 64)
    for wire_type, name in WIRE_TYPES.items()
}
"""Tag labels of the common small field numbers, made once."""


def _describe(wire: WireField) -> str:
    if wire.declared is not None and wire.kind in ("varint", "fixed32", "fixed64"):
        return _describe_declared(wire)
    if wire.kind == "varint":
        value = wire.value
        signed = value - (1 << 64) if value >= 1 << 63 else value
        zigzag = (value >> 1) ^ -(value & 1)
        extra = f" (signed {signed})" if signed != value else f" (zigzag {zigzag})" if value and zigzag != value else ""
        return f"varint {value}{extra}"
    if wire.kind in ("fixed32", "fixed64"):
        integer, real = wire.value.values()
        return f"{wire.kind} {integer} / {'double' if wire.kind == 'fixed64' else 'float'} {real:.6g}"
    if wire.kind == "message":
        return f"message ({len(wire.children)} fields)"
    if wire.kind == "group":
        return f"group ({len(wire.children)} fields)"
    if wire.kind == "packed":
        return f"packed {len(wire.value)} values {preview(wire.value, 30)}"
    return f"{wire.kind} {preview(wire.value)}"


@lru_cache(maxsize=1)
def _type_names() -> dict[int, str]:
    """FieldDescriptor.TYPE_INT64 -> "int64"... (made once: it was made for each field, 0.2 s of a first view)."""
    from google.protobuf.descriptor import FieldDescriptor as F

    return {v: k[5:].lower() for k, v in vars(F).items() if k.startswith("TYPE_")}


def _describe_declared(wire: WireField) -> str:
    from google.protobuf.descriptor import FieldDescriptor as F

    fd = wire.declared
    raw = wire.value if wire.kind == "varint" else next(iter(wire.value.values()))
    type_name = _type_names().get(fd.type, "?")
    if fd.type == F.TYPE_ENUM:
        known = fd.enum_type.values_by_number.get(raw)
        return f"enum {fd.enum_type.name} {known.name if known else raw}"
    if fd.type in (F.TYPE_SINT32, F.TYPE_SINT64):
        return f"{type_name} {(raw >> 1) ^ -(raw & 1)}"
    if fd.type in (F.TYPE_INT32, F.TYPE_INT64) and raw >= 1 << 63:
        return f"{type_name} {raw - (1 << 64)}"
    if fd.type == F.TYPE_BOOL:
        return f"bool {bool(raw)}"
    if fd.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return f"{type_name} {list(wire.value.values())[1]:.6g}"
    if fd.type in (F.TYPE_SFIXED32, F.TYPE_SFIXED64):
        bits = 32 if fd.type == F.TYPE_SFIXED32 else 64
        return f"{type_name} {raw - (1 << bits) if raw >= 1 << (bits - 1) else raw}"
    return f"{type_name} {raw}"


# -- the readings of a guessed payload


WHY = {
    "string": "printable UTF-8 is read as text first (names, ids and messages are mostly text)",
    "message": "it is not printable text, and it parses as a message to its last byte",
    "packed": "it is neither text nor a message, and it splits into whole varints",
    "bytes": "no other reading parses",
}
"""Why the schemaless walk chose each reading: the order string > message > packed > bytes."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One way a length-delimited payload parses without a schema."""

    kind: str
    """string, message, packed or bytes."""
    summary: str
    chosen: bool


def readings(data: bytes, wire: WireField) -> list[Reading]:
    """Every reading of a guessed length-delimited payload that parses, the chosen one marked (empty: no guess made)."""
    if wire.wire_type != 2 or wire.declared is not None or wire.end == wire.payload_start:
        return []
    raw = data[wire.payload_start : wire.end]
    found = []
    text = _printable(raw)
    if text is not None:
        found.append(("string", f"string {preview(text)}"))
    count = shallow_field_count(data, wire.payload_start, wire.end)
    if count:
        found.append(("message", f"message of {_count(count, 'field')}"))
    values = _varints(raw)
    if values:
        found.append(("packed", f"{_count(len(values), 'packed varint')} {preview(values, 30)}"))
    found.append(("bytes", _count(len(raw), "byte")))
    return [Reading(kind, summary, kind == wire.kind) for kind, summary in found]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' * (number != 1)}"


def _readings_note(found: list[Reading], chosen: str) -> str:
    others = [r.summary for r in found if not r.chosen]
    if not others:
        return ""
    return f" · also parses as: {', '.join(others)} · read as {chosen}: {WHY.get(chosen, '')}"


def shallow_field_count(data: bytes, start: int, end: int, *, stop: int | None = None) -> int | None:
    """How many fields [start, end) holds when it parses as one message level (lengths skipped, not entered).

    With ``stop``, the count of the fields that begin before offset ``stop`` (each still checked to fit before ``end``).
    """
    pos, count, groups = start, 0, []
    stop = end if stop is None else min(stop, end)
    while pos < stop:
        read = read_varint(data, pos, end)
        if read is None:
            return None
        tag, pos = read
        number, wire_type = tag >> 3, tag & 7
        if number < 1 or number > MAX_FIELD or wire_type > 5:
            return None
        if wire_type == 0:
            read = read_varint(data, pos, end)
            if read is None:
                return None
            pos = read[1]
        elif wire_type in (1, 5):
            pos += 8 if wire_type == 1 else 4
        elif wire_type == 2:
            read = read_varint(data, pos, end)
            if read is None:
                return None
            length, pos = read
            pos += length
        elif wire_type == 3:
            groups.append(number)
        elif not groups or groups.pop() != number:
            return None
        if pos > end:
            return None
        count += not groups and wire_type != 3
    return count if not groups else None


def top_level_walk(
    data: bytes, head: int, stop: int | None = None, start: int = 0
) -> tuple[dict[int, int], int] | None:
    """One pass over a message's top-level fields, lengths skipped (not entered): how many fields of each
    number, and the offset of the first field boundary at or after ``head`` bytes. None when the top
    level does not walk to the end, or holds a group (then the full walk says where and why). With ``stop``:
    the fields before the first boundary at or after ``stop`` only; from the boundary ``start``."""
    pos, end, boundary = start, len(data), None
    counts: dict[int, int] = {}
    while pos < end and (stop is None or pos < stop):
        if boundary is None and pos >= head:
            boundary = pos
        tag = data[pos]
        if tag < 0x80:  # one-byte tags and lengths are the common case: read inline (772,811 fields: 2.4 s -> 1 s)
            pos += 1
        else:
            read = read_varint(data, pos, end)
            if read is None:
                return None
            tag, pos = read
        number, wire_type = tag >> 3, tag & 7
        if number < 1 or number > MAX_FIELD or wire_type not in (0, 1, 2, 5):
            return None
        if wire_type == 2 and pos < end and data[pos] < 0x80:
            pos += 1 + data[pos]
        elif wire_type in (0, 2):
            read = read_varint(data, pos, end)
            if read is None:
                return None
            pos = read[1] + (read[0] if wire_type == 2 else 0)
        else:
            pos += 8 if wire_type == 1 else 4
        if pos > end:
            return None
        counts[number] = counts.get(number, 0) + 1
    return counts, min(pos, end) if boundary is None else boundary


def top_level_boundary(data: bytes, pos: int, head: int) -> int:
    """The first top-level field boundary at or after ``head``, walking from the boundary ``pos`` (lengths
    skipped, not entered), or len(data): for a message whose top level was found to walk already."""
    walked = top_level_walk(data, head, stop=head, start=pos)
    return len(data) if walked is None else walked[1]


def _varints(raw: bytes) -> list[int]:
    values, pos = [], 0
    while pos < len(raw):
        read = read_varint(raw, pos)
        if read is None:
            return []
        value, pos = read
        values.append(value)
    return values


def path_name(path: tuple) -> str:
    """A field path as a person reads it: 2.1[3] is item 3 of field 1 inside field 2."""
    return "".join(f"[{part}]" if isinstance(part, int) else ("." if i else "") + part for i, part in enumerate(path))


def head_fields(fields: list[WireField], budget: int) -> list[WireField]:
    """The first top-level fields that hold about ``budget`` fields in all (one past: Document.spans cuts
    there and says so); a large input's spans are annotated from its start, not all at once."""
    total, stack = 0, []
    for count, wire in enumerate(fields):
        if total > budget:
            return fields[:count]
        stack.append(wire)
        while stack:
            node = stack.pop()
            total += 3  # a tag, a length or value, and the entry
            stack.extend(node.children)
    return fields


CHECKED_FIELDS = 100_000
"""Fields whose readings wire_findings compares (each costs a few parses of its payload)."""


def wire_findings(data: bytes, fields: list[WireField], limit: int = 20) -> list[Finding]:
    """What a person should know about a schemaless walk: payloads with more than one plausible reading
    (each with its readings and why the chosen one won) and field numbers that interleave on the wire.
    Only the first CHECKED_FIELDS fields are compared (a 46 MiB message has millions)."""
    ambiguous, interleaved = [], []
    checked = 0

    def visit(level: list[WireField], path: tuple) -> None:
        nonlocal checked
        if checked >= CHECKED_FIELDS:
            return
        checked += len(level)
        counts: dict[int, int] = {}
        for wire in level:
            counts[wire.number] = counts.get(wire.number, 0) + 1
        index: dict[int, int] = {}
        numbers = [wire.number for wire in level]
        seen: set[int] = set()
        for previous, number in zip([0, *numbers], numbers):
            if number != previous and number in seen:  # a number comes back after another one
                interleaved.append((path, numbers))
                break
            seen.add(number)
        for wire in level:
            here: tuple = (*path, str(wire.number))
            if counts[wire.number] > 1:  # the same path as the spans: repeated numbers are indexed
                here = (*here, index.get(wire.number, 0))
                index[wire.number] = index.get(wire.number, 0) + 1
            found = readings(data, wire)
            kinds = {r.kind for r in found} - {"bytes"}
            # Text that is also packed varints is every ASCII string: worth a label, not a finding.
            if len(kinds) > 1 and "message" in kinds:
                ambiguous.append((wire, here, found))
            if wire.children:
                visit(wire.children, here)

    visit(fields, ())
    out = []
    for wire, path, found in ambiguous[:limit]:
        chosen = next(r for r in found if r.chosen)
        others = ", ".join(r.summary for r in found if not r.chosen)
        name = path_name(path)
        span = Span(wire.start, wire.end, "entry", f"field {name}", path)
        out.append(
            Finding(
                "info",
                f"field {name} at byte {wire.start:,} reads as {chosen.summary}; it also parses as "
                f"{others}. Chosen because {WHY[chosen.kind]}",
                span,
                code="protobuf.ambiguous",
                subject=name,
            )
        )
    if len(ambiguous) > limit:
        more = f"{len(ambiguous) - limit:,} more fields could be read more than one way"
        if checked >= CHECKED_FIELDS:
            more += f" among the first {checked:,} fields (the rest were not compared)"
        out.append(Finding("info", more, code="protobuf.ambiguous"))
    for path, numbers in interleaved[:5]:
        shown = ", ".join(map(str, numbers[:12])) + (", ..." if len(numbers) > 12 else "")
        where = f"in field {path_name(path)}" if path else "at the top level"
        out.append(
            Finding(
                "info",
                f"field numbers interleave on the wire {where} ({shown}): the tree groups each number's values "
                "in order; the hexdump and spans keep wire order",
                code="protobuf.interleaved",
                subject=path_name(path),
            )
        )
    return out
