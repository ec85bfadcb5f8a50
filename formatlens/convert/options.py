"""Each codec's encode options, read from encode()'s signature, with the choices a person can pick."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from formatlens.core import registry

CHOICES: dict[tuple[str, str], tuple] = {
    ("pickle", "protocol"): (0, 1, 2, 3, 4, 5),
    ("parquet", "compression"): ("snappy", "none", "gzip", "zstd", "brotli", "lz4"),
    ("avro", "codec"): ("null", "deflate", "snappy", "zstandard"),
    ("csv", "quoting"): ("minimal", "all", "nonnumeric", "none"),
    ("csv", "delimiter"): (",", ";", "\t", "|"),
    ("csv", "lineterminator"): ("\r\n", "\n"),
    ("json", "indent"): (2, 4, 0, None),
}
HIDDEN = {"schema", "message", "sync_marker", "value"}
"""Options with a widget of their own (schema) or none (sync_marker is for reproducible files)."""


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    choices: tuple | None = None


def encode_options(format: str) -> list[Option]:
    codec = registry.get(format)
    out = []
    # Schema-based codecs declare their options on encode_with_schema (encode() forwards to it).
    method = codec.encode_with_schema if codec.traits.schema_based else codec.encode
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY or parameter.name in HIDDEN:
            continue
        out.append(Option(parameter.name, parameter.default, CHOICES.get((codec.name, parameter.name))))
    return out
