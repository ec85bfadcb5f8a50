"""Errors raised by formatlens.

Every refusal of bad input is a :class:`FormatError`, so a caller needs one
``except`` clause. A bug in formatlens is an :class:`InternalError`, which is
deliberately NOT a FormatError (nor a ValueError): a bug must never read as
"your data is bad", and no ``except FormatError`` can swallow one. The hierarchy::

    ValueError
    └── FormatError            bad or unsupported input, with .offset and .hint
        ├── UnknownFormatError no codec by that name, or nothing recognised the bytes
        ├── LimitExceeded      an operator limit (size, depth, nodes...) tripped
        └── EncodeError        a value the target format cannot hold
    RuntimeError
    └── InternalError          a bug in formatlens (the original exception is chained)
"""

from __future__ import annotations

BUG_NOTE = "this is a bug in formatlens"


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

    def __reduce__(self):
        # Keeps offset, hint and format when a worker process sends the error back.
        return _rebuild, (type(self), self.message, self.offset, self.hint, self.format)


def _rebuild(cls: type[FormatError], message: str, offset, hint, format) -> FormatError:
    return cls(message, offset=offset, hint=hint, format=format)


class UnknownFormatError(FormatError):
    """The format name is unknown, or no codec recognised the bytes."""


class LimitExceeded(FormatError):
    """An operator limit tripped; the hint names the setting that raises it."""


class EncodeError(FormatError):
    """The value cannot be written in the target format."""


class InternalError(RuntimeError):
    """A bug in formatlens: an exception no codec declared as bad input. Never a refusal."""

    def __init__(self, message: str, *, format: str | None = None, report: str = "") -> None:
        self.message = message
        self.format = format
        self.report = report
        """The original traceback as text (kept across a worker process, for a bug report)."""
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.format}: " if self.format else ""
        return f"{where}{self.message} ({BUG_NOTE})"

    def __reduce__(self):
        return _rebuild_internal, (self.message, self.format, self.report)


def _rebuild_internal(message: str, format: str | None, report: str) -> InternalError:
    return InternalError(message, format=format, report=report)
