"""Format guide: the tutorial's comparison tables, generated from the codecs' traits, and a card per format."""

import pandas as pd
import streamlit as st

import formatlens as fl
from formatlens.analysis.guide import classification_table, groups, pros_and_cons
from formatlens.analysis.samples import users
from formatlens.ui.router import through_app

through_app()  # a link opened first on a fresh server still goes through app.py

st.title("Format guide")
infos = fl.formats()
st.caption(
    "Every table here is generated from what each codec declares about itself and from measuring the "
    "tutorial's users in every format: nothing is typed by hand."
)

st.subheader("How the formats classify")
st.dataframe(pd.DataFrame(classification_table(infos)), hide_index=True, width="stretch")
cols = st.columns(len(groups(infos)))
for col, (name, sides) in zip(cols, groups(infos).items()):
    with col:
        st.markdown(f"**{name}**")
        for side, members in sides.items():
            st.markdown(f"*{side}*: {', '.join(members)}")


@st.cache_data(show_spinner="Measuring 1,000 users in every format…")
def measured():
    return fl.compare(users(1000), repeat=3)


st.subheader("Pros and cons (1,000 users, measured now)")
st.dataframe(pd.DataFrame(pros_and_cons(infos, measured())), hide_index=True, width="stretch")

st.subheader("The formats")
for row_start in range(0, len(infos), 3):
    cols = st.columns(3)
    for col, info in zip(cols, infos[row_start : row_start + 3]):
        with col.container(border=True):
            st.markdown(f"### {info.title}")
            st.write(info.summary)
            st.caption(f"`{info.media_type}` · {' '.join(info.extensions)} · library **{info.library}**")
            st.code(info.snippet, language="python")
            links = st.columns(2)
            links[0].page_link("pages/inspect.py", label="Inspect a sample", query_params={"sample": info.sample})
            links[1].page_link("pages/compare.py", label="Compare it", query_params={"sample": info.sample})
