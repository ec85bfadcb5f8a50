"""The peel driver: take wrappers off the bytes, outermost first, then decode what is inside.

At each step every layer sniffs the bytes; the best one is peeled only when it is
surer than the codecs are about the same bytes (so a protobuf message that also
happens to split as a varint-delimited stream stays a message). Peeling stops when
no layer wins, when a wrapper names the format inside (JSON Lines, a registry's
schema type, a data: URL's media type), or at FORMATLENS_MAX_LAYERS.

Bad input never loses what was already peeled: a wrapper that lies (a length past
the end, a corrupt or bomb compressed layer) or an innermost payload that does not
decode keeps the outer layers and leaves the rest as ``unparsed`` bytes with a
finding that says why.
"""

from __future__ import annotations

from collections.abc import Callable

from formatlens.core import registry as codecs
from formatlens.core.boundary import translate
from formatlens.core.document import Document, Finding, Layer, Span
from formatlens.core.errors import FormatError
from formatlens.core.limits import current as limits
from formatlens.core.limits import env_name
from formatlens.layers import registry
from formatlens.layers.base import Frame, LayerCodec, PeelContext, Peeled, shift

LAYER_CODE = "layers.layer"
"""The code of the info finding every layer gets ("layer N: ...")."""
UNPARSED = "unparsed"
"""Document.format when the bytes inside the last layer could not be decoded."""
MIN_CONFIDENCE = 0.3

Decode = Callable[[bytes, "str | None", dict, "str | None"], Document]
"""(bytes, format or None, options, filename) -> Document, refusing bad input with FormatError."""


def choose(data: bytes, format: str | None, filename: str | None) -> LayerCodec | None:
    """The layer that claims ``data`` more surely than the codecs do, if any."""
    best, score = None, MIN_CONFIDENCE
    for layer in registry.available():
        sniffed = layer.sniff(data)
        if sniffed > score:
            best, score = layer, sniffed
    if best is None:
        return None
    if format is not None:
        rival = codecs.get(format).sniff(data).score
    else:
        rival = max((s for _, s in codecs.detect(data, filename)), default=0.0)
    return best if score > rival else None


class _Peeling:
    """The state of one peel: the layers so far, the bytes they made, the wrapper spans in the last bytes."""

    def __init__(self, data: bytes, options: dict) -> None:
        self.layers: list[Layer] = []
        self.sources = [data]
        self.findings: list[Finding] = []
        self.spans: list[Span] = []
        self.base = 0
        """Where ``current`` starts in the last source."""
        self.current = data
        self.options = dict(options)

    def add(self, layer: LayerCodec, peeled: Peeled) -> Layer:
        spans = tuple(shift(span, self.base) for span in peeled.spans)
        end = self.base + len(self.current)
        added = Layer(layer.kind, self.base, end, peeled.details, spans, len(self.sources) - 1)
        self.layers.append(added)
        self.findings.append(Finding("info", describe(len(self.layers), layer.title, added.details), code=LAYER_CODE))
        self.findings.extend(peeled.findings)
        return added

    def refused(self, layer: LayerCodec, error: FormatError) -> None:
        """A layer that sniffed right but whose contents are bad: kept, with the error, and the rest unparsed."""
        end = self.base + len(self.current)
        details = {"error": error.message}
        self.layers.append(Layer(layer.kind, self.base, end, details, (), len(self.sources) - 1))
        self.findings.append(Finding("info", describe(len(self.layers), layer.title, {}), code=LAYER_CODE))
        message = f"the {layer.title} layer cannot be peeled: {error}"
        self.findings.append(Finding("warning", message, code="layers.refused", subject=layer.kind))


def describe(number: int, title: str, details: dict) -> str:
    shown = ", ".join(
        f"{key.replace('_', ' ')} {value}"
        for key, value in details.items()
        if isinstance(value, (int, float, str, list)) and key != "error"
    )
    return f"layer {number}: {title}" + (f" ({shown})" if shown else "")


