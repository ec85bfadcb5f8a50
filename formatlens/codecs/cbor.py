"""CBOR (RFC 8949) with cbor2; date tags (0, 1) load as datetime, other known tags as their types.

Spans come from a walk that follows RFC 8949: each item's initial byte (major
type and additional information), its argument bytes, its payload, tags, and
the items nested in arrays, maps and indefinite-length strings.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from typing import Any

import cbor2

from formatlens.codecs.base import Codec, Sniff, folding_checks, one_or_many
from formatlens.codecs.support import duplicates
from formatlens.codecs.support.binwalk import ByteWalker, head_sniff, payload_preview
from formatlens.core.document import Document, Finding, Span, SpanKind, Traits
from formatlens.core.limits import current

MAJOR = ("unsigned int", "negative int", "byte string", "text string", "array", "map", "tag", "simple/float")
SELF_DESCRIBE = b"\xd9\xd9\xf7"
TAGS = {
    0: "date/time string",
    1: "epoch date/time",
    2: "positive bignum",
    3: "negative bignum",
    4: "decimal fraction",
    5: "bigfloat",
    24: "embedded CBOR",
    30: "rational",
    32: "URI",
    35: "regex",
    37: "UUID",
    100: "epoch date",
    258: "set",
    1004: "date string",
    55799: "self-described CBOR",
}
REFERENCES = tuple(
    head + number.to_bytes(width, "big")
    for number in (0x19, 0x1D)
    for head, width in ((b"\xd8", 1), (b"\xd9", 2), (b"\xda", 4), (b"\xdb", 8))
)
"""Tags 25 (a string reference) and 29 (a shared value), in each width a tag's number may be written in."""
SIMPLE = {20: "false", 21: "true", 22: "null", 23: "undefined"}


