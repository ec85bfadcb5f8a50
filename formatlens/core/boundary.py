"""The one place where a codec's exceptions are sorted into refusals and bugs.

A codec declares the library exceptions that mean bad input (``Codec.bad_input``)
and bad values to encode (``Codec.bad_value``). At the boundary only those become
FormatError (EncodeError when encoding); RecursionError and MemoryError become
LimitExceeded; every other exception is a bug and becomes InternalError, with
the original chained and its traceback kept for a report.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TypeVar

from formatlens.core.errors import EncodeError, FormatError, InternalError, LimitExceeded
from formatlens.core.limits import env_name

T = TypeVar("T")
Exceptions = tuple[type[BaseException], ...]


def translate(
    format: str,
    step: Callable[[], T],
    *,
    bad_input: Exceptions = (),
    encoding: bool = False,
) -> T:
    """Run ``step``; only declared library exceptions become refusals, anything else InternalError."""
    try:
        return step()
    except InternalError:
        raise
    except FormatError as exc:
        if exc.format is None:
            exc.format = format
        if encoding and not isinstance(exc, (EncodeError, LimitExceeded)):
            raise EncodeError(exc.message, offset=exc.offset, hint=exc.hint, format=exc.format) from None
        raise
    except RecursionError:
        raise LimitExceeded(
            "nesting is too deep to follow", hint=f"see {env_name('max_depth')}", format=format
        ) from None
    except MemoryError:
        raise LimitExceeded("the data needs more memory than is allowed", format=format) from None
    except bad_input as exc:  # a library's own word for bad bytes (or a value the format cannot hold)
        error = EncodeError if encoding else FormatError
        raise error(f"{type(exc).__name__}: {exc}", format=format) from exc
    except Exception as exc:  # not declared as bad input: a bug, and shown as one
        raise bug(format, exc) from exc


def bug(format: str | None, exc: BaseException) -> InternalError:
    """An InternalError for ``exc``, with its traceback as the report."""
    report = "".join(traceback.format_exception(exc))
    return InternalError(f"{type(exc).__name__}: {exc}", format=format, report=report)
