"""Text decoding for the textual codecs, and character -> byte offset mapping.

Parsers report positions in characters; people and hexdumps need bytes.
"""

from __future__ import annotations

import codecs
from bisect import bisect_right

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def split_bom(data: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark announces, and the mark's length (None, 0 without one)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None, 0


class Text:
    """Decoded text that remembers how to map its character positions back to bytes."""

    def __init__(self, data: bytes, encoding: str, skip: int = 0) -> None:
        self.data = data
        self.encoding = encoding
        self.skip = skip
        self.text = data[skip:].decode(encoding)
        self._ascii = encoding in ("utf-8", "latin-1") and len(self.text) == len(data) - skip
        self._checkpoints: tuple[list[int], list[int]] | None = None
        self._last = (0, 0)
        """The last lookup (character index, byte offset after skip): span walkers ask in increasing order."""

    def byte_offset(self, char_index: int) -> int:
        """Byte offset in the original data of the character at ``char_index``."""
        char_index = max(0, min(char_index, len(self.text)))
        if self._ascii or self.encoding == "latin-1":
            return self.skip + char_index
        last_char, last_byte = self._last
        if last_char <= char_index < last_char + 4096:
            # Only the characters since the last lookup are encoded (a whole-input walk was quadratic-ish
            # in the checkpoint step: 19 s for a 48 MB JSON of non-ASCII names).
            found = last_byte + len(self.text[last_char:char_index].encode(self.encoding))
        elif last_char - 4096 < char_index < last_char:  # a step back (an entry's start after its end)
            found = last_byte - len(self.text[char_index:last_char].encode(self.encoding))
        else:
            marks, bytes_at = self._checkpoints or self._index()
            i = bisect_right(marks, char_index) - 1
            found = bytes_at[i] + len(self.text[marks[i] : char_index].encode(self.encoding))
        self._last = (char_index, found)
        return self.skip + found

    def known(self, char_index: int, byte_offset: int) -> None:
        """The character at ``char_index`` is at ``byte_offset`` (a checkpoint's): lookups go on from there."""
        self._last = (char_index, byte_offset - self.skip)

    def _index(self, step: int = 4096) -> tuple[list[int], list[int]]:
        # Checkpoints every `step` characters keep each lookup O(step); built on the first lookup.
        marks, bytes_at = [], []
        total = 0
        for start in range(0, len(self.text) + 1, step):
            marks.append(start)
            bytes_at.append(total)
            total += len(self.text[start : start + step].encode(self.encoding))
        self._checkpoints = marks, bytes_at
        return self._checkpoints


def decode_text(data: bytes, fallback: str | None = None) -> tuple[Text, bool]:
    """Decode by BOM, else UTF-8, else ``fallback``. Returns the text and whether the fallback was used."""
    encoding, skip = split_bom(data)
    try:
        return Text(data, encoding or "utf-8", skip), False
    except UnicodeDecodeError:
        if fallback is None:
            raise
        return Text(data, fallback, skip), True


def line_col_to_char(text: str, line: int, col: int) -> int:
    """Character index of a 1-based line and 1-based column."""
    index = 0
    for _ in range(line - 1):
        nl = text.find("\n", index)
        if nl < 0:
            break
        index = nl + 1
    return index + max(col - 1, 0)