def load_layered(
    data: bytes,
    format: str | None,
    options: dict,
    filename: str | None,
    decode: Decode,
    *,
    max_layers: int | None = None,
) -> Document:
    """Peel ``data`` and decode the innermost bytes (as ``format`` when given)."""
    budget = limits().max_layers if max_layers is None else max_layers
    state = _Peeling(data, options)
    inner_format = format
    while True:
        layer = choose(state.current, format or inner_format, filename if not state.layers else None)
        if layer is None:
            break
        if len(state.layers) >= budget:
            state.findings.append(
                Finding(
                    "warning",
                    f"stopped after {budget} layers: the bytes inside look like {layer.title} too "
                    f"(an operator can raise {env_name('max_layers')})",
                    code="layers.max-layers",
                )
            )
            break
        context = PeelContext(state.options, format)
        try:  # a layer translates its library's bad-input errors itself; anything else is a bug (InternalError)
            peeled = translate(layer.kind, lambda: layer.peel(state.current, context))  # noqa: B023
        except FormatError as exc:
            state.refused(layer, exc)
            return _finish(state, _unparsed(state.current, exc), format)
        state.add(layer, peeled)
        state.options.update(peeled.inner_options)
        inner_format = format or peeled.inner_format or inner_format
        if peeled.output is not None:
            state.sources.append(peeled.output)
            state.current, state.base, state.spans = peeled.output, 0, []
        elif len(peeled.frames) == 1 and not peeled.stream:
            frame = peeled.frames[0]
            state.spans.extend(shift(span, state.base) for span in frame.header)
            state.base += frame.payload_start
            state.current = state.current[frame.payload_start : frame.payload_end]
        else:
            return _stream(state, layer, peeled, inner_format, filename, decode, budget)
        if peeled.inner_format is not None:
            break  # the wrapper said what is inside
    try:
        inner = decode(state.current, inner_format, state.options, filename if not state.layers else None)
    except FormatError as exc:
        if not state.layers:
            raise
        inner = _unparsed(state.current, exc)
    return _finish(state, inner, format)


def _unparsed(data: bytes, error: FormatError) -> Document:
    return Document(
        UNPARSED,
        data,
        value=None,
        findings=[Finding("warning", f"the bytes inside are left unparsed: {error}", code="layers.unparsed")],
        spans_factory=lambda: [Span(0, len(data), "value", f"unparsed, {len(data):,} bytes")] if data else [],
        details={"unparsed": len(data), "error": str(error)},
    )


def _reported(state: _Peeling, inner: Document) -> list[Finding]:
    """Streams and containers the codec read itself, shown as the innermost layer; its finding (after the codec's)."""
    end = state.base + len(state.current)
    source = len(state.sources) - 1
    if inner.format in registry.REPORTED:
        kind, key, title = registry.REPORTED[inner.format]
        count = inner.details.get(key, 1)
        if isinstance(count, int) and count > 1:
            state.layers.append(Layer(kind, state.base, end, {key: count}, (), source))
            return [Finding("info", describe(len(state.layers), title, {key: count}), code=LAYER_CODE)]
    elif inner.format == "avro" and "blocks" in inner.details:
        details = {k: inner.details[k] for k in ("codec", "blocks", "records", "sync_marker") if k in inner.details}
        state.layers.append(Layer("avro-container", state.base, end, details, (), source))
        return [Finding("info", describe(len(state.layers), "Avro object container file", details), code=LAYER_CODE)]
    return []


def _finish(state: _Peeling, inner: Document, format: str | None) -> Document:
    reported = _reported(state, inner)
    if not state.layers:
        return inner
    prefix, base = list(state.spans), state.base

    def spans() -> list[Span]:
        return prefix + [shift(span, base) for span in inner.spans]

    wrapped = Document(
        inner.format,
        state.sources[-1],
        value_factory=lambda: inner.value,
        spans_factory=spans,
        table_factory=(lambda: inner.table) if inner._table_factory is not None else None,
        schema_factory=lambda: inner.schema,
        findings=state.findings,
        findings_factory=lambda: [*inner.findings, *reported],
        details=inner.details,
        layers=state.layers,
        layer_sources=state.sources if len(state.sources) > 1 else (),
    )
    # What the inner codec says of its own parse (runtime.firstview reads these), not the wrapper's factories.
    wrapped.value_is_derived, wrapped.glance_factory = inner.value_is_derived, inner.glance_factory
    return wrapped


