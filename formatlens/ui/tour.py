"""The Tour: the seed tutorial's story in steps, each with a live view built from the samples.

A step is a title, two or three plain sentences, a view and links that open
the same data on the working pages. ``?step=N`` opens step N (1-based); the
Previous/Next buttons and the left/right arrow keys move through the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import streamlit as st

from formatlens.analysis import tour as data
from formatlens.ui import state
from formatlens.ui.arrowkeys import arrow_keys
from formatlens.ui.banner import danger_banner
from formatlens.ui.inspector import Compact, View, inspector, make_view, select_in
from formatlens.ui.text import plain

STEP_KEY = state.TOUR_STEP
"""The 0-based step this session last showed (the nav link to Tour has no ?step=)."""


@dataclass(frozen=True)
class Link:
    label: str
    page: str
    """A page file under pages/, e.g. pages/inspect.py."""
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    view: Callable[[], None]
    links: tuple[Link, ...] = ()


# -- cached data: the samples never change while the server runs, so every session shares one copy


@st.cache_resource(show_spinner="Writing the users in every format…")
def _sizes() -> pd.DataFrame:
    return pd.DataFrame(data.sizes_in_every_format(data.users_value()))


@st.cache_resource(show_spinner=False)
def _one_record() -> list[tuple[data.Written, View]]:
    return [(w, make_view(w.data, w.document.spans, w.document.value)) for w in data.one_record()]


@st.cache_resource(show_spinner=False)
def _schema_pair() -> tuple[data.SchemaPair, View]:
    pair = data.protobuf_with_and_without_schema()
    return pair, make_view(pair.data, pair.without.spans, pair.without.value)


@st.cache_resource(show_spinner=False)
def _layouts() -> pd.DataFrame:
    from formatlens.analysis.samples import read_sample
    from formatlens.core.api import load

    frames = []
    for name, layout, how in (
        ("users.msgpack", data.record_layout, "record after record"),
        ("users.parquet", data.parquet_layout, "column after column"),
    ):
        raw = read_sample(name)
        frame = pd.DataFrame(layout(load(raw, name.rsplit(".", 1)[1])))
        frame["file"] = f"{name}: {how} ({len(raw):,} bytes)"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@st.cache_resource(show_spinner=False)
def _loss() -> data.Loss:
    return data.conversion_loss()


@st.cache_resource(show_spinner=False)
def _kafka() -> tuple[data.KafkaMessage, View]:
    message = data.kafka_message()
    return message, make_view(message.data, message.document.spans, message.document.value)


@st.cache_resource(show_spinner=False)
def _twins() -> data.PickleTwins:
    return data.pickle_twins()


# -- the views


def _sizes_view() -> None:
    frame = _sizes()
    st.altair_chart(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bytes:Q", title="bytes for the same 100 users"),
            y=alt.Y("format:N", sort=alt.EncodingSortField("bytes", op="max"), title=None),
            color=alt.Color("encoding:N", title=None, sort=["raw", "gzip", "zstd"]),
            yOffset=alt.YOffset("encoding:N", sort=["raw", "gzip", "zstd"]),
            tooltip=["format", "encoding", alt.Tooltip("bytes:Q", format=",")],
        )
        .properties(height=420),
        width="stretch",
    )


def _bytes(name: str, view: View, chosen: tuple[int, int] | None, label: str) -> None:
    """A small inspector of a step's bytes, ``chosen`` selected when the step is first shown."""
    keys = state.tour_inspector(name)
    if chosen is not None and keys.seq not in st.session_state:
        select_in(keys, chosen[0], chosen[1], label)
    inspector(view, keys, Compact())


def _range(span) -> tuple[int, int] | None:
    return (span.start, span.end) if span is not None else None


def _text_vs_binary_view() -> None:
    # One above the other: the two records read row against row, each with its ASCII column.
    for written, view in _one_record():
        st.markdown(f"**{written.format}** · {len(written.data)} bytes")
        _bytes(written.format, view, _range(written.field), "email")
    st.caption("Highlighted in both: the key `email` (in JSON also its value). Hover a byte to see what it is.")


def _schema_view() -> None:
    pair, view = _schema_pair()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**users.pb** · {len(pair.data):,} bytes, field 3 of the first user highlighted")
        _bytes("pb", view, _range(pair.field), "field 3")
    with right:
        st.markdown("**Without the schema**: field numbers")
        st.json(data.first_record_keys(pair.without.value), expanded=True)
        st.markdown("**With users.proto**: field names and types")
        st.json(data.first_record_keys(pair.with_schema.value), expanded=True)
    with st.expander("users.proto"):
        st.code(pair.proto, language="protobuf")


FIELDS = ["id", "name", "email", "language", "registered_at", data.STRUCTURE]
FIELD_COLORS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#9d9d9d"]


