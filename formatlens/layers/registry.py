"""The layers formatlens peels, by kind: a plain dict of kind -> "module:Class", imported on first use
(as formatlens.core.registry does for codecs). The order breaks ties between equal sniffs."""

from __future__ import annotations

import importlib
from types import MappingProxyType

from formatlens.core.errors import UnknownFormatError
from formatlens.layers.base import LayerCodec

_LAYERS = {
    "data-url": "formatlens.layers.armor:DataUrlLayer",
    "hex": "formatlens.layers.armor:HexLayer",
    "base64": "formatlens.layers.armor:Base64Layer",
    "gzip": "formatlens.layers.compression:GzipLayer",
    "zlib": "formatlens.layers.compression:ZlibLayer",
    "bz2": "formatlens.layers.compression:Bz2Layer",
    "xz": "formatlens.layers.compression:XzLayer",
    "zstd": "formatlens.layers.compression:ZstdLayer",
    "lz4": "formatlens.layers.compression:Lz4Layer",
    "snappy": "formatlens.layers.compression:SnappyLayer",
    "confluent": "formatlens.layers.schema_ids:ConfluentLayer",
    "avro-single-object": "formatlens.layers.schema_ids:AvroSingleObjectLayer",
    "grpc": "formatlens.layers.framing:GrpcLayer",
    "json-lines": "formatlens.layers.framing:JsonLinesLayer",
    "u32be-prefixed": "formatlens.layers.framing:BigEndian32Layer",
    "u32le-prefixed": "formatlens.layers.framing:LittleEndian32Layer",
    "varint-delimited": "formatlens.layers.framing:VarintDelimitedLayer",
}
LAYER_CLASSES = MappingProxyType(_LAYERS)
"""Every layer kind that is peeled before a codec runs."""

REPORTED = {
    "bson": ("bson-sequence", "documents", "concatenated BSON documents (mongodump .bson)"),
    "cbor": ("cbor-sequence", "items", "CBOR sequence (RFC 8742)"),
    "msgpack": ("msgpack-stream", "items", "MessagePack stream"),
    "yaml": ("yaml-documents", "documents", "multi-document YAML"),
}
"""Streams the codecs read themselves, reported as a layer when there is more than one item:
format -> (layer kind, the Document.details key that counts the items, title)."""

_loaded: dict[str, LayerCodec] = {}


def get(kind: str) -> LayerCodec:
    if kind not in _loaded:
        if kind not in _LAYERS:
            raise UnknownFormatError(f"unknown layer {kind!r}", hint="layers: " + ", ".join(_LAYERS))
        module, name = _LAYERS[kind].split(":")
        _loaded[kind] = getattr(importlib.import_module(module), name)()
    return _loaded[kind]


def available() -> list[LayerCodec]:
    return [get(kind) for kind in _LAYERS]


def titles() -> dict[str, str]:
    """Every layer kind, peeled or reported, and what it is."""
    out = {kind: get(kind).title for kind in _LAYERS}
    out |= {kind: title for kind, _, title in REPORTED.values()}
    out["avro-container"] = "Avro object container file"
    return out
