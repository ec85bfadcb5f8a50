"""Span invariants over every sample: in bounds, nested, sorted; binary formats annotated end to end."""

from typing import get_args

import pytest

import formatlens as fl
from formatlens.core.document import SpanKind

from .conftest import BINARY, SAMPLE_FILES, expected_format

KINDS = set(get_args(SpanKind))


def check_span(span, lo, hi):
    assert lo <= span.start <= span.end <= hi, span
    assert span.kind in KINDS and span.label
    previous_end = span.start
    for child in span.children:
        assert child.start >= previous_end, (span.label, child.label)  # sorted, no overlap
        check_span(child, span.start, span.end)
        previous_end = child.end


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_spans(path):
    doc = fl.load(path.read_bytes())
    assert doc.spans
    check_span(fl.Span(0, len(doc.data), "value", "all", (), tuple(doc.spans)), 0, len(doc.data))
    if doc.format in BINARY:
        # Top-level spans cover every byte, one after another.
        assert doc.spans[0].start == 0 and doc.spans[-1].end == len(doc.data)
        assert all(a.end == b.start for a, b in zip(doc.spans, doc.spans[1:]))


def test_byte_coverage_covers_all_seven_binary_formats():
    covered = {expected_format(p) for p in SAMPLE_FILES} & set(BINARY)
    assert covered == {"pickle", "bson", "msgpack", "cbor", "avro", "parquet", "protobuf"}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_span_paths_point_into_the_value(path):
    doc = fl.load(path.read_bytes())
    for top in doc.spans[:50]:
        for span in top.walk():
            node = doc.value
            for step in span.path:
                if isinstance(node, dict):
                    assert step in node, (span.label, span.path)
                    node = node[step]
                else:
                    assert isinstance(step, int) and step < len(node), (span.label, span.path)
                    node = node[step]


@pytest.mark.parametrize("fmt", ["msgpack", "cbor"])
def test_the_items_of_a_stream_have_the_paths_of_their_values(fmt):
    # A stream of several items is the list of them (one_or_many): item i is value[i], and so are the paths
    # inside it. Every item had the path (), so the tree showed the whole list for each (found by review).
    import cbor2
    import msgpack

    from formatlens.render.tree import TreeModel, value_at

    dump = msgpack.packb if fmt == "msgpack" else cbor2.dumps
    data = b"".join(dump({"id": i, "tags": ["x"] * i}) for i in range(3))
    document = fl.load(data, fmt)
    assert [span.path for span in document.spans] == [(0,), (1,), (2,)]
    assert [value_at(document.value, span.path) for span in document.spans] == document.value
    deepest = {child.path for span in document.spans for child in span.children if child.kind == "value"}
    assert {(2, "tags")} <= deepest and {("tags",)}.isdisjoint(deepest)
    rows = TreeModel(document.spans, document.value, len(data)).rows((), 0, 3)
    assert [row[4:6] for row in rows] == [["dict (2)", "{id, tags}"]] * 3
    single = fl.load(dump({"id": 0}), fmt)
    assert [span.path for span in single.spans] == [()]  # one item is the value itself
