"""BSON with pymongo's bson package.

A file may hold one document or a sequence of them (as mongodump writes).
Spans come from a walk of the bytes that follows the BSON spec: each document's
int32 length, each element's type byte, cstring key and value, and the
trailing 0x00. The same walk locates the byte where a broken file goes wrong.
"""

from __future__ import annotations

import datetime
import functools
import struct
from decimal import Decimal
from typing import Any

import bson
from bson.binary import UuidRepresentation
from bson.code import Code
from bson.codec_options import CodecOptions, DatetimeConversion, TypeRegistry
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.tz_util import utc

from formatlens.codecs.base import Codec, Sniff, one_or_many, summed_up
from formatlens.codecs.support import duplicates
from formatlens.codecs.support.binwalk import ByteWalker
from formatlens.core.checkpoints import TOP, current_checkpoints
from formatlens.core.document import Document, Finding, Span, Traits
from formatlens.core.limits import current_window


def _fallback_encoder(value: Any) -> Any:
    if isinstance(value, Decimal):
        return Decimal128(value)
    return value


READ_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
    uuid_representation=UuidRepresentation.STANDARD,
)
SUMMED_UP_OPTIONS = READ_OPTIONS.with_options(tz_aware=False)
"""A summed-up decode (codecs.base.summing_up): naive UTC datetimes, twice as fast to make as aware ones,
counted and encoded back the same; Codec.shown makes the ones shown aware."""
_DBREF_KEYS = frozenset({"$ref", "$id", "$db"})
WRITE_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True,
    uuid_representation=UuidRepresentation.STANDARD,
    type_registry=TypeRegistry(fallback_encoder=_fallback_encoder),
)

# type byte -> (name, fixed size or a reader name)
ELEMENT_TYPES: dict[int, tuple[str, int | str]] = {
    0x01: ("double", 8),
    0x02: ("string", "string"),
    0x03: ("document", "document"),
    0x04: ("array", "document"),
    0x05: ("binary", "binary"),
    0x06: ("undefined", 0),
    0x07: ("ObjectId", 12),
    0x08: ("boolean", 1),
    0x09: ("UTC datetime", 8),
    0x0A: ("null", 0),
    0x0B: ("regex", "regex"),
    0x0C: ("DBPointer", "dbpointer"),
    0x0D: ("JavaScript code", "string"),
    0x0E: ("symbol", "string"),
    0x0F: ("code with scope", "code_w_scope"),
    0x10: ("int32", 4),
    0x11: ("timestamp", 8),
    0x12: ("int64", 8),
    0x13: ("decimal128", 16),
    0xFF: ("MinKey", 0),
    0x7F: ("MaxKey", 0),
}


