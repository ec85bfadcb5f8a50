"""Convert: the loaded data written in another format, with its options, a preview, the losses and a download."""

import streamlit as st

import formatlens as fl
from formatlens.ui.banner import danger_banner
from formatlens.ui.convert_view import option_widgets, preview
from formatlens.ui.router import through_app
from formatlens.ui.state import CURRENT
from formatlens.ui.text import plain

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Convert")
loaded = st.session_state.get(CURRENT)
if loaded is None or loaded.document is None:
    st.info("Load something that decodes (sidebar) to convert it.")
    st.stop()
danger_banner(loaded)

formats = [info for info in fl.formats()]
names = [info.name for info in formats]
wanted = st.query_params.get("target")
if "target" not in st.session_state:
    st.session_state["target"] = wanted if wanted in names else ("yaml" if loaded.format != "yaml" else "json")
target = st.selectbox(
    "Target format", names, key="target", format_func=lambda n: next(f"{i.title} ({n})" for i in formats if i.name == n)
)
if st.query_params.get("target") != target:
    st.query_params["target"] = target
info = formats[names.index(target)]

options_box = st.expander("Options", expanded=True)
with options_box:
    options = option_widgets(target)

try:
    result = fl.convert_value(loaded.document.value, target, source_format=loaded.format, **options)
    if info.traits.schema_based and result.schema is not None:
        with options_box:
            edited = st.text_area(
                "Schema (inferred; edit it, or paste your own)",
                result.schema.text,
                height=220,
                key=f"schema_{target}_{loaded.name}",
            )
            if edited.strip() != result.schema.text.strip():
                options["schema"] = edited
                if target == "protobuf":
                    options["message"] = st.text_input(
                        "Message (full name)", "formatlens.inferred.Record", key="convert_message"
                    )
                result = fl.convert_value(loaded.document.value, target, source_format=loaded.format, **options)
except fl.FormatError as exc:
    st.error(
        f"**{loaded.format} → {target} is not possible here:** {plain(exc.message)}"
        + (f"\n\nHint: {plain(exc.hint)}" if exc.hint else "")
    )
    st.stop()

before, after = len(loaded.data), len(result.data)
cols = st.columns(4)
cols[0].metric(f"From {loaded.format}", f"{before:,} bytes")
cols[1].metric(f"To {target}", f"{after:,} bytes")
cols[2].metric(
    "Size change", f"{after / before:.0%}" if before else "—", f"{after - before:+,} bytes", delta_color="inverse"
)
stem = loaded.name.rsplit(".", 1)[0] if "." in loaded.name else "converted"
filename = f"{stem}{info.extensions[0]}"
cols[3].download_button(
    f"Download {filename}",
    result.data,
    file_name=filename,
    mime=info.media_type,
    key="download",
    type="primary",
    icon=":material/download:",
    width="stretch",
)

left, right = st.columns([2, 1])
with left:
    st.subheader("Preview")
    preview(result)
with right:
    st.subheader("What the target could not hold")
    if result.losses:
        for loss in result.losses:
            st.warning(plain(loss))
    else:
        st.success("Nothing lost: every value is kept exactly.")
    if result.schema is not None:
        st.caption(f"Written with the {result.schema.kind} schema shown in Options.")