def _stream(
    state: _Peeling,
    layer: LayerCodec,
    peeled: Peeled,
    inner_format: str | None,
    filename: str | None,
    decode: Decode,
    budget: int,
) -> Document:
    """A framing layer with several payloads: each decoded, the value a list of them."""
    parts: list[tuple[Frame, Document]] = []
    fmt, peel_parts, errors = inner_format, True, 0
    for frame in peeled.frames:
        if not frame.decode:
            continue
        payload = state.current[frame.payload_start : frame.payload_end]
        try:
            if peel_parts:
                part = load_layered(payload, fmt, state.options, None, decode, max_layers=budget - len(state.layers))
                # The first payload tells the rest: same format, and peeled only if it needed peeling.
                fmt, peel_parts = fmt or part.format, bool(part.layers)
                if part.format == UNPARSED:
                    fmt, peel_parts = inner_format, True
            else:
                try:
                    part = decode(payload, fmt, state.options, None)
                except FormatError:  # this payload is wrapped where the first was not (a compressed gRPC message)
                    part = load_layered(payload, inner_format, state.options, None, decode, max_layers=budget - 1)
        except FormatError as exc:
            part = _unparsed(payload, exc)
        errors += part.format == UNPARSED
        parts.append((frame, part))
    if parts and errors == len(parts) and len(state.layers) == 1:
        # Nothing inside decodes: the framing was a coincidence. Let the codecs have the bytes.
        state.layers.clear()
        state.findings.clear()
        return decode(state.current, inner_format, state.options, filename)
    formats = {part.format for _, part in parts if part.format != UNPARSED}
    name = formats.pop() if len(formats) == 1 else (UNPARSED if not formats else "mixed")
    base, prefix = state.base, list(state.spans)
    count = len(parts)
    noun = "message" if count == 1 else "messages"
    summary = Finding("info", f"{layer.title} of {count} {noun}", code="layers.stream")
    if errors:
        failed = f"{errors} of the {count} payloads of the {layer.title} do not decode"
        summary = Finding("warning", failed, code="layers.stream")

    def spans() -> list[Span]:
        out = list(prefix)
        index = 0
        for frame in peeled.frames:
            children = list(frame.header)
            if frame.decode:
                part = parts[index][1]
                inner = tuple(shift(span, frame.payload_start, (index,)) for span in part.spans)
                children.append(Span(frame.payload_start, frame.payload_end, "value", frame.label, (index,), inner))
                path: tuple = (index,)
                index += 1
            else:
                children.append(Span(frame.payload_start, frame.payload_end, "metadata", frame.label))
                path = ()
            entry = Span(frame.start, frame.payload_end, "entry", frame.label, path, tuple(children))
            out.append(shift(entry, base))
        return out

    def findings() -> list[Finding]:
        seen, out = set(), []
        for index, (frame, part) in enumerate(parts):
            for finding in part.findings:
                if finding.message not in seen and finding.span is None:
                    seen.add(finding.message)
                    out.append(finding)
                elif finding.span is not None and len(out) < 1000:
                    # The message's own offsets count from its first byte: say where that is, and move the
                    # span to where the message lies in these bytes.
                    start = base + frame.payload_start
                    out.append(
                        Finding(
                            finding.severity,
                            f"message {index} (from byte {start:,}): {finding.message}",
                            shift(finding.span, start, (index,)),
                            code=finding.code,
                            subject=finding.subject,
                        )
                    )
        return out

    first = parts[0][1] if parts else None
    return Document(
        name,
        state.sources[-1],
        value_factory=lambda: [part.value for _, part in parts],
        spans_factory=spans,
        schema_factory=(lambda: first.schema) if first is not None else None,
        findings=[*state.findings, summary],
        findings_factory=findings,
        details={
            "framing": layer.title,
            "messages": count,
            **{k: v for k, v in peeled.details.items() if k != "messages"},
        },
        layers=state.layers,
        layer_sources=state.sources if len(state.sources) > 1 else (),
    )


__all__ = ["UNPARSED", "choose", "load_layered"]
