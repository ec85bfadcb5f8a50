"""MessagePack with the msgpack package; timestamps (extension -1) load as datetime.

Spans come from a walk that follows the spec: each item's header byte, its
length bytes, its payload, and the items nested in arrays and maps.
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Callable
from typing import Any

import msgpack

from formatlens.codecs.base import Codec, Sniff, one_or_many
from formatlens.codecs.support import duplicates
from formatlens.codecs.support.binwalk import ByteWalker, head_sniff, payload_preview, preview
from formatlens.core.document import Document, Finding, Span, SpanKind, Traits

# header byte -> (name, size of the length field or fixed payload, what follows)
_FIXED = {
    0xC0: ("nil", 0),
    0xC2: ("false", 0),
    0xC3: ("true", 0),
    0xCA: ("float 32", 4),
    0xCB: ("float 64", 8),
    0xCC: ("uint 8", 1),
    0xCD: ("uint 16", 2),
    0xCE: ("uint 32", 4),
    0xCF: ("uint 64", 8),
    0xD0: ("int 8", 1),
    0xD1: ("int 16", 2),
    0xD2: ("int 32", 4),
    0xD3: ("int 64", 8),
}
_SIZED = {  # header -> (name, bytes of length, kind of payload)
    0xC4: ("bin 8", 1, "bin"),
    0xC5: ("bin 16", 2, "bin"),
    0xC6: ("bin 32", 4, "bin"),
    0xD9: ("str 8", 1, "str"),
    0xDA: ("str 16", 2, "str"),
    0xDB: ("str 32", 4, "str"),
    0xC7: ("ext 8", 1, "ext"),
    0xC8: ("ext 16", 2, "ext"),
    0xC9: ("ext 32", 4, "ext"),
    0xDC: ("array 16", 2, "array"),
    0xDD: ("array 32", 4, "array"),
    0xDE: ("map 16", 2, "map"),
    0xDF: ("map 32", 4, "map"),
}
_FIXEXT = {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}
_CONTAINER_FIRST = set(range(0x80, 0xA0)) | {0xDC, 0xDD, 0xDE, 0xDF}


_CUT_SHORT = ("the data ends in the middle of an item", "Unpack failed: incomplete input")
"""The messages of a refusal because the data stops inside an item (ours, and msgpack's)."""


class _Walker(ByteWalker):
    format = "msgpack"
    key_errors = (msgpack.exceptions.UnpackException, ValueError, UnicodeDecodeError)

    def load_key(self, raw: bytes | memoryview) -> Any:
        pairs = _hashable_pairs
        return _hashable(msgpack.unpackb(raw, raw=False, strict_map_key=False, timestamp=3, object_pairs_hook=pairs))

    def skipper(self, pos: int) -> Callable[[], int]:
        stream = io.BytesIO(self.data)  # shares the bytes (no copy until written)
        stream.seek(pos)
        room = len(self.data) + 1  # msgpack refuses a read size over the buffer's: a small input gets both
        unpacker = msgpack.Unpacker(stream, read_size=min(1 << 16, room), max_buffer_size=room)

        def following() -> int:
            unpacker.skip()
            return pos + unpacker.tell()

        return following

    def item(self, pos: int, path: tuple, depth: int, kind: SpanKind = "value") -> Span:
        self.enter(depth, pos)
        self.need(pos, 1, "an item")
        b = self.data[pos]
        head = lambda name: Span(pos, pos + 1, "type", f"0x{b:02x} {name}", path)  # noqa: E731
        if b <= 0x7F or b >= 0xE0:
            value = b if b <= 0x7F else b - 256
            return Span(pos, pos + 1, kind, f"fixint {value}", path)
        if 0x80 <= b <= 0x8F:
            return self.container(pos, pos + 1, b & 0x0F, "map", head("fixmap"), path, depth, kind)
        if 0x90 <= b <= 0x9F:
            return self.container(pos, pos + 1, b & 0x0F, "array", head("fixarray"), path, depth, kind)
        if 0xA0 <= b <= 0xBF:
            return self.payload(pos, pos + 1, b & 0x1F, "str", head("fixstr"), path, kind)
        if b in _FIXED:
            name, size = _FIXED[b]
            self.need(pos + 1, size, name)
            end = pos + 1 + size
            shown = msgpack.unpackb(self.data[pos:end]) if b != 0xC0 else None
            children = (head(name), Span(pos + 1, end, "value", name, path)) if size else ()
            return Span(pos, end, kind, f"{name} {preview(shown)}", path, children)
        if b in _FIXEXT:
            size = _FIXEXT[b]
            return self.ext(pos, pos + 1, size, head(f"fixext {size}"), path, kind)
        if b in _SIZED:
            name, width, what = _SIZED[b]
            length = self.uint(pos + 1, width)
            length_span = Span(pos + 1, pos + 1 + width, "length", f"length {length:,}", path)
            start = pos + 1 + width
            if what in ("array", "map"):
                return self.container(pos, start, length, what, head(name), path, depth, kind, length_span)
            if what == "ext":
                return self.ext(pos, start, length, head(name), path, kind, length_span)
            return self.payload(pos, start, length, what, head(name), path, kind, length_span)
        raise self.fail(f"0x{b:02x} is not a MessagePack header byte", pos)

    def payload(self, pos, start, length, what, head, path, kind, length_span=None) -> Span:
        self.need(start, length, what)
        end = start + length
        label = f"{what} {payload_preview(self.data, start, end, text=what == 'str')}"
        children = (head, *(s for s in (length_span,) if s), Span(start, end, "value", f"{what} payload", path))
        return Span(pos, end, kind, label, path, children)

    def ext(self, pos, start, length, head, path, kind, length_span=None) -> Span:
        self.need(start, 1 + length, "ext")
        code = struct.unpack_from("b", self.data, start)[0]
        end = start + 1 + length
        label = "timestamp" if code == -1 else f"ext type {code}"
        children = (
            head,
            *(s for s in (length_span,) if s),
            Span(start, start + 1, "type", f"ext type {code}", path),
            Span(start + 1, end, "value", f"{label} data", path),
        )
        return Span(pos, end, kind, label, path, children)

    def container(self, pos, start, count, what, head, path, depth, kind, length_span=None) -> Span:
        # Each item takes at least one byte: a count larger than the bytes left is a lie.
        per_item = 2 if what == "map" else 1
        self.need(start, count * per_item, f"{what} of {count:,} items")
        children = [head, *(s for s in (length_span,) if s)]
        at, index = start, 0
        marks, window = self.checkpoints, self.window
        if marks is not None and window is not None:  # a far window: from the last checkpoint before it
            at, index = marks.start(pos, at, index, window[0])
        while index < count:
            if self.spans_left <= 0:  # first: a cut item before this one claimed the rest of the data
                stopped = f"{what} of {count:,} (annotation stopped)"
                return Span(pos, len(self.data), kind, stopped, path, tuple(children))
            if marks is not None and window is not None:
                ended = marks.step(pos, at, index, window)
                if ended is not None:  # past the window: what is left is passed over to where it ended before
                    at, index = ended
                    break
            passed = self.outside(at, per_item)
            if passed is not None:  # outside a span window: passed over without spans
                at, index = passed, index + 1
                continue
            if what == "map":
                key = self.item(at, path, depth + 1, "key")
                key_value = self.key_of(key.start, key.end)
                key = key._replace(path=(*path, key_value))
                value = self.item(key.end, (*path, key_value), depth + 1)
                children += [key, value]
            else:
                value = self.item(at, (*path, index), depth + 1)
                children.append(value)
            at = value.end
            index += 1
        if marks is not None:
            marks.ended(pos, at, index)
        return Span(pos, at, kind, f"{what} of {count:,}", path, tuple(children))


def _hashable_pairs(pairs: list) -> dict:
    return {_hashable(key): value for key, value in pairs}


def _hashable(key: Any) -> Any:
    """An array key as a tuple, a map key as a tuple of its pairs (what Python can use as a dict key)."""
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return tuple((_hashable(k), _hashable(v)) for k, v in key.items())
    return key


class MsgpackCodec(Codec):
    name = "msgpack"
    title = "MessagePack"
    media_type = "application/vnd.msgpack"
    extensions = (".msgpack", ".mpk", ".msg")
    aliases = ("messagepack", "mpk")
    traits = Traits(textual=False, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "msgpack"
    summary = "Compact binary JSON-like messages for RPC and caches, with extension types."
    snippet = "import msgpack\ndata = msgpack.packb(users, datetime=True)\nusers = msgpack.unpackb(data, timestamp=3)"
    sample = "users.msgpack"
    holds = frozenset(
        {"null", "bool", "number", "uint64", "nonfinite", "bytes", "datetime", "nonstr_keys", "msgpack_ext"}
    )
    # msgpack's UnpackException family (ExtraData, FormatError, StackError, OutOfData...) and
    # the plain ValueError its unpacker raises for a truncated item.
    bad_input = (msgpack.exceptions.UnpackException, ValueError, UnicodeDecodeError)
    bad_value = (TypeError, OverflowError, ValueError)  # packb: a type it cannot write, an int over 64 bits

    def sniff(self, data: bytes) -> Sniff:
        if not data or data[0] not in _CONTAINER_FIRST:
            return Sniff(0.0, "does not start with a MessagePack array or map")
        kind = "map" if data[0] in (0xDE, 0xDF) or 0x80 <= data[0] <= 0x8F else "array"
        if len(data) > 1 << 20:
            return head_sniff(_Walker(data), f"a MessagePack {kind} (0x{data[0]:02x})")
        if self.parses(lambda: self._unpack(data, timestamp=0)):  # 0: no datetime range
            return Sniff(0.8, f"starts with a MessagePack {kind} (0x{data[0]:02x}) and unpacks to the end")
        return Sniff(0.0, "starts like MessagePack but does not unpack")

    def _unpack(self, data: bytes, timestamp: int = 3) -> list:
        try:
            return self._unpack_with(data, None, timestamp)
        except TypeError:  # a map key that is an array or a map: valid MessagePack, unhashable in Python
            return self._unpack_with(data, _hashable_pairs, timestamp)

    def _unpack_with(self, data: bytes, pairs_hook: Any, timestamp: int = 3) -> list:
        unpacker = msgpack.Unpacker(
            None,
            raw=False,
            timestamp=timestamp,
            strict_map_key=False,
            max_buffer_size=len(data) + 1,
            object_pairs_hook=pairs_hook,
        )
        unpacker.feed(data)
        items = list(unpacker)
        # The Unpacker waits quietly for more bytes; a final nil shows whether an item was left open.
        unpacker.feed(b"\xc0")
        if list(unpacker) != [None]:
            raise ValueError(_CUT_SHORT[0])
        return items

    def decode(self, data: bytes) -> Document:
        outside: list[msgpack.Timestamp] = []
        try:
            try:
                items = self._unpack(data)
            except OverflowError:  # a valid timestamp outside Python's datetime range (years 1-9999)
                items = _datetimes(self._unpack(data, timestamp=0), outside)
        except self.bad_input as exc:
            walked = _Walker.first_error(data)
            # msgpack's own messages can be empty (a 0xc1 byte) or vague ("incomplete input"):
            # the walker says which byte and why.
            reason = walked.message if walked is not None else (str(exc) or type(exc).__name__)
            # Past the walker's span budget: a cut-off item still has a true offset, the end of the data.
            cut = walked is None and isinstance(exc, ValueError) and str(exc) in _CUT_SHORT
            raise self.error(
                f"invalid MessagePack: {reason}",
                offset=walked.offset if walked is not None else (len(data) if cut else None),
                hint="each item starts with a header byte that gives its type and length",
            ) from None
        if not items:
            raise self.error("no MessagePack item", offset=0)
        value, findings = one_or_many(items, "MessagePack items", "msgpack.stream")
        if outside:
            first = outside[0]
            findings.append(
                Finding(
                    "info",
                    f"{len(outside)} timestamp{'s' if len(outside) > 1 else ''} outside Python's datetime range "
                    f"(e.g. {first.seconds} s {first.nanoseconds} ns): kept as msgpack.Timestamp",
                    code="msgpack.timestamp-range",
                    subject=f"{first.seconds} s {first.nanoseconds} ns",
                )
            )
        return self.document(
            data,
            value=value,
            findings=findings,
            details={"items": len(items)},
            spans_factory=lambda: _Walker(data).items(),
            findings_factory=lambda: self._duplicate_keys(data, items),
        )

    def _duplicate_keys(self, data: bytes, items: list) -> list[Finding]:
        """Warnings for maps that hold a key twice (msgpack keeps the last value, as a dict does)."""
        if writes_back(items, data):  # msgpack packs these very bytes: no map held a key twice
            return []
        repeated: list[Any] = []

        def check(pairs: list) -> object:
            try:
                distinct = len(dict(pairs))
            except TypeError:  # array keys
                distinct = len({_hashable(key) for key, _value in pairs})
            if distinct != len(pairs):
                seen: set = set()
                for key, _value in pairs:
                    key = _hashable(key)
                    if key in seen:
                        repeated.append(key)
                    seen.add(key)
            # No value is built (cheaper); a map used as a key stands for itself only, so two equal
            # map keys in one map go unnoticed (a map key is rare; equal ones rarer still).
            return object()

        # A second unpack, only when findings are asked for (a pairs hook in decode() would slow the value).
        self._unpack_with(data, check, timestamp=0)
        if not repeated:
            return []
        return duplicates.findings(self.name, "msgpack", repeated, _Walker(data).items())

    def encode(self, value: Any, *, use_single_float: bool = False, use_bin_type: bool = True) -> bytes:
        return msgpack.packb(value, use_single_float=use_single_float, use_bin_type=use_bin_type, datetime=True)


def writes_back(items: list, data: bytes) -> bool:
    """Whether msgpack packs the decoded ``items`` as exactly ``data`` (duplicates.written_back): then no
    map held a key twice. Bytes another writer packed differently (a float 32, a wider length than needed)
    take the exact check."""
    pack = functools.partial(msgpack.packb, use_bin_type=True, datetime=True)
    return duplicates.written_back(data, items, pack, MsgpackCodec.bad_value)


def _datetimes(items: list, outside: list) -> list:
    """Timestamps as datetimes where Python's datetime can hold them; the rest stay msgpack.Timestamp
    (seconds and nanoseconds) and are collected in ``outside``. Iterative: the depth is the input's."""

    def fit(value: Any) -> Any:
        if isinstance(value, msgpack.Timestamp):
            try:
                return value.to_datetime()
            except (OverflowError, ValueError, OSError):
                outside.append(value)
        return value

    stack: list[Any] = [items]
    while stack:
        container = stack.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            child = container[key]
            if isinstance(child, (list, dict)):
                stack.append(child)
            else:
                container[key] = fit(child)
    return items


codec = MsgpackCodec()
