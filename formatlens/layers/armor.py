"""Text armor: base64 (standard or URL-safe, padded or not, in padded chunks as grpc-web-text
sends them), hex digits, and ``data:`` URLs.

Armor is peeled only when what it hides is recognised (a layer or a format claims the
decoded bytes) or is clearly binary: plain words that happen to use the base64
alphabet stay text.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.parse

from formatlens.core.document import Span
from formatlens.layers.base import LayerCodec, PeelContext, Peeled

SNIFF_CHARS = 65536
"""How much armored text sniff() decodes to see what is inside."""

# Flat character classes only: a nested quantifier here backtracks for minutes on a long near-miss.
_B64_CHARS = re.compile(rb"[A-Za-z0-9+/\-_=]+")
_HEX = re.compile(rb"(?:0x)?[0-9a-fA-F]+")
_DATA_URL = re.compile(rb"data:([^,;]*)((?:;[^,;]*)*),", re.IGNORECASE)
_STARTS_BASE64 = re.compile(rb"\s*[A-Za-z0-9+/\-_]")
_STARTS_HEX = re.compile(rb"\s*(?:0x|\\x)?[0-9a-fA-F]")


def _compact(data: bytes) -> bytes:
    return re.sub(rb"\s+", b"", data)


def decode_base64(text: bytes) -> tuple[bytes, str]:
    """Decoded bytes and the variant, for standard or URL-safe base64, padded or not, or padded chunks."""
    urlsafe = b"-" in text or b"_" in text
    variant = "url-safe" if urlsafe else "standard"
    body = text.replace(b"-", b"+").replace(b"_", b"/") if urlsafe else text
    if b"=" in body.rstrip(b"="):  # padded chunks one after another (grpc-web-text streams)
        chunks = [c for c in re.findall(rb"[A-Za-z0-9+/]*=*", body) if c]
        return b"".join(base64.b64decode(c + b"=" * (-len(c) % 4), validate=True) for c in chunks), variant + ", chunks"
    padded = body.endswith(b"=")
    if len(body.rstrip(b"=")) % 4 == 1:
        raise binascii.Error("a base64 text cannot be 1 more than a multiple of 4 characters long")
    decoded = base64.b64decode(body + b"=" * (-len(body) % 4), validate=True)
    return decoded, variant + (", padded" if padded or len(body) % 4 == 0 else ", unpadded")


_nesting = threading.local()
MAX_NESTED_SNIFF = 4
"""How many armor layers deep a sniff looks (base64 of base64 of...); peeling itself goes to FORMATLENS_MAX_LAYERS."""


def recognised(data: bytes) -> float:
    """How surely some layer or format claims ``data`` (0 when nothing does)."""
    from formatlens.core import registry as codecs
    from formatlens.layers import registry as layers

    best = max((score for _, score in codecs.detect(data[:SNIFF_CHARS])), default=0.0)
    depth = getattr(_nesting, "depth", 0)
    _nesting.depth = depth + 1
    try:
        for layer in layers.available():
            if layer.family != "armor" or depth < MAX_NESTED_SNIFF:
                best = max(best, layer.sniff(data))
    finally:
        _nesting.depth = depth
    return best


def _binary(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(b < 9 or 13 < b < 32 for b in data[:4096])


class Base64Layer(LayerCodec):
    kind = "base64"
    title = "base64"
    family = "armor"

    def sniff(self, data: bytes) -> float:
        if not _STARTS_BASE64.match(data):  # most inputs: no need to compact 64 KiB to see it
            return 0.0
        head = _compact(data[: SNIFF_CHARS + 1024])
        # Real base64 of any length has both cases of letters; digits-only or words-only text is not it.
        if len(head) < 8 or not _B64_CHARS.fullmatch(head) or head.startswith(b"="):
            return 0.0
        if not re.search(rb"[A-Z]", head) or not re.search(rb"[a-z]", head):
            return 0.0
        if len(data) > SNIFF_CHARS + 1024:  # decode a whole number of quanta of the prefix
            head = head[: len(head) - len(head) % 4].rstrip(b"=")
            head = head[: len(head) - len(head) % 4]
        try:
            decoded, _ = decode_base64(head)
        except (binascii.Error, ValueError):
            return 0.0
        inner = recognised(decoded)
        if inner >= 0.5:
            return 0.8
        # Binary inside and a text that no word would be: long, mixed case and digits.
        if _binary(decoded) and len(head) >= 16 and re.search(rb"[0-9+/]", head) and re.search(rb"[a-z]", head):
            return 0.45
        return 0.0

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        text = _compact(data)
        try:
            decoded, variant = decode_base64(text)
        except (binascii.Error, ValueError) as exc:
            raise self.error(
                f"not base64: {exc}", hint="the text has a character or length base64 cannot have"
            ) from None
        return Peeled(
            {"variant": variant, "encoded": len(data), "decoded": len(decoded)},
            spans=(Span(0, len(data), "value", f"base64 ({variant}) of {len(decoded):,} bytes"),),
            output=decoded,
        )


class HexLayer(LayerCodec):
    kind = "hex"
    title = "hex digits"
    family = "armor"

    def sniff(self, data: bytes) -> float:
        if not _STARTS_HEX.match(data):
            return 0.0
        head = _compact(data[:SNIFF_CHARS]).replace(b"\\x", b"")
        # Hex of real data has letters: a run of digits is a number, not hex.
        if len(head) < 4 or not _HEX.fullmatch(head) or not re.search(rb"[a-fA-F]", head.removeprefix(b"0x")):
            return 0.0
        head = head.removeprefix(b"0x")
        if len(data) <= SNIFF_CHARS and len(head) % 2:
            return 0.0
        head = head[: len(head) - len(head) % 2]
        inner = recognised(bytes.fromhex(head.decode()))
        return 0.85 if inner >= 0.5 else 0.0

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        digits = _compact(data).replace(b"\\x", b"").removeprefix(b"0x")
        try:
            decoded = bytes.fromhex(digits.decode("ascii"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise self.error(f"not hex digits: {exc}", hint="pairs of 0-9/a-f, spaces allowed") from None
        return Peeled(
            {"encoded": len(data), "decoded": len(decoded)},
            spans=(Span(0, len(data), "value", f"hex digits of {len(decoded):,} bytes"),),
            output=decoded,
        )


# Media types whose format the data URL names; others are left to detection.
_MEDIA_FORMATS = {
    "application/json": "json",
    "application/x-ndjson": None,
    "application/yaml": "yaml",
    "text/yaml": "yaml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "application/cbor": "cbor",
    "application/msgpack": "msgpack",
    "application/x-msgpack": "msgpack",
    "application/bson": "bson",
    "application/x-protobuf": "protobuf",
    "application/protobuf": "protobuf",
    "application/avro": "avro",
}


SNIFF_PREFIX = 64 * 1024
"""Bytes of the input a data: URL is looked for in (leading whitespace and the URL's head)."""


class DataUrlLayer(LayerCodec):
    kind = "data-url"
    title = "data: URL"
    family = "armor"

    def sniff(self, data: bytes) -> float:
        # from a prefix: lstrip() of the whole input copies it (45 MiB of protobuf start with 0x0a, a newline)
        return 0.95 if _DATA_URL.match(data[:SNIFF_PREFIX].lstrip()[:1024]) else 0.0

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        lead = len(data) - len(data.lstrip())
        match = _DATA_URL.match(data, lead)
        if match is None:
            raise self.error("not a data: URL", offset=0, hint="data:[media type][;base64],<data>")
        media_type = match[1].decode("ascii", "replace").strip().lower() or "text/plain"
        parameters = [p.strip().lower() for p in match[2].decode("ascii", "replace").split(";") if p.strip()]
        body = data[match.end() :].strip()
        if "base64" in parameters:
            try:
                decoded, _ = decode_base64(_compact(urllib.parse.unquote_to_bytes(body)))
            except (binascii.Error, ValueError) as exc:
                raise self.error(f"the base64 part is not base64: {exc}", offset=match.end()) from None
        else:
            decoded = urllib.parse.unquote_to_bytes(body)
        details = {"media_type": media_type, "base64": "base64" in parameters, "decoded": len(decoded)}
        return Peeled(
            details,
            spans=(
                Span(lead, match.end(), "header", f"data: URL, {media_type}"),
                Span(match.end(), len(data), "value", f"{len(decoded):,} bytes"),
            ),
            output=decoded,
            inner_format=_MEDIA_FORMATS.get(media_type),
        )
