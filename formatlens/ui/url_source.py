"""The sidebar's "URL" source: fetch a file the operator allows (FORMATLENS_REMOTE_ALLOW), never by default.

The URL is checked against the allowlist and the SSRF rules (formatlens.sources.policy) before any
connection and again on every connection; credentials are the server's environment only. The
bytes are kept per URL in the session, so a rerun does not fetch again; they are then decoded in
the worker pool like an upload.
"""

from __future__ import annotations

import streamlit as st

import formatlens as fl
from formatlens.sources.lazy import fetch_whole
from formatlens.sources.policy import RemotePolicy
from formatlens.ui import state
from formatlens.ui.text import plain

LABEL = "URL"


def enabled() -> bool:
    try:
        return RemotePolicy.from_env().enabled
    except fl.FormatError:
        return False  # a malformed setting keeps the source off; url_source() shows why


def url_source() -> tuple[str, bytes, bool] | None:
    try:
        policy = RemotePolicy.from_env()
    except fl.FormatError as exc:
        st.sidebar.error(plain(exc))
        return None
    url = st.sidebar.text_input("URL", key=state.REMOTE_URL, placeholder=policy.prefixes[0] + "…")
    st.sidebar.caption("Allowed: " + ", ".join(f"`{p}`" for p in policy.prefixes))
    if not url:
        return None
    cached = st.session_state.get(state.REMOTE_FETCHED)
    if cached is not None and cached[0] == url:
        return cached[1], cached[2], False
    try:
        with st.spinner("Fetching…"):
            name, data = fetch_whole(url.strip(), policy)
    except fl.FormatError as exc:
        st.sidebar.error(plain(exc))
        return None
    st.session_state[state.REMOTE_FETCHED] = (url, name, data)
    return name, data, False
