"""The sidebar loader shared by every page: pick a sample, upload, or paste; then detect and decode.

The decoded Document lives in st.session_state, so it survives page switches
and stays private to the person's session. Decoding happens once per
(content hash, format, schema, message).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st

import formatlens as fl
from formatlens.analysis.samples import read_sample, sample_names, schema_for
from formatlens.codecs.base import findings_wanted
from formatlens.core.limits import current
from formatlens.runtime.isolation import shared_pool
from formatlens.ui import layers_view, state, url_source
from formatlens.ui.text import plain

AUTO = "auto-detect"
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="formatlens-hash")
"""Hashes a new input's bytes while a worker decodes them (the key other views cache by: state.loaded_key)."""
SOURCES = ["Sample", "Upload", "Paste text", "Paste hex/base64"]


@dataclass
class Loaded:
    name: str
    data: bytes
    ranking: list[tuple[str, float]]
    document: fl.Document | None
    error: fl.FormatError | fl.InternalError | None
    is_sample: bool = False
    reasons: dict[str, str] = field(default_factory=dict)
    """Each detected format's reason (fl.explain_detection)."""

    @property
    def format(self) -> str | None:
        if self.document is not None:
            return self.document.format
        return self.error.format if self.error is not None else None

    @property
    def confidence(self) -> float:
        return dict(self.ranking).get(self.format or "", 0.0)

    @property
    def reason(self) -> str:
        """Why the shown format: its sniff's reason, the layers peeled to reach it, or that the person chose it."""
        if self.format in self.reasons:
            return self.reasons[self.format]
        if self.document is not None and self.document.layers:
            return f"found inside the wrapper ({layer_chain(self.document)})"
        return "chosen in the Format box (detection did not pick it)"


def bytes_from_hex_or_base64(text: str) -> bytes:
    compact = re.sub(r"\s+", "", text)
    hex_digits = compact.removeprefix("0x").replace("\\x", "")
    if re.fullmatch(r"[0-9a-fA-F]*", hex_digits) and len(hex_digits) % 2 == 0:
        return bytes.fromhex(hex_digits)
    try:
        return base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise fl.FormatError("this is neither hex nor base64", hint="paste hex digits or base64 text") from None


def _follow_sample_link() -> None:
    """A link inside the app (Tour, Format guide) that names another sample switches the sidebar to it."""
    wanted = st.query_params.get("sample")
    if wanted is None or wanted == st.session_state.get(state.LINKED) or wanted not in sample_names():
        return
    st.session_state[state.LINKED] = wanted
    if state.SAMPLE in st.session_state:  # not the session's first run: the link, not the widget, decides
        st.session_state[state.SOURCE] = "Sample"
        st.session_state[state.SAMPLE] = wanted
        st.session_state[state.FOLLOWED] = True


def pick_source(where, *, prefix: str = "", default_sample: str | None = None) -> tuple[str, bytes, bool] | None:
    """The source widgets (sample, upload, paste) in ``where``; keys start with ``prefix`` (the Diff page's
    second input uses "diff_"). Returns (name, bytes, is_sample), or None while nothing is chosen."""
    how = where.radio("Data", SOURCES, key=prefix + state.SOURCE, horizontal=True)
    return _widgets(where, how, prefix, default_sample)


def _sidebar_pick(default_sample: str | None) -> tuple[str, bytes, bool] | url_source.LazyRemote | None:
    """The sidebar's sources: pick_source's, plus the URL source when the operator allows it."""
    if not url_source.enabled():
        return pick_source(st.sidebar, default_sample=default_sample)
    how = st.sidebar.radio("Data", [*SOURCES, url_source.LABEL], key=state.SOURCE, horizontal=True)
    if how == url_source.LABEL:
        return url_source.url_source()
    return _widgets(st.sidebar, how, "", default_sample)