class _Walker(ByteWalker):
    format = "cbor"
    key_errors = (cbor2.CBORDecodeError, UnicodeDecodeError)

    def load_key(self, raw: bytes | memoryview) -> Any:
        return cbor2.loads(raw)

    def head(self, pos: int) -> tuple[int, int, int | None, int]:
        """(major type, additional info, argument or None if indefinite, offset after the head)."""
        self.need(pos, 1, "an item")
        initial = self.data[pos]
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            return major, info, info, pos + 1
        if info <= 27:
            size = 1 << (info - 24)
            return major, info, self.uint(pos + 1, size), pos + 1 + size
        if info == 31 and major in (2, 3, 4, 5, 7):
            return major, info, None, pos + 1
        raise self.fail(f"reserved additional information {info} in byte 0x{initial:02x}", pos)

    def skipper(self, pos: int) -> Callable[[], int]:
        stream = io.BytesIO(self.data)  # shares the bytes (no copy until written)
        stream.seek(pos)
        decoder = cbor2.CBORDecoder(stream, max_depth=self.limits.max_depth)

        def following() -> int:
            start = stream.tell()
            try:
                decoder.decode()  # cbor2's C decoder: far faster than walking heads in Python
            except cbor2.CBORDecodeError:  # an item that cannot be read alone (a shared or string reference)
                end = self.end_of(start)
                stream.seek(end)
                return end
            return stream.tell()

        return following

    def end_of(self, pos: int) -> int:
        """Where the item at ``pos`` ends, from the heads alone (no values, no spans)."""
        left = [1]  # items still to read per open container; -1: indefinite, until a break byte
        while left:
            if left[-1] == 0:
                left.pop()
                continue
            if left[-1] == -1 and self.data[pos] == 0xFF:
                left.pop()
                pos += 1
                continue
            if left[-1] > 0:
                left[-1] -= 1
            major, _info, arg, pos = self.head(pos)
            if major in (2, 3):
                if arg is None:
                    left.append(-1)
                else:
                    self.need(pos, arg, "a string")
                    pos += arg
            elif major in (4, 5):
                left.append(-1 if arg is None else arg * (2 if major == 5 else 1))
            elif major == 6:
                left.append(1)
        return pos

    def item(self, pos: int, path: tuple, depth: int, kind: SpanKind = "value") -> Span:
        self.enter(depth, pos)
        major, info, arg, after = self.head(pos)
        initial = Span(pos, pos + 1, "type", f"0x{self.data[pos]:02x}: major {major} ({MAJOR[major]})", path)
        heads = [initial]
        if after > pos + 1:
            role: SpanKind = "tag" if major == 6 else "length" if major in (2, 3, 4, 5) else "value"
            heads.append(Span(pos + 1, after, role, f"argument {arg:,}", path))
        if major in (0, 1):
            assert arg is not None  # head() gives None only to strings, arrays, maps and simple values
            value = arg if major == 0 else -1 - arg
            return Span(pos, after, kind, f"int {value}", path, tuple(heads) if len(heads) > 1 else ())
        if major in (2, 3):
            return self.string(pos, after, arg, major, heads, path, depth, kind)
        if major in (4, 5):
            return self.container(pos, after, arg, major, heads, path, depth, kind)
        if major == 6:
            assert arg is not None
            inner = self.item(after, path, depth + 1)
            name = TAGS.get(arg, "tag")
            return Span(
                pos, inner.end, kind, f"tag {arg} ({name})", path, (initial._replace(kind="tag"), *heads[1:], inner)
            )
        if arg is None:
            raise self.fail("unexpected break (0xff) outside an indefinite-length item", pos)
        if info == 25:
            label = f"float16 {struct.unpack('>e', self.data[pos + 1 : after])[0]}"
        elif info == 26:
            label = f"float32 {struct.unpack('>f', self.data[pos + 1 : after])[0]}"
        elif info == 27:
            label = f"float64 {struct.unpack('>d', self.data[pos + 1 : after])[0]}"
        else:
            label = SIMPLE.get(arg, f"simple value {arg}")
        if len(heads) > 1:
            heads[1] = heads[1]._replace(label=label)
        return Span(pos, after, kind, label, path, tuple(heads) if len(heads) > 1 else ())

    def more(self, at: int, what: str) -> bool:
        """Whether an indefinite item goes on at ``at`` (the break byte 0xFF ends it)."""
        self.need(at, 1, what)
        return self.data[at] != 0xFF

    def string(self, pos, after, length, major, heads, path, depth, kind) -> Span:
        what = "bytes" if major == 2 else "text"
        if length is None:  # indefinite: chunks until the break byte
            chunks, at = [], after
            while self.more(at, "a chunk"):
                chunk = self.item(at, path, depth + 1)
                if self.data[at] >> 5 != major:
                    raise self.fail(f"a chunk of an indefinite {what} string must be a {what} string", at)
                chunks.append(chunk)
                at = chunk.end
            brk = Span(at, at + 1, "footer", "break", path)
            return Span(pos, at + 1, kind, f"{what} (indefinite, {len(chunks)} chunks)", path, (*heads, *chunks, brk))
        self.need(after, length, f"a {what} string")
        end = after + length
        return Span(
            pos,
            end,
            kind,
            f"{what} {payload_preview(self.data, after, end, text=major == 3)}",
            path,
            (*heads, Span(after, end, "value", f"{what} payload", path)),
        )

    def container(self, pos, after, count, major, heads, path, depth, kind) -> Span:
        what = "array" if major == 4 else "map"
        if count is not None:
            self.need(after, count * (2 if major == 5 else 1), f"{what} of {count:,} items")
        children, at, index = list(heads), after, 0
        marks, window = self.checkpoints, self.window
        if marks is not None and window is not None:  # a far window: from the last checkpoint before it
            at, index = marks.start(pos, at, index, window[0])
        # past max_spans the walk stops before looking for a break byte (a cut item claims the rest of the data)
        stopped = lambda: self.spans_left <= 0  # noqa: E731
        while (count is None and (stopped() or self.more(at, "an item"))) or (count is not None and index < count):
            if stopped():
                return Span(pos, len(self.data), kind, f"{what} (annotation stopped)", path, tuple(children))
            if marks is not None and window is not None:
                ended = marks.step(pos, at, index, window)
                if ended is not None:  # past the window: what is left is passed over to where it ended before
                    at, index = ended
                    break
            passed = self.outside(at, 2 if major == 5 else 1)
            if passed is not None:  # outside a span window: passed over without spans
                at, index = passed, index + 1
                continue
            if major == 5:
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
        if count is None:
            children.append(Span(at, at + 1, "footer", "break", path))
            at += 1
        shown = f"{index:,}" + (", indefinite" if count is None else "")
        return Span(pos, at, kind, f"{what} of {shown}", path, tuple(children))