class BsonCodec(Codec):
    name = "bson"
    title = "BSON"
    media_type = "application/bson"
    extensions = (".bson",)
    traits = Traits(textual=False, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "pymongo"
    summary = "MongoDB's binary JSON: typed values (datetimes, ObjectIds, decimals) with length prefixes."
    snippet = 'import bson\ndata = bson.encode({"users": users})\ndoc = bson.decode(data)'
    sample = "users.bson"
    holds = frozenset(
        {"null", "bool", "number", "nonfinite", "bytes", "datetime", "decimal", "uuid", "bson_types", "ms_datetime"}
    )
    bad_input = (bson.errors.InvalidBSON, UnicodeDecodeError)
    bad_value = (bson.errors.InvalidDocument, OverflowError)  # OverflowError: an int over 8 bytes

    def sniff(self, data: bytes) -> Sniff:
        if len(data) < 5:
            return Sniff(0.0, "too short for a BSON document")
        (length,) = struct.unpack_from("<i", data)
        if length < 5 or length > len(data) or data[length - 1] != 0:
            return Sniff(0.0, "no BSON length prefix that ends on a 0x00")
        if length > 5 and data[4] not in ELEMENT_TYPES:
            return Sniff(0.0, f"byte 4 (0x{data[4]:02x}) is not a BSON element type")
        if length > 5:  # the first key must be a cstring inside the document
            end = data.find(b"\x00", 5, length)
            if end < 0:
                return Sniff(0.0, "the first key does not end inside the document")
        if length == len(data):
            return Sniff(0.95, f"a length prefix of {length:,} bytes that matches the input, ending on 0x00")
        return Sniff(0.85, f"a length prefix of {length:,} bytes ending on 0x00 (more documents follow)")

    def decode(self, data: bytes) -> Document:
        try:
            documents = bson.decode_all(data, SUMMED_UP_OPTIONS if summed_up() else READ_OPTIONS)
        except self.bad_input as exc:
            offset = _Walker.first_bad_offset(data)
            raise self.error(
                f"invalid BSON: {exc}",
                offset=offset,
                hint="check the length prefixes: each document starts with its int32 size",
            ) from None
        if not documents:
            raise self.error("no BSON document", offset=0)
        value, findings = one_or_many(documents, "BSON documents", "bson.stream")
        many = len(documents) > 1
        return self.document(
            data,
            value=value,
            findings=findings,
            details={"documents": len(documents)},
            spans_factory=lambda: _Walker(data).items(many),
            findings_factory=lambda: self._duplicate_keys(data, many, documents),
        )

    def _duplicate_keys(self, data: bytes, many: bool, documents: list) -> list[Finding]:
        """Warnings for documents that hold a key twice (pymongo keeps the last value, as a dict does)."""
        if self.writes_back(documents, data):  # pymongo writes these very bytes: no key was held twice
            return []
        repeated = repeated_keys(data)
        if not repeated:
            return []
        walker = _Walker(data)
        return duplicates.findings(self.name, "pymongo", repeated, walker.items(many), skip=walker.arrays)

    def writes_back(self, documents: list, data: bytes) -> bool:
        """Whether pymongo encodes the decoded ``documents`` as exactly ``data`` (duplicates.written_back):
        then no document held a key twice. Another key order or an int64 that fits 32 bits takes the exact
        check."""
        encode = functools.partial(bson.encode, codec_options=READ_OPTIONS)
        return duplicates.written_back(data, documents, encode, self.bad_value)

    def shown(self, head: Any) -> Any:
        """A summed-up head's naive datetimes as READ_OPTIONS makes them (aware, in bson's UTC), in place."""
        if isinstance(head, dict):
            for key, item in head.items():
                head[key] = self.shown(item)
        elif isinstance(head, list):
            for index, item in enumerate(list.__iter__(head)):
                head[index] = self.shown(item)
        elif type(head) is datetime.datetime and head.tzinfo is None:
            return head.replace(tzinfo=utc)
        elif isinstance(head, DBRef):  # its id and extra fields are values too
            extra = {key: self.shown(item) for key, item in head.as_doc().items() if key not in _DBREF_KEYS}
            return DBRef(head.collection, self.shown(head.id), head.database, **extra)
        elif isinstance(head, Code) and head.scope is not None:
            return Code(str(head), self.shown(dict(head.scope)))
        return head

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, dict):
            raise self.error("BSON needs a document (a dict) at the top", hint="convert() wraps other values for you")
        return bson.encode(value, codec_options=WRITE_OPTIONS)

    def reshape(self, value: Any, losses: list[str]) -> Any:
        if isinstance(value, dict):
            return value
        if isinstance(value, list):
            losses.append("BSON needs a document at the top: the list was wrapped as {'items': [...]}")
            return {"items": value}
        losses.append("BSON needs a document at the top: the value was wrapped as {'value': ...}")
        return {"value": value}


def repeated_keys(data: bytes) -> list[str]:
    """The keys that a document of ``data`` holds again, as pymongo meets them (the exact check)."""
    repeated: list[str] = []

    class Checked(dict):
        # pymongo's C decoder sets each element through __setitem__ on a dict subclass
        def __setitem__(self, key: str, value: Any) -> None:
            if key in self:
                repeated.append(key)
            dict.__setitem__(self, key, value)

    # A second decode, only when findings are asked for: the subclass slows every element down.
    bson.decode_all(data, READ_OPTIONS.with_options(document_class=Checked))
    return repeated


