"""The Convert page's parts: the target, its options, the conversion (with an editable schema), sizes and
download, a preview of the output and what was lost."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

import formatlens as fl
from formatlens.convert.identity import source_losses
from formatlens.convert.options import encode_options
from formatlens.sources.lazy import READ_LAZILY
from formatlens.sources.rangefile import LazyBytes
from formatlens.ui import state
from formatlens.ui.inspector import View, inspector, make_view
from formatlens.ui.text import plain
from formatlens.ui.views import whole_value

LABELS = {"\t": "tab", "\r\n": "CRLF (\\r\\n)", "\n": "LF (\\n)", None: "none (one line)", 0: "0"}


def pick_target(loaded: Any) -> fl.CodecInfo:
    """The target format: ?target= on a first visit, then the select box (and the URL follows it)."""
    formats = fl.formats()
    names = [info.name for info in formats]
    wanted = st.query_params.get("target")
    if state.TARGET not in st.session_state:
        st.session_state[state.TARGET] = wanted if wanted in names else ("yaml" if loaded.format != "yaml" else "json")
    target = st.selectbox(
        "Target format",
        names,
        key=state.TARGET,
        format_func=lambda n: next(f"{i.title} ({n})" for i in formats if i.name == n),
    )
    if st.query_params.get("target") != target:
        st.query_params["target"] = target
    return formats[names.index(target)]


def convert(loaded: Any, info: fl.CodecInfo) -> fl.Conversion | None:
    """The options, then the conversion; for a schema-based target its schema, editable, converting
    again only when edited. A refusal is shown as a message and gives None."""
    target = info.name
    options_box = st.expander("Options", expanded=True)
    with options_box:
        options = option_widgets(target)
    try:
        result = _converted(loaded, target, options)
        if info.traits.schema_based and result.schema is not None:
            with options_box:
                edited = st.text_area(
                    "Schema (inferred; edit it, or paste your own)",
                    result.schema.text,
                    height=220,
                    key=state.convert_schema(target, loaded.name),
                )
                if edited.strip() != result.schema.text.strip():
                    options["schema"] = edited
                    if target == "protobuf":
                        options["message"] = st.text_input(
                            "Message (full name)", "formatlens.inferred.Record", key=state.CONVERT_MESSAGE
                        )
                    result = _converted(loaded, target, options)
    except fl.FormatError as exc:
        st.error(
            f"**{loaded.format} → {target} is not possible here:** {plain(exc.message)}"
            + (f"\n\nHint: {plain(exc.hint)}" if exc.hint else "")
        )
        return None
    return result


def _converted(loaded: Any, target: str, options: dict) -> fl.Conversion:
    """The conversion, once per input, target and options: a rerun (a click in the inspector, the
    download button) shows and downloads the same bytes, even where a format writes random bytes
    (Avro's sync marker)."""
    key = (state.loaded_key(), loaded.name, target, repr(sorted(options.items())))
    cached = st.session_state.get(state.CONVERT_RESULT)
    if cached is not None and cached[0] == key:
        return cached[1]
    value = whole_value(loaded)  # a large input's value is decoded again in a worker: a refusal or bug is shown
    result = fl.convert_value(value, target, source_format=loaded.format, **options)
    result.losses[:0] = source_losses(loaded.document)  # dropped comments, duplicate keys' earlier values
    result.losses[:0] = [  # a remote file read lazily: only its first rows were converted
        f"only what was read of the remote file was converted ({finding.message.removeprefix('read lazily: ')})"
        for finding in loaded.document.findings
        if finding.code == READ_LAZILY
    ]
    st.session_state[state.CONVERT_RESULT] = (key, result)
    return result


def sizes_and_download(loaded: Any, result: fl.Conversion, info: fl.CodecInfo) -> None:
    before, after = len(loaded.data), len(result.data)
    cols = st.columns(4)
    cols[0].metric(f"From {loaded.format}", f"{before:,} bytes")
    cols[1].metric(f"To {info.name}", f"{after:,} bytes")
    if isinstance(loaded.data, LazyBytes):  # the whole remote file against its first rows: no size change to show
        cols[2].metric("Size change", "—", help="only the first rows of the remote file were read and converted")
    else:
        change = f"{after / before:.0%}" if before else "—"
        cols[2].metric("Size change", change, f"{after - before:+,} bytes", delta_color="inverse")
    stem = loaded.name.rsplit(".", 1)[0] if "." in loaded.name else "converted"
    filename = f"{stem}{info.extensions[0]}"
    cols[3].download_button(
        f"Download {filename}",
        result.data,
        file_name=filename,
        mime=info.media_type,
        key=state.CONVERT_DOWNLOAD,
        type="primary",
        icon=":material/download:",
        width="stretch",
    )


def losses(result: fl.Conversion) -> None:
    if result.losses:
        for loss in result.losses:
            st.warning(plain(loss))
    else:
        st.success("Nothing lost: every value is kept exactly.")
    if result.schema is not None:
        st.caption(f"Written with the {result.schema.kind} schema shown in Options.")


def option_widgets(target: str) -> dict:
    values: dict[str, Any] = {}
    options = encode_options(target)
    if not options:
        return values
    cols = st.columns(min(len(options), 4))
    for index, option in enumerate(options):
        column = cols[index % len(cols)]
        key = state.convert_option(target, option.name)
        label = option.name.replace("_", " ")
        if option.choices:
            choices = list(option.choices)
            values[option.name] = column.selectbox(
                label,
                choices,
                index=choices.index(option.default) if option.default in choices else 0,
                key=key,
                format_func=lambda v: LABELS.get(v, str(v)),
            )
        elif isinstance(option.default, bool):
            values[option.name] = column.toggle(label, option.default, key=key)
        elif option.name == "row_group_size":
            size = column.number_input("rows per row group (0 = one group)", 0, 10_000_000, 0, step=1000, key=key)
            values[option.name] = size or None
        elif isinstance(option.default, int):
            values[option.name] = column.number_input(label, value=option.default, key=key)
        elif isinstance(option.default, str):
            values[option.name] = column.text_input(label, option.default, key=key)
    return values


def preview(result: fl.Conversion) -> None:
    info = fl.formats()
    textual = next(i.traits.textual for i in info if i.name == result.format)
    if textual:
        text = result.data[:20_000].decode("utf-8", "replace")
        language = {"json": "json", "yaml": "yaml", "xml": "xml"}.get(result.format, "text")
        st.code(text + ("\n…" if len(result.data) > 20_000 else ""), language=language)
    else:
        inspector(_output_view(result), state.CONVERT_INSPECTOR)


def _output_view(result: fl.Conversion) -> View:
    """The inspector's view of the converted bytes, made once per output (options that change the
    bytes make a new one; a rerun that does not keeps the browser's place and selection)."""
    key = (hashlib.sha256(result.data).hexdigest(), result.format)
    cached = st.session_state.get(state.CONVERT_VIEW)
    if cached is not None and cached[0] == key:
        return cached[1]
    document = fl.load(  # our own output, in a known format: nothing to peel
        result.data,
        result.format,
        schema=result.schema.text if result.format == "protobuf" and result.schema else None,
        peel=False,
    )
    view = make_view(result.data, document.spans, document.value)
    st.session_state[state.CONVERT_VIEW] = (key, view)
    st.session_state.pop(state.CONVERT_INSPECTOR.selection, None)  # a selection in other bytes means nothing here
    return view
