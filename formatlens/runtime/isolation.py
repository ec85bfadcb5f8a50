"""Decode untrusted bytes in worker processes with memory and CPU limits, from a warm pool.

A worker that dies (a segfault in a C library, the address-space limit, the
CPU limit) or overruns the wall-time limit becomes a FormatError for that one
upload (an InternalError raised in a worker comes back as an InternalError);
the pool is replaced and the server goes on. Workers compute
everything a view needs (value, spans, table, schema, findings) and send the
Document back pickled.

Settings (environment): FORMATLENS_WORKERS (default 2), FORMATLENS_WORKER_MEMORY_MB
(default 2048), FORMATLENS_QUEUE_SECONDS (how long a task may wait for a free worker,
default 300), and the decode limits of formatlens.core.limits (FORMATLENS_MAX_DECODE_SECONDS).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import signal
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext, suppress
from typing import Any, NamedTuple

from formatlens.core import registry
from formatlens.core.boundary import bug
from formatlens.core.errors import FormatError, InternalError, LimitExceeded
from formatlens.core.limits import Limits, current, env_name
from formatlens.runtime import firstview
from formatlens.runtime.allocator import fix_mmap_threshold, set_worker_allocators
from formatlens.runtime.gcpause import gc_paused, postpone_full_collection


def _worker_start(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Past a task's CPU budget the kernel sends SIGXCPU, whose default action kills the worker (and the
    # person would read "the worker died"); raising here names the limit instead. It is a BaseException
    # so that libraries' own `except ValueError`/`except Exception` (fickling has both) cannot swallow it.
    # A task stuck in C code that never returns to Python is still stopped by WorkerPool.run's wall time.
    signal.signal(signal.SIGXCPU, _cpu_budget_spent)
    import formatlens  # noqa: F401 - warm: the first upload should not pay for imports
    from formatlens.core import registry

    registry.available()


class _CpuBudgetSpent(BaseException):
    """Raised in a worker by SIGXCPU; _run turns it into LimitExceeded."""


def _cpu_budget_spent(signum: int, frame: object) -> None:
    raise _CpuBudgetSpent


def _run(func: Callable[..., Any], cpu_seconds: float, args: tuple, kwargs: dict) -> Any:
    _held.clear()  # the last task's value (free_later): not alongside this one's
    # RLIMIT_CPU counts the whole process's life: give this task its own budget on top of what was used.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime)
    budget = used + max(1, int(cpu_seconds))
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (budget, hard))  # past the soft limit, SIGXCPU ends the worker
    try:
        # A task builds one large tree that lives until it returns: no collections meanwhile (each would
        # walk every container made so far; about 0.1 s of a 46 MiB first view). Freed by refcount after.
        with gc_paused():
            # Read here, not before the try: a worker near its memory limit says so (LimitExceeded).
            args = tuple(arg.read() if isinstance(arg, Shipped) else arg for arg in args)
            return func(*args, **kwargs)
    except (FormatError, InternalError):
        raise
    except _CpuBudgetSpent:
        raise LimitExceeded(
            f"decoding took longer than {cpu_seconds:g} s of CPU time and was stopped",
            hint=f"an operator can raise {env_name('max_decode_seconds')}",
        ) from None
    except MemoryError:
        raise LimitExceeded(
            "decoding needed more memory than a worker may use",
            hint="an operator can raise FORMATLENS_WORKER_MEMORY_MB",
        ) from None
    except Exception as exc:  # a bug in the task: sent back as one, with its traceback as text
        raise bug(None, exc) from None
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def load_everything(
    data: bytes, format: str | None, options: dict, light: bool = False, ranking: list[tuple[str, float]] | None = None
):
    """What a worker does for an upload: decode and compute every lazy part of the Document, or with
    ``light`` only what a first view needs (runtime.firstview: no value or table, the head of the spans).
    A small input whose peeled layers hold a large one (a gzip, base64) gets a first view too. ``ranking``:
    registry.detect(data, options["filename"]), as the server found it (not found again here).

    Returns (whether the Document's bytes are the input, whether it is a first view, the pickled state)."""
    from formatlens.codecs.base import findings_wanted, summing_up
    from formatlens.core.api import load

    # Findings are computed below in any case: a codec may check while it parses. A first view only sums
    # the value up (codecs.base.summing_up): the codec may make a cheaper equivalent of it.
    known = registry.known_ranking(data, options.get("filename"), ranking) if ranking is not None else nullcontext()
    with known, findings_wanted(), summing_up() if light else nullcontext():
        document = load(data, format, **options)
    light = light or len(document.data) >= firstview.LIGHT_FROM
    if not light:
        for part in ("value", "spans", "table", "schema", "findings"):
            getattr(document, part)
    # Pickled here, unpickled by the server with the garbage collector paused (see WorkerPool.load).
    # The server already holds the input: it is not sent back (the bytes peeled layers made are).
    data_is_input = document.data is data
    document._sources = [b"" if source is data else source for source in document._sources]
    if light:
        blob = firstview.first_view(document, with_data=not data_is_input)
    else:
        if data_is_input:
            document.data = b""
        blob = pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
    free_later(document)
    return data_is_input, light, blob


FREE_AFTER = 0.2
"""Seconds a worker keeps a task's decoded value after the task returns (free_later)."""
_held: list = []


def free_later(*held: Any) -> threading.Thread | None:
    """Keep ``held`` until FREE_AFTER seconds from now, then free it in a thread: freeing the tree of a
    46 MiB upload takes 0.03-0.12 s, which would otherwise delay the result on its way to the server.
    The next task frees it first if it comes sooner (a worker never holds two decodes). A worker near
    its memory limit may not start a thread (its stack is reserved): then it is freed now (None)."""
    _held.extend(held)
    thread = threading.Thread(target=_free, daemon=True, name="formatlens-free")
    try:
        thread.start()
    except RuntimeError:  # "can't start new thread": a good result must not become a bug report
        _held.clear()
        return None
    return thread


def _free() -> None:
    time.sleep(FREE_AFTER)
    _held.clear()


SHIP_FROM = 1 << 20
"""Bytes arguments of at least this size go to a worker through a file in SHIP_DIR (see shipped)."""
SHIP_DIR = "/dev/shm"


class Shipped(NamedTuple):
    """A bytes argument written to a file in memory (tmpfs) for a worker to read: sending 46 MB through
    the task pipe pickles and copies it four times (0.12 s); writing and reading a tmpfs file, 0.06 s."""

    path: str
    size: int

    def read(self) -> bytes:
        with open(self.path, "rb") as file:
            data = file.read()
        if len(data) != self.size:
            raise RuntimeError(f"{self.path} holds {len(data):,} bytes, not the {self.size:,} written")
        return data


@contextmanager
def shipped(args: tuple) -> Iterator[tuple]:
    """``args`` with each large bytes argument as a Shipped file, removed when the block ends. Where
    SHIP_DIR is missing or full, the bytes go through the pipe as before."""
    paths: list[str] = []
    try:
        sent = tuple(_ship(arg, paths) if type(arg) is bytes and len(arg) >= SHIP_FROM else arg for arg in args)
        yield sent
    finally:
        for path in paths:
            with suppress(FileNotFoundError):  # already gone (a tmp cleaner): the result stands
                os.unlink(path)


def _ship(data: bytes, paths: list[str]) -> bytes | Shipped:
    try:
        fd, path = tempfile.mkstemp(prefix="formatlens-", dir=SHIP_DIR)
    except OSError:  # no tmpfs here
        return data
    paths.append(path)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError:  # full (a container's small /dev/shm)
        return data
    return Shipped(path, len(data))


class _InWorker:
    """A first view's value or table, decoded again by a worker when a view asks (runtime.firstview)."""

    waits = True
    """The server only waits for it: Document._guarded leaves the garbage collector on meanwhile."""

    def __init__(self, pool: WorkerPool, data: bytes, format: str, options: dict, part: str) -> None:
        self.pool, self.data, self.format, self.options, self.part = pool, data, format, options, part

    def __call__(self) -> Any:
        args = (self.data, self.format, self.options, self.part)
        return self.pool.run_sized(len(self.data), firstview.remote_part, *args)


class WorkerPool:
    def __init__(self, workers: int | None = None, memory_mb: int | None = None) -> None:
        self.workers = workers or int(os.environ.get("FORMATLENS_WORKERS", "2"))
        self.memory = (memory_mb or int(os.environ.get("FORMATLENS_WORKER_MEMORY_MB", "2048"))) * 1024 * 1024
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        # One task per worker at a time: a task waits here for a free worker, so the wall-time limit
        # counts its own run, not the queue behind other sessions' decodes (and a timeout, which
        # replaces the pool, never hits a task that was only waiting).
        self._slots = threading.BoundedSemaphore(self.workers)
        self.queue_seconds = float(os.environ.get("FORMATLENS_QUEUE_SECONDS", "300"))

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                set_worker_allocators()  # before the forkserver that starts the workers
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("forkserver"),
                    initializer=_worker_start,
                    initargs=(self.memory,),
                )
                # The executor starts a process only when no idle one is free: without these, the first
                # time two sessions decode at once, the second would wait for a new worker's imports.
                for _ in range(self.workers):
                    self._submit(self._executor, os.getpid)
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        # Two sessions can time out on one executor: the second finds it shut down (_processes None).
        for process in list((getattr(broken, "_processes", None) or {}).values()):
            process.kill()
        broken.shutdown(wait=False, cancel_futures=True)

    def _submit(self, pool: ProcessPoolExecutor, *args: Any):
        # Workers start during submit. multiprocessing re-imports the parent's __main__ in each
        # worker, and inside Streamlit __main__ is the running page script: hide it while they start.
        with _MAIN_SWAP:
            real_main = sys.modules.get("__main__")
            sys.modules["__main__"] = _STUB_MAIN
            try:
                return pool.submit(*args)
            finally:
                if real_main is not None:
                    sys.modules["__main__"] = real_main

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``func(*args, **kwargs)`` in a worker; any way the worker fails is a FormatError, a bug an InternalError.

        When the pool breaks, the task is tried once more on a fresh pool: an input that kills
        its worker kills the second one too and is refused, while other sessions' tasks that
        were caught in the same broken pool succeed on the retry.
        """
        return self.run_sized(0, func, *args, **kwargs)

    def run_sized(self, size: int, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """run(), with the time limit sized for an input of ``size`` bytes (Limits.for_input)."""
        return self._in_slot(current().for_input(size), None, func, args, kwargs)

    def run_waiting(self, wait_seconds: float, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """run() for a task that mostly waits (reading a remote file): the CPU limit stays, the wall-time
        bound is at least ``wait_seconds``, and overrunning it names the wait, not the decode."""
        return self._in_slot(current(), wait_seconds, func, args, kwargs)

    def _in_slot(self, limits: Limits, wait: float | None, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        if not self._slots.acquire(timeout=self.queue_seconds):
            raise LimitExceeded(
                f"the server is busy: no decoder was free within {self.queue_seconds:g} s",
                hint="try again in a moment; an operator can add workers (FORMATLENS_WORKERS) or replicas",
            )
        try:
            with shipped(args) as sent:
                return self._run_in_slot(limits, wait, func, sent, kwargs)
        finally:
            self._slots.release()

    def _run_in_slot(self, limits: Limits, wait: float | None, func: Callable[..., Any], args: tuple, kwargs: dict):
        # RLIMIT_CPU stops a runaway decode; the wall-time bound (twice that) stops one that waits or is
        # stuck in C code, without refusing ordinary large inputs on a loaded machine.
        wall = max(2 * limits.max_decode_seconds + 2, wait or 0)
        for attempt in (1, 2):
            pool = self._pool()
            try:
                future = self._submit(pool, _run, func, limits.max_decode_seconds, args, kwargs)
            except (BrokenProcessPool, RuntimeError):
                # Another session's crash broke this pool, or its replacement shut it down, between
                # _pool() and submit ("cannot schedule new futures after shutdown"): use a fresh one.
                self._replace(pool)
                continue
            try:
                return future.result(timeout=wall)
            except (FormatError, InternalError):
                raise
            except _CpuBudgetSpent:  # the signal came just after the task's own try: still the budget
                raise LimitExceeded(
                    f"decoding took longer than {limits.max_decode_seconds:g} s of CPU time and was stopped",
                    hint=f"an operator can raise {env_name('max_decode_seconds')}",
                ) from None
            except FutureTimeout:
                self._replace(pool)
                if wait is not None:
                    raise LimitExceeded(
                        f"reading took longer than {wall:g} s and was stopped: the remote host is slow",
                        hint="an operator can raise FORMATLENS_REMOTE_READ_SECONDS",
                    ) from None
                raise LimitExceeded(
                    f"decoding took longer than {limits.max_decode_seconds:g} s and was stopped",
                    hint=f"an operator can raise {env_name('max_decode_seconds')}",
                ) from None
            except CancelledError:  # another session's timeout replaced the pool before this task started
                continue
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise FormatError(
                        "the decoder's worker process died (a crash, or over its CPU or memory limit)",
                        hint="this input was refused; the server and other sessions go on",
                    ) from None
            except Exception as exc:  # neither a refusal nor a worker's death: a bug (e.g. a result that won't pickle)
                raise bug(None, exc) from exc
        raise LimitExceeded(
            "no decoder worker could take this input: the workers were being restarted after another upload",
            hint="try again in a moment",
        )

    def load(
        self, data: bytes, format: str | None = None, *, ranking: list[tuple[str, float]] | None = None, **options: Any
    ):
        """Decode ``data`` in a worker. A large input comes back as a first view (runtime.firstview):
        its value and table are decoded again in a worker when a view first asks for them. ``ranking``: what
        registry.detect says of ``data`` (and ``filename``), when the caller has found it already."""
        light = len(data) >= firstview.LIGHT_FROM
        data_is_input, light, blob = self.run_sized(len(data), load_everything, data, format, options, light, ranking)
        with gc_paused():
            document = firstview.document_from(pickle.loads(blob)) if light else pickle.loads(blob)
        if light:  # the page is drawn next: its full collection waits until it is (see gcpause)
            postpone_full_collection()
        if data_is_input:
            document.data = data
        if document._sources:
            document._sources[0] = data
        if light:
            # The innermost bytes, the format found and the person's options (schema, message) decode
            # the same value again; peeled layers are not peeled twice.
            again = {key: value for key, value in options.items() if key != "filename"}
            document._value_factory = _InWorker(self, document.data, document.format, again, "value")
            if document.first_view and document.first_view["has_table"]:
                document._table_factory = _InWorker(self, document.data, document.format, again, "table")
        return document

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_MAIN_SWAP = threading.Lock()
_STUB_MAIN = types.ModuleType("__main__")

_shared: WorkerPool | None = None


def shared_pool() -> WorkerPool:
    """The process-wide pool the app decodes with."""
    global _shared
    if _shared is None:
        fix_mmap_threshold()  # the server sends whole uploads to workers: give those buffers back (allocator.py)
        _shared = WorkerPool()
    return _shared


def isolated_waiting(wait_seconds: float, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """isolated() for a task that mostly waits on the network (WorkerPool.run_waiting)."""
    if os.environ.get("FORMATLENS_ISOLATE", "1") == "0":
        return func(*args, **kwargs)
    return shared_pool().run_waiting(wait_seconds, func, *args, **kwargs)


def isolated(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)`` on untrusted input: in the shared pool, or in this process when
    FORMATLENS_ISOLATE=0 (a developer on localhost). ``func`` must be importable by name."""
    if os.environ.get("FORMATLENS_ISOLATE", "1") == "0":
        return func(*args, **kwargs)
    return shared_pool().run(func, *args, **kwargs)