class CborCodec(Codec):
    name = "cbor"
    title = "CBOR"
    media_type = "application/cbor"
    extensions = (".cbor",)
    traits = Traits(textual=False, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "cbor2"
    summary = "Concise Binary Object Representation (RFC 8949): IoT and web-auth payloads, with semantic tags."
    snippet = "import cbor2\ndata = cbor2.dumps(users)\nusers = cbor2.loads(data)"
    sample = "users.cbor"
    holds = frozenset(
        {
            "null",
            "bool",
            "number",
            "bigint",
            "nonfinite",
            "bytes",
            "datetime",
            "date",
            "decimal",
            "uuid",
            "fraction",
            "set",
            "nonstr_keys",
            "cbor_types",
            "tz_offset",
        }
    )

    bad_input = (cbor2.CBORDecodeError, UnicodeDecodeError)
    shares_values = True
    bad_value = (cbor2.CBOREncodeError,)

    def sniff(self, data: bytes) -> Sniff:
        if data.startswith(SELF_DESCRIBE):
            return Sniff(0.99, "the self-described CBOR tag d9 d9 f7")
        if not data or not (0x80 <= data[0] <= 0xBF or 0xC0 <= data[0] <= 0xDB or data[0] in (0x9F, 0xBF)):
            return Sniff(0.0, "does not start with a CBOR array, map or tag")
        kind = {4: "array", 5: "map", 6: "tag"}[data[0] >> 5]
        if len(data) > 1 << 20:
            return head_sniff(_Walker(data), f"a CBOR {kind} (0x{data[0]:02x})")
        if self.parses(lambda: self._load_all(data)):
            return Sniff(0.75, f"starts with a CBOR {kind} (0x{data[0]:02x}) and parses to the end")
        return Sniff(0.0, "starts like CBOR but does not parse")

    def _load_all(self, data: bytes, *, allow_duplicate_keys: bool = True) -> list:
        stream = io.BytesIO(data)
        decoder = cbor2.CBORDecoder(stream, max_depth=current().max_depth, allow_duplicate_keys=allow_duplicate_keys)
        items = []
        while stream.tell() < len(data):
            items.append(decoder.decode())
        return items

    def decode(self, data: bytes) -> Document:
        strict = folding_checks()  # findings will be asked for: this one parse is also the duplicate-key check
        repeated = ""
        try:
            try:  # cbor2 refuses a repeated key at C speed (a third slower than a plain parse)
                items = self._load_all(data, allow_duplicate_keys=not strict)
            except cbor2.CBORDecodeError as exc:
                if not _is_repeat(exc):
                    raise
                repeated = str(exc)
                items = self._load_all(data)  # the value as cbor2 reads it: the last value of a repeated key
        except self.bad_input as exc:
            if "nesting depth" in str(exc):  # cbor2 stops at max_depth with a plain CBORDecodeError
                limits = current()
                limits.check("max_depth", limits.max_depth + 1, what="the nesting depth")
            raise self.error(
                f"invalid CBOR: {exc}",
                offset=_Walker.first_bad_offset(data),
                hint="each item starts with a byte holding its major type and length",
            ) from None
        if not items:
            raise self.error("no CBOR item", offset=0)
        value, findings = one_or_many(items, "CBOR items", "cbor.stream")
        return self.document(
            data,
            value=value,
            findings=findings,
            details={"items": len(items)},
            spans_factory=lambda: _Walker(data).items(),
            findings_factory=lambda: self._duplicate_keys(data, repeated) if repeated or not strict else [],
        )

    def _duplicate_keys(self, data: bytes, first: str) -> list[Finding]:
        """Warnings for maps that hold a key twice (cbor2 keeps the last value, as a dict does); ``first``:
        cbor2's refusal of the first repeat when decode() parsed strictly, else "" (parsed strictly now)."""
        if not first:
            try:
                self._load_all(data, allow_duplicate_keys=False)
            except cbor2.CBORDecodeError as exc:
                if not _is_repeat(exc):
                    raise
                first = str(exc)
            else:
                return []
        # The strict parse refused the ``first`` repeat only; the walk finds them all.
        found = duplicates.findings(self.name, "cbor2", [], _Walker(data).items())
        return found or [
            Finding(
                "warning",
                f"{first} (beyond the annotated bytes, offsets unknown): cbor2 keeps the last value",
                code="cbor.duplicate-key",
            )
        ]

    def encode(
        self,
        value: Any,
        *,
        canonical: bool = False,
        datetime_as_timestamp: bool = False,
        value_sharing: bool = False,
    ) -> bytes:
        return cbor2.dumps(
            value, canonical=canonical, datetime_as_timestamp=datetime_as_timestamp, value_sharing=value_sharing
        )


def _is_repeat(error: cbor2.CBORDecodeError) -> bool:
    """Whether cbor2 refused a map key it had already read in that map (allow_duplicate_keys=False)."""
    return "Duplicate map key" in str(error)


codec = CborCodec()
