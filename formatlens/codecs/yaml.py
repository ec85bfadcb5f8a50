"""YAML with PyYAML's safe loader only (the C loader when present).

Custom tags are data: CloudFormation's ``!Ref Env``, GitLab's ``!reference``,
Ansible's ``!vault``, Home Assistant's ``!include``/``!secret`` load as a
:class:`TaggedNode`, a mapping ``{"!tag": "!Ref", "value": "Env"}`` (the value is
the node as written: a string, list or mapping), with an info finding that
lists the tags; YAML -> YAML writes the same tags back. Python tags
(``!!python/object/apply:os.system``) get the same node shape and a danger
finding: nothing is ever imported or constructed. Keys that are sequences or
mappings (``? [1, 2]``) become tuples. Duplicate keys keep the last value, with a
warning naming the key and both offsets. Aliases are counted once per use
before anything is built, so an alias bomb is refused instead of expanding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer

from formatlens.codecs import yamlfar
from formatlens.codecs.base import SNIFF_BYTES, Codec, Sniff, one_or_many
from formatlens.codecs.support import duplicates, yamlevents
from formatlens.codecs.support.textpos import Text, decode_text
from formatlens.core.checkpoints import current_checkpoints
from formatlens.core.document import Document, Finding, Span, SpanKind, Traits
from formatlens.core.errors import LimitExceeded
from formatlens.core.limits import Limits, current, current_window, env_name

if TYPE_CHECKING:
    from yaml import SafeDumper as _BaseDumper
    from yaml import SafeLoader as _BaseLoader
else:  # the C loader and dumper when PyYAML was built with libyaml
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
PYTHON_TAG = "tag:yaml.org,2002:python/"


class TaggedNode(dict):
    """A YAML node with a tag formatlens does not construct: ``{"!tag": tag, "value": value}``."""

    __hash__ = object.__hash__  # type: ignore[assignment]  # usable as a key, as the tagged node may be

    @property
    def tag(self) -> str:
        return self["!tag"]


class _Loader(_BaseLoader):
    """The safe loader, with unknown tags kept as TaggedNode and complex keys as tuples."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.tags: dict[str, list[yaml.Node]] = {}
        self.duplicates: list[tuple[Any, yaml.Node, yaml.Node, yaml.Node]] = []
        """(key, its first key node, the repeated key node, the mapping node) for each repeated key."""

    def construct_tagged(self, suffix: Any, node: yaml.Node | None = None) -> TaggedNode:
        node = suffix if node is None else node  # add_constructor(None, ...) passes only the node
        self.tags.setdefault(node.tag, []).append(node)
        if isinstance(node, yaml.MappingNode):
            value: Any = self.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = self.construct_sequence(node, deep=True)
        else:
            value = self.construct_scalar(node)
        return TaggedNode({"!tag": _short_tag(node.tag), "value": value})

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        # A key written in this mapping overrides one a merge key (<<) brings in: only two written here repeat.
        written = {id(key_node) for key_node, _ in node.value}
        self.flatten_mapping(node)
        mapping: dict = {}
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = _hashable(self.construct_object(key_node, deep=True))
            repeated = key in seen and id(seen[key]) in written and id(key_node) in written
            if repeated and node.tag != "tag:yaml.org,2002:set":
                self.duplicates.append((key, seen[key], key_node, node))
            seen[key] = key_node
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_Loader.add_constructor(None, _Loader.construct_tagged)
_Loader.add_multi_constructor(PYTHON_TAG, _Loader.construct_tagged)
_Loader.add_multi_constructor("!", _Loader.construct_tagged)


def _hashable(key: Any) -> Any:
    """A complex key as a tuple (a mapping key as a tuple of (key, value) pairs)."""
    if isinstance(key, list):
        return tuple(_hashable(item) for item in key)
    if isinstance(key, dict) and not isinstance(key, TaggedNode):
        return tuple((k, _hashable(v)) for k, v in key.items())
    if isinstance(key, set):
        return frozenset(key)
    return key


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def _long_tag(tag: str) -> str:
    return "tag:yaml.org,2002:" + tag[2:] if tag.startswith("!!") else tag


