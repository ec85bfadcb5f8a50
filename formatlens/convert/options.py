"""Each codec's encode options, read from encode()'s signature, with the choices the codec declares."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from formatlens.core import registry

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
        out.append(Option(parameter.name, parameter.default, codec.choices.get(parameter.name)))
    return out
