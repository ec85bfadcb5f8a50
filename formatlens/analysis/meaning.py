"""What a decoded value means, independent of the format that held it: the one place diff compares scalars.

Every format library hands back its own types (bson's Int64 and Decimal128,
msgpack's ExtType, cbor2's CBORTag, pyarrow's time zones...). ``normalise``
maps a scalar to a (kind, comparable) pair, and ``same_meaning`` decides
whether two scalars of different types say the same thing, mirroring the
rewrites convert/adapt.py makes when a target cannot hold a type:

- numbers compare by value: 1 == 1.0 == Decimal("1"); NaN equals NaN; a
  boolean is not a number (true != 1);
- a datetime, date or time equals the ISO 8601 string that parses to it;
- a number or a boolean equals the text that spells it (CSV and XML hold only text);
- bytes equal their base64 text; a duration equals its number of seconds;
- a UUID, ObjectId, Decimal or other library scalar equals its string form.

Containers are not handled here: diff walks them. A change of type with the
same meaning is reported as kind "type" only when the diff is strict.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

NUMBER_TYPES = (int, float, Decimal, Fraction)


def container_kind(value: Any) -> str | None:
    """ "object", "array" or None for a scalar (sets and tuples are arrays)."""
    kind = type(value)
    if kind is dict:
        return "object"
    if kind is list:
        return "array"
    if kind is str or kind is int or kind is float:
        return None
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "array"
    return None


def normalise(value: Any) -> tuple[str, Any]:
    """(kind, comparable): the one normalisation every scalar comparison goes through."""
    if value is None:
        return "null", None
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, NUMBER_TYPES):
        return "number", value
    if isinstance(value, str):
        return "string", str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes", bytes(value)
    if isinstance(value, dt.datetime):
        return "datetime", value
    if isinstance(value, dt.date):
        return "date", value
    if isinstance(value, dt.time):
        return "time", value
    if isinstance(value, dt.timedelta):
        return "duration", value
    return _library_scalar(value)


def _library_scalar(value: Any) -> tuple[str, Any]:
    # Library types by name, so that formatlens need not import every library to compare.
    name = type(value).__name__
    if name == "Decimal128":
        return "number", value.to_decimal()
    if name in ("Int64", "int64", "int32", "float64", "float32") and hasattr(value, "__int__"):
        return "number", value.item() if hasattr(value, "item") else int(value)
    if name == "DatetimeMS":
        try:
            return "datetime", value.as_datetime()
        except (OverflowError, ValueError):
            return "string", str(value)
    if name == "ExtType":
        return "ext", (value.code, bytes(value.data))
    if name == "CBORTag":
        return "tag", (value.tag, repr(value.value))
    if isinstance(value, complex):
        return "complex", value
    # UUID, ObjectId, Regex, Enum and anything else: compared by the text a person reads.
    return "string", str(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type (NaN equals NaN): what a strict diff calls unchanged."""
    if type(a) is not type(b):
        return False
    if a == b:
        return True
    return isinstance(a, float) and math.isnan(a) and math.isnan(b)


def same_meaning(a: Any, b: Any) -> bool:
    """Whether two scalars say the same thing, whatever their types (the rules in the module docstring)."""
    if same_value(a, b):
        return True
    kind_a, x = normalise(a)
    kind_b, y = normalise(b)
    if kind_a == kind_b:
        if kind_a == "number":
            return _numbers_equal(x, y)
        if kind_a == "datetime":
            return _datetimes_equal(x, y)
        return x == y
    if kind_a == "string":
        return _text_means(x, kind_b, y)
    if kind_b == "string":
        return _text_means(y, kind_a, x)
    if {kind_a, kind_b} == {"duration", "number"}:
        seconds, number = (x, y) if kind_a == "duration" else (y, x)
        return _numbers_equal(seconds.total_seconds(), number)
    return False


def _numbers_equal(x: Any, y: Any) -> bool:
    # Decimal("0.1") != 0.1 in Python, yet a decimal written from a float's shortest text means that float.
    if isinstance(x, float) and isinstance(y, Decimal):
        y = _as_float(y)
    elif isinstance(y, float) and isinstance(x, Decimal):
        x = _as_float(x)
    try:
        if x == y:
            return True
    except TypeError:
        return False
    return _is_nan(x) and _is_nan(y)


def _as_float(x: Any) -> Any:
    try:
        return float(x)
    except (OverflowError, ValueError, TypeError):
        return x


def _is_nan(x: Any) -> bool:
    try:
        return math.isnan(x)
    except (TypeError, ValueError):
        return False


def _datetimes_equal(x: dt.datetime, y: dt.datetime) -> bool:
    # An aware and a naive datetime never compare equal in Python; they do not mean the same instant either.
    return x == y


def _text_means(text: str, kind: str, value: Any) -> bool:
    """Whether ``text`` spells ``value`` of ``kind`` (the way adapt writes it, or a reader would parse it)."""
    if kind == "number":
        parsed = _parse_number(text)
        return parsed is not None and _numbers_equal(parsed, value)
    if kind == "bool":
        return text.strip().lower() == ("true" if value else "false")
    if kind in ("datetime", "date", "time"):
        try:
            parsed = _parse_iso(kind, text.strip())
        except ValueError:
            return False
        return _datetimes_equal(parsed, value) if kind == "datetime" else parsed == value
    if kind == "bytes":
        try:
            return base64.b64decode(text, validate=True) == value
        except (binascii.Error, ValueError):
            return False
    if kind == "duration":
        parsed = _parse_number(text)
        return parsed is not None and _numbers_equal(parsed, value.total_seconds())
    if kind == "complex":
        return text == str(value)
    return False


def _parse_iso(kind: str, text: str) -> Any:
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    return dt.time.fromisoformat(text)


def _parse_number(text: str) -> Any:
    text = text.strip()
    if not text or len(text) > 400:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text) if text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity") else float(text)
    except InvalidOperation:
        return None
