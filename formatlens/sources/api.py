"""The public entry point ``fl.open`` (imported lazily so ``import formatlens`` stays light)."""

from __future__ import annotations

import os
from typing import Any

from formatlens.core.document import Document


def open_source(
    path_or_url: str | os.PathLike,
    *,
    format: str | None = None,
    schema: str | bytes | None = None,
    message: str | None = None,
    **options: Any,
) -> Document:
    """Open a local path, a URL (http(s), s3, gs, az) or a Parquet dataset lazily: read what is shown.

    Parquet: schema, layout and statistics from the footer; Avro: header and first blocks; CSV and
    JSON Lines: the first rows. ``Document.data`` of a large file is read by ranges as it is sliced.
    """
    from formatlens.sources.lazy import open_document

    return open_document(path_or_url, format=format, schema=schema, message=message, **options)
