"""Errors raised by formatlens.

Every refusal of bad input is a :class:`FormatError`, so a caller needs one
``except`` clause. The hierarchy::

    ValueError
    └── FormatError            bad or unsupported input, with .offset and .hint
        ├── UnknownFormatError no codec by that name, or nothing recognised the bytes
        ├── LimitExceeded      an operator limit (size, depth, nodes...) tripped
        └── EncodeError        a value the target format cannot hold
"""

from __future__ import annotations


class FormatError(ValueError):
    """Bad input, refused with the byte offset where known and a hint for the person."""

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        hint: str | None = None,
        format: str | None = None,
    ) -> None:
        self.message = message
        self.offset = offset
        self.hint = hint
        self.format = format
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.format}: " if self.format else ""
        text += self.message.rstrip(".")
        if self.offset is not None:
            text += f" (at byte {self.offset})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


class UnknownFormatError(FormatError):
    """The format name is unknown, or no codec recognised the bytes."""


class LimitExceeded(FormatError):
    """An operator limit tripped; the hint names the setting that raises it."""


class EncodeError(FormatError):
    """The value cannot be written in the target format."""