def _widgets(where, how: str, prefix: str, default_sample: str | None) -> tuple[str, bytes, bool] | None:
    if how == "Upload":
        upload = where.file_uploader("File (any format)", key=prefix + state.UPLOAD)
        where.caption("An uploaded file stays in this session: it can't travel in a shared link.")
        return (upload.name, upload.getvalue(), False) if upload is not None else None
    if how == "Paste text":
        text = where.text_area("Text", key=prefix + state.PASTE_TEXT, height=160, placeholder='{"hello": "world"}')
        return ("pasted text", text.encode("utf-8"), False) if text else None
    if how == "Paste hex/base64":
        text = where.text_area(
            "Hex or base64", key=prefix + state.PASTE_HEX, height=160, placeholder="82 a1 61 01 a1 62 02"
        )
        if not text:
            return None
        try:
            return "pasted bytes", bytes_from_hex_or_base64(text), False
        except fl.FormatError as exc:
            where.error(plain(exc))
            return None
    names = sample_names()
    default = default_sample if default_sample in names else "users.json" if "users.json" in names else None
    name = where.selectbox("Sample", names, index=names.index(default) if default else 0, key=prefix + state.SAMPLE)
    return (name, read_sample(name), True) if name is not None else None


def _source() -> tuple[str, bytes, bool] | url_source.LazyRemote | None:
    _follow_sample_link()
    source = _sidebar_pick(st.query_params.get("sample"))
    if isinstance(source, tuple) and source[2]:
        name = source[0]
        if st.query_params.get("sample") != name:  # a link to this view reopens this sample
            st.query_params["sample"] = name
        st.session_state[state.LINKED] = name
    return source


def schema_inputs(fmt: str, name: str, is_sample: bool, where=None, prefix: str = "") -> dict:
    """For Protocol Buffers and schemaless Avro: the schema and, for protobuf, the message."""
    if fmt not in ("protobuf", "avro"):
        return {}
    where = st.sidebar if where is None else where
    with where.expander("Schema" + (" (.proto)" if fmt == "protobuf" else " (.avsc)"), expanded=fmt == "protobuf"):
        upload = st.file_uploader(
            "Schema file (protobuf: .proto, a zip of .proto files, or a FileDescriptorSet)",
            key=prefix + state.SCHEMA_UPLOAD,
            type=["proto", "avsc", "json", "zip", "pb", "desc", "binpb", "protoset"],
        )
        shipped = schema_for(name) if is_sample else None
        text = st.text_area(
            "or paste it",
            key=prefix + state.SCHEMA_TEXT,
            height=120,
            placeholder='syntax = "proto3";\nmessage User { ... }' if fmt == "protobuf" else '{"type": "record", ...}',
        )
        # Bytes as uploaded: a FileDescriptorSet or a zip is binary (the codecs read text from bytes too).
        schema = upload.getvalue() if upload is not None else (text or shipped)
        if shipped and not text and upload is None:
            st.caption("Using the schema shipped with this sample.")
        options: dict = {}
        if schema and fmt == "protobuf":
            options["schema"] = schema
            try:
                from formatlens.codecs.protobuf.codec import compile_proto

                messages = compile_proto(schema).messages
            except fl.FormatError as exc:
                st.error(plain(exc))
                return {}
            message = st.selectbox("Message", [AUTO, *messages], key=prefix + state.MESSAGE)
            if message != AUTO:
                options["message"] = message
        elif schema and fmt == "avro":
            options["schema"] = schema
        return options


def decode(
    data: bytes, fmt: str | None, name: str, options: dict, ranking: list[tuple[str, float]] | None = None
) -> fl.Document:
    """Decode in the worker pool (the default: uploads are untrusted), or in-process if FORMATLENS_ISOLATE=0.
    ``ranking``: the detection of ``data`` and ``name`` already made here (the worker does not make it again)."""
    # load() checks this too; checking here refuses an oversized input before it is sent to a worker.
    current().check("max_input_bytes", len(data), what=f"the input ({len(data):,} bytes)")
    if os.environ.get("FORMATLENS_ISOLATE", "1") == "0":
        with findings_wanted():  # asked for just below: a codec may check while it parses
            document = fl.load(data, fmt, filename=name, **options)
        document.findings  # noqa: B018 - decode-time findings belong to the load
        return document
    return shared_pool().load(data, fmt, filename=name, ranking=ranking, **options)


def _share_link() -> None:
    url = st.context.url
    if url:
        with st.sidebar.expander("Link to this view"):
            st.code(url, language=None, wrap_lines=True)
            st.caption("It reopens this page with this sample, format and target.")


