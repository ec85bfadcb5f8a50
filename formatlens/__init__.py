"""formatlens: inspect, convert and compare data-serialization formats.

>>> import formatlens as fl
>>> doc = fl.load(b'{"a": 1}')
>>> doc.format, doc.value
('json', {'a': 1})
"""

from formatlens.analysis.compare import Measurement, compare
from formatlens.analysis.diff import Change, Diff, diff
from formatlens.convert.streaming import FileConversion, convert_file
from formatlens.core.api import convert, convert_value, dump, formats, load
from formatlens.core.document import CodecInfo, Conversion, Document, Finding, Layer, Schema, Span, Traits
from formatlens.core.errors import EncodeError, FormatError, InternalError, LimitExceeded, UnknownFormatError
from formatlens.core.registry import Detection, detect
from formatlens.core.registry import explain as explain_detection
from formatlens.sources.api import open_source as open  # fl.open; no module inside the package sees this name

__all__ = [
    "Change",
    "CodecInfo",
    "Conversion",
    "Detection",
    "Diff",
    "Document",
    "EncodeError",
    "FileConversion",
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
    "convert_file",
    "convert_value",
    "detect",
    "diff",
    "dump",
    "explain_detection",
    "formats",
    "load",
    "open",
]