class _Dumper(_BaseDumper):
    """The safe dumper, writing TaggedNode back as its tag and tuples (complex keys) as sequences."""

    def represent_tagged(self, data: TaggedNode) -> yaml.Node:
        tag, value = _long_tag(str(data.get("!tag"))), data.get("value")
        if isinstance(value, dict):
            return self.represent_mapping(tag, value)
        if isinstance(value, (list, tuple)):
            return self.represent_sequence(tag, value)
        return self.represent_scalar(tag, "" if value is None else str(value))

    def represent_tuple(self, data: tuple) -> yaml.Node:
        return self.represent_sequence("tag:yaml.org,2002:seq", data)


_Dumper.add_representer(TaggedNode, _Dumper.represent_tagged)
_Dumper.add_representer(tuple, _Dumper.represent_tuple)
_KEY_LINE = re.compile(rb"^[ \t]*(- )?[\w.\-\"' ]+:( |$)", re.M)


class YamlCodec(Codec):
    name = "yaml"
    title = "YAML"
    media_type = "application/yaml"
    extensions = (".yaml", ".yml")
    aliases = ("yml",)
    traits = Traits(textual=True, schema_based=False, shape="hierarchical", orientation="document", portable=True)
    library = "PyYAML"
    summary = "Human-friendly text for configuration files; a superset of JSON with comments and anchors."
    snippet = "import yaml\ntext = yaml.safe_dump(users, sort_keys=False)\nusers = yaml.safe_load(text)"
    sample = "users.yaml"
    holds = frozenset(
        {
            "null",
            "bool",
            "number",
            "bytes",
            "datetime",
            "naive_datetime",
            "date",
            "set",
            "nonstr_keys",
            "yaml_tags",
            "tz_offset",
        }
    )
    bad_input = (yaml.YAMLError, UnicodeDecodeError)
    shares_values = True
    bad_value = (yaml.YAMLError,)  # RepresenterError: a type the safe dumper cannot write

    def sniff(self, data: bytes) -> Sniff:
        head = data[:SNIFF_BYTES]
        if b"\x00" in head:
            return Sniff(0.0, "binary (a NUL byte)")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multibyte character at the end is fine
                return Sniff(0.0, "not UTF-8 text")
        stripped = head.lstrip()
        if stripped.startswith((b"%YAML", b"---")):
            return Sniff(0.9, "starts with `%YAML`" if stripped.startswith(b"%YAML") else "starts with `---`")
        if stripped[:1] in (b"{", b"[", b"<"):  # JSON is YAML too, but JSON's own codec ranks first
            first = stripped[:1].decode()
            why = ": JSON is YAML too" if first != "<" else ", still YAML text"
            return Sniff(0.3, f"starts with `{first}`{why}")
        keys = _KEY_LINE.findall(head)
        if keys:
            return Sniff(0.75, f"{len(keys)} `key: value` line{'s' if len(keys) > 1 else ''}")
        if stripped.startswith(b"- "):
            return Sniff(0.7, "starts with a `- ` list item")
        return Sniff(0.1, "text, which any YAML scalar is") if stripped else Sniff(0.0, "no text")

    def decode(self, data: bytes) -> Document:
        try:
            text, _fallback = decode_text(data)
        except UnicodeDecodeError as exc:
            raise self.error(f"invalid UTF-8: {exc.reason}", offset=exc.start, hint="YAML must be UTF-8") from None
        may_alias = "*" in text.text  # no alias, no expansion to bound
        try:
            read = _read_events_or_none(text, may_alias)
            if read is None:  # merge keys, sets, ordered maps: PyYAML's node graph gives them, an item at a time
                read = _read_items_or_none(text, may_alias)
            if read is None:  # ... or the whole document (such a construct at its top level)
                read = _read_nodes(text, may_alias)
            documents, findings, spans_factory = read
        except yamlevents.BadScalar as exc:
            raise self.error(
                f"a value does not fit its type: {type(exc.error).__name__}: {exc.error}",
                offset=None if exc.index < 0 else text.byte_offset(exc.index),
                hint="a scalar tagged (or looking like) !!int, !!float, !!bool or !!timestamp holds "
                "something else, e.g. 2020-13-45",
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            offset = text.byte_offset(mark.index) if mark is not None else None
            raise self.error(_one_line(exc), offset=offset, hint=_hint(exc)) from None
        except yaml.YAMLError as exc:
            raise self.error(_one_line(exc)) from None
        except RecursionError:
            raise LimitExceeded(
                "nesting is deeper than the YAML loader can follow",
                hint=f"see {env_name('max_depth')}",
                format=self.name,
            ) from None
        value, stream = one_or_many(documents, "YAML documents", "yaml.stream")
        return self.document(
            data,
            value=value,
            spans_factory=spans_factory,
            findings=stream + findings,
            details={"documents": len(documents)},
        )

    def encode(
        self,
        value: Any,
        *,
        default_flow_style: bool | None = False,
        sort_keys: bool = False,
        allow_unicode: bool = True,
        indent: int | None = None,
        explicit_start: bool = False,
    ) -> bytes:
        return yaml.dump(
            value,
            Dumper=_Dumper,
            default_flow_style=default_flow_style,
            sort_keys=sort_keys,
            allow_unicode=allow_unicode,
            indent=indent,
            explicit_start=explicit_start,
        ).encode("utf-8")


_SCALAR_ERRORS = yamlevents.SCALAR_ERRORS


def _read_events(text: Text, may_alias: bool) -> tuple[list, list[Finding], Callable[[], list[Span]]]:
    """The documents read from the parser's events (support.yamlevents): no node graph is kept."""
    loader = _Loader(text.text)
    try:
        limits = current()
        spans = limits.max_spans + 1  # one past the limit: the Document sees that the rest is cut
        built = yamlevents.build(
            loader, wrap=_wrap, hashable=_hashable, limits=limits, count_aliases=may_alias, spans=spans
        )
    finally:
        loader.dispose()
    findings = _tag_findings(text, loader.tags) + _repeat_findings(text, built)
    return built.documents, findings, lambda: _entry_spans(text, built.entries, built.marks)


def _read_events_or_none(text: Text, may_alias: bool) -> tuple[list, list[Finding], Callable[[], list[Span]]] | None:
    """_read_events, or None when the stream needs the node graph. Returned, not handled in an except
    block: the Unsupported exception's traceback holds what was read so far (up to the whole value)."""
    try:
        return _read_events(text, may_alias)
    except yamlevents.Unsupported:
        return None


class _ItemLoader(_Loader):
    """The safe loader with PyYAML's Python composer on the C parser's events: it composes one node at
    a time (the C composer only composes whole documents)."""

    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def __init__(self, stream: str, limits: Limits, count_aliases: bool) -> None:
        super().__init__(stream)
        self.anchors: dict[str, yaml.Node] = {}
        self.limits, self.count_aliases = limits, count_aliases
        self.expanded = 0
        """Values composed in this document so far, each alias counting its anchor's whole size."""
        self.sizes: dict[int, int] = {}
        """The expanded size of each anchored node (by id)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        # The C composer's messages (the Python one names the anchor): the same input, the same refusal.
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        elif event.anchor is not None and event.anchor in self.anchors:
            first = self.anchors[event.anchor].start_mark
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence", first, "second occurrence", event.start_mark
            )
        # The alias count of _check_expansion, kept as nodes are composed (a bomb is refused before it
        # is constructed): a node adds itself and its children, an alias its anchor's whole size.
        before = self.expanded
        node = Composer.compose_node(self, parent, index)
        if isinstance(event, yaml.AliasEvent):
            self.expanded += self.sizes.get(id(node), 1)
        else:
            self.expanded += 1
            if event.anchor is not None:
                self.sizes[id(node)] = self.expanded - before
        if self.count_aliases and self.expanded > self.limits.max_nodes:
            self.limits.check("max_nodes", self.expanded, what="the document once its aliases are expanded")
        return node


class _Whole(Exception):
    """A document whose top level needs the whole node graph (a merge key, tag or anchor there)."""


def _read_items_or_none(text: Text, may_alias: bool) -> tuple[list, list[Finding], Callable[[], list[Span]]] | None:
    """PyYAML's node graph and constructor, one top-level item at a time: between items only the
    anchored nodes (and the values made of them) are kept, so a large YAML with merge keys needs the
    memory of its value, not of its whole graph. None when a document's top level needs the graph."""
    try:
        return _read_items(text, may_alias)
    except _Whole:
        return None


def _read_items(text: Text, may_alias: bool) -> tuple[list, list[Finding], Callable[[], list[Span]]]:
    limits = current()
    loader = _ItemLoader(text.text, limits, may_alias)
    built = yamlevents.Built()
    spans_left = limits.max_spans + 1
    try:
        loader.get_event()  # StreamStartEvent
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # DocumentStartEvent
            loader.anchors, loader.sizes, loader.expanded = {}, {}, 1
            entries: list[yamlevents.Entry] = []
            built.entries.append(entries)
            built.documents.append(_document_items(loader, built, spans_left))
            spans_left -= len(entries)
            loader.get_event()  # DocumentEndEvent
            loader.constructed_objects = {}
    finally:
        loader.dispose()
    findings = _tag_findings(text, loader.tags) + _repeat_findings(text, built)
    return built.documents, findings, lambda: _entry_spans(text, built.entries)


def _document_items(loader: _ItemLoader, built: yamlevents.Built, spans_left: int) -> Any:
    """One document's value, its top-level collection's items composed and constructed one at a time."""
    start = loader.peek_event()
    mapping = isinstance(start, yaml.MappingStartEvent)
    if not (mapping or isinstance(start, yaml.SequenceStartEvent)) or start.anchor is not None:
        raise _Whole
    if start.tag not in (None, "!", yamlevents.MAP if mapping else yamlevents.SEQ):
        raise _Whole
    loader.get_event()
    value: Any = {} if mapping else []
    entries, document = built.entries[-1], len(built.documents)
    seen: dict[Any, tuple[int, int]] = {}
    place = 0
    anchored: set[int] = set()
    constructed = loader.constructed_objects
    while not loader.check_event(yaml.SequenceEndEvent, yaml.MappingEndEvent):
        key_node = loader.compose_node(None, None) if mapping else None
        if key_node is not None and key_node.tag == yamlevents.MERGE:
            raise _Whole
        node = loader.compose_node(None, None)
        written = None if key_node is None else (key_node.value if isinstance(key_node, yaml.ScalarNode) else "?")
        if len(entries) < spans_left:  # before constructing: merge keys change a mapping node's pairs
            at = (key_node or node).start_mark.index
            entries.append(
                yamlevents.Entry(
                    written,
                    at,
                    key_node.end_mark.index if key_node is not None else 0,
                    node.start_mark.index,
                    node.end_mark.index,
                    _describe(node),
                    False,
                    place,
                )
            )
        before = len(constructed)
        made = []
        for part in (key_node, node):
            if part is None:
                continue
            if part is key_node and key_node.tag == yamlevents.VALUE:
                made.append(key_node.value)  # PyYAML's flatten_mapping makes a `=` key a string (so do the events)
                continue
            try:
                made.append(_construct(loader, part))
            except _SCALAR_ERRORS as exc:
                raise yamlevents.BadScalar(exc, _bad_scalar_index(part)) from None
        prefix = (place,) if key_node is None else (written,)
        _item_repeats(loader, built, document, prefix, node)
        if key_node is None:
            value.append(made[0])
        else:
            key = _hashable(made[0])
            if key in seen and len(built.repeats) < yamlevents.LIMIT_REPEATS:
                again = (key_node.start_mark.index, key_node.end_mark.index)
                built.repeats.append(yamlevents.Repeat(document, (), key, seen[key], again))
            seen[key] = (key_node.start_mark.index, key_node.end_mark.index)
            value[key] = made[1]
        place += 1
        # Only an anchored node can be met again (through an alias): the rest of the item's cache goes.
        anchored.update(id(kept) for kept in islice(loader.anchors.values(), len(anchored), None))
        for done in list(islice(constructed, before, None)):
            if id(done) not in anchored:
                del constructed[done]
    loader.get_event()  # SequenceEndEvent or MappingEndEvent
    return value


def _construct(loader: _ItemLoader, node: yaml.Node) -> Any:
    """``node``'s value as construct_document makes a document's: collections first, filled after (so a
    collection may hold itself)."""
    value = loader.construct_object(node)
    while loader.state_generators:
        generators, loader.state_generators = loader.state_generators, []
        for generator in generators:
            for _step in generator:
                pass
    return value


def _item_repeats(loader: _ItemLoader, built: yamlevents.Built, document: int, prefix: tuple, root: yaml.Node) -> None:
    """The keys repeated inside one item (recorded by _Loader.construct_mapping), with their paths."""
    if not loader.duplicates:
        return
    paths = _mapping_paths([root], {id(mapping) for *_keys, mapping in loader.duplicates})
    for key, first, again, mapping in loader.duplicates:
        if len(built.repeats) >= yamlevents.LIMIT_REPEATS:
            break
        path = paths.get(id(mapping))
        found = yamlevents.Repeat(
            document,
            (*prefix, *path) if path is not None else (None,),
            key,
            (first.start_mark.index, first.end_mark.index),
            (again.start_mark.index, again.end_mark.index),
        )
        built.repeats.append(found)
    loader.duplicates.clear()


def _read_nodes(text: Text, may_alias: bool) -> tuple[list, list[Finding], Callable[[], list[Span]]]:
    """The documents composed into PyYAML's node graph and constructed from it (what merge keys need)."""
    loader = _Loader(text.text)
    documents, nodes = [], []
    try:
        while loader.check_node():
            node = loader.get_node()
            if may_alias:
                _check_expansion(node)
            nodes.append(node)
            try:
                documents.append(loader.construct_document(node))
            except _SCALAR_ERRORS as exc:
                raise yamlevents.BadScalar(exc, _bad_scalar_index(node)) from None
    finally:
        loader.dispose()
    findings = _tag_findings(text, loader.tags) + _duplicate_findings(text, loader.duplicates, nodes)
    return documents, findings, lambda: _spans(text, nodes)


def _wrap(tag: str, value: Any) -> TaggedNode:
    return TaggedNode({"!tag": _short_tag(tag), "value": value})


def _bad_scalar_index(root: yaml.Node) -> int:
    """The character index of the first scalar that PyYAML's safe constructor cannot build (-1: none found)."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                _Loader("").construct_object(node)
            except _SCALAR_ERRORS:
                return node.start_mark.index
            except yaml.YAMLError:
                continue
        stack.extend(reversed(_children(node)))
    return -1


def _tag_findings(text: Text, tags: dict[str, list[yaml.Node]]) -> list[Finding]:
    findings = []
    custom = {tag: nodes for tag, nodes in tags.items() if not tag.startswith(PYTHON_TAG)}
    if custom:
        listed = ", ".join(f"{_short_tag(tag)} ({len(nodes)})" for tag, nodes in sorted(custom.items()))
        findings.append(
            Finding(
                "info",
                f"custom tags kept as data, as {{'!tag': ..., 'value': ...}}: {listed}",
                code="yaml.custom-tag",
                subject=", ".join(sorted(custom)),
            )
        )
    for tag, nodes in tags.items():
        if tag.startswith(PYTHON_TAG):
            node = nodes[0]
            where = f"line {node.start_mark.line + 1}" + (f", and {len(nodes) - 1} more" if len(nodes) > 1 else "")
            findings.append(
                Finding(
                    "danger",
                    f"Python tag {_short_tag(tag)} ({where})"
                    " would make an unsafe loader import or call Python code: kept as data, never constructed",
                    _node_span(text, node, "tag", _short_tag(tag), ()),
                    code="yaml.tag",
                    subject=tag,
                )
            )
    return findings


def _duplicate_findings(
    text: Text, found: list[tuple[Any, yaml.Node, yaml.Node, yaml.Node]], roots: list[yaml.Node]
) -> list[Finding]:
    """The same warning as JSON, BSON, MessagePack and CBOR give: the loader keeps the last value."""
    if not found:
        return []
    paths = _mapping_paths(roots, {id(mapping) for *_keys, mapping in found})
    findings = []
    for key, first, again, mapping in found[: duplicates.LIMIT]:
        path = paths.get(id(mapping))
        spans = [_node_span(text, n, "key", f"duplicate key {key!r}", (*(path or ()), key)) for n in (first, again)]
        findings.append(duplicates.finding("yaml", "PyYAML", duplicates.Repeat(path, key, *spans)))
    return findings


def _repeat_findings(text: Text, built: yamlevents.Built) -> list[Finding]:
    """_duplicate_findings for a stream read from events: the first repeated keys in byte order."""
    several = len(built.documents) > 1
    findings = []
    for repeat in built.repeats[: duplicates.LIMIT]:
        path = None if None in repeat.path else (repeat.document,) * several + repeat.path
        spans = [
            _range_span(text, where, "key", f"duplicate key {repeat.key!r}", (*(path or ()), repeat.key))
            for where in (repeat.first, repeat.again)
        ]
        findings.append(duplicates.finding("yaml", "PyYAML", duplicates.Repeat(path, repeat.key, *spans)))
    return findings


def _entry_spans(
    text: Text, documents: list[list[yamlevents.Entry]], marks: Sequence[tuple[int, int, bool]] = ()
) -> list[Span]:
    """_spans for a stream read from events: one span per top-level entry (a key's span inside),
    up to one past the span limit in force (the first view's head): the rest would be cut anyway.
    In a span window (a far window of a large input), the entries there, read again from the events: where
    checkpoints are in force (runtime.annotate), the decode's ``marks`` are noted in them and the walk starts
    at the last one before the window (codecs.yamlfar), else at the start."""
    many = len(documents) > 1
    window = current_window()
    if window is not None:
        checkpoints = current_checkpoints()  # noted for the next far windows (codecs.yamlfar)
        note = None if checkpoints is None else yamlfar.noter(text.text, text.byte_offset, checkpoints)
        if note is not None and checkpoints is not None and not many:
            for mark in marks:  # the decode's top-level entries over the whole input
                note(*mark)
            resumed = yamlfar.window_from_checkpoints(text.data, checkpoints)
            if resumed is not None:  # else (an alias to an anchor before the checkpoint...) from the start
                return resumed
        loader = _Loader(text.text)
        try:
            found = yamlevents.window(loader, *window, text.byte_offset, note=note)
        finally:
            loader.dispose()
        return [_entry_span(text, entry, (number,) if many else ()) for number, entry in found]
    spans: list[Span] = []
    budget = current().max_spans
    for number, entries in enumerate(documents):
        for entry in entries:
            if budget < 0:
                return spans
            spans.append(_entry_span(text, entry, (number,) if many else ()))
            budget -= 1 + len(spans[-1].children)
    return spans


def _entry_span(text: Text, entry: yamlevents.Entry, prefix: tuple) -> Span:
    if entry.whole:
        return _range_span(text, (entry.start, entry.end), "value", entry.describe, prefix)
    if entry.key is None:
        label = f"- [{entry.place}] {entry.describe}"
        return _range_span(text, (entry.start, entry.end), "entry", label, (*prefix, entry.place))
    path = (*prefix, entry.key)
    key_span = _range_span(text, (entry.key_start, entry.key_end), "key", f"key {entry.key!r}", path)
    value_span = _range_span(text, (entry.start, entry.end), "value", entry.describe, path)
    label = f"{entry.key}: {entry.describe}"
    return Span(key_span.start, value_span.end, "entry", label, path, (key_span, value_span))


def _mapping_paths(roots: list[yaml.Node], wanted: set[int]) -> dict[int, tuple]:
    """Paths (scalar keys as written, list indexes) of the mapping nodes in ``wanted``; a document's
    index leads when the stream holds several. Walked depth first in document order, each node once
    (an alias shares its anchor's node, which takes the anchor's path)."""
    paths: dict[int, tuple] = {}
    several = len(roots) > 1
    stack: list[tuple[yaml.Node, tuple]] = [(root, (i,) if several else ()) for i, root in enumerate(roots)][::-1]
    seen: set[int] = set()
    while stack and len(paths) < len(wanted):
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children: list[tuple[yaml.Node, tuple]] = []
        if isinstance(node, yaml.MappingNode):
            if id(node) in wanted:
                paths[id(node)] = path
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                children.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            children = [(child, (*path, index)) for index, child in enumerate(node.value)]
        stack.extend(reversed(children))
    return paths


def _check_expansion(root: yaml.Node) -> int:
    """Refuse a document whose aliases would expand past the node limit (billion laughs); its size.

    An alias is the same node object as its anchor, so sizes are memoised per node
    and each use of an alias adds the whole size of what it points to.
    """
    limits = current()
    sizes: dict[int, int] = {}
    opened: set[int] = set()  # an alias to a collection that holds it is a cycle: not followed
    stack = [(root, False)]
    while stack:  # post-order without recursion
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = total
            opened.discard(id(node))
            limits.check("max_nodes", total, what="the document once its aliases are expanded")
        else:
            opened.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes and id(child) not in opened)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _spans(text: Text, documents: list[yaml.Node]) -> list[Span]:
    spans = []
    many = len(documents) > 1
    for number, root in enumerate(documents):
        prefix = (number,) if many else ()
        if isinstance(root, yaml.MappingNode):
            for key_node, value_node in root.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                path = (*prefix, key)
                key_span = _node_span(text, key_node, "key", f"key {key!r}", path)
                value_span = _node_span(text, value_node, "value", _describe(value_node), path)
                spans.append(
                    Span(
                        key_span.start,
                        value_span.end,
                        "entry",
                        f"{key}: {_describe(value_node)}",
                        path,
                        (key_span, value_span),
                    )
                )
        elif isinstance(root, yaml.SequenceNode):
            for index, item in enumerate(root.value):
                spans.append(_node_span(text, item, "entry", f"- [{index}] {_describe(item)}", (*prefix, index)))
        else:
            spans.append(_node_span(text, root, "value", _describe(root), prefix))
    return spans


def _node_span(text: Text, node: yaml.Node, kind: SpanKind, label: str, path: tuple) -> Span:
    return _range_span(text, (node.start_mark.index, node.end_mark.index), kind, label, path)


def _range_span(text: Text, where: tuple[int, int], kind: SpanKind, label: str, path: tuple) -> Span:
    start = text.byte_offset(where[0])
    end = max(start, text.byte_offset(where[1]))
    return Span(start, end, kind, label, path)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return f"mapping of {len(node.value)}"
    if isinstance(node, yaml.SequenceNode):
        return f"sequence of {len(node.value)}"
    value = str(node.value)
    return value if len(value) <= 40 else value[:37] + "..."


def _one_line(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [exc.context, exc.problem]
        return "; ".join(p for p in parts if p) or "invalid YAML"
    return str(exc).splitlines()[0]


def _hint(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", "") or ""
    if "constructor for the tag" in problem:
        return "formatlens loads YAML with the safe loader only"
    if "tab" in problem:
        return "YAML indents with spaces, not tabs"
    return "check the indentation and quoting just before this offset"


codec = YamlCodec()
