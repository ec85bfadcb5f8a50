"""The same data written in every format: sizes (raw, gzip, zstd), encode and decode times, losses.

Each format gets the value through convert_value(), so a measurement says what
that format lost, or why it cannot hold the data at all. Times are medians of
``repeat`` runs; sizes are exact.
"""

from __future__ import annotations

import contextlib
import gzip
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backports import zstd

from formatlens.core import registry
from formatlens.core.api import convert_value, load
from formatlens.core.errors import FormatError


@dataclass(frozen=True)
class Measurement:
    format: str
    size: int | None = None
    gzip_size: int | None = None
    zstd_size: int | None = None
    encode_s: float | None = None
    decode_s: float | None = None
    losses: list[str] = field(default_factory=list)
    error: str | None = None
    """Why the format could not hold the data (None when it could)."""
    schema_based: bool = False
    """Whether writing it needed a schema (inferred here when none was given)."""


def _median_time(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(value: Any, format: str, *, repeat: int = 3) -> Measurement:
    codec = registry.get(format)
    schema_based = codec.traits.schema_based
    try:
        conversion = convert_value(value, format)
    except FormatError as exc:
        return Measurement(format, error=exc.message, schema_based=schema_based)
    data = conversion.data
    options: dict[str, Any] = {}
    if format == "protobuf" and conversion.schema is not None:
        options = {"schema": conversion.schema.text, "message": conversion.schema.details.get("message")}
    encode_s = _median_time(lambda: convert_value(value, format), repeat)
    decode_s = _median_time(lambda: load(data, format, peel=False, **options).value, repeat)  # our own bytes
    return Measurement(
        format,
        size=len(data),
        gzip_size=len(gzip.compress(data, compresslevel=6, mtime=0)),
        zstd_size=len(zstd.compress(data)),
        encode_s=encode_s,
        decode_s=decode_s,
        losses=conversion.losses,
        schema_based=schema_based,
    )


def compare(
    value: Any,
    formats: list[str] | None = None,
    *,
    repeat: int = 3,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Measurement]:
    """Measure ``value`` in each format (all of them by default), in registry order."""
    names = formats or [codec.name for codec in registry.available()]
    results = []
    for index, name in enumerate(names):
        if progress is not None:
            progress(index, len(names), name)
        results.append(measure(value, name, repeat=repeat))
    if progress is not None:
        progress(len(names), len(names), "")
    return results


def as_rows(measurements: list[Measurement]) -> list[dict]:
    """Rows for a table: one per format."""
    rows = []
    for m in measurements:
        rows.append(
            {
                "format": m.format,
                "bytes": m.size,
                "gzip": m.gzip_size,
                "zstd": m.zstd_size,
                "encode ms": None if m.encode_s is None else round(m.encode_s * 1e3, 2),
                "decode ms": None if m.decode_s is None else round(m.decode_s * 1e3, 2),
                "schema": "needed (inferred)" if m.schema_based else "no",
                "losses": "; ".join(m.losses) if m.error is None else f"cannot hold it: {m.error}",
            }
        )
    return rows


def sizes_at_scale(
    make: Callable[[int], Any],
    counts: list[int],
    formats: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[dict]:
    """Rows of (rows, format, bytes): how each format's size grows with the data (sizes only, no timing)."""
    names = formats or [codec.name for codec in registry.available()]
    rows, steps, done = [], len(counts) * len(names), 0
    for count in counts:
        value = make(count)
        for name in names:
            if progress is not None:
                progress(done, steps, f"{count:,} rows as {name}")
            with contextlib.suppress(FormatError):  # a format that cannot hold the data has no point
                rows.append({"rows": count, "format": name, "bytes": len(convert_value(value, name).data)})
            done += 1
    if progress is not None:
        progress(steps, steps, "")
    return rows
