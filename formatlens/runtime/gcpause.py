"""Pause Python's cyclic garbage collector while a decoder builds a large tree.

Decoding makes many container objects (values, spans) and no garbage cycles;
each allocation burst would otherwise trigger collections that walk the whole
heap, which can double a decode's time on a busy server. msgpack's unpacker
does the same. Whoever found the collector enabled enables it again, so
concurrent decodes in threads never leave it off.
"""

from __future__ import annotations

import gc
import threading
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


FULL_COLLECTION_AFTER = 2.0
"""Seconds a first view keeps the server's older objects out of the collector's sight (postpone_full_collection)."""


def postpone_full_collection(seconds: float = FULL_COLLECTION_AFTER) -> threading.Timer:
    """Keep the objects the collector tracks now out of its sight for ``seconds`` (gc.freeze, then
    gc.unfreeze in a timer): the tens of thousands of objects a large input's first view brings to the
    server trigger a full collection of the whole server heap (70-190 ms with a few sessions open), which
    ran while the page's messages waited to be sent. Meanwhile a collection walks only newer objects;
    the next one after the timer walks everything again."""
    gc.freeze()
    timer = threading.Timer(seconds, gc.unfreeze)
    timer.daemon = True
    timer.start()
    return timer
