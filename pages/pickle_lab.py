"""Pickle lab: protocols, safety, restricted loading, signed payloads and .pyc files. Nothing here runs a payload."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.analysis import pickle_lab as lab
from formatlens.analysis.samples import read_sample
from formatlens.codecs.pickle.unpickler import ALLOWLIST
from formatlens.ui.banner import danger_banner
from formatlens.ui.hexview import hex_view
from formatlens.ui.router import through_app
from formatlens.ui.state import CURRENT
from formatlens.ui.text import plain

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Pickle lab")
st.caption(
    "The seed tutorial's pickle sections, made visible. Every pickle here is read by formatlens's own "
    "reader, which never imports or calls anything named in it."
)
loaded = st.session_state.get(CURRENT)
is_pickle = loaded is not None and loaded.format == "pickle"
subject = loaded.data if is_pickle else read_sample("runs-shell-command.pickle")
subject_name = loaded.name if is_pickle else "runs-shell-command.pickle (load a pickle in the sidebar to see yours)"
danger_banner(loaded if is_pickle else None)

protocols, safety, restricted, signed, pyc = st.tabs(
    ["Protocols", "Safety", "Restricted loading", "Signed payloads", ".pyc files"]
)

with protocols:
    value = {
        "name": "Ann",
        "joined": dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC),
        "balance": Decimal("10.50"),
        "tags": ("admin", "beta"),
        "ids": {1, 2, 3},
    }
    st.write("One object pickled with each protocol:")
    st.code(repr(value), language="python")
    versions = lab.by_protocol(value)
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

with safety:
    st.markdown(f"**Inspecting:** {plain(subject_name)}")
    verdict = lab.analyse(subject)
    (st.success if verdict.safe else st.error)(plain(verdict.headline))
    st.markdown(f"**fickling's second opinion:** {verdict.second_opinion}")
    for detail in verdict.second_opinion_details:
        st.caption(f"• {plain(detail)}")
    if verdict.flagged:
        st.markdown("**Opcodes that import or call**")
        st.dataframe(pd.DataFrame(verdict.flagged), hide_index=True, width="stretch")
        choice = st.selectbox(
            "Show in the hexdump",
            range(len(verdict.flagged)),
            key="lab_flagged",
            format_func=lambda i: f"{verdict.flagged[i]['opcode']} @ {verdict.flagged[i]['offset']}",
        )
        chosen = verdict.flagged[choice]
        document = fl.load(subject, "pickle")
        hex_view(
            subject, document.spans, chosen["offset"] // 4096, selected=(chosen["offset"], chosen["end"]), key="lab_hex"
        )
    with st.expander("Full disassembly (pickletools)"):
        st.code(lab.disassemble(subject), language=None)

with restricted:
    st.write(
        "The allowlist: classes rebuilt as pure data. Remove one to see it refused; add a name you trust "
        "to acknowledge it (it is still shown as a call and never imported)."
    )
    allowed = set(
        st.multiselect(
            "Allowlist (this session only)", sorted(ALLOWLIST), default=sorted(ALLOWLIST), key="lab_allowlist"
        )
    )
    trusted_text = st.text_input("Names you trust (comma-separated)", key="lab_trusted", placeholder="tutorial.User")
    trusted = {name.strip() for name in trusted_text.split(",") if name.strip()}
    verdict = lab.analyse(subject, allowed=allowed, trusted=trusted)
    (st.success if verdict.safe else st.error)(plain(verdict.headline))
    st.dataframe(
        pd.DataFrame(verdict.imports or [{"name": "(no imports)", "status": "nothing to refuse"}]),
        hide_index=True,
        width="stretch",
    )

with signed:
    st.write(
        "Sign a pickle with HMAC-SHA256 so that a reader can refuse anything it did not sign. The key stays "
        "in this browser session's memory only; it is never written to disk or logged."
    )
    key = st.text_input("Secret key", type="password", key="lab_hmac_key")
    if key:
        signed_bytes = lab.sign(subject, key.encode())
        st.markdown(f"Signed payload: {len(signed_bytes)} bytes = 32-byte tag + {len(subject)}-byte pickle")
        st.code(signed_bytes[:48].hex(" ") + " …", language=None, wrap_lines=True)
        ok, _ = lab.verify(signed_bytes, key.encode())
        st.success("Verified with the same key.") if ok else st.error("Verification failed.")
        position = st.slider(
            "Tamper with one byte of the payload at", 0, len(subject) - 1, len(subject) // 2, key="lab_tamper"
        )
        tampered = bytearray(signed_bytes)
        tampered[32 + position] ^= 0x01
        ok, _ = lab.verify(bytes(tampered), key.encode())
        (st.success if ok else st.error)(
            "Still verifies?!" if ok else f"Flipping one bit at byte {position} breaks the signature: refused."
        )
    else:
        st.info("Type a key to sign the pickle shown in the Safety tab.")

with pyc:
    st.write(
        "A .pyc file: its header, and its code object disassembled with `dis` in a separate process limited "
        "to 512 MiB and 5 s of CPU (`marshal` is not safe against malformed data)."
    )
    upload = st.file_uploader(".pyc file", type=["pyc"], key="lab_pyc")
    if upload is not None:
        data = upload.getvalue()
        try:
            st.json(lab.pyc_header(data))
            st.code(lab.disassemble_pyc(data), language=None)
        except fl.FormatError as exc:
            st.error(plain(exc))
