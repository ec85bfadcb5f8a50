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
