"""Same-format conversion is the identity: the value as decoded, written with the source's own schema.

Converting Avro to Avro must not re-infer a schema, Parquet to Parquet must not
add a time zone to naive timestamps, BSON to BSON must keep ObjectIds. So a
same-format conversion skips reshaping and adapting (the decoded value is
already what the format holds) and reuses what the source carried: the Avro
writer schema and codec, the Parquet Arrow table and its compression, the
protobuf schema and message, the CSV dialect. Options given by the person
(``indent=4``, ``codec="deflate"``...) still apply on top.
"""

from __future__ import annotations

from typing import Any

from formatlens.core.document import Document


def reuse_options(document: Document) -> dict[str, Any]:
    """The encode options that write ``document``'s value the way its source was written."""
    details, schema = document.details, document.schema
    if document.format == "avro" and schema is not None:
        options: dict[str, Any] = {"schema": schema.text}
        if details.get("codec") in ("null", "deflate", "snappy", "zstandard", "bzip2", "xz"):
            options["codec"] = details["codec"]
        if schema.details.get("schemaless"):
            options["schemaless"] = True
        return options
    if document.format == "protobuf" and schema is not None and "message" in details:
        return {"schema": schema.details.get("source", schema.text), "message": details["message"]}
    if document.format == "csv":
        return {
            "delimiter": details.get("delimiter", ","),
            "lineterminator": details.get("line_ending", "\r\n"),
            "header": bool(details.get("header", True)),
        }
    if document.format == "parquet":
        compression = _parquet_compression(schema.details if schema is not None else {})
        return {"compression": compression} if compression else {}
    return {}


_DUPLICATES_CHECKED = ("json", "yaml", "bson", "msgpack", "cbor")


def source_losses(document: Document) -> list[str]:
    """What no target keeps of the source itself: the comments of JSON with comments, and the earlier
    values of a key a map holds twice (the decoded value already has only the last one)."""
    losses = []
    comments, commas = document.details.get("comments", 0), document.details.get("trailing_commas", 0)
    if document.format == "json" and (comments or commas):
        counts = ((comments, "comment"), (commas, "trailing comma"))
        what = [f"{n} {word}{'s' if n > 1 else ''}" for n, word in counts if n]
        losses.append(
            f"JSON with comments: {' and '.join(what)} of the source dropped (the data is written without them)"
        )
    if document.format in _DUPLICATES_CHECKED:
        repeated = [f for f in document.findings if f.code == f"{document.format}.duplicate-key"]
        if repeated:
            keys = ", ".join(dict.fromkeys(repr(f.subject) for f in repeated))
            losses.append(
                f"duplicate keys in the source ({keys}): only the last value of each is written, as the "
                f"source's reader keeps it"
            )
    return losses


def verbatim(document: Document) -> bool:
    """Whether the identity is the bytes themselves: protobuf read without a schema is a guessed wire
    tree, with no types to write it back from, so its bytes are the only faithful copy (so is a message
    holding an Any whose type the schema does not declare)."""
    details = document.details
    return document.format == "protobuf" and ("message" not in details or bool(details.get("verbatim")))


def source_value(document: Document) -> Any:
    """What the identity writes: the Arrow table for Parquet (its schema exactly), else the value."""
    if document.format == "parquet" and document.table is not None:
        return document.table
    return document.value


def _parquet_compression(layout: dict) -> str | None:
    for group in layout.get("row_groups", []):
        for chunk in group.get("columns", []):
            name = str(chunk.get("compression", "")).lower()
            name = {"uncompressed": "none", "lz4_raw": "lz4"}.get(name, name)
            if name in ("none", "snappy", "gzip", "zstd", "brotli", "lz4"):
                return name
    return None