def _row_vs_column_view() -> None:
    frame = _layouts()
    st.altair_chart(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title="byte offset"),
            x2="end:Q",
            y=alt.Y(
                "file:N",
                title=None,
                axis=alt.Axis(labelLimit=420, labelFontSize=13),
                scale=alt.Scale(paddingInner=0.25),
            ),
            color=alt.Color(
                "field:N",
                title="bytes of",
                scale=alt.Scale(domain=FIELDS, range=FIELD_COLORS),
                legend=alt.Legend(orient="top", labelFontSize=13),
            ),
            tooltip=["region", alt.Tooltip("start:Q", format=","), alt.Tooltip("bytes:Q", format=",")],
        )
        .properties(height=200),
        width="stretch",
    )
    email = frame[(frame["field"] == "email") & frame["file"].str.startswith("users.parquet")]
    st.caption(
        "Above, each user's five fields follow one another, 100 times over. Below, every `email` of the 100 "
        f"users sits in one run of {int(email['bytes'].sum()):,} bytes: a reader that wants one column reads "
        "only its chunk, found through the footer. Hover a bar for its bytes."
    )


def _loss_view() -> None:
    loss = _loss()
    counted = ", ".join(f"{field} {count}" for field, count in loss.per_field.items())
    st.markdown(f"**fl.diff, strictly: {loss.total} values changed type** ({counted}). The first user:")
    # the page's full width: in a column, "after" (an ISO datetime) was cut at 1366 px
    st.dataframe(pd.DataFrame(loss.changes), hide_index=True, width="stretch")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.code("\n".join(loss.diff) or "(no difference)", language="diff")
    with right:
        st.markdown(f"**What converting {loss.source} to {loss.target} said it lost**")
        for sentence in loss.losses:
            st.markdown(f"- {plain(sentence)}")
        if loss.equal_by_meaning:
            st.info(
                'By meaning (fl.diff\'s default) nothing changed: 1 equals "1" and a datetime its ISO string. '
                "A program that reads the CSV back gets text, not numbers and datetimes."
            )


def _kafka_view() -> None:
    message, view = _kafka()
    document = message.document
    wrapper = document.layers[0].spans  # the Confluent layer's own bytes: magic byte and schema id
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**A Kafka record value** · {len(message.data)} bytes, peeled by formatlens")
        _bytes("kafka", view, (wrapper[0].start, wrapper[-1].end), "the Confluent framing")
        st.caption(
            f"Highlighted: the Confluent framing, a magic byte 0 and the schema id ({message.schema_id}) as a "
            "4-byte big-endian number. The Avro datum follows."
        )
        st.dataframe(pd.DataFrame(data.layer_rows(document)), hide_index=True, width="stretch")
    with right:
        st.markdown(f"**The Avro datum, read with schema {message.schema_id}**")
        st.json(document.value, expanded=True)
        st.caption(
            f"Without the schema the layer is still found, but the datum stays {message.without_schema.format}: "
            "Avro bytes carry no field names or types."
        )


class _Shown:
    """Stands in for a loader.Loaded so the banner can speak about a tour sample."""

    def __init__(self, document) -> None:
        self.document = document


def _pickle_view() -> None:
    twins = _twins()
    danger_banner(_Shown(twins.document))
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**runs-shell-command.pickle, read as data**")
        st.json(twins.document.value, expanded=True)
        st.caption("The call is a node in the tree, not an action: nothing was imported or run.")
    with right:
        st.markdown("**Its safe twin: users.pickle, signed with HMAC-SHA256**")
        st.code(twins.signed[:32].hex(" ") + "\n" + twins.signed[32:64].hex(" ") + " …", language=None, wrap_lines=True)
        st.caption(f"32-byte tag + {len(twins.safe):,}-byte pickle. The key stays with the writer and the reader.")
        (st.success if twins.safe_verifies else st.error)(
            "The signed pickle verifies: a reader may load it." if twins.safe_verifies else "Verification failed."
        )
        (st.error if not twins.dangerous_verifies else st.warning)(
            "The shell-command pickle with that tag glued on does not verify: a reader that checks first "
            "refuses it before unpickling a byte."
            if not twins.dangerous_verifies
            else "The forged payload verified: the signature check is broken."
        )