class _Walker(ByteWalker):
    """Walks BSON bytes and returns spans; raises FormatError at the first impossible byte."""

    format = "bson"

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.arrays: set[tuple] = set()
        """Paths of arrays, whose keys "0", "1"... are indexes in Document.value."""

    def items(self, many: bool = True) -> list[Span]:
        spans, pos, index = [], 0, 0
        window = current_window()
        marks = current_checkpoints() if window is not None else None
        if marks is not None and window is not None:  # from the last checkpoint before the window
            pos, index = marks.start(TOP, pos, index, window[0])
        while pos < len(self.data):
            if window is not None:  # a far window: documents before it are skipped by their lengths
                if window.past(pos):
                    break
                if marks is not None:
                    marks.note(TOP, pos, index)
                end = pos + self.int32(pos)
                if window.misses(pos, end) and pos + 5 <= end <= len(self.data):
                    pos, index = end, index + 1
                    continue
            span = self.document(pos, (index,) if many else (), "document" if not many else f"document {index}", 0)
            spans.append(span)
            pos = span.end
            index += 1
        return spans

    def element_end(self, pos: int, limit: int) -> int:
        """Where the element at ``pos`` ends, from its type and length prefixes (no spans: a far window's skip)."""
        type_byte = self.data[pos]
        if type_byte not in ELEMENT_TYPES:
            raise self.fail(f"unknown element type 0x{type_byte:02x}", pos)
        size = ELEMENT_TYPES[type_byte][1]
        at = self.cstring(pos + 1, limit)
        if isinstance(size, int):
            end = at + size
        elif size in ("document", "code_w_scope"):
            end = at + self.int32(at)
        elif size == "string":
            end = at + 4 + self.int32(at)
        elif size == "binary":
            end = at + 5 + self.int32(at)
        elif size == "regex":
            end = self.cstring(self.cstring(at, limit), limit)
        else:  # dbpointer: a string, then 12 bytes
            end = at + 4 + self.int32(at) + 12
        if end <= pos or end > limit:
            raise self.fail("element runs past the end of its document", pos)
        return end

    def int32(self, pos: int) -> int:
        if pos + 4 > len(self.data):
            raise self.fail("truncated int32", pos)
        return struct.unpack_from("<i", self.data, pos)[0]

    def cstring(self, pos: int, limit: int) -> int:
        end = self.data.find(b"\x00", pos, limit)
        if end < 0:
            raise self.fail("unterminated cstring", pos)
        return end + 1

    def document(self, start: int, path: tuple, label: str, depth: int) -> Span:
        if depth > self.limits.max_depth:
            self.limits.check("max_depth", depth, what="the document nesting", offset=start)
        length = self.int32(start)
        end = start + length
        if length < 5 or end > len(self.data):
            raise self.fail(f"document length {length} does not fit the {len(self.data) - start} bytes left", start)
        if self.data[end - 1] != 0:
            raise self.fail("document does not end with 0x00", end - 1)
        children = [Span(start, start + 4, "length", f"document length {length}", path)]
        pos, index = start + 4, 0
        window = current_window()
        marks = current_checkpoints() if window is not None else None
        if marks is not None and window is not None:  # a far window: from the last checkpoint before it
            pos, index = marks.start(start, pos, index, window[0])
        while pos < end - 1:
            if window is not None:
                ended = marks.step(start, pos, index, window) if marks is not None else None
                if ended is not None:  # past the window: the rest is passed over to where it ended before
                    pos, index = ended
                    break
                after = self.element_end(pos, end - 1)
                if window.misses(pos, after):  # outside the window: counted, not annotated
                    pos, index = after, index + 1
                    continue
            if self.spans_left <= 0:  # past max_spans: the rest of this document stays unannotated
                return Span(start, end, "value", f"{label} ({length} bytes, annotation stopped)", path, tuple(children))
            element = self.element(pos, end - 1, path, depth)
            children.append(element)
            pos = element.end
            index += 1
        if marks is not None:
            marks.ended(start, pos, index)
        if pos != end - 1:
            raise self.fail("element runs past the end of its document", pos)
        children.append(Span(end - 1, end, "footer", "end of document (0x00)", path))
        return Span(start, end, "value", f"{label} ({index} elements, {length} bytes)", path, tuple(children))

    def element(self, pos: int, limit: int, parent: tuple, depth: int) -> Span:
        self.spans_left -= 1
        type_byte = self.data[pos]
        if type_byte not in ELEMENT_TYPES:
            raise self.fail(f"unknown element type 0x{type_byte:02x}", pos)
        type_name, size = ELEMENT_TYPES[type_byte]
        key_end = self.cstring(pos + 1, limit)
        key = self.data[pos + 1 : key_end - 1].decode("utf-8", "replace")
        path = (*parent, int(key) if parent in self.arrays and key.isdigit() else key)
        children = [
            Span(pos, pos + 1, "type", f"type 0x{type_byte:02x} {type_name}", path),
            Span(pos + 1, key_end, "key", f"key {key!r}", path),
        ]
        value_start = key_end
        if isinstance(size, int):
            value = Span(value_start, value_start + size, "value", type_name, path)
        elif size == "document":
            if type_byte == 0x04:
                self.arrays.add(path)
            value = self.document(value_start, path, type_name, depth + 1)
        else:
            value = self.sized(size, value_start, limit, path, type_name, depth)
        if value.end > limit:
            raise self.fail(f"{type_name} value runs past the end of its document", value_start)
        children.append(value)
        return Span(pos, value.end, "entry", f"{key}: {type_name}", path, tuple(children))

    def sized(self, reader: str, start: int, limit: int, path: tuple, type_name: str, depth: int) -> Span:
        if reader == "string":
            length = self.int32(start)
            if length < 1 or start + 4 + length > limit:
                raise self.fail(f"string length {length} does not fit", start)
            return Span(
                start,
                start + 4 + length,
                "value",
                type_name,
                path,
                (
                    Span(start, start + 4, "length", f"length {length}", path),
                    Span(start + 4, start + 4 + length, "value", f"{type_name} bytes", path),
                ),
            )
        if reader == "binary":
            length = self.int32(start)
            if length < 0 or start + 5 + length > limit:
                raise self.fail(f"binary length {length} does not fit", start)
            return Span(
                start,
                start + 5 + length,
                "value",
                type_name,
                path,
                (
                    Span(start, start + 4, "length", f"length {length}", path),
                    Span(start + 4, start + 5, "type", f"subtype 0x{self.data[start + 4]:02x}", path),
                    Span(start + 5, start + 5 + length, "value", "binary data", path),
                ),
            )
        if reader == "regex":
            end = self.cstring(self.cstring(start, limit), limit)
            return Span(start, end, "value", "regex pattern and flags", path)
        if reader == "dbpointer":
            string = self.sized("string", start, limit, path, "namespace", depth)
            return Span(start, string.end + 12, "value", type_name, path)
        total = self.int32(start)  # code with scope
        if total < 14 or start + total > limit:
            raise self.fail(f"code-with-scope length {total} does not fit", start)
        return Span(start, start + total, "value", type_name, path)


codec = BsonCodec()
