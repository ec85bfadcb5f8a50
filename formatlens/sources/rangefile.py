"""A read-only, seekable file over range reads: it fetches only the bytes asked for, and counts them.

pyarrow (the Parquet footer), fastavro (the first blocks) and the hexdump read through it, so a
view of a remote 1 GB file costs the bytes it shows. Every fetch checks that the server returned
the bytes the range asked for: a server that lies about the file's length is refused, not trusted.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from formatlens.core.errors import FormatError

BLOCK = 64 * 1024
"""Small reads are rounded up to this (Parquet's footer read is 64 KiB too)."""
CACHED_BLOCKS = 32
FIND_BYTES = 4 * 1024 * 1024
"""A byte search in a file read by ranges looks this far from where it starts (then says not found)."""

T = TypeVar("T")


def _remote_errors() -> tuple[type[BaseException], ...]:
    """What a filesystem client raises for an unreachable, slow or refusing source (bad input, not a bug)."""
    errors: list[type[BaseException]] = [OSError]  # includes TimeoutError, FileNotFoundError, PermissionError
    try:
        import aiohttp

        errors.append(aiohttp.ClientError)
    except ImportError:
        pass
    try:
        from fsspec.exceptions import FSTimeoutError

        errors.append(FSTimeoutError)
    except ImportError:
        pass
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:
        pass
    try:  # gcsfs: a status the storage answered (403, 5xx after its retries)
        from gcsfs.retry import HttpError

        errors.append(HttpError)
    except ImportError:
        pass
    try:  # adlfs: the Azure SDK's errors (refused, unreachable, timed out, denied)
        from azure.core.exceptions import AzureError

        errors.append(AzureError)
    except ImportError:
        pass
    return tuple(errors)


REMOTE_ERRORS = _remote_errors()


def remote_call(where: str, step: Callable[[], T]) -> T:
    """Run one filesystem call; a network or storage failure becomes a FormatError naming ``where``."""
    try:
        return step()
    except FormatError:
        raise
    except REMOTE_ERRORS as exc:
        cause = _cause(exc)
        if isinstance(cause, FormatError):  # a policy refusal raised inside the client (a redirect, an address)
            raise cause from None
        raise FormatError(f"cannot read {where}: {_reason(cause)}", hint=_hint(cause)) from None


def _cause(exc: BaseException) -> BaseException:
    """fsspec's http info() reports every failure as FileNotFoundError: the real reason is its cause."""
    if isinstance(exc, FileNotFoundError) and exc.__cause__ is not None:
        cause = exc.__cause__
        if getattr(cause, "status", None) == 404:
            return exc
        return cause
    return exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or type(exc).__name__ in ("FSTimeoutError", "ServerTimeoutError"):
        return "the server did not answer in time"
    if isinstance(exc, FileNotFoundError):
        return "not found"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _hint(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or type(exc).__name__ in ("FSTimeoutError", "ServerTimeoutError"):
        return "the timeouts are FORMATLENS_REMOTE_CONNECT_SECONDS and FORMATLENS_REMOTE_READ_SECONDS"
    if isinstance(exc, PermissionError):
        return "the server's credentials (environment) do not allow this read"
    return "check the path or URL and that the server can reach it"


class RangeFile(io.RawIOBase):
    """A file of ``size`` bytes at ``path`` on ``fs``, read by ranges through a small block cache."""

    def __init__(self, fs: Any, path: str, size: int, *, name: str | None = None) -> None:
        super().__init__()
        self.fs, self.path, self.size = fs, path, size
        self.name = name or path
        self.position = 0
        self.fetched = 0
        """Bytes received from the source so far."""
        self.requests = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        data = self.pread(self.position, len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.position
        data = self.pread(self.position, size)
        self.position += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def pread(self, start: int, length: int) -> bytes:
        """Bytes [start, start+length) clipped to the file; cached by 64 KiB blocks for small reads."""
        end = min(self.size, start + max(0, length))
        if start >= end:
            return b""
        if end - start > 4 * BLOCK:
            return self._fetch(start, end)  # a big read (a column chunk) bypasses the cache
        first, last = start // BLOCK, (end - 1) // BLOCK
        missing = [b for b in range(first, last + 1) if b not in self._blocks]
        if missing:
            lo, hi = missing[0] * BLOCK, min(self.size, (missing[-1] + 1) * BLOCK)
            data = self._fetch(lo, hi)
            for b in range(missing[0], missing[-1] + 1):
                self._blocks[b] = data[(b - missing[0]) * BLOCK : (b - missing[0] + 1) * BLOCK]
        pieces = []
        for b in range(first, last + 1):
            self._blocks.move_to_end(b)
            pieces.append(self._blocks[b])
        while len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        joined = b"".join(pieces)
        return joined[start - first * BLOCK : end - first * BLOCK]

    def _fetch(self, start: int, end: int) -> bytes:
        data = remote_call(self.name, lambda: self.fs.cat_file(self.path, start=start, end=end))
        self.requests += 1
        self.fetched += len(data)
        if len(data) != end - start:
            raise FormatError(
                f"cannot read {self.name}: asked for bytes {start:,}-{end:,} and got {len(data):,} bytes",
                offset=start,
                hint=f"it said it holds {self.size:,} bytes: it is truncated, changing or lying about its length",
            )
        return data


class LazyBytes:
    """The bytes of a remote file as a sliceable object: ``data[a:b]`` is a range read (hexdump windows)."""

    def __init__(self, file: RangeFile) -> None:
        self.file = file

    def __len__(self) -> int:
        return self.file.size

    def __getitem__(self, key: slice | int) -> Any:
        if isinstance(key, int):
            index = key + self.file.size if key < 0 else key
            if not 0 <= index < self.file.size:
                raise IndexError("LazyBytes index out of range")
            return self.file.pread(index, 1)[0]
        start, stop, step = key.indices(self.file.size)
        data = self.file.pread(start, max(0, stop - start))
        return data if step == 1 else data[::step]

    def startswith(self, prefix: bytes) -> bool:
        return self[: len(prefix)] == prefix

    def find(self, pattern: bytes, start: int = 0) -> int:
        """The inspector's byte search: within FIND_BYTES after ``start`` only, never the whole file."""
        start = max(0, start)
        at = self.file.pread(start, min(FIND_BYTES, self.file.size - start)).find(pattern)
        return start + at if at >= 0 else -1

    def rfind(self, pattern: bytes, start: int = 0, end: int | None = None) -> int:
        """Backwards, within FIND_BYTES before ``end`` only."""
        end = self.file.size if end is None else min(end, self.file.size)
        lower = max(start, end - FIND_BYTES, 0)
        at = self.file.pread(lower, max(0, end - lower)).rfind(pattern)
        return lower + at if at >= 0 else -1

    def __repr__(self) -> str:
        return f"<LazyBytes {self.file.name} {self.file.size:,} bytes, {self.file.fetched:,} fetched>"