STEPS: tuple[Step, ...] = (
    Step(
        "The same users in every format",
        "Serialization turns data into bytes that can be stored or sent. Here the same 100 users are written "
        "in each format formatlens knows, raw and compressed with gzip and zstd: text formats are larger, "
        "but compression narrows the gap.",
        _sizes_view,
        (
            Link("Open this in Compare", "pages/compare.py", {"sample": "users.json"}),
            Link("Format guide", "pages/guide.py"),
        ),
    ),
    Step(
        "Textual vs binary",
        "One user as JSON and as MessagePack. JSON spells every key and number as text a person can read; "
        "MessagePack writes a type byte and then the raw value, so the same record is smaller but needs a tool "
        "to read.",
        _text_vs_binary_view,
        (
            Link("Open users.json in Inspect", "pages/inspect.py", {"sample": "users.json"}),
            Link("Open users.msgpack in Inspect", "pages/inspect.py", {"sample": "users.msgpack"}),
            Link("Compare", "pages/compare.py", {"sample": "users.json"}),
        ),
    ),
    Step(
        "Schemaless vs schema-based",
        "Protocol Buffers writes field numbers, not names: without its schema the bytes decode to numbers and "
        "guesses. The `.proto` file gives them names and types; that is what makes the format compact and "
        "lets both sides agree on the data.",
        _schema_view,
        (
            Link("Open users.pb in Inspect", "pages/inspect.py", {"sample": "users.pb"}),
            Link("Infer schemas in Schemas", "pages/schemas.py", {"sample": "users.json"}),
        ),
    ),
    Step(
        "Row vs column",
        "CSV, JSON and Avro store one record after another. Parquet stores each column together, in column "
        "chunks whose offsets are in the footer: an analytics query reads only the columns it needs, and "
        "similar values compress well.",
        _row_vs_column_view,
        (
            Link("Open users.parquet in Inspect", "pages/inspect.py", {"sample": "users.parquet"}),
            Link("Compare", "pages/compare.py", {"sample": "users.parquet"}),
        ),
    ),
    Step(
        "What a conversion loses",
        "Converting is decode, then encode: when the target cannot hold something, formatlens does the sensible "
        "thing and says so. Here the Python users go to CSV and are read back, and fl.diff compares the two: "
        "every id is now text and every datetime a string.",
        _loss_view,
        (
            Link(
                "Open this in Diff",
                "pages/diff.py",
                {"sample": "users.pickle", "against": "converted", "target": "csv"},
            ),
            Link("Open this in Convert", "pages/convert.py", {"sample": "users.pickle", "target": "csv"}),
            Link("Compare", "pages/compare.py", {"sample": "users.pickle"}),
        ),
    ),
    Step(
        "A Kafka message, layer by layer",
        "Real payloads come wrapped. A Kafka message written with Confluent's Schema Registry starts with a "
        "magic byte and a schema id; formatlens peels that layer, and the Avro datum inside needs the "
        "registered schema to be read.",
        _kafka_view,
        (Link("Avro in the Format guide", "pages/guide.py"),),
    ),
    Step(
        "A pickle that would run a command",
        "Pickle can rebuild any Python object, so loading one can call any function: this file would run a "
        "shell command. formatlens reads it as data and shows the call instead; a signed pickle lets a reader "
        "refuse anything it did not write.",
        _pickle_view,
        (
            Link("Open it in Inspect", "pages/inspect.py", {"sample": "runs-shell-command.pickle"}),
            Link("Pickle lab", "pages/pickle_lab.py", {"sample": "runs-shell-command.pickle"}),
        ),
    ),
)


def _step_from_url() -> int:
    """The 0-based step: ?step=N when it names one, else where this session was, else the first."""
    wanted = st.query_params.get("step")
    if wanted is not None and wanted.strip().isdigit() and 1 <= int(wanted) <= len(STEPS):
        return int(wanted) - 1
    return int(st.session_state.get(STEP_KEY, 0))


def _go(index: int) -> None:
    index = max(0, min(len(STEPS) - 1, index))
    st.session_state[STEP_KEY] = index
    st.query_params["step"] = str(index + 1)


def show() -> None:
    """The Tour page: the current step with its view, links, and the ways to move on."""
    index = _step_from_url()
    move = arrow_keys()
    if move is not None:
        index = max(0, min(len(STEPS) - 1, index + (1 if move == "next" else -1)))
    _go(index)  # the URL always names the step shown, so a link reopens it
    step = STEPS[index]

    nav = st.columns([1, 6, 1], vertical_alignment="center")
    nav[0].button(
        "Previous", key=state.TOUR_PREVIOUS, disabled=index == 0, on_click=_go, args=(index - 1,), width="stretch"
    )
    nav[1].progress(
        (index + 1) / len(STEPS), text=f"Tour · step {index + 1} of {len(STEPS)} · the left/right arrow keys move too"
    )
    nav[2].button(
        "Next", key=state.TOUR_NEXT, disabled=index == len(STEPS) - 1, on_click=_go, args=(index + 1,), width="stretch"
    )
    st.header(step.title)
    st.markdown(step.text)
    step.view()
    if step.links:
        with st.container(horizontal=True, gap="medium"):
            for link in step.links:
                st.page_link(
                    link.page, label=link.label, query_params=link.params or None, icon=":material/open_in_new:"
                )
