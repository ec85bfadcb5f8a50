import bson

import formatlens as fl
from formatlens.render.hexdump import flatten, innermost_span, span_for_path


def test_lookups():
    data = bson.encode({"name": "Ann"})
    doc = fl.load(data)
    assert innermost_span(doc.spans, 5).label == "key 'name'"
    assert span_for_path(doc.spans, ("name",)).kind == "entry"
    rows = flatten(doc.spans)
    assert rows[0].depth == 0 and rows[1].depth == 1 and rows[1].kind == "length"
