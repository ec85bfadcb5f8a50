"""Hypothesis strategies that build documents from the type zoo."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.support.zoo import ZOO

LEAVES = [v for v in ZOO.values() if not isinstance(v, (dict, list, tuple, set, frozenset))]
CONTAINERS = [v for v in ZOO.values() if isinstance(v, (dict, list, tuple, set, frozenset))]
NAMES = ["a", "b", "name", "x1", "when", "n", "id"]

# Drawn by index: library values such as CBORTag(…, [list]) are not hashable, which sampled_from needs.
leaf = st.integers(0, len(LEAVES) - 1).map(LEAVES.__getitem__)
zoo_container = st.integers(0, len(CONTAINERS) - 1).map(CONTAINERS.__getitem__)


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(NAMES), children, max_size=3),
        st.tuples(children, children),
        zoo_container,
    )


value = st.recursive(leaf, _containers, max_leaves=6)
record = st.dictionaries(st.sampled_from(NAMES), value, min_size=1, max_size=4)
documents = st.one_of(record, st.lists(record, min_size=1, max_size=3))
"""A document: one record, or a few records (what tables hold), built from the zoo."""
