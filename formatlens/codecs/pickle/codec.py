"""Python pickle, read as data only (see formatlens.codecs.pickle.unpickler); protocols 0 to 5.

Decoding never imports or calls anything named in the pickle. Every import or
call outside the allowlist is a "danger" finding with the opcode's bytes.
Encoding uses the standard library's pickle with the chosen protocol.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import pickletools
from typing import Any

from formatlens.codecs.base import Codec, Sniff
from formatlens.codecs.pickle.unpickler import CallNode, Op, fast_rebuild, parse_ops, rebuild, window_ops
from formatlens.core.document import Document, Finding, Span, SpanKind, Traits
from formatlens.core.limits import current, current_window

_ARG_LENGTH_BYTES = {
    pickletools.TAKEN_FROM_ARGUMENT1: 1,
    pickletools.TAKEN_FROM_ARGUMENT4: 4,
    pickletools.TAKEN_FROM_ARGUMENT4U: 4,
    pickletools.TAKEN_FROM_ARGUMENT8U: 8,
}
_VALID_FIRST = {op.code.encode("latin-1") for op in pickletools.opcodes}


class PickleCodec(Codec):
    name = "pickle"
    title = "pickle"
    media_type = "application/x-python-pickle"
    extensions = (".pickle", ".pkl", ".pck", ".p", ".dill")
    aliases = ("pkl", "dill")
    traits = Traits(
        textual=False,
        schema_based=False,
        shape="hierarchical",
        orientation="document",
        portable=False,
        purpose="specialized",
    )
    library = "python"
    summary = "Python's own object serialization: any object graph, for Python only, and never for untrusted data."
    snippet = (
        "import pickle\n"
        "data = pickle.dumps(users, protocol=5)\n"
        "users = pickle.loads(data)  # runs code: trusted input only"
    )
    sample = "users.pickle"
    holds = frozenset(
        {
            "null",
            "bool",
            "number",
            "bigint",
            "nonfinite",
            "bytes",
            "datetime",
            "naive_datetime",
            "date",
            "time",
            "timedelta",
            "decimal",
            "uuid",
            "complex",
            "fraction",
            "set",
            "tuple",
            "frozenset",
            "bytearray",
            "ordered_dict",
            "tz_offset",
            "tz_name",
            "nonstr_keys",
            "objects",
        }
    )

    # The stack machine reports malformed pickles as FormatError itself; only text in them can fail so.
    bad_input = (UnicodeDecodeError,)
    shares_values = True
    # pickle.dumps: an object it cannot pickle (a lambda, a lock, a local class).
    bad_value = (pickle.PicklingError, TypeError, AttributeError)
    choices = {"protocol": tuple(range(pickle.HIGHEST_PROTOCOL + 1))}

    def sniff(self, data: bytes) -> Sniff:
        if len(data) >= 2 and data[0] == 0x80 and data[1] <= pickle.HIGHEST_PROTOCOL:
            magic = f"magic bytes 80 {data[1]:02x} (pickle protocol {data[1]})"
            if data.endswith(b"."):
                return Sniff(0.95, f"{magic}, ending with the STOP opcode `.`")
            return Sniff(0.8, f"{magic}, but no STOP opcode at the end")
        if data.endswith(b".") and data[:1] in _VALID_FIRST and len(data) > 1:
            # protocol 0/1 have no magic: parse a bounded head of opcodes
            if len(data) <= 65536 and not self.parses(lambda: rebuild(data)):
                return Sniff(0.0, "ends with `.` but its opcodes do not parse")
            return Sniff(0.6, "protocol 0/1 opcodes ending with the STOP opcode `.`")
        return Sniff(0.0, "no pickle protocol header or STOP opcode")

    def decode(self, data: bytes, *, trusted: frozenset[str] = frozenset()) -> Document:
        fast = fast_rebuild(data)
        if fast is not None:  # pure data: nothing to flag, opcodes parsed only if spans are asked for
            value, imports, trailing = fast
            findings = [_SAFE]
            if trailing:
                findings.append(_trailing(trailing))
            protocol = data[1] if data[:1] == b"\x80" else 0
            return self.document(
                data,
                value=value,
                spans_factory=lambda: opcode_spans(data),
                findings=findings,
                details={"protocol": protocol, "imports": sorted(imports)},
            )
        return self._decode_with_machine(data, frozenset(trusted))

    def _decode_with_machine(self, data: bytes, trusted: frozenset[str]) -> Document:
        result = rebuild(data, trusted=trusted, max_nodes=current().max_nodes)
        spans_by_op: dict[int, Span] = {}

        def span_of(op: Op) -> Span:
            if op.start not in spans_by_op:
                spans_by_op[op.start] = op_span(op)
            return spans_by_op[op.start]

        findings = [
            Finding("info" if alarm.trusted else "danger", alarm.message, span_of(alarm.op), alarm.code, alarm.subject)
            for alarm in result.alarms
        ]
        if any((finding.subject or "").startswith("dill") for finding in findings):
            findings.insert(
                0,
                Finding(
                    "warning", "written by dill: it recreates functions and classes when loaded", code="pickle.dill"
                ),
            )
        findings += [Finding("warning", note, code="pickle.not-rebuilt") for note in result.notes]
        findings += [
            Finding("info", note, code="pickle.zoneinfo", subject="zoneinfo.ZoneInfo") for note in result.infos
        ]
        if result.trailing:
            findings.append(_trailing(result.trailing))
        if not any(f.severity == "danger" for f in findings):
            findings.insert(0, _SAFE)
        details = {
            "protocol": result.protocol,
            "imports": sorted({str(op.arg).replace(" ", ".") for op in result.ops if op.name in ("GLOBAL", "INST")}),
        }
        return self.document(
            data,
            value=result.value,
            # a far window's opcodes are walked again (from the checkpoint before it), the head's are here: as
            # many as the limits in force when the spans are asked for allow (a first view's head: 4,000)
            spans_factory=lambda: (
                opcode_spans(data)
                if current_window()
                else [span_of(op) for op in result.ops[: current().max_spans + 1]]
            ),
            findings=findings,
            details=details,
        )

    def encode(self, value: Any, *, protocol: int = pickle.DEFAULT_PROTOCOL) -> bytes:
        if not 0 <= int(protocol) <= pickle.HIGHEST_PROTOCOL:
            raise self.error(f"protocol must be 0 to {pickle.HIGHEST_PROTOCOL}")
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=int(protocol))
        # Placeholder nodes are written as the plain dicts they show (a plain dict keeps this at C speed).
        pickler.dispatch_table = {**copyreg.dispatch_table, CallNode: _as_plain_dict}
        pickler.dump(value)
        return out.getvalue()


def _trailing(count: int) -> Finding:
    return Finding("warning", f"{count} bytes after the STOP opcode are not part of the pickle", code="pickle.trailing")


_SAFE = Finding("info", "no imports or calls outside the allowlist: safe to load as data", code="pickle.safe")


def _as_plain_dict(node: CallNode) -> tuple:
    return (dict, (dict(node),))


_OP_KINDS: dict[str, SpanKind] = {"PROTO": "header", "FRAME": "header", "STOP": "footer"}


def opcode_spans(data: bytes) -> list[Span]:
    """The spans of the opcodes in the span window in force (core.limits.span_window), else of the first
    max_spans + 1 (one past: Document.spans cuts there and says so)."""
    window = current_window()
    ops = window_ops(data, window) if window is not None else parse_ops(data, current().max_spans + 1)[0]
    return [op_span(op) for op in ops]


def op_span(op: Op) -> Span:
    """An opcode's span: the opcode byte, then its argument (length prefix and payload)."""
    label = _label(op)
    kind: SpanKind = _OP_KINDS.get(op.name, "opcode")
    children = [Span(op.start, op.start + 1, "opcode", op.name)]
    arg_start = op.start + 1
    if op.end > arg_start:
        size = op.code.arg.n if op.code.arg else 0
        prefix = _ARG_LENGTH_BYTES.get(size, 0)
        if prefix:
            children.append(Span(arg_start, arg_start + prefix, "length", f"length {op.end - arg_start - prefix}"))
            arg_start += prefix
        if op.end > arg_start:
            children.append(Span(arg_start, op.end, "length" if op.name == "FRAME" else "value", _short_arg(op.arg)))
    return Span(op.start, op.end, kind, label, (), tuple(children))


def _label(op: Op) -> str:
    if op.arg is None:
        return op.name
    if op.name in ("GLOBAL", "INST"):
        return f"{op.name} {str(op.arg).replace(' ', '.')}"
    return f"{op.name} {_short_arg(op.arg)}"


def _short_arg(arg: Any, width: int = 48) -> str:
    text = repr(arg)
    return text if len(text) <= width else text[: width - 3] + "..."


codec = PickleCodec()
