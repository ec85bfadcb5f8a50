"""Pause Python's cyclic garbage collector while a decoder builds a large tree.

Decoding makes many container objects (values, spans) and no garbage cycles;
each allocation burst would otherwise trigger collections that walk the whole
heap, which can double a decode's time on a busy server. msgpack's unpacker
does the same. Whoever found the collector enabled enables it again, so
concurrent decodes in threads never leave it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