def _detection_caption(detections: list, document: fl.Document | None) -> str:
    """The ranking with each codec's reason: detection shows why, not only how sure."""
    if detections:
        return "Detected, best first:\n" + "\n".join(
            f"- **{d.format}** {d.confidence:.0%}: {plain(d.reason)}" for d in detections[:4]
        )
    if document is not None and document.layers:
        return f"No format matches the raw bytes: they are a wrapper. {plain(layer_chain(document))}."
    return "No format recognised these bytes: choose one."


def layer_chain(document: fl.Document) -> str:
    """'peeled confluent › protobuf': the layers outermost first, then the innermost format."""
    return "peeled " + " › ".join([*(layer.kind for layer in document.layers), document.format])


def sidebar_loader() -> Loaded | None:
    """Draw the loader and return what it loaded (decoded once per content, format and schema)."""
    st.sidebar.header("Load data")
    source = _source()
    followed = st.session_state.pop(state.FOLLOWED, False)
    if source is None:
        return None
    if isinstance(source, url_source.LazyRemote):
        return _lazy_loaded(source)
    name, data, is_sample = source
    detections = fl.explain_detection(data, name)
    ranking = [(found.format, found.confidence) for found in detections]
    options = [AUTO, *(info.name for info in fl.formats())]
    wanted = st.query_params.get("format")
    if state.FORMAT_OVERRIDE not in st.session_state and wanted in options:
        st.session_state[state.FORMAT_OVERRIDE] = wanted
    labels = dict(ranking)
    forced = st.sidebar.selectbox(
        "Format",
        options,
        key=state.FORMAT_OVERRIDE,
        format_func=lambda f: (
            (f"{AUTO} ({ranking[0][0]})" if ranking else AUTO)
            if f == AUTO
            else f"{f}  ·  {labels[f]:.0%}"
            if f in labels
            else f
        ),
    )
    detected_caption = st.sidebar.empty()  # filled once decoded: peeled layers can explain a miss
    fmt = None if forced == AUTO else forced
    if fmt is None and "format" in st.query_params:
        del st.query_params["format"]
    elif fmt is not None and st.query_params.get("format") != fmt:
        st.query_params["format"] = fmt
    decode_options = schema_inputs(fmt or (ranking[0][0] if ranking else ""), name, is_sample)
    decode_options = layers_view.with_schema_by_id(data, decode_options)  # a schema given for a Confluent id
    if is_sample:
        _share_link()
    settings = (fmt, hashlib.sha256(str(decode_options).encode()).hexdigest())
    cached = st.session_state.get(state.LOADED)
    # The same bytes, format and options: compared, not hashed (a few ms at the upload cap, not 25).
    if cached is not None and cached[0][1:] == settings and cached[1].data == data:
        detected_caption.caption(_detection_caption(detections, cached[1].document))
        return cached[1]
    # After a new load the person lands on Inspect, unless a link named the page to open.
    st.session_state[state.INPUT_CHANGED] = cached is not None and not followed
    digest = _HASHING.submit(lambda: hashlib.sha256(data).hexdigest())  # meanwhile: hashlib lets go of the GIL
    try:
        document, error = decode(data, fmt, name, decode_options, ranking), None
    except (fl.FormatError, fl.InternalError) as exc:  # a bug is shown as one (views.error_panel)
        document, error = None, exc
    loaded = Loaded(name, data, ranking, document, error, is_sample, {d.format: d.reason for d in detections})
    detected_caption.caption(_detection_caption(detections, document))
    st.session_state[state.LOADED] = ((digest.result(), *settings), loaded)
    state.forget_view()
    return loaded


def _lazy_loaded(remote: url_source.LazyRemote) -> Loaded:
    """A large remote file, already read lazily by a worker: no detection widgets, no second decode."""
    document = remote.document
    reason = f"read lazily from its URL ({url_source.what_was_read(document)})"
    ranking = [(document.format, 1.0)]
    loaded = Loaded(remote.name, document.data, ranking, document, None, reasons={document.format: reason})
    key = ("lazy", remote.url)
    cached = st.session_state.get(state.LOADED)
    if cached is not None and cached[0] == key:
        return cached[1]
    st.session_state[state.INPUT_CHANGED] = cached is not None
    st.session_state[state.LOADED] = (key, loaded)
    state.forget_view()
    return loaded
