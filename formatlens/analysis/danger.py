"""What a dangerous document would do if it were loaded for real, in plain words.

A pickle's reader rebuilds calls as placeholder nodes (``{"!call": "posix.system",
"args": [...]}``) and jsonpickle keeps its ``py/reduce`` tags as data; this module
finds those nodes in the value and says, for a person rather than an engineer,
which function would have been called with which arguments, and what that does.
Nothing here imports or calls anything named in the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from formatlens.codecs.pickle.unpickler import why_dangerous
from formatlens.core.document import Document

MAX_VISITED = 200_000
"""Nodes of the value looked at: a banner must not cost more than the view below it."""
MAX_THREATS = 5
SHORT_ARGS = 120

LOADER = {"pickle": "pickle.load", "json": "jsonpickle.decode", "yaml": "yaml.unsafe_load"}
"""The call that would have acted on the payload, per format."""


@dataclass(frozen=True)
class Threat:
    """One call the payload asks for."""

    call: str
    """The dotted name: ``posix.system``."""
    args: str
    """The arguments as Python would print them, shortened: ``'echo hi > /tmp/x'``."""
    effect: str
    """What calling it does: ``runs a shell command``."""
    creates: bool = False
    """True when the payload instantiates a class rather than calling a function."""

    @property
    def known(self) -> bool:
        """Whether the effect is a known harm (a shell, eval, a file deletion), not only an import."""
        return not self.effect.startswith("imports module")

    def sentence(self) -> str:
        if self.creates:
            return f"create a {self.call}({self.args}) object, which {self.effect}"
        return f"call {self.call}({self.args}), which {self.effect}"


def _effect(name: str) -> str:
    reason = why_dangerous(name)
    if reason.startswith("unpickling would import module"):  # worded for a person, whatever the loader
        return f"imports module {name.rsplit('.', 1)[0]!r} and runs its code"
    return reason


@dataclass(frozen=True)
class DangerSummary:
    headline: str
    """What loading it would do: the first call and its arguments."""
    not_run: str
    """That formatlens did not run it, and how it read the data instead."""
    threats: list[Threat]
    findings: int
    """How many danger findings the document has."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHORT_ARGS else text[: SHORT_ARGS - 1] + "…"


def _args_text(args: Any, kwargs: Any = None) -> str:
    items = [_short(a) for a in args] if isinstance(args, (list, tuple)) else [_short(args)] if args else []
    if isinstance(kwargs, dict):
        items += [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return ", ".join(items)


def _pickle_threat(node: dict) -> Threat | None:
    for kind in ("!call", "!new"):
        name = node.get(kind)
        if isinstance(name, str):
            return Threat(name, _args_text(node.get("args", []), node.get("kwargs")), _effect(name), kind == "!new")
    return None


def _jsonpickle_threat(node: dict) -> Threat | None:
    reduce = node.get("py/reduce")
    if isinstance(reduce, list) and reduce and isinstance(reduce[0], dict):
        target = reduce[0]
        name = target.get("py/function") or target.get("py/type")
        if isinstance(name, str):
            args = reduce[1] if len(reduce) > 1 else []
            if isinstance(args, dict):
                args = args.get("py/tuple", [])
            return Threat(name, _args_text(args), _effect(name))
    name = node.get("py/object")
    if isinstance(name, str):
        return Threat(name, "", _effect(name), creates=True)
    return None


def threats(document: Document) -> list[Threat]:
    """The calls the payload asks for (at most MAX_THREATS): known harms first, then in order of appearance."""
    found: list[Threat] = []
    stack: list[Any] = [document.value]
    visited = 0
    while stack and visited < MAX_VISITED and len(found) < MAX_THREATS:
        node = stack.pop()
        visited += 1
        if isinstance(node, dict):
            threat = _pickle_threat(node) if document.format == "pickle" else _jsonpickle_threat(node)
            if threat is not None and threat not in found:
                found.append(threat)
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, (list, tuple)):
            stack.extend(reversed(node))
    return sorted(found, key=lambda threat: not threat.known)


def summarize(document: Document) -> DangerSummary | None:
    """The banner's words for a document with danger findings; None when it has none."""
    dangers = [f for f in document.findings if f.severity == "danger"]
    if not dangers:
        return None
    loader = LOADER.get(document.format, f"a {document.format} loader that acts on these tags")
    found = threats(document)
    if found:
        first = found[0]
        headline = f"Loading this file with {loader} would {first.sentence()}."
    else:
        headline = f"Loading this file with {loader} would {dangers[0].message}."
    not_run = "formatlens did not run it: it read the bytes as data, without importing or calling anything they name."
    return DangerSummary(headline, not_run, found, len(dangers))
