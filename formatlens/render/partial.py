"""The structure of a refused input, as far as it was read: the items completed before the error.

A refusal still tells a person where things went wrong: the bytes before the
error were read, the byte at the error is the problem, the rest was never
reached. Where the format's own library can read one item at a time, the read
part is shown item by item, with values, so the tree goes on into them:

- JSON: the members or elements of the top-level object or array completed
  before the error (``json.JSONDecoder.raw_decode`` from each item's start);
- BSON: the documents of a sequence before the bad one (each read by ``bson.decode``);
- MessagePack: the items of a sequence before the error (``msgpack.Unpacker``),
  or, when the first item is the one refused, the elements of its array or map
  (``read_array_header`` / ``read_map_header``, then one item at a time);
- CBOR: the same with ``cbor2.CBORDecoder`` (the array or map header is read here,
  its items by the decoder);
- pickle: the opcodes (``pickletools.genops`` reads them and never runs one).

Only bytes before the error are given to the readers, so every item shown was
complete there. Reading stops at the first thing a reader refuses; a value
that is not shown was simply not complete. Callers run :func:`partial` in the
worker pool, like every read of untrusted bytes.
"""

from __future__ import annotations

import io
import json
import pickletools
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from formatlens.core.document import Span
from formatlens.core.errors import FormatError
from formatlens.render import typed

MAX_OPCODES = 20_000
MAX_ITEMS = 20_000
"""Items listed before an error (a view of where the error is, not a second decoder)."""
LABEL_PREVIEW = 40


class Partial(NamedTuple):
    """What a refused input shows: spans (read part, offending byte) and the value read, if any."""

    spans: list[Span]
    value: Any = None
    """The completed items: a list (array or sequence) or a dict (object or map); None if none."""


class _Item(NamedTuple):
    start: int
    end: int
    key: Any
    value: Any


def partial(data: bytes, error: FormatError) -> Partial:
    """The read part of ``data`` refused with ``error``, item by item where the format allows."""
    offset = error.offset
    if offset is None or not 0 <= offset <= len(data):
        return Partial([])
    if error.format == "pickle":
        return Partial(_split(data, error, tuple(_pickle_opcodes(data, offset))))
    reader = _READERS.get(error.format or "")
    if reader is None or offset == 0:
        return Partial(_split(data, error))
    items, container = reader(data[:offset])
    if not items:
        return Partial(_split(data, error))
    as_dict = container == "map"
    value: Any = {item.key: item.value for item in items} if as_dict else [item.value for item in items]
    spans = tuple(Span(item.start, item.end, "entry", _label(item, container), (item.key,)) for item in items)
    if container != "sequence" and items[0].start > 0:
        # The container's opening bytes (a MessagePack/CBOR header, JSON's bracket), not an unannotated gap.
        spans = (Span(0, items[0].start, "header", f"start of the {container}"), *spans)
    whole = {"list": "of the list", "map": "of the map", "sequence": "of the sequence"}[container]
    count = f"{len(items):,} item{'s' if len(items) != 1 else ''} {whole} complete"
    return Partial(_split(data, error, spans, count), value)


def partial_spans(data: bytes, error: FormatError) -> list[Span]:
    """Spans for ``data`` refused with ``error``: what was read, and the offending byte."""
    return partial(data, error).spans


def split_only(data: bytes, error: FormatError) -> Partial:
    """Read part and offending byte without items (when reading the items was itself stopped)."""
    offset = error.offset
    if offset is None or not 0 <= offset <= len(data):
        return Partial([])
    return Partial(_split(data, error))


def _split(data: bytes, error: FormatError, read: tuple[Span, ...] = (), count: str = "") -> list[Span]:
    offset = error.offset or 0
    spans: list[Span] = []
    if offset > 0:
        extra = f", {count}" if count else ""
        spans.append(Span(0, offset, "value", f"read before the error ({offset:,} bytes{extra})", (), read))
    if offset < len(data):
        spans.append(Span(offset, offset + 1, "error", f"error here: {error.message}"))
    return spans


