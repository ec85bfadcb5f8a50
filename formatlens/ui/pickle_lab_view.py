"""The Pickle lab's tabs. The analysis of a pickle (formatlens's verdict, the opcodes, pickletools' listing,
fickling's second opinion) runs in the worker pool like every decode: the bytes may be anyone's upload."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.analysis import pickle_lab as lab
from formatlens.analysis.samples import read_sample
from formatlens.codecs.pickle.unpickler import ALLOWLIST
from formatlens.runtime.isolation import isolated
from formatlens.ui import state
from formatlens.ui.inspector import View, inspector, make_view, select_in
from formatlens.ui.text import plain
from formatlens.ui.views import bug_panel

DEMO = "runs-shell-command.pickle"
TABS = ["Protocols", "Safety", "Restricted loading", "Signed payloads", ".pyc files"]


def subject(loaded: Any) -> tuple[bytes, str, bool]:
    """The pickle the lab looks at: the loaded one, else the demo sample. Returns bytes, a name, whether loaded."""
    # A decode that was stopped (a limit) knows no format: then detection's best guess decides.
    guess = loaded and (loaded.format or (loaded.ranking[0][0] if loaded.ranking else None))
    if guess == "pickle":
        return loaded.data, loaded.name, True
    return read_sample(DEMO), f"{DEMO} (load a pickle in the sidebar to see yours)", False


def _in_worker(func: Callable[..., Any], data: bytes, **options: Any) -> Any:
    """``func(data, **options)`` in the worker pool, once per content and options in this session.

    A refusal, an overrun or a bug is returned (not raised) so the tab can show it as a message."""
    cache: dict = st.session_state.setdefault(state.LAB_RESULTS, {})
    key = (func.__name__, hashlib.sha256(data).hexdigest(), repr(sorted(options.items())))
    if key not in cache:
        try:
            cache[key] = isolated(func, data, **options)
        except (fl.FormatError, fl.InternalError) as exc:
            cache[key] = exc
        while len(cache) > 16:  # a session's recent questions, not all of them
            cache.pop(next(iter(cache)))
    return cache[key]


def _failed(result: Any, what: str) -> bool:
    """Show a refusal or a bug in place of ``what``; True when there was one."""
    if isinstance(result, fl.InternalError):
        bug_panel(result)
        return True
    if isinstance(result, fl.FormatError):
        st.error(
            f"**{what} stopped:** {plain(result.message)}" + (f"\n\nHint: {plain(result.hint)}" if result.hint else "")
        )
        return True
    return False


def protocols_tab() -> None:
    value = {
        "name": "Ann",
        "joined": dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC),
        "balance": Decimal("10.50"),
        "tags": ("admin", "beta"),
        "ids": {1, 2, 3},
    }
    st.write("One object pickled with each protocol:")
    st.code(repr(value), language="python")
    versions = lab.by_protocol(value)  # our own value, pickled here: nothing untrusted
    st.bar_chart(
        pd.DataFrame(
            {"protocol": [f"protocol {v['protocol']}" for v in versions], "bytes": [v["size"] for v in versions]}
        ).set_index("protocol"),
        horizontal=True,
    )
    for column, version in zip(st.columns(3) + st.columns(3), versions):
        with column:
            st.markdown(f"**Protocol {version['protocol']}** · {version['size']} bytes")
            st.code(version["data"][:120].hex(" "), language=None, wrap_lines=True)
            with st.expander("Disassembly"):
                st.code(version["disassembly"], language=None)


def safety_tab(data: bytes, name: str) -> None:
    st.markdown(f"**Inspecting:** {plain(name)}")
    report = _in_worker(lab.safety_report, data)
    if not _failed(report, "formatlens's analysis"):
        verdict = report.verdict
        (st.success if verdict.safe else st.error)(plain(verdict.headline))
    _second_opinion(data)
    if isinstance(report, lab.SafetyReport):
        _flagged(data, report)
        with st.expander("Full disassembly (pickletools)"):
            st.code(report.disassembly, language=None)


def _second_opinion(data: bytes) -> None:
    # Asked apart from formatlens's verdict: fickling can take long on a big pickle, and then only its
    # opinion is missing.
    opinion = _in_worker(lab.second_opinion, data)
    if isinstance(opinion, fl.FormatError):  # over the time or memory limit: say so, the rest stands
        st.markdown(f"**fickling's second opinion:** none ({plain(opinion.message)})")
        return
    if _failed(opinion, "fickling's second opinion"):
        return
    words, details = opinion
    st.markdown(f"**fickling's second opinion:** {plain(words)}")
    for detail in details:
        st.caption(f"• {plain(detail)}")


def _flagged(data: bytes, report: lab.SafetyReport) -> None:
    flagged = report.verdict.flagged
    if not flagged:
        return
    st.markdown("**Opcodes that import or call**")
    st.dataframe(pd.DataFrame(flagged), hide_index=True, width="stretch")
    choice = st.selectbox(
        "Show in the hexdump",
        range(len(flagged)),
        key=state.LAB_FLAGGED,
        format_func=lambda i: f"{flagged[i]['opcode']} @ {flagged[i]['offset']}",
    )
    chosen = flagged[choice]
    content = hashlib.sha256(data).hexdigest()
    view = _lab_view(data, content, report)
    if st.session_state.get(state.LAB_SHOWN) != (content, choice):  # a new pickle or a new choice
        st.session_state[state.LAB_SHOWN] = (content, choice)
        select_in(state.LAB_INSPECTOR, chosen["offset"], chosen["end"], f"{chosen['opcode']} @ {chosen['offset']}")
    inspector(view, state.LAB_INSPECTOR)


def _lab_view(data: bytes, content: str, report: lab.SafetyReport) -> View:
    """The inspector's view of the pickle's opcodes, made once per pickle."""
    cached = st.session_state.get(state.LAB_VIEW)
    if cached is not None and cached[0] == content:
        return cached[1]
    view = make_view(data, report.spans, None)
    st.session_state[state.LAB_VIEW] = (content, view)
    return view


def restricted_tab(data: bytes) -> None:
    st.write(
        "The allowlist: classes rebuilt as pure data. Remove one to see it refused; add a name you trust "
        "to acknowledge it (it is still shown as a call and never imported)."
    )
    allowed = st.multiselect(
        "Allowlist (this session only)", sorted(ALLOWLIST), default=sorted(ALLOWLIST), key=state.LAB_ALLOWLIST
    )
    trusted_text = st.text_input(
        "Names you trust (comma-separated)", key=state.LAB_TRUSTED, placeholder="tutorial.User"
    )
    trusted = {name.strip() for name in trusted_text.split(",") if name.strip()}
    report = _in_worker(lab.safety_report, data, allowed=set(allowed), trusted=trusted, disassembly=False)
    if _failed(report, "formatlens's analysis"):
        return
    verdict = report.verdict
    (st.success if verdict.safe else st.error)(plain(verdict.headline))
    st.dataframe(
        pd.DataFrame(verdict.imports or [{"name": "(no imports)", "status": "nothing to refuse"}]),
        hide_index=True,
        width="stretch",
    )


def signed_tab(data: bytes) -> None:
    st.write(
        "Sign a pickle with HMAC-SHA256 so that a reader can refuse anything it did not sign. The key stays "
        "in this browser session's memory only; it is never written to disk or logged."
    )
    key = st.text_input("Secret key", type="password", key=state.LAB_HMAC_KEY)
    if not key:
        st.info("Type a key to sign the pickle shown in the Safety tab.")
        return
    signed = lab.sign(data, key.encode())
    st.markdown(f"Signed payload: {len(signed)} bytes = 32-byte tag + {len(data)}-byte pickle")
    st.code(signed[:48].hex(" ") + " …", language=None, wrap_lines=True)
    ok, _ = lab.verify(signed, key.encode())
    st.success("Verified with the same key.") if ok else st.error("Verification failed.")
    position = st.slider(
        "Tamper with one byte of the payload at", 0, len(data) - 1, len(data) // 2, key=state.LAB_TAMPER
    )
    tampered = bytearray(signed)
    tampered[lab.TAG_SIZE + position] ^= 0x01
    ok, _ = lab.verify(bytes(tampered), key.encode())
    (st.success if ok else st.error)(
        "Still verifies?!" if ok else f"Flipping one bit at byte {position} breaks the signature: refused."
    )


def pyc_tab() -> None:
    st.write(
        "A .pyc file: its header, and its code object disassembled with `dis` in a separate process limited "
        "to 512 MiB and 5 s of CPU (`marshal` is not safe against malformed data)."
    )
    upload = st.file_uploader(".pyc file", type=["pyc"], key=state.LAB_PYC)
    if upload is None:
        return
    pyc = upload.getvalue()
    try:
        st.json(lab.pyc_header(pyc))
        st.code(lab.disassemble_pyc(pyc), language=None)
    except fl.FormatError as exc:
        st.error(plain(exc))
