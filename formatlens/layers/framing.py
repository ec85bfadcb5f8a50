"""Framing: gRPC and gRPC-web messages, length-prefixed streams (varint as protobuf's
writeDelimitedTo writes them, 4-byte big- and little-endian) and JSON Lines.

A framing layer is recognised only when its frames tile the bytes exactly: the
last length ends at the last byte. A length that runs past the end is not a frame
(the bytes are left to the codecs, and a finding says why when a layer outside
already promised something inside).
"""

from __future__ import annotations

import json
from typing import Literal

from formatlens.codecs.support.binwalk import read_varint
from formatlens.core.document import Span
from formatlens.layers.base import Frame, LayerCodec, PeelContext, Peeled

MAX_FRAMES = 1_000_000


def protobuf_payloads(data: bytes, ranges: list[tuple[int, int]]) -> bool:
    """Whether the first payloads are all non-empty Protocol Buffers messages (what framing usually holds)."""
    from formatlens.codecs.protobuf.wire import WireWalker
    from formatlens.core.errors import FormatError

    walker = WireWalker(data)
    try:
        for start, end in ranges[:16]:
            if end <= start:
                return False
            walker.message(start, end)
    except FormatError:
        return False
    return True


def split_grpc(data: bytes) -> list[tuple[int, int, int]] | None:
    """(frame start, flag, payload end) of gRPC's 5-byte framing, if the data is exactly that.

    Flags: bit 0 says the payload is compressed; bit 7 marks a gRPC-web trailer frame.
    """
    frames: list[tuple[int, int, int]] = []
    pos = 0
    while pos < len(data):
        if pos + 5 > len(data) or data[pos] not in (0, 1, 0x80, 0x81) or len(frames) >= MAX_FRAMES:
            return None
        end = pos + 5 + int.from_bytes(data[pos + 1 : pos + 5], "big")
        if end > len(data):
            return None
        frames.append((pos, data[pos], end))
        pos = end
    return frames or None


def split_delimited(data: bytes, most: int = MAX_FRAMES) -> list[tuple[int, int, int]] | None:
    """(frame start, payload start, payload end) of a varint-length-delimited stream, if the data is exactly that.

    With ``most``, stop after that many frames and return them (the start of a stream, not checked to the end).
    """
    frames: list[tuple[int, int, int]] = []
    pos = 0
    while pos < len(data):
        if len(frames) >= most:
            return frames if most < MAX_FRAMES else None
        read = read_varint(data, pos)
        if read is None or read[0] + read[1] > len(data):
            return None
        frames.append((pos, read[1], read[1] + read[0]))
        pos = read[1] + read[0]
    return frames or None


def split_fixed(data: bytes, order: Literal["big", "little"]) -> list[tuple[int, int, int]] | None:
    """Frames of a 4-byte length prefix in byte order ``order``, if the data is exactly that."""
    frames: list[tuple[int, int, int]] = []
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data) or len(frames) >= MAX_FRAMES:
            return None
        end = pos + 4 + int.from_bytes(data[pos : pos + 4], order)
        if end > len(data):
            return None
        frames.append((pos, pos + 4, end))
        pos = end
    return frames or None


class GrpcLayer(LayerCodec):
    kind = "grpc"
    title = "gRPC framing"
    family = "framing"

    def sniff(self, data: bytes) -> float:
        frames = split_grpc(data) if len(data) <= 64 << 20 else None
        if not frames:
            return 0.0
        if any(flag & 0x80 for _, flag, _ in frames):
            return 0.9  # a trailer frame: gRPC-web
        start, _, end = frames[0]
        if end == start + 5 and len(frames) == 1:
            return 0.3
        # Frames that tile the bytes and hold protobuf beat the Confluent reading of the same 0x00 + 4 bytes.
        plain = [(s + 5, e) for s, f, e in frames if not f & 1]
        if (len(plain) < len(frames) and not plain) or protobuf_payloads(data, plain):
            return 0.88
        return 0.6

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        split = split_grpc(data)
        if split is None:
            raise self.error("the gRPC frames do not fit the bytes", offset=0, hint="a length runs past the end")
        frames, trailers, compressed = [], {}, 0
        for index, (start, flag, end) in enumerate(split):
            header = (
                Span(start, start + 1, "type", _flag_label(flag)),
                Span(start + 1, start + 5, "length", f"message length {end - start - 5:,}"),
            )
            if flag & 0x80:
                text = data[start + 5 : end].decode("latin-1")
                for line in text.split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.strip():
                        trailers[name.strip().lower()] = value.strip()
                frames.append(Frame(start, start + 5, end, header, "trailers", decode=False))
                continue
            compressed += flag & 1
            frames.append(Frame(start, start + 5, end, header, f"message {index}"))
        web = any(flag & 0x80 for _, flag, _ in split)
        details: dict = {"messages": sum(f.decode for f in frames)}
        if compressed:
            details["compressed_messages"] = compressed
        if trailers:
            details["trailers"] = trailers
        return Peeled(details | {"variant": "gRPC-web" if web else "gRPC"}, frames=frames, stream=len(frames) > 1)


