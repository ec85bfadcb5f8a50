"""XML with xmltodict (value shape: ``@attr``, ``#text``; namespaces kept as written).

Entity declarations and external DTDs are refused: expat runs with xmltodict's
``disable_entities=True`` plus a handler that refuses a DOCTYPE naming an
external subset, and nothing is ever fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from xml.parsers import expat

import xmltodict

from formatlens.codecs.base import SNIFF_BYTES, Codec, Sniff
from formatlens.convert.adapt import adapt
from formatlens.core.checkpoints import TOP, current_checkpoints
from formatlens.core.document import Document, Span, Traits
from formatlens.core.limits import current, current_window

_NAME_START = re.compile(r"[^A-Za-z_:]")
_NAME_CHAR = re.compile(r"[^\w.\-:]")


class _Refused(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _guarded_expat() -> SimpleNamespace:
    """An ``expat`` look-alike for xmltodict whose parsers refuse DTD tricks and track depth."""
    state = SimpleNamespace(parser=None)

    def parser_create(*args: Any, **kwargs: Any):
        parser = expat.ParserCreate(*args, **kwargs)
        state.parser = parser

        def doctype(name, system_id, public_id, has_internal_subset):
            if system_id or public_id:
                raise _Refused(f"external DTD {system_id or public_id!r} refused", parser.CurrentByteIndex)

        parser.StartDoctypeDeclHandler = doctype  # entity declarations: xmltodict's disable_entities refuses them
        parser.ExternalEntityRefHandler = lambda *a: 0
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return parser

    return SimpleNamespace(ParserCreate=parser_create, ExpatError=expat.ExpatError, state=state)


class XmlCodec(Codec):
    name = "xml"
    title = "XML"
    media_type = "application/xml"
    extensions = (".xml", ".atom", ".rss", ".svg", ".xsd")
    traits = Traits(textual=True, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "xmltodict"
    summary = "Markup for documents and feeds (Atom, RSS, SVG, office files); elements, attributes, namespaces."
    snippet = (
        "import xmltodict\n"
        'text = xmltodict.unparse({"users": {"user": users}}, pretty=True)\n'
        "doc = xmltodict.parse(text)"
    )
    sample = "feed.xml"
    holds = frozenset()
    bad_input = (expat.ExpatError, UnicodeDecodeError)
    bad_value = (ValueError,)  # xmltodict.unparse: no single root, or a name it cannot write

    def sniff(self, data: bytes) -> Sniff:
        head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<?xml"):
            return Sniff(0.98, "starts with the declaration `<?xml`")
        if head.startswith(b"\xff\xfe<\x00") or head.startswith(b"\xfe\xff\x00<"):
            return Sniff(0.9, "UTF-16 text that starts with `<`")
        if head.startswith(b"<") and (tag := re.match(rb"<([A-Za-z_!][^\s>/]*)[^>]*>", head)):
            return Sniff(0.85, f"starts with the tag `<{tag.group(1).decode('utf-8', 'replace')[:40]}>`")
        return Sniff(0.0, "does not start with `<`")

    def decode(self, data: bytes, *, process_namespaces: bool = False) -> Document:
        guarded = _guarded_expat()
        try:
            value = xmltodict.parse(data, expat=guarded, disable_entities=True, process_namespaces=process_namespaces)
        except _Refused as exc:
            raise self.error(
                str(exc), offset=exc.offset, hint="entity declarations and external DTDs are refused for safety"
            ) from None
        except LookupError as exc:
            if type(exc) is not LookupError:  # a KeyError or IndexError is a bug, not the input's fault
                raise
            # the declaration names an encoding Python does not know (codecs.lookup, through expat)
            raise self.error(
                f"the XML declaration names an unknown encoding ({exc})",
                offset=data.find(b"encoding"),
                hint='use an encoding Python knows, e.g. encoding="UTF-8"',
            ) from None
        except expat.ExpatError as exc:
            parser = guarded.state.parser
            offset = parser.ErrorByteIndex if parser is not None and parser.ErrorByteIndex >= 0 else None
            message = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
            raise self.error(
                message, offset=offset, hint="check that every tag is closed and nested correctly"
            ) from None
        except ValueError as exc:
            if "entities" not in str(exc):
                raise
            parser = guarded.state.parser
            raise self.error(
                "entity declarations are refused",
                offset=parser.CurrentByteIndex if parser is not None else None,
                hint="remove the DOCTYPE's ENTITY declarations; they are refused for safety (billion laughs, XXE)",
            ) from None
        repeats = None if process_namespaces else value  # with namespaces, xmltodict's names are not the tags'
        return self.document(data, value=value, spans_factory=lambda: _spans(data, repeats))

    def encode(
        self, value: Any, *, pretty: bool = True, root: str = "root", full_document: bool = True, **_: Any
    ) -> bytes:
        if not (isinstance(value, dict) and len(value) == 1):
            raise self.error("XML needs exactly one root element", hint=f"convert() wraps the value in <{root}>")
        return xmltodict.unparse(
            value, pretty=pretty, indent="  ", full_document=full_document, encoding="utf-8"
        ).encode("utf-8")

    def reshape(self, value: Any, losses: list[str], root: str = "root") -> Any:
        # Values first, so that element names are made of the final keys (a BSON DBRef is a {$ref, $id} mapping).
        value = adapt(value, self.holds, losses)
        if isinstance(value, dict) and len(value) == 1 and not isinstance(next(iter(value.values())), list):
            return _safe_names(value, losses)
        if isinstance(value, list):
            losses.append(f"XML needs one root element: the list was written as <{root}><item>...</item></{root}>")
            return _safe_names({root: {"item": value}}, losses)
        losses.append(f"XML needs one root element: the value was wrapped in <{root}>")
        return _safe_names({root: value}, losses)


def _safe_names(value: Any, losses: list[str]) -> Any:
    """Keys rewritten into valid XML element names (``1st`` -> ``_1st``)."""
    if isinstance(value, list):
        if len(value) < 2 or any(isinstance(v, list) for v in value):
            _lose(losses, "XML has no lists: a list of one item reads back as the item; empty and nested lists change")
        return [_safe_names(v, losses) for v in value]
    if not isinstance(value, dict):
        if value == "" or value is None:
            _lose(losses, "empty strings and nulls written as empty elements (read back as null)")
        return value
    if not value:
        _lose(losses, "empty objects written as empty elements (read back as null)")
    out = {}
    for key, child in value.items():
        key = name = str(key)
        if not key.startswith(("@", "#")):
            name = _NAME_CHAR.sub("_", key) or "_"
            if _NAME_START.match(name[0]):
                name = "_" + name
            if name.lower().startswith("xml"):
                name = "_" + name
        if name != key:
            sentence = "keys that are not valid XML names were rewritten (e.g. spaces to _)"
            if sentence not in losses:
                losses.append(sentence)
        out[name] = _safe_names(child, losses)
    return out


def _lose(losses: list[str], sentence: str) -> None:
    if sentence not in losses:
        losses.append(sentence)


MAX_NOTED_NAMES = 256
"""A checkpoint of the root's children holds the count of each child name so far: past this many names
(a crafted document), none are noted."""


class _Enough(Exception):
    """Raised in expat's handler once the root has one child more than max_spans (the walk stops there)."""


