"""The public operations: load, dump, convert, formats."""

from __future__ import annotations

from typing import Any

from formatlens.convert.adapt import adapt
from formatlens.convert.identity import reuse_options, source_losses, source_value, verbatim
from formatlens.core import registry
from formatlens.core.boundary import translate
from formatlens.core.document import CodecInfo, Conversion, Document
from formatlens.core.errors import FormatError, UnknownFormatError
from formatlens.core.limits import current
from formatlens.runtime.gcpause import gc_paused


def formats() -> list[CodecInfo]:
    """Every format this installation can read and write."""
    return [codec.info() for codec in registry.available()]


def load(
    data: bytes,
    format: str | None = None,
    *,
    schema: str | bytes | None = None,
    message: str | None = None,
    filename: str | None = None,
    peel: bool = True,
    **options: Any,
) -> Document:
    """Decode ``data``; the format is detected when not given. Bad input raises FormatError.

    Wrappers (compression, base64, gRPC or Confluent framing...) are peeled first and listed in
    ``Document.layers``; ``format`` then names the innermost format. ``peel=False`` decodes the bytes as given.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FormatError(f"load() takes bytes, not {type(data).__name__}", hint="read the file in binary mode")
    current().check("max_input_bytes", len(data), what=f"the input ({len(data):,} bytes)")
    if schema is not None:
        options["schema"] = schema
    if message is not None:
        options["message"] = message
    if peel:
        from formatlens.layers.peel import load_layered

        return load_layered(data, format, options, filename, _decode)
    return _decode(data, format, options, filename)


def _decode(data: bytes, format: str | None, options: dict, filename: str | None) -> Document:
    """Detect (unless ``format`` is given) and decode, without peeling."""
    if format is None:
        ranking = registry.detect(data, filename)
        if not ranking:
            raise UnknownFormatError("no format recognised these bytes", offset=0, hint="choose the format by hand")
        format = ranking[0][0]
    codec = registry.get(format)
    with gc_paused():
        return codec.load(data, **options)


def dump(value: Any, format: str, *, schema: Any = None, **options: Any) -> bytes:
    """Encode ``value`` as ``format`` exactly as given; values the format can't hold raise EncodeError."""
    codec = registry.get(format)
    if schema is not None:
        options["schema"] = schema
    return codec.dump(value, **options)[0]


def convert(
    data: bytes,
    target: str,
    *,
    source: str | None = None,
    schema: Any = None,
    message: str | None = None,
    **options: Any,
) -> Conversion:
    """Decode ``data`` and write it as ``target``; ``losses`` says what could not be kept exactly.

    ``schema`` and ``message`` are the source's (a .proto and message name, an Avro writer schema)."""
    document = load(data, source, schema=schema, message=message)
    codec = registry.get(target)
    if codec.name == document.format:
        # The identity: no reshaping or adapting, the source's own schema and settings reused.
        if verbatim(document):
            return Conversion(document.data, codec.name, document.format, [], document.schema)
        out, used = codec.dump(source_value(document), **{**reuse_options(document), **options})
        losses = source_losses(document)
        return Conversion(data=out, format=codec.name, source_format=document.format, losses=losses, schema=used)
    conversion = convert_value(document.value, target, source_format=document.format, **options)
    conversion.losses[:0] = source_losses(document)
    return conversion


def convert_value(value: Any, target: str, *, source_format: str = "python", **options: Any) -> Conversion:
    """Write an already decoded value as ``target``, adapting it and reporting losses."""
    codec = registry.get(target)
    losses: list[str] = []
    # Shape first (wrap, flatten), then rewrite the values the target cannot hold.
    shaped = translate(codec.name, lambda: adapt(codec.reshape(value, losses), codec.holds, losses), encoding=True)
    out, schema = codec.dump(shaped, **options)
    if schema is not None and schema.details.get("inferred"):
        losses.extend(f"schema: {note}" for note in schema.details.get("notes", []))
    return Conversion(data=out, format=codec.name, source_format=source_format, losses=losses, schema=schema)
