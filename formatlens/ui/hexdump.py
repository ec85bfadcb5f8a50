"""A plain-text hexdump (offset | hex | ASCII) of a window of bytes."""

from __future__ import annotations


def hexdump_lines(data: bytes, start: int = 0, length: int = 512, width: int = 16) -> list[str]:
    lines = []
    end = min(len(data), start + length)
    for offset in range(start - start % width, end, width):
        row = data[offset : min(offset + width, end)]
        hex_part = " ".join(f"{b:02x}" for b in row).ljust(width * 3 - 1)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{offset:08x}  {hex_part}  {text}")
    return lines