def _spans(data: bytes, value: Any = None, repeated: set[str] | None = None) -> list[Span]:
    """The root element and one span per child of the root, from expat's byte indexes.

    Past max_spans children the walk stops (a first view annotates the head only) when ``value``,
    xmltodict's reading, says which child names repeat (it makes a list of those: their paths get an
    index; or ``repeated`` names them) and the root's end tag is the document's last bytes; otherwise
    expat reads to the end. In a far window with checkpoints (core.checkpoints) expat reads the
    document's head up to the root's first child, then from the start of the last child noted before
    the window (the children between are not read: their count of each name is the checkpoint's).
    """
    window = current_window()
    marks = current_checkpoints() if window is not None else None
    counts: dict[str, int] = {}
    buffer, cut, shift = data, len(data) + 1, 0  # expat reads ``buffer``; its offsets from ``cut`` on are shifted
    first_child = marks.context.get("xml.first_child") if marks is not None else None
    if marks is not None and window is not None and first_child is not None:
        at, noted = marks.start(TOP, first_child, None, window[0])
        if noted is not None:
            buffer, cut, shift, counts = data[:first_child] + data[at:], first_child, at - first_child, dict(noted)
    real = lambda offset: offset if offset < cut else offset + shift  # noqa: E731
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    limit = current().max_spans
    children: list[tuple[int, int, str, int]] = []
    stack: list[tuple[str, int]] = []
    root: list = []
    may_stop = (isinstance(value, dict) and len(value) == 1) or repeated is not None

    def start(name, attrs):
        begin = parser.CurrentByteIndex
        # a child of the root starts: where a walk may start again
        if len(stack) == 1 and marks is not None and len(counts) <= MAX_NOTED_NAMES and marks.wants(TOP, real(begin)):
            marks.note(TOP, real(begin), dict(counts))
        stack.append((name, begin))

    def end(name):
        _, begin = stack.pop()
        open_end = buffer.find(b">", begin)
        if buffer[open_end - 1 : open_end] == b"/":  # an empty element, <a/>
            finish = open_end + 1
        else:
            close = buffer.find(b">", parser.CurrentByteIndex)
            finish = len(buffer) if close < 0 else close + 1
        begin, finish = real(begin), real(finish)
        if len(stack) == 1:
            index = counts.get(name, 0)  # every child counts: a name repeated past the limit gets indexes too
            counts[name] = index + 1
            if window is not None:  # a far window: the children with bytes in it; stop past it when sure
                if not window.misses(begin, finish):
                    children.append((begin, finish, name, index))
                elif window.past(begin) and may_stop:
                    raise _Enough
            elif len(children) <= limit:  # one past: Document.spans cuts there and says so
                children.append((begin, finish, name, index))
                if len(children) > limit and may_stop:
                    raise _Enough
        elif not stack:
            root.append((name, begin, finish))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(buffer, True)
    except _Enough:
        name, begin = stack[0]
        names = repeated if repeated is not None else _repeated_children(value, name)
        finish = _root_end(data, name)
        if names is None or finish is None:
            return _spans(data)  # not sure where the root ends, or which names repeat: the whole walk
        root.append((name, begin, finish))
        counts = {child: 2 if child in names else 1 for child in counts}
    if not root:
        return []
    name, begin, finish = root[0]
    # xmltodict makes a list only of repeated elements, so only they get an index in the path.
    spans = tuple(
        Span(
            start,
            end,
            "entry",
            f"<{child}>" + (f" #{index}" if counts[child] > 1 else ""),
            (name, child, index) if counts[child] > 1 else (name, child),
        )
        for start, end, child, index in children
    )
    return [Span(begin, finish, "value", f"root element <{name}>", (name,), spans)]


