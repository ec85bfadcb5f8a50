"""glibc malloc in the server process: buffers of 1 MiB and more are mapped on their own and given back when freed.

Why: glibc raises its mmap threshold each time a big mapped block is freed (up to 32 MiB), after which
buffers the size of an upload (the input pickled to a worker, a worker's reply, Streamlit's upload
body) come from the per-thread heaps and stay resident after they are freed. Twenty sessions of 25 MB
uploads held 3.41x the uploads with the dynamic threshold and 2.74x with it fixed at 1 MiB
(bench/upload_to_view.py --sessions 20 --mb 25, one run each). An operator's MALLOC_MMAP_THRESHOLD_
wins; elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_MMAP_THRESHOLD = -3
"""mallopt's parameter number (malloc.h); setting it also turns the dynamic adjustment off."""


def fix_mmap_threshold(size: int = 1 << 20) -> bool:
    """Whether glibc now maps every allocation of ``size`` bytes or more on its own."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (e.g. musl): nothing to tune
        return False
    mallopt = getattr(libc, "mallopt", None)
    return bool(mallopt is not None and mallopt(M_MMAP_THRESHOLD, size) == 1)


WORKER_ALLOCATORS = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2"}
"""Read by pyarrow and glibc when a process starts: what set_worker_allocators() gives the decode workers."""


def set_worker_allocators() -> None:
    """The allocators of the processes started after this call (the decode workers, whose address space
    RLIMIT_AS caps), unless an operator set them:

    - pyarrow's buffers come from the system allocator. Arrow's default, mimalloc, reserves a 1 GiB arena
      for a large read and keeps it: a worker that had read a 45 MiB Parquet file held 1.7 GB of its 2 GB
      ever after, and the next large upload it decoded (a CSV, a pickle) was refused as needing more
      memory than allowed. The system allocator maps large buffers on their own and unmaps them when freed.
    - glibc keeps at most two arenas. Each thread that allocates (pyarrow's thread pools, the thread that
      frees a task's value) may get one of its own, reserving up to 64 MiB that is never given back: the
      same worker reading a Parquet file 25 times grew by 765 MB, and by 359 MB with two arenas.

    Both are read when a process starts (pyarrow's default pool when it is imported, which a worker does
    before its initializer runs): a worker inherits them from the forkserver, started after this."""
    for name, value in WORKER_ALLOCATORS.items():
        os.environ.setdefault(name, value)