def _flag_label(flag: int) -> str:
    if flag & 0x80:
        return "trailer frame (gRPC-web)" + (", compressed" if flag & 1 else "")
    return "compressed flag: " + ("compressed (grpc-encoding)" if flag & 1 else "not compressed")


class _LengthPrefixed(LayerCodec):
    family = "framing"

    def split(self, data: bytes) -> list[tuple[int, int, int]] | None:
        raise NotImplementedError

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        split = self.split(data)
        if split is None:
            raise self.error("the length prefixes do not fit the bytes", offset=0, hint="a length runs past the end")
        frames = [
            Frame(start, payload, end, (Span(start, payload, "length", f"length {end - payload:,}"),), f"message {i}")
            for i, (start, payload, end) in enumerate(split)
        ]
        return Peeled({"messages": len(frames)}, frames=frames, stream=True)


class VarintDelimitedLayer(_LengthPrefixed):
    kind = "varint-delimited"
    title = "varint-delimited stream"

    def split(self, data: bytes) -> list[tuple[int, int, int]] | None:
        return split_delimited(data)

    def sniff(self, data: bytes) -> float:
        # The first frames first: text with small bytes tiles as one-byte lengths for megabytes, and
        # writeDelimitedTo frames protobuf, so payloads that are not protobuf end the sniff early.
        head = split_delimited(data, 16) if len(data) <= 64 << 20 else None
        if not head or len(head) < 2 or not all(e > p for _, p, e in head):
            return 0.0
        if not protobuf_payloads(data, [(p, e) for _, p, e in head]):
            return 0.0
        return 0.85 if split_delimited(data) else 0.0


class BigEndian32Layer(_LengthPrefixed):
    kind = "u32be-prefixed"
    title = "4-byte big-endian length-prefixed stream"

    def split(self, data: bytes) -> list[tuple[int, int, int]] | None:
        return split_fixed(data, "big")

    def sniff(self, data: bytes) -> float:
        return _fixed_sniff(data, self.split(data) if len(data) <= 64 << 20 else None)


class LittleEndian32Layer(_LengthPrefixed):
    kind = "u32le-prefixed"
    title = "4-byte little-endian length-prefixed stream"

    def split(self, data: bytes) -> list[tuple[int, int, int]] | None:
        return split_fixed(data, "little")

    def sniff(self, data: bytes) -> float:
        return _fixed_sniff(data, self.split(data) if len(data) <= 64 << 20 else None)


def _fixed_sniff(data: bytes, frames: list[tuple[int, int, int]] | None) -> float:
    if not frames or any(e == p for _, p, e in frames[:16]):
        return 0.0
    if len(frames) < 2:
        return 0.4
    return 0.86 if protobuf_payloads(data, [(p, e) for _, p, e in frames]) else 0.55


class JsonLinesLayer(LayerCodec):
    kind = "json-lines"
    title = "JSON Lines"
    family = "stream"

    def sniff(self, data: bytes) -> float:
        lines = [line for line in data[:65536].splitlines() if line.strip()][:3]
        if (len(lines) < 3 and len(data) > 65536) or len(lines) < 2 or lines[0].lstrip()[:1] not in (b"{", b"["):
            return 0.0
        lines = lines[:2]  # two whole lines that are JSON each; a later bad line is the stream's finding
        try:
            for line in lines:
                json.loads(line)
        except (ValueError, UnicodeDecodeError):
            return 0.0
        return 0.9

    def peel(self, data: bytes, context: PeelContext) -> Peeled:
        frames: list[Frame] = []
        pos = 0
        for line in data.splitlines(keepends=True):
            body = line.rstrip(b"\r\n")
            if body.strip():
                frames.append(Frame(pos, pos, pos + len(body), (), f"line {len(frames) + 1}"))
            pos += len(line)
        return Peeled({"lines": len(frames)}, frames=frames, inner_format="json", stream=True)