def _label(item: _Item, container: str) -> str:
    shown = typed.preview(item.value, LABEL_PREVIEW)
    if container == "map":
        return f"{typed.preview(item.key, LABEL_PREVIEW)}: {shown}"
    return f"[{item.key}] {shown}"


# -- JSON


_WHITESPACE = " \t\n\r"


def _json_items(head: bytes) -> tuple[list[_Item], str]:
    """The members of the top-level object or the elements of the top-level array completed in ``head``."""
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = head[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:  # read up to the first bad byte sequence only
        text = head[bom : bom + exc.start].decode("utf-8")
    byte_at = _ByteOffsets(text, bom)
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    if i >= len(text) or text[i] not in "[{":
        return [], "list"
    container = "list" if text[i] == "[" else "map"
    closing = "]" if container == "list" else "}"
    items: list[_Item] = []
    i += 1
    try:
        while len(items) < MAX_ITEMS:
            i = _skip(text, i)
            if i >= len(text) or text[i] == closing:
                break
            start = i
            if container == "map":
                key, i = decoder.raw_decode(text, i)
                i = _skip(text, i)
                if not isinstance(key, str) or i >= len(text) or text[i] != ":":
                    break
                i = _skip(text, i + 1)
            else:
                key = len(items)
            value, i = decoder.raw_decode(text, i)
            items.append(_Item(byte_at(start), byte_at(i), key, value))
            i = _skip(text, i)
            if i >= len(text) or text[i] != ",":
                break
            i += 1
    except json.JSONDecodeError:  # the next item is the refused one
        pass
    except RecursionError:  # an item nested deeper than json's scanner goes: not complete here
        pass
    return items, container


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


class _ByteOffsets:
    """Character index -> byte offset in the UTF-8 input, for indexes asked in increasing order."""

    def __init__(self, text: str, base: int) -> None:
        self.text, self.char, self.byte = text, 0, base

    def __call__(self, index: int) -> int:
        self.byte += len(self.text[self.char : index].encode("utf-8"))
        self.char = index
        return self.byte


# -- BSON


def _bson_items(head: bytes) -> tuple[list[_Item], str]:
    """The documents of a BSON sequence that end before the error."""
    import bson

    from formatlens.codecs.bson import READ_OPTIONS

    items: list[_Item] = []
    pos = 0
    while pos + 5 <= len(head) and len(items) < MAX_ITEMS:
        size = int.from_bytes(head[pos : pos + 4], "little", signed=True)
        if size < 5 or pos + size > len(head):
            break
        try:
            document = bson.decode(head[pos : pos + size], READ_OPTIONS)
        except (bson.errors.InvalidBSON, UnicodeDecodeError):
            break
        items.append(_Item(pos, pos + size, len(items), document))
        pos += size
    return items, "sequence"


# -- MessagePack


def _msgpack_items(head: bytes) -> tuple[list[_Item], str]:
    """The items of a MessagePack sequence before the error, or those of its first array or map."""
    import msgpack

    def unpacker() -> msgpack.Unpacker:
        made = msgpack.Unpacker(None, raw=False, timestamp=3, strict_map_key=False, max_buffer_size=len(head) + 1)
        made.feed(head)
        return made

    # msgpack's refusals (its UnpackException family), a truncated item (ValueError), text that is
    # not UTF-8, an array or map used as a map key (TypeError: valid MessagePack, unhashable here),
    # a timestamp outside datetime's range (OverflowError)
    refused = (msgpack.exceptions.UnpackException, ValueError, UnicodeDecodeError, TypeError, OverflowError)
    whole = unpacker()
    items = _one_at_a_time(whole.unpack, whole.tell, refused, lambda i: i)
    if items or not head:
        return items, "sequence"
    inner = unpacker()
    kind = head[0]
    if kind in (0xDC, 0xDD) or 0x90 <= kind <= 0x9F:
        try:
            count = inner.read_array_header()
        except refused:
            return [], "list"
        return _one_at_a_time(inner.unpack, inner.tell, refused, lambda i: i, count), "list"
    if kind in (0xDE, 0xDF) or 0x80 <= kind <= 0x8F:
        try:
            count = inner.read_map_header()
        except refused:
            return [], "map"
        return _pairs(inner.unpack, inner.tell, refused, count), "map"
    return [], "sequence"


# -- CBOR


def _cbor_items(head: bytes) -> tuple[list[_Item], str]:
    """The items of a CBOR sequence before the error, or those of its first array or map."""
    import cbor2

    from formatlens.core.limits import current

    refused = (cbor2.CBORDecodeError, UnicodeDecodeError)
    stream = io.BytesIO(head)
    decoder = cbor2.CBORDecoder(stream, max_depth=current().max_depth)
    items = _one_at_a_time(decoder.decode, stream.tell, refused, lambda i: i, stop_at=len(head))
    if items or not head:
        return items, "sequence"
    major, count, start = _cbor_header(head)
    if major not in (4, 5) or count is None:  # not an array or map, or one of indefinite length
        return [], "sequence"
    stream.seek(start)
    decoder = cbor2.CBORDecoder(stream, max_depth=current().max_depth)
    if major == 4:
        return _one_at_a_time(decoder.decode, stream.tell, refused, lambda i: i, count), "list"
    return _pairs(decoder.decode, stream.tell, refused, count), "map"


def _cbor_header(head: bytes) -> tuple[int, int | None, int]:
    """Major type, item count (None: indefinite or cut) and the header's length of the first item."""
    first = head[0]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, 1
    width = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if width is None or len(head) < 1 + width:
        return major, None, 1
    return major, int.from_bytes(head[1 : 1 + width], "big"), 1 + width


# -- one item at a time


def _one_at_a_time(
    read: Callable[[], Any],
    tell: Callable[[], int],
    refused: tuple[type[BaseException], ...],
    key: Callable[[int], Any],
    count: int | None = None,
    stop_at: int | None = None,
) -> list[_Item]:
    items: list[_Item] = []
    limit = MAX_ITEMS if count is None else min(count, MAX_ITEMS)
    for index in range(limit):
        start = tell()
        if stop_at is not None and start >= stop_at:
            break
        try:
            value = read()
        except refused:  # the refused item, or (msgpack's OutOfData) no complete item left
            break
        items.append(_Item(start, tell(), key(index), value))
    return items


def _pairs(
    read: Callable[[], Any], tell: Callable[[], int], refused: tuple[type[BaseException], ...], count: int
) -> list[_Item]:
    items: list[_Item] = []
    for _ in range(min(count, MAX_ITEMS)):
        start = tell()
        try:
            key = read()
            value = read()
        except refused:
            break
        try:
            hash(key)
        except TypeError:  # an array or map as a map key: valid MessagePack, not a dict key in Python
            break
        items.append(_Item(start, tell(), key, value))
    return items


# -- pickle


def _pickle_opcodes(data: bytes, end: int) -> Iterator[Span]:
    """The opcodes before ``end``, listed without executing any (genops only reads)."""
    stream = io.BytesIO(data[:end])
    listed = 0
    try:
        for opcode, arg, position in pickletools.genops(stream):
            if position is None or listed >= MAX_OPCODES:
                return
            stop = stream.tell()
            label = opcode.name + ("" if arg is None else f" {str(arg)[:40]}")
            listed += 1
            yield Span(position, min(stop, end), "opcode", label)
    except (ValueError, EOFError, UnicodeDecodeError):  # genops stops at the cut or at the bad opcode
        return


_READERS: dict[str, Callable[[bytes], tuple[list[_Item], str]]] = {
    "json": _json_items,
    "bson": _bson_items,
    "msgpack": _msgpack_items,
    "cbor": _cbor_items,
}
