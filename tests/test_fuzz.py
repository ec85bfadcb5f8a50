"""A mutation fuzzer over the samples and the corpus: nothing but a Document or a FormatError, ever.

A fixed seed and 2,000 mutants in CI; set FORMATLENS_FUZZ_N for a longer run. Mutants are forced
through detection and a codec chosen by the seed (every codec gets its share), in-process; a slice
of them also runs through the worker pool, where a dead worker would show as a FormatError naming it.
"""

import os
import random

import pytest

import formatlens as fl
from formatlens.render.report import document_to_dict
from formatlens.runtime.isolation import WorkerPool

from .conftest import CORPUS, FORMATS, SAMPLE_FILES

N = int(os.environ.get("FORMATLENS_FUZZ_N", "2000"))


def seeds() -> list[bytes]:
    files = list(SAMPLE_FILES)
    if CORPUS.is_dir():
        files += [
            p
            for p in CORPUS.rglob("*")
            if p.is_file() and p.stat().st_size < 100_000 and "decompression_bomb" not in str(p)
        ]
    return [p.read_bytes()[:4000] for p in sorted(files) if p.stat().st_size]


def mutate(rng: random.Random, data: bytes) -> bytes:
    raw = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not raw:
            raw = bytearray(b"\x00")
        i = rng.randrange(len(raw))
        roll = rng.random()
        if roll < 0.4:
            raw[i] ^= 1 << rng.randrange(8)
        elif roll < 0.6:
            raw.insert(i, rng.randrange(256))
        elif roll < 0.8:
            del raw[i]
        else:
            del raw[i:]  # truncate
    return bytes(raw)


def mutants(count: int, seed: int = 20261127):
    rng = random.Random(seed)
    pool = seeds()
    for _ in range(count):
        yield mutate(rng, rng.choice(pool)), rng.choice(FORMATS)


def defects_in(inputs) -> list[tuple[str, bytes, str]]:
    """Every input that raised anything but a FormatError (an InternalError is a bug, and counts)."""
    defects = []
    for data, fmt in inputs:
        try:
            fl.detect(data)
            document = fl.load(data, fmt)
            document_to_dict(document)
        except fl.FormatError:
            pass
        except Exception as exc:  # a defect: record it with enough to reproduce
            defects.append((fmt, data[:60], repr(exc)[:200]))
    return defects


def test_mutants_in_process():
    assert defects_in(mutants(N)) == []


def test_the_fuzz_check_fails_when_a_codec_raises_a_bare_key_error(monkeypatch):
    """The check above can fail: a codec bug (a bare KeyError) is an InternalError, never a refusal."""
    from formatlens.core import registry

    def buggy_decode(data, **options):
        raise KeyError("a bug")

    monkeypatch.setattr(registry.get("json"), "decode", buggy_decode)
    defects = defects_in(mutants(200))
    assert defects, "a codec raising KeyError went unnoticed"
    assert {fmt for fmt, _data, _error in defects} == {"json"}
    assert all("InternalError" in error and "KeyError" in error for _fmt, _data, error in defects)


@pytest.mark.timeout(600)
def test_mutants_through_the_worker_pool():
    pool = WorkerPool(workers=2)
    try:
        for data, fmt in list(mutants(N // 10, seed=7)):
            try:
                document = pool.load(data, fmt)
                # A mutant may look wrapped (base64, a length prefix...): then what is inside is fmt or unparsed.
                assert document.format == fmt or (document.layers and document.format == "unparsed")
            except fl.FormatError as exc:  # an InternalError (a bug) is not caught here: it fails the test
                assert "worker process died" not in exc.message, (fmt, data[:60])
    finally:
        pool.close()
