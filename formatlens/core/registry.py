"""Codec lookup by name, alias, extension or media type, and format detection.

Codec modules are imported on first use (a plain dict of name -> module path,
as in fsspec), so ``import formatlens`` stays cheap and a missing dependency
only disables its own format, with an install hint.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath
from types import MappingProxyType
from typing import NamedTuple

from formatlens.codecs.base import SNIFF_BYTES, Codec
from formatlens.core.errors import UnknownFormatError

_MODULES = {
    "json": "formatlens.codecs.json",
    "yaml": "formatlens.codecs.yaml",
    "xml": "formatlens.codecs.xml",
    "csv": "formatlens.codecs.csv",
    "pickle": "formatlens.codecs.pickle.codec",
    "bson": "formatlens.codecs.bson",
    "msgpack": "formatlens.codecs.msgpack",
    "cbor": "formatlens.codecs.cbor",
    # Schema-based formats: their codec modules land with the schema-based formats issue.
    "parquet": "formatlens.codecs.parquet",
    "avro": "formatlens.codecs.avro",
    "protobuf": "formatlens.codecs.protobuf.codec",
}
CODEC_MODULES = MappingProxyType(_MODULES)
"""Every format name formatlens knows, whether or not its codec is installed."""

EXTENSION_HINT = 0.05
"""What a matching file extension adds to a sniffed confidence: a hint, not the answer."""

_loaded: dict[str, Codec] = {}
_missing: dict[str, str] = {}


def _load(name: str) -> Codec | None:
    if name in _loaded:
        return _loaded[name]
    if name in _missing:
        return None
    try:
        module = importlib.import_module(_MODULES[name])
    except ModuleNotFoundError as exc:
        if exc.name == _MODULES[name]:
            _missing[name] = f"{name} is not supported in this version of formatlens yet"
        else:
            _missing[name] = f"{name} needs the package {exc.name!r}: pip install -r requirements.txt"
        return None
    _loaded[name] = module.codec
    return module.codec


def available() -> list[Codec]:
    """The codecs that can be used now, in registry order."""
    return [codec for name in _MODULES if (codec := _load(name)) is not None]


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for codec in available():
        for alias in (codec.name, *codec.aliases, *codec.extensions, codec.media_type):
            table.setdefault(alias.lower().lstrip("."), codec.name)
    return table


def get(name: str) -> Codec:
    """The codec for a name, alias (``yml``, ``pkl``), extension or media type."""
    key = name.lower().strip().lstrip(".")
    if key in _MODULES:
        codec = _load(key)
        if codec is None:
            raise UnknownFormatError(_missing[key], hint="choose one of: " + ", ".join(c.name for c in available()))
        return codec
    resolved = _aliases().get(key)
    if resolved is None:
        raise UnknownFormatError(
            f"unknown format {name!r}", hint="choose one of: " + ", ".join(c.name for c in available())
        )
    return _loaded[resolved]


def _extension_format(filename: str | None) -> str | None:
    if not filename:
        return None
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return _aliases().get(suffix) if suffix else None


class Detection(NamedTuple):
    """One format that could have written the data: its name, confidence and the reason for it."""

    format: str
    confidence: float
    reason: str


def explain(data: bytes, filename: str | None = None) -> list[Detection]:
    """detect(), with each codec's reason: what in the bytes (and the file name) made it a candidate."""
    hinted = _extension_format(filename)
    ranking = []
    for codec in available():
        score, reason = codec.sniff(data)  # sniff never raises: a sniff that does is a bug, and shows
        score = float(score)
        if score > 0 and codec.name == hinted:
            score = min(1.0, score + EXTENSION_HINT)
            reason += f"; the file name ends in .{PurePath(filename or '').suffix.lower().lstrip('.')}"
        if score > 0:
            ranking.append(Detection(codec.name, round(score, 3), reason))
    order = list(_MODULES)
    ranking.sort(key=lambda item: (-item.confidence, order.index(item.format)))
    return ranking


_KNOWN: ContextVar[tuple[bytes, str | None, list[tuple[str, float]]] | None] = ContextVar("known_ranking", default=None)


@contextmanager
def known_ranking(data: bytes, filename: str | None, ranking: list[tuple[str, float]]) -> Iterator[None]:
    """Within the block, detect() of these very bytes (the same object) and file name answers ``ranking``: what
    the server found before it sent them to a worker is not found again (0.03-0.05 s for a 45 MiB CBOR or pickle)."""
    token = _KNOWN.set((data, filename, list(ranking)))
    try:
        yield
    finally:
        _KNOWN.reset(token)


def detect(data: bytes, filename: str | None = None) -> list[tuple[str, float]]:
    """Formats that could have written ``data``, best first, with a confidence 0..1.

    Magic bytes and structure decide; a filename extension only nudges (EXTENSION_HINT).
    explain() gives the same ranking with each codec's reason.
    """
    known = _KNOWN.get()
    if known is not None and known[0] is data and known[1] == filename:
        return list(known[2])
    return [(found.format, found.confidence) for found in explain(data, filename)]


__all__ = ["CODEC_MODULES", "SNIFF_BYTES", "Detection", "available", "detect", "explain", "get", "known_ranking"]
