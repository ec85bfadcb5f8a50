"""Rewrite a value so that a target format can hold it, and say what changed.

Each codec declares the rich value kinds it ``holds`` (see KINDS). Everything
else is rewritten to the closest thing the target has, and one plain sentence
per kind of change goes into ``losses``: "datetimes written as ISO 8601
strings", "bytes written as base64". The walk also guards against values that
would never finish: cycles are cut and the node count is bounded (a YAML alias
bomb or a pickle memo bomb is small on disk but enormous once expanded).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

from formatlens.core.errors import LimitExceeded
from formatlens.core.limits import Limits, current, env_name

KINDS = {
    "null": "nulls",
    "bool": "booleans",
    "number": "numbers",
    "bigint": "integers outside the 64-bit range",
    "uint64": "unsigned 64-bit integers",
    "nonfinite": "NaN and infinite floats",
    "bytes": "bytes",
    "datetime": "datetimes",
    "naive_datetime": "datetimes without a time zone",
    "date": "dates",
    "time": "times of day",
    "timedelta": "durations",
    "decimal": "decimals",
    "uuid": "UUIDs",
    "complex": "complex numbers",
    "fraction": "fractions",
    "set": "sets",
    "tuple": "tuples",
    "nonstr_keys": "non-string keys",
    "objects": "other Python objects",
}
"""Kinds a codec may list in ``holds``; the text names them in loss sentences."""

INT64 = (-(2**63), 2**63 - 1)
UINT64_MAX = 2**64 - 1


class Adapter:
    def __init__(self, holds: frozenset[str], losses: list[str], limits: Limits | None = None) -> None:
        self.holds = holds
        self.losses = losses
        self.limits = limits or current()
        self.nodes = 0
        self._on_path: set[int] = set()

    def lose(self, sentence: str) -> None:
        if sentence not in self.losses:
            self.losses.append(sentence)

    def __call__(self, value: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            self.limits.check("max_nodes", self.nodes, what="the number of values once references are expanded")
        if depth > self.limits.max_depth:
            self.limits.check("max_depth", depth, what="the nesting depth")
        holds = self.holds
        if value is None or isinstance(value, (str, bool)):
            return self._scalar(value)
        if isinstance(value, int):
            return self._int(value)
        if isinstance(value, float):
            if not math.isfinite(value) and "nonfinite" not in holds:
                self.lose("NaN and infinite numbers written as null")
                return self._scalar(None)
            return self._scalar(value)
        if isinstance(value, (dict, list, tuple, set, frozenset)):
            return self._container(value, depth)
        return self._rich(value, depth)

    def _scalar(self, value: Any) -> Any:
        if "number" in self.holds or isinstance(value, str):
            return value
        self.lose("numbers, booleans and nulls written as text (the format has no types)")
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)

    def _int(self, value: int) -> Any:
        low, high = INT64
        if "uint64" in self.holds:
            high = UINT64_MAX
        if (value < low or value > high) and "bigint" not in self.holds:
            self.lose("integers outside the 64-bit range written as strings")
            return str(value)
        return self._scalar(value)

    def _container(self, value: Any, depth: int) -> Any:
        key = id(value)
        if key in self._on_path:
            self.lose("a recursive reference (a container inside itself) was cut")
            return "<recursive reference>"
        self._on_path.add(key)
        try:
            if isinstance(value, dict):
                return {self._key(k): self(v, depth + 1) for k, v in value.items()}
            items = [self(v, depth + 1) for v in value]
            if isinstance(value, tuple):
                if "tuple" in self.holds:
                    return tuple(items)
                self.lose("tuples written as lists")
            elif isinstance(value, (set, frozenset)):
                if "set" in self.holds:
                    try:
                        return type(value)(items)
                    except TypeError:
                        pass
                self.lose("sets written as lists")
            return items
        finally:
            self._on_path.discard(key)

    def _key(self, key: Any) -> Any:
        if isinstance(key, str):
            return key
        if "nonstr_keys" in self.holds and (key is None or isinstance(key, (int, float, bool, bytes, tuple))):
            return key
        self.lose("non-string keys written as strings")
        adapted = self(key)
        return adapted if isinstance(adapted, str) else str(adapted)

    def _rich(self, value: Any, depth: int) -> Any:
        holds = self.holds
        if isinstance(value, (bytes, bytearray, memoryview)):
            if "bytes" in holds:
                return bytes(value)
            self.lose("bytes written as base64")
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, dt.datetime):
            if type(value.tzinfo).__module__ == "bson.tz_util":  # bson's own fixed-offset class
                value = value.replace(tzinfo=dt.timezone(value.utcoffset() or dt.timedelta(0)))
            if "datetime" in holds:
                if value.tzinfo is None and "naive_datetime" not in holds:
                    self.lose("datetimes without a time zone taken as UTC")
                    return value.replace(tzinfo=dt.UTC)
                return value
            self.lose("datetimes written as ISO 8601 strings")
            return value.isoformat()
        if isinstance(value, dt.date):
            if "date" in holds:
                return value
            self.lose("dates written as ISO 8601 strings")
            return value.isoformat()
        if isinstance(value, dt.time):
            return self._as_text(value, "time", value.isoformat(), "times of day written as ISO 8601 strings")
        if isinstance(value, dt.timedelta):
            if "timedelta" in holds:
                return value
            self.lose("durations written as a number of seconds")
            return self(value.total_seconds(), depth)
        if isinstance(value, Decimal):
            return self._as_text(value, "decimal", str(value), "decimals written as strings to keep their digits")
        if isinstance(value, uuid.UUID):
            return self._as_text(value, "uuid", str(value), "UUIDs written as strings")
        if isinstance(value, complex):
            return self._as_text(value, "complex", str(value), "complex numbers written as strings")
        if isinstance(value, Fraction):
            return self._as_text(value, "fraction", str(value), "fractions written as strings")
        return self._library_type(value, depth)

    def _as_text(self, value: Any, kind: str, text: str, sentence: str) -> Any:
        if kind in self.holds:
            return value
        self.lose(sentence)
        return text

    def _library_type(self, value: Any, depth: int) -> Any:
        # Types of the format libraries, turned into the plain value they wrap.
        name = type(value).__name__
        if name == "Decimal128":
            return self(value.to_decimal(), depth)
        if name == "ExtType":  # msgpack extension
            self.lose("MessagePack extension types written as {code, data}")
            return self({"ext_code": value.code, "data": value.data}, depth)
        if name == "CBORTag":
            self.lose("CBOR tags written as {tag, value}")
            return self({"cbor_tag": value.tag, "value": value.value}, depth)
        if name == "DatetimeMS":
            return self(str(value), depth)
        if "objects" in self.holds:
            return value
        self.lose(f"{name} values written as strings")
        return str(value)


def adapt(value: Any, holds: frozenset[str], losses: list[str] | None = None) -> Any:
    """``value`` rewritten to what a target with ``holds`` can store; sentences go to ``losses``."""
    adapter = Adapter(holds, [] if losses is None else losses)
    try:
        return adapter(value)
    except RecursionError:
        raise LimitExceeded(
            "the value is nested too deeply to convert",
            hint=f"lower {env_name('max_depth')} if this happens below it",
        ) from None


JSON_HOLDS = frozenset({"null", "bool", "number"})


def to_jsonable(value: Any) -> Any:
    """A value json.dumps can write: rich types rendered as strings, bytes as base64."""
    return adapt(value, JSON_HOLDS)
