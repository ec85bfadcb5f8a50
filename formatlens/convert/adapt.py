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
import collections
import collections.abc
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
    "tz_offset": "a datetime's UTC offset (not only the instant)",
    "tz_name": "a datetime's time zone name (zoneinfo)",
    "ms_datetime": "datetimes to the millisecond only (a limit, not a kind)",
    "date": "dates",
    "time": "times of day",
    "timedelta": "durations",
    "decimal": "decimals",
    "uuid": "UUIDs",
    "complex": "complex numbers",
    "fraction": "fractions",
    "set": "sets",
    "tuple": "tuples",
    "frozenset": "frozensets",
    "bytearray": "bytearrays",
    "ordered_dict": "OrderedDicts",
    "nonstr_keys": "non-string keys (arrays as keys come back as tuples)",
    "bson_types": "BSON's own types (ObjectId, Int64, Decimal128, Regex, Binary subtypes, Timestamp, Code...)",
    "msgpack_ext": "MessagePack extension types and timestamps",
    "cbor_types": "CBOR tags, simple values and undefined",
    "yaml_tags": "YAML custom tags",
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
        kind = type(value)  # exact types: bson's Int64 is an int and its Code a str, but not plain ones
        if value is None or kind is str or kind is bool:
            return self._scalar(value)
        if kind is int:
            return self._int(value)
        if kind is float:
            if not math.isfinite(value) and "nonfinite" not in holds:
                self.lose("NaN and infinite numbers written as null")
                return self._scalar(None)
            return self._scalar(value)
        if isinstance(value, (dict, list, tuple, set, frozenset)) and type(value).__module__.split(".")[0] not in (
            "bson",
            "msgpack",
            "cbor2",
        ):
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
                return self._dict(value, depth)
            items = [self(v, depth + 1) for v in value]
            if isinstance(value, tuple):
                if "tuple" in self.holds:
                    return tuple(items)
                self.lose("tuples written as lists")
            elif isinstance(value, (set, frozenset)):
                if "set" in self.holds:
                    frozen = isinstance(value, frozenset)
                    if frozen and "frozenset" not in self.holds:
                        self.lose("frozensets written as sets")
                    try:
                        return (frozenset if frozen and "frozenset" in self.holds else set)(items)
                    except TypeError:  # an item became unhashable (a tuple written as a list)
                        pass
                self.lose("sets written as lists")
            return items
        finally:
            self._on_path.discard(key)

    def _dict(self, value: dict, depth: int) -> dict:
        out = {self._key(k): self(v, depth + 1) for k, v in value.items()}
        kind = type(value)
        if kind is dict:
            return out
        if _is_tag(value):  # a YAML custom tag as data: {"!tag": "!Ref", "value": ...}
            if "yaml_tags" in self.holds:
                return kind(out)
            self.lose("YAML custom tags written as {'!tag': ..., 'value': ...} mappings")
            return out
        if isinstance(value, collections.OrderedDict) or kind is collections.defaultdict:
            if "ordered_dict" in self.holds and kind is collections.OrderedDict:
                return collections.OrderedDict(out)
            self.lose(f"{kind.__name__} written as a plain mapping (key order kept)")
        return out  # SON, CallNode placeholders, frozendict...: the mapping itself

    def _key(self, key: Any) -> Any:
        if isinstance(key, str):
            return key if type(key) is str else str(key)
        if "nonstr_keys" in self.holds and (key is None or isinstance(key, (int, float, bool, bytes, tuple))):
            if isinstance(key, tuple):  # an array as a key: its items adapted, still hashable
                return tuple(self._key(k) for k in key)
            adapted = self(key)
            if isinstance(adapted, (str, int, float, bool, bytes)) or adapted is None:
                return adapted
        self.lose("non-string keys written as strings")
        adapted = self(key)
        return adapted if isinstance(adapted, str) else str(adapted)

    def _rich(self, value: Any, depth: int) -> Any:
        holds = self.holds
        if type(value).__module__.split(".")[0] in ("bson", "msgpack", "cbor2"):
            return self._library_type(value, depth)
        if isinstance(value, (bytes, bytearray, memoryview)):
            if isinstance(value, bytearray) and "bytearray" in holds:
                return bytearray(value)
            if "bytes" in holds:
                if not isinstance(value, bytes):
                    self.lose(f"{type(value).__name__} written as bytes")
                return bytes(value)
            self.lose("bytes written as base64")
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, dt.datetime):
            if type(value.tzinfo).__module__ == "bson.tz_util":  # bson's own fixed-offset class
                value = value.replace(tzinfo=dt.timezone(value.utcoffset() or dt.timedelta(0)))
            if "datetime" in holds:
                if value.tzinfo is None and "naive_datetime" not in holds:
                    self.lose("datetimes without a time zone taken as UTC")
                    value = value.replace(tzinfo=dt.UTC)
                elif value.tzinfo is not None:
                    value = self._zone(value)
                if "ms_datetime" in holds and value.microsecond % 1000:
                    self.lose("datetimes cut to milliseconds (the format's precision)")
                    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
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

    def _zone(self, value: dt.datetime) -> dt.datetime:
        """An aware datetime as the target keeps it: its zone name, its offset, or only the instant (UTC)."""
        key = getattr(value.tzinfo, "key", None)
        if key in ("UTC", "Etc/UTC"):
            key = None
        offset = value.utcoffset()
        if "tz_offset" not in self.holds:
            if offset or key:
                self.lose("datetimes converted to UTC (their UTC offset or time zone is not kept)")
                return value.astimezone(dt.UTC)
            return value
        if key and "tz_name" not in self.holds:
            self.lose("time zone names (e.g. Europe/Paris) written as fixed UTC offsets")
            return value.replace(tzinfo=dt.timezone(offset or dt.timedelta(0)))
        return value

    def _as_text(self, value: Any, kind: str, text: str, sentence: str) -> Any:
        if kind in self.holds:
            return value
        self.lose(sentence)
        return text

    def _library_type(self, value: Any, depth: int) -> Any:
        # Types of the format libraries: kept where the target holds them, else the plain value they wrap.
        module, name = type(value).__module__.split(".")[0], type(value).__name__
        if module == "bson":
            return self._bson(value, name, depth)
        if module == "msgpack":
            if "msgpack_ext" in self.holds:
                return value
            if name == "Timestamp":
                return self._msgpack_timestamp(value, depth)
            self.lose("MessagePack extension types written as {ext_code, data}")
            return self({"ext_code": value.code, "data": value.data}, depth)
        if module == "cbor2":
            if "cbor_types" in self.holds:
                return value
            if name == "CBORTag":
                self.lose("CBOR tags written as {cbor_tag, value}")
                return self({"cbor_tag": value.tag, "value": value.value}, depth)
            if name == "CBORSimpleValue":
                self.lose("CBOR simple values written as their numbers")
                return self(int(value.value), depth)
            if name == "UndefinedType":
                self.lose("CBOR undefined written as null")
                return self(None, depth)
            if isinstance(value, collections.abc.Mapping):  # frozendict: a map used as a key
                return self(dict(value), depth)
        if isinstance(value, int):  # int subclasses (IntEnum, numpy ints turned int...): the number
            return self._int(int(value))
        if isinstance(value, str):
            return str(value)
        if isinstance(value, float):
            return self(float(value), depth)
        if "objects" in self.holds:
            return value
        self.lose(f"{name} values written as strings")
        return str(value)

    def _bson(self, value: Any, name: str, depth: int) -> Any:
        if "bson_types" in self.holds:
            return value
        if name == "Int64":  # the same integer: the width is BSON's, not the value's
            return self._int(int(value))
        if name == "Decimal128":
            return self(value.to_decimal(), depth)
        if name == "ObjectId":
            self.lose("ObjectIds written as hex strings")
            return str(value)
        if name == "Binary":
            self.lose("BSON binary subtypes written as plain bytes")
            return self(bytes(value), depth)
        if name == "Regex":
            self.lose("BSON regular expressions written as '/pattern/flags' strings")
            return f"/{value.pattern}/{_regex_flags(value.flags)}"
        if name == "Timestamp":
            self.lose("BSON timestamps written as {t, i}")
            return self({"t": value.time, "i": value.inc}, depth)
        if name == "Code":
            self.lose("BSON JavaScript code written as strings")
            if value.scope is None:
                return str(value)
            return self({"code": str(value), "scope": dict(value.scope)}, depth)
        if name in ("MinKey", "MaxKey"):
            self.lose("BSON MinKey/MaxKey written as the strings 'MinKey'/'MaxKey'")
            return name
        if name == "DBRef":
            self.lose("BSON DBRefs written as {$ref, $id, $db}")
            ref = {"$ref": value.collection, "$id": value.id}
            if value.database is not None:
                ref["$db"] = value.database
            return self(ref, depth)
        if name == "DatetimeMS":
            self.lose("BSON dates outside Python's datetime range written as milliseconds since 1970")
            return self._int(int(value))
        if isinstance(value, dict):  # SON
            return self._dict(value, depth)
        self.lose(f"{name} values written as strings")
        return str(value)

    def _msgpack_timestamp(self, value: Any, depth: int) -> Any:
        try:
            moment = value.to_datetime()
        except (OverflowError, ValueError, OSError):
            self.lose("MessagePack timestamps outside Python's datetime range written as {seconds, nanoseconds}")
            return self({"seconds": value.seconds, "nanoseconds": value.nanoseconds}, depth)
        if value.nanoseconds % 1000:
            self.lose("MessagePack timestamps cut from nanoseconds to microseconds")
        return self(moment, depth)


def _is_tag(value: dict) -> bool:
    return type(value).__name__ == "TaggedNode"


def _regex_flags(flags: Any) -> str:
    if isinstance(flags, str):
        return flags
    import re

    letters = {re.I: "i", re.L: "l", re.M: "m", re.S: "s", re.U: "u", re.X: "x"}
    return "".join(letter for flag, letter in letters.items() if flags & flag)


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
