"""The sidebar loader shared by every page: upload, paste, or pick a sample; then detect and decode.

The decoded Document lives in st.session_state, so it survives page switches
and stays private to the person's session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

import streamlit as st

import formatlens as fl
from formatlens.samples import read_sample, sample_names

AUTO = "auto-detect"


@dataclass
class Loaded:
    name: str
    data: bytes
    ranking: list[tuple[str, float]]
    document: fl.Document | None
    error: fl.FormatError | None


def _bytes_from_hex_or_base64(text: str) -> bytes:
    compact = re.sub(r"\s+", "", text)
    if re.fullmatch(r"(0x)?[0-9a-fA-F]*", compact) and len(compact) % 2 == 0:
        return bytes.fromhex(compact.removeprefix("0x"))
    try:
        return base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise fl.FormatError("this is neither hex nor base64", hint="paste hex digits or base64 text") from None


def _source() -> tuple[str, bytes] | None:
    how = st.sidebar.radio(
        "Data", ["Sample", "Upload", "Paste text", "Paste hex/base64"], key="source", horizontal=True
    )
    if how == "Upload":
        upload = st.sidebar.file_uploader("File", key="upload")
        return (upload.name, upload.getvalue()) if upload is not None else None
    if how == "Paste text":
        text = st.sidebar.text_area("Text", key="paste_text", height=160, placeholder='{"hello": "world"}')
        return ("pasted text", text.encode("utf-8")) if text else None
    if how == "Paste hex/base64":
        text = st.sidebar.text_area("Hex or base64", key="paste_hex", height=160, placeholder="82 a1 61 01 ...")
        if not text:
            return None
        try:
            return "pasted bytes", _bytes_from_hex_or_base64(text)
        except fl.FormatError as exc:
            st.sidebar.error(str(exc))
            return None
    names = sample_names()
    chosen = st.query_params.get("sample")
    index = names.index(chosen) if chosen in names else (names.index("users.json") if "users.json" in names else 0)
    name = st.sidebar.selectbox("Sample", names, index=index, key="sample")
    if name is None:
        return None
    if st.query_params.get("sample") != name:  # a link to this view reopens this sample
        st.query_params["sample"] = name
    return name, read_sample(name)


def sidebar_loader() -> Loaded | None:
    """Draw the loader and return what it loaded (cached in the session by content hash)."""
    st.sidebar.header("Load data")
    source = _source()
    if source is None:
        return None
    name, data = source
    ranking = fl.detect(data, name)
    options = [AUTO, *(info.name for info in fl.formats())]
    labels = {fmt: f"{fmt} ({score:.0%})" for fmt, score in ranking}
    forced = st.sidebar.selectbox(
        "Format",
        options,
        key="format_override",
        format_func=lambda f: f"{AUTO}: {ranking[0][0]}" if f == AUTO and ranking else labels.get(f, f),
    )
    if ranking:
        st.sidebar.caption("Detected: " + ", ".join(f"{f} {s:.0%}" for f, s in ranking[:4]))
    fmt = None if forced == AUTO else forced
    key = (hashlib.sha256(data).hexdigest(), fmt)
    cached = st.session_state.get("loaded")
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        document, error = fl.load(data, fmt, filename=name), None
    except fl.FormatError as exc:
        document, error = None, exc
    loaded = Loaded(name, data, ranking, document, error)
    st.session_state["loaded"] = (key, loaded)
    return loaded
