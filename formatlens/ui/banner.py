"""The danger banner: the most important fact about a document, said first, above every view of it.

Pages that show the loaded document call ``danger_banner(loaded)`` right under
their title. For a payload that would run code when loaded for real, it says
which call with which arguments, and that formatlens did not run it.
"""

from __future__ import annotations

import streamlit as st

from formatlens.analysis.danger import summarize
from formatlens.ui.text import plain


def danger_banner(loaded) -> None:
    """Show the banner when the loaded document (a loader.Loaded, or None) has danger findings."""
    document = getattr(loaded, "document", None)
    if document is None:
        return
    summary = summarize(document)
    if summary is None:
        return
    lines = [f"**{plain(summary.headline)}**", "", plain(summary.not_run)]
    if len(summary.threats) > 1:
        lines += ["", "It would also:"] + [f"- {plain(threat.sentence())}" for threat in summary.threats[1:]]
    st.error("\n".join(lines), icon=":material/gpp_bad:")