FAR_HEAD_BYTES = 64 * 1024
"""A document whose head (its prolog and the root's start tag) is larger has its far values from the decode
(found by review: a 2 MB attribute made each child's reading parse 2 MB; one far window took 1.9 s)."""


def far_walk(
    data: bytes, first_child: int, repeated: set[str]
) -> tuple[Callable[[], list[Span]], Callable[[Span], Any]] | None:
    """A far window's walk of ``data`` without xmltodict's reading of all of it (runtime.farwalk): expat from
    the head and the last checkpoint before the window (_spans), the root's child names that repeat as an
    earlier decode found them (``repeated``), and a function that gives a child's value, read by xmltodict
    from the document's head up to its first child (``first_child``), that child's bytes and the root's end
    tag. None where that reading could differ: a head in an encoding other than ASCII's superset UTF-8."""
    head = data[:first_child]
    if len(head) > FAR_HEAD_BYTES:  # read again with every child: the decode reads it once
        return None
    declared = re.search(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)""", head)
    if not head.startswith(b"<") or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii")):
        return None

    def child_value(span: Span) -> Any:  # a child of the root's span (its path: root, name[, index])
        root, name = span.path[:2]
        alone = head + data[span.start : span.end] + f"</{root}>".encode()
        value = xmltodict.parse(alone, expat=_guarded_expat(), disable_entities=True)
        return value[root][name]

    return lambda: _spans(data, None, set(repeated)), child_value


def first_child(data: bytes) -> int | None:
    """Where the root element's first child starts (expat's byte index), or None if it has none."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth: list[int] = []

    def start(_name, _attrs):
        if depth:
            depth.append(parser.CurrentByteIndex)
            raise _Enough
        depth.append(-1)

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Enough:
        return depth[-1]
    return None


def _repeated_children(value: dict, root: str) -> set[str] | None:
    """The child names of ``root`` that xmltodict read as lists (repeated elements), or None if unsure."""
    content = value.get(root)
    if not isinstance(content, dict):
        return None
    return {name for name, child in content.items() if isinstance(child, list) and not name.startswith(("@", "#"))}


def _root_end(data: bytes, name: str) -> int | None:
    """Where the root element ends when its end tag is the last thing in ``data`` (trailing whitespace
    aside), else None (a comment or processing instruction after it, or text not in an ASCII-compatible
    encoding: then only a walk to the end knows)."""
    body = data.rstrip(b" \t\r\n")
    try:
        tag = re.escape(f"</{name}".encode())
    except UnicodeEncodeError:
        return None
    return len(body) if re.search(tag + rb"[ \t\r\n]*>\Z", body[-len(name) * 4 - 64 :]) else None


codec = XmlCodec()
