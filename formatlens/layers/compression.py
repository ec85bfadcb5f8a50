"""Compression: gzip, zlib, bz2, xz, zstd, LZ4 frame and Snappy framed, told apart by their magic bytes.

Every inflate is bounded by FORMATLENS_MAX_DECOMPRESSED_BYTES: the streaming
decompressors are fed with ``max_length`` so a bomb stops at the limit instead of
filling memory; LZ4 and Snappy frames declare their block sizes, so the most
they can inflate to is known before cramjam inflates them in one call.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable
from typing import Any

import cramjam
from backports import zstd

from formatlens.core.document import Span
from formatlens.core.errors import LimitExceeded
from formatlens.core.limits import current, env_name
from formatlens.layers.base import LayerCodec, PeelContext, Peeled

_STEP = 1 << 20


def _cap() -> int:
    return current().max_decompressed_bytes


def _too_big(cap: int) -> LimitExceeded:
    return LimitExceeded(
        f"the compressed data inflates to more than the limit of {cap:,} bytes",
        hint=f"a decompression bomb, or a large file: an operator can raise {env_name('max_decompressed_bytes')}",
    )


def _drain(decompressor: Any, data: bytes, out: bytearray, cap: int) -> None:
    """Feed ``data`` to a bz2/lzma/zstd decompressor, a megabyte of output at a time, up to ``cap``."""
    out += decompressor.decompress(data, max_length=_STEP)
    while not decompressor.eof and not decompressor.needs_input:
        if len(out) > cap:
            raise _too_big(cap)
        out += decompressor.decompress(b"", max_length=_STEP)
    if len(out) > cap:
        raise _too_big(cap)


def _members(new: Callable[[], Any], data: bytes, what: str) -> tuple[bytes, int]:
    """Inflate one member after another (gzip, bz2, xz and zstd may be concatenated); bytes and member count."""
    out, rest, members, cap = bytearray(), data, 0, _cap()
    while rest:
        decompressor = new()
        _drain(decompressor, rest, out, cap)
        if not decompressor.eof:
            raise EOFError(f"the {what} data is truncated")
        members += 1
        rest = decompressor.unused_data
        if rest and not rest.strip(b"\0"):  # trailing zero padding (tar, some writers)
            break
    return bytes(out), members


class _Zlib:
    """zlib.decompressobj behind the bz2/lzma interface (max_length, needs_input)."""

    def __init__(self, wbits: int) -> None:
        self._d = zlib.decompressobj(wbits)
        self._pending = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        chunk = self._d.decompress(self._pending + data, max_length)
        self._pending = self._d.unconsumed_tail
        return chunk

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def needs_input(self) -> bool:
        return not self._pending

    @property
    def unused_data(self) -> bytes:
        return self._d.unused_data


class _Compression(LayerCodec):
    family = "compression"
    magic: bytes = b""
    errors: tuple[type[BaseException], ...] = ()
    """The library's exceptions that mean bad compressed data."""

    def sniff(self, data: bytes) -> float:
        return 0.95 if data.startswith(self.magic) else 0.0

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        raise NotImplementedError

    def frame_spans(self, data: bytes) -> tuple[Span, ...]:
        return (
            Span(0, len(self.magic), "magic", f"{self.title} magic"),
            Span(len(self.magic), len(data), "compressed", f"{self.title} data"),
        )

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        try:
            output, extra = self.inflate(data)
        except self.errors as exc:
            raise self.error(
                f"the {self.title} data is corrupt: {exc}", hint="truncated or not really compressed"
            ) from None
        details = {
            "compressed": len(data),
            "decompressed": len(output),
            "ratio": round(len(output) / len(data), 2) if data else 0.0,
            **extra,
        }
        return Peeled(details, spans=self.frame_spans(data), output=output)


class GzipLayer(_Compression):
    kind, title, magic = "gzip", "gzip", b"\x1f\x8b\x08"
    errors = (zlib.error, EOFError)

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        output, members = _members(lambda: _Zlib(31), data, "gzip")
        return output, {"members": members}

    def frame_spans(self, data: bytes) -> tuple[Span, ...]:
        if len(data) < 18:
            return super().frame_spans(data)
        return (
            Span(0, 2, "magic", "gzip magic 1F 8B"),
            Span(2, 10, "header", "method, flags, mtime, extra flags, OS"),
            Span(10, len(data) - 8, "compressed", "deflate data (and optional header fields)"),
            Span(len(data) - 8, len(data), "footer", "CRC-32 and size of the last member"),
        )


