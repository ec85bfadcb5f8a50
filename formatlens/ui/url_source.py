"""The sidebar's "URL" source: fetch a file the operator allows (FORMATLENS_REMOTE_ALLOW), never by default.

The URL is checked against the allowlist and the SSRF rules (formatlens.sources.policy) before any
connection and again on every connection; credentials are the server's environment only.

A file up to EAGER_BYTES is fetched whole and then decoded in the worker pool like an upload. A
larger one is read lazily, what the views show and no more: a worker opens it (Parquet: the footer
and the first pages; Avro: the header and first blocks; CSV / JSON Lines: the first MiB) and sends
back the decoded parts; the server keeps a range-reading view of the file for the hexdump windows.
Either result is kept per URL in the session, so a rerun does not fetch again.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import formatlens as fl
from formatlens.render.words import human_size
from formatlens.runtime.isolation import isolated_waiting
from formatlens.sources.filesystems import timeouts
from formatlens.sources.lazy import EAGER_BYTES, fetch_whole, lazy_preview, remote_bytes, remote_size
from formatlens.sources.policy import RemotePolicy
from formatlens.ui import state
from formatlens.ui.text import plain

LABEL = "URL"


@dataclass
class LazyRemote:
    """A large remote file opened lazily: its Document (``data`` reads by ranges) and what was fetched."""

    name: str
    url: str
    document: fl.Document
    fetched: int

    @property
    def size(self) -> int:
        return len(self.document.data)

    def summary(self) -> str:
        """Plainly, what was read and what was not."""
        return (
            f"Read lazily: {human_size(self.fetched)} of {human_size(self.size)} fetched "
            f"({what_was_read(self.document)}). The rest of the file was not read: the views show "
            "what those bytes hold, and the hexdump fetches each window as you scroll to it."
        )


def what_was_read(document: fl.Document) -> str:
    return {
        "parquet": "the footer: schema, layout and row-group statistics; and the first pages for the first rows",
        "avro": "the header and the first blocks",
        "csv": "the first rows, from the first MiB",
        "json": "the first lines (JSON Lines), from the first MiB",
    }.get(document.format, "the first bytes")


def enabled() -> bool:
    try:
        return RemotePolicy.from_env().enabled
    except fl.FormatError:
        return False  # a malformed setting keeps the source off; url_source() shows why


def url_source() -> tuple[str, bytes, bool] | LazyRemote | None:
    try:
        policy = RemotePolicy.from_env()
    except fl.FormatError as exc:
        st.sidebar.error(plain(exc))
        return None
    url = st.sidebar.text_input("URL", key=state.REMOTE_URL, placeholder=policy.prefixes[0] + "…")
    st.sidebar.caption("Allowed: " + ", ".join(f"`{p}`" for p in policy.prefixes))
    if not url:
        return None
    url = url.strip()
    cached = st.session_state.get(state.REMOTE_FETCHED)
    if cached is not None and cached[0] == url:
        return _shown(cached[1])
    try:
        with st.spinner("Fetching…"):
            result = _fetch(url, policy)
    except fl.FormatError as exc:
        st.sidebar.error(plain(exc))
        return None
    st.session_state[state.REMOTE_FETCHED] = (url, result)
    return _shown(result)


def _remote_wait() -> float:
    """How long a worker may take to read a remote file: a connection and a few reads at their timeouts
    (the decode limit would stop a slow host's read, and replacing the pool restarts every session's work)."""
    connect, read = timeouts()
    return connect + 3 * read


def _fetch(url: str, policy: RemotePolicy) -> tuple[str, bytes, bool] | LazyRemote:
    size = remote_size(url, policy)
    if size <= EAGER_BYTES:
        # Read in a worker too: a server that ignores Range or lies about the length sends its whole
        # body before the length is checked, and a worker's memory is capped, the server's is not.
        name, data = isolated_waiting(_remote_wait(), fetch_whole, url, policy)
        return name, data, False
    # The worker re-checks the policy on each connection it makes; it parses, the server does not.
    document, fetched = isolated_waiting(_remote_wait(), lazy_preview, url, policy)
    document.data = remote_bytes(url, size, policy)
    name = url.rstrip("/").rsplit("/", 1)[-1] or url
    return LazyRemote(name, url, document, fetched)


def _shown(result: tuple[str, bytes, bool] | LazyRemote) -> tuple[str, bytes, bool] | LazyRemote:
    if isinstance(result, LazyRemote):
        st.sidebar.info(result.summary())
    return result
