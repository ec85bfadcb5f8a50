"""Shared pieces of the byte walkers that annotate binary formats (MessagePack, CBOR, BSON, Avro, protobuf).

A walker reads items at offsets and returns nested Spans. It checks every
length against the bytes left before trusting it, so a lying length prefix
fails at its own offset instead of allocating or reading past the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from formatlens.codecs.base import Sniff
from formatlens.core.checkpoints import TOP, Checkpoints, current_checkpoints
from formatlens.core.document import Span
from formatlens.core.errors import FormatError
from formatlens.core.limits import Limits, current, current_window

MAX_VARINT_BYTES = 10
"""A base-128 varint of a 64-bit value takes at most 10 bytes (protobuf and Avro alike)."""


def read_varint(data: bytes, pos: int, end: int | None = None) -> tuple[int, int] | None:
    """The one varint reader: (value, offset after it) at ``pos``, or None when cut short at ``end``
    or longer than MAX_VARINT_BYTES. ByteWalker.varint turns the None into a refusal at its byte."""
    end = len(data) if end is None else end
    result, shift = 0, 0
    while pos < end and shift < 7 * MAX_VARINT_BYTES:
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return result, pos
        shift += 7
    return None


class ByteWalker:
    format = ""
    key_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    """What load_key() raises for a key it cannot read."""

    def load_key(self, raw: bytes | memoryview) -> Any:
        """A map key's bytes read by the format's library, as Document.value has it (key_of)."""
        return raw.hex()

    def __init__(self, data: bytes, limits: Limits | None = None) -> None:
        self.data = data
        self.limits = limits or current()
        self.spans_left = self.limits.max_spans
        self.window = current_window()
        """The span window (core.limits.span_window): items wholly outside it are passed over by skip()."""
        self.checkpoints: Checkpoints | None = current_checkpoints() if self.window is not None else None
        """Where container loops may start, and where they end (core.checkpoints), noted as items are passed."""
        self._skipping: tuple[int, Callable[[], int]] | None = None

    def skipper(self, pos: int) -> Callable[[], int]:
        """A function that passes over the next item from ``pos`` on, each call, and returns where it ends
        (the format's own library where it can, without making spans or values)."""
        raise NotImplementedError

    def skip(self, pos: int) -> int:
        """Where the item at ``pos`` ends, found without spans (a far window passes over items this way)."""
        marks = self.checkpoints
        known = marks.item_end(pos) if marks is not None else None
        if known is not None:  # a large item an earlier walk passed over
            return known
        if self._skipping is not None and self._skipping[0] == pos:
            following = self._skipping[1]  # the item after the last one passed: the same reader goes on
        else:
            following = self.skipper(pos)
        end = following()
        self._skipping = (end, following)
        if marks is not None:
            marks.passed(pos, end)
        return end

    def outside(self, pos: int, items: int = 1) -> int | None:
        """In a span window: where the ``items`` items at ``pos`` end when they lie wholly before or after
        the window (the walk passes over them), else None (the walk annotates them)."""
        if self.window is None:
            return None
        end = pos
        for _ in range(items):
            end = self.skip(end)
        return end if self.window.misses(pos, end) else None

    def fail(self, message: str, offset: int) -> FormatError:
        return FormatError(message, offset=offset, format=self.format, hint="the data is truncated or corrupt here")

    def bad_varint(self, message: str, pos: int) -> Exception:
        """What a broken varint raises (a walker that guesses may raise something cheaper to catch)."""
        return self.fail(message, pos)

    def varint(self, pos: int, end: int) -> tuple[int, int]:
        """An unsigned base-128 varint (little-endian groups of 7 bits) at ``pos``: (value, offset after it)."""
        data = self.data
        if pos < end and data[pos] < 0x80:  # most varints are one byte
            return data[pos], pos + 1
        found = read_varint(data, pos, end)
        if found is None:
            # read_varint stops at `end` or after MAX_VARINT_BYTES bytes: fewer bytes left means cut short
            too_long = f"varint longer than {MAX_VARINT_BYTES} bytes"
            raise self.bad_varint("truncated varint" if end - pos < MAX_VARINT_BYTES else too_long, pos)
        return found

    def key_of(self, start: int, end: int) -> Any:
        """A map key as Document.value holds it, or its bytes in hex when it cannot be a dict key."""
        raw = memoryview(self.data)[start:end]  # a cut key may be most of the input: not copied
        unreadable: tuple[type[BaseException], ...] = (TypeError, *self.key_errors)  # TypeError: unhashable
        try:
            key = self.load_key(raw)
            hash(key)
        except unreadable:  # a cut key may claim the rest of a large input: its first bytes and place name it
            if end - start <= KEY_HEX_BYTES:
                return raw.hex()
            return f"{raw[:KEY_HEX_BYTES].hex()}… ({end - start:,} bytes at {start:,})"
        return key

    def uint(self, pos: int, size: int) -> int:
        if pos + size > len(self.data):
            raise self.fail(f"truncated: needs {size} bytes", pos)
        return int.from_bytes(self.data[pos : pos + size], "big")

    def need(self, pos: int, size: int, what: str) -> None:
        if size < 0 or pos + size > len(self.data):
            raise self.fail(f"{what} of {size:,} bytes does not fit in the {len(self.data) - pos:,} bytes left", pos)

    def enter(self, depth: int, offset: int) -> None:
        if depth > self.limits.max_depth:
            self.limits.check("max_depth", depth, what="the nesting depth", offset=offset)
        self.spans_left -= 1

    def items(self) -> list:
        """Every top-level item, one after the other (in a span window: those with bytes in it). One item
        is the value itself (path ``()``); in a stream of several, item i is the value's [i] (one_or_many)."""
        spans, pos, index = [], 0, 0
        marks = self.checkpoints
        if marks is not None:
            assert self.window is not None  # checkpoints are only used in a span window
            pos, index = marks.start(TOP, pos, index, self.window[0])
        while pos < len(self.data):
            if self.window is not None:
                if self.window.past(pos):
                    break
                if marks is not None:
                    marks.note(TOP, pos, index)
                passed = self.outside(pos)
                if passed is not None:
                    pos, index = passed, index + 1
                    continue
            span = self.item(pos, (index,) if index else (), 0)
            if index == 0 and span.end < len(self.data):  # more follow: the first was item [0] of a stream
                span = _under(span, 0)
            spans.append(span)
            pos = span.end
            index += 1
        return spans

    def item(self, pos: int, path: tuple, depth: int):
        raise NotImplementedError

    def head_walk(self, budget: int = 1000) -> int:
        """Walk the top-level items until ``budget`` spans are made: how many top-level items were begun.

        For sniffing an input too large to decode just to sniff: the first items are checked
        byte by byte (a corrupt one raises FormatError) and every declared length is checked
        against the bytes left, without reading the rest.
        """
        self.spans_left = budget
        pos, count = 0, 0
        while pos < len(self.data) and self.spans_left > 0:
            pos = self.item(pos, (), 0).end
            count += 1
        return count

    @classmethod
    def first_bad_offset(cls, data: bytes) -> int | None:
        """Where a walk over ``data`` fails, to point a library's error at its byte."""
        error = cls.first_error(data)
        return error.offset if error is not None else None

    @classmethod
    def first_error(cls, data: bytes) -> FormatError | None:
        """The walk's refusal of ``data`` (which byte, and why), to explain a library's terse error."""
        walker = cls(data)
        # The walk keeps the spans of the item it is in: the view's span budget finds the error in
        # any input that large or smaller, without building gigabytes of spans for a 20 MB refusal
        # (past that, the library's message is given without an offset).
        walker.spans_left = walker.limits.max_spans
        try:
            walker.items()
        except FormatError as exc:
            return exc
        return None


KEY_HEX_BYTES = 64
"""Bytes of an unreadable map key that name it in hex (ByteWalker.key_of)."""
PREVIEW_BYTES = 4096
"""Bytes of a payload a label is made from (payload_preview)."""


def head_sniff(walker: ByteWalker, what: str) -> Sniff:
    """The sniff of an input too large to decode just to sniff: walk its first items (head_walk).

    One container whose first items walk is the format's usual shape; a run of many small
    top-level items is weaker evidence (another binary format read byte by byte often walks
    a little way as a stream of tiny items, e.g. CBOR read as MessagePack).
    """
    try:
        begun = walker.head_walk()
    except FormatError as exc:
        return Sniff(0.0, f"starts with {what}, but its first items do not walk (byte {exc.offset:,})")
    if begun == 1:
        return Sniff(0.6, f"starts with {what} whose first items walk (too large to parse just to sniff)")
    return Sniff(0.3, f"starts with {what}, then {begun:,} more top-level items in its first bytes")


def payload_preview(data: bytes, start: int, end: int, text: bool) -> str:
    """preview() of a string or bytes payload, read from its first PREVIEW_BYTES only: a label shows 40
    characters, and a payload may be tens of MB (or, in a sniff of another format, claim the rest of the input).
    The quote characters found after those bytes are added at the end (past what the label shows): repr()
    chooses its quotes from the whole value."""
    cut = min(end, start + PREVIEW_BYTES)
    raw = data[start:cut] + b"".join(quote for quote in (b'"', b"'") if data.find(quote, cut, end) != -1)
    return preview(raw.decode("utf-8", "replace") if text else raw)


def preview(value: object, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _under(span: Span, index: int) -> Span:
    """``span`` with ``index`` put before every path in it (the first item of what turned out a stream)."""
    children = tuple(_under(child, index) for child in span.children)
    return span._replace(path=(index, *span.path), children=children)