class ZlibLayer(_Compression):
    kind, title = "zlib", "zlib"
    errors = (zlib.error, EOFError)

    def sniff(self, data: bytes) -> float:
        # CMF (deflate, window <= 32K) and FLG make a multiple of 31; then the first block must inflate.
        if len(data) < 6 or data[0] & 0x0F != 8 or data[0] >> 4 > 7 or int.from_bytes(data[:2], "big") % 31:
            return 0.0
        try:
            zlib.decompressobj().decompress(data[:4096], 64)
        except zlib.error:
            return 0.0
        return 0.8

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        output, members = _members(lambda: _Zlib(15), data, "zlib")
        return output, {"members": members} if members > 1 else {}

    def frame_spans(self, data: bytes) -> tuple[Span, ...]:
        return (
            Span(0, 2, "header", "zlib header (CMF, FLG)"),
            Span(2, max(2, len(data) - 4), "compressed", "deflate data"),
            Span(max(2, len(data) - 4), len(data), "footer", "Adler-32"),
        )


class Bz2Layer(_Compression):
    kind, title, magic = "bz2", "bzip2", b"BZh"
    errors = (OSError, EOFError, ValueError)

    def sniff(self, data: bytes) -> float:
        return 0.95 if data[:3] == b"BZh" and data[3:4].isdigit() and data[4:10] == b"\x31\x41\x59\x26\x53\x59" else 0.0

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        output, members = _members(bz2.BZ2Decompressor, data, "bzip2")
        return output, {"block_size": f"{data[3] - 48}00k", "streams": members}


class XzLayer(_Compression):
    kind, title, magic = "xz", "xz", b"\xfd7zXZ\x00"
    errors = (lzma.LZMAError, EOFError)

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        output, members = _members(lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ), data, "xz")
        return output, {"streams": members}


class ZstdLayer(_Compression):
    kind, title, magic = "zstd", "Zstandard", b"\x28\xb5\x2f\xfd"
    errors = (zstd.ZstdError, EOFError)

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        output, members = _members(zstd.ZstdDecompressor, data, "zstd")
        return output, {"frames": members}


def _bounded_by_blocks(total: int, what: str) -> None:
    cap = _cap()
    if total > cap:
        raise LimitExceeded(
            f"the {what} may inflate to {total:,} bytes, over the limit of {cap:,}",
            hint=f"an operator can raise {env_name('max_decompressed_bytes')}",
        )


class Lz4Layer(_Compression):
    kind, title, magic = "lz4", "LZ4 frame", b"\x04\x22\x4d\x18"
    errors = (cramjam.DecompressionError, EOFError)

    def _block_bound(self, data: bytes) -> int:
        """The most the frame can inflate to: its blocks times the declared block size."""
        if len(data) < 7:
            raise EOFError("the LZ4 frame header is truncated")
        flags, bd = data[4], data[5]
        block_max = 1 << (8 + 2 * ((bd >> 4) & 7))
        pos = 6 + (8 if flags & 0x08 else 0) + (4 if flags & 0x01 else 0) + 1
        blocks = 0
        while True:
            if pos + 4 > len(data):
                raise EOFError("the LZ4 frame is truncated (no end mark)")
            size = int.from_bytes(data[pos : pos + 4], "little")
            if size == 0:
                return blocks * block_max
            pos += 4 + (size & 0x7FFFFFFF) + (4 if flags & 0x10 else 0)
            blocks += 1

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        _bounded_by_blocks(self._block_bound(data), "LZ4 frame")
        return bytes(cramjam.lz4.decompress(data)), {}


class SnappyLayer(_Compression):
    kind, title, magic = "snappy", "Snappy framed", b"\xff\x06\x00\x00sNaPpY"
    errors = (cramjam.DecompressionError, EOFError)

    def inflate(self, data: bytes) -> tuple[bytes, dict]:
        # Every chunk holds at most 65,536 bytes of data (framing_format.txt).
        pos, chunks = 0, 0
        while pos < len(data):
            if pos + 4 > len(data):
                raise EOFError("a Snappy chunk header is truncated")
            pos += 4 + int.from_bytes(data[pos + 1 : pos + 4], "little")
            chunks += 1
        _bounded_by_blocks(chunks * 65536, "Snappy stream")
        return bytes(cramjam.snappy.decompress(data)), {"chunks": chunks}
