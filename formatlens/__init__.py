"""formatlens: inspect, convert and compare data-serialization formats.

>>> import formatlens as fl
>>> doc = fl.load(b'{"a": 1}')
>>> doc.format, doc.value
('json', {'a': 1})
"""

from formatlens.analysis.compare import Measurement, compare
from formatlens.analysis.diff import Change, Diff, diff
from formatlens.core.api import convert, convert_value, dump, formats, load
from formatlens.core.document import CodecInfo, Conversion, Document, Finding, Layer, Schema, Span, Traits
from formatlens.core.errors import EncodeError, FormatError, InternalError, LimitExceeded, UnknownFormatError
from formatlens.core.registry import detect

__all__ = [
    "Change",
    "CodecInfo",
    "Conversion",
    "Diff",
    "Document",
    "EncodeError",
    "Finding",
    "FormatError",
    "InternalError",
    "Layer",
    "LimitExceeded",
    "Measurement",
    "Schema",
    "Span",
    "Traits",
    "UnknownFormatError",
    "compare",
    "convert",
    "convert_value",
    "detect",
    "diff",
    "dump",
    "formats",
    "load",
]
