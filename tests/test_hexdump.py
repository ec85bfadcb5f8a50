import bson

import formatlens as fl
from formatlens.render.hexdump import flatten, hex_page, innermost_span, page_count, span_for_path

from .conftest import SAMPLES


def test_page_marks_each_byte_with_its_innermost_span():
    data = bson.encode({"a": 1})
    doc = fl.load(data)
    page = hex_page(data, doc.spans, 0)
    assert page["offset"] == 0 and bytes.fromhex(page["hex"]) == data
    kinds = [page["spans"][i][2] for i in page["innermost"]]
    assert kinds[:4] == ["length"] * 4 and kinds[4] == "type" and kinds[-1] == "footer"


def test_pages_hold_only_their_bytes():
    data = (SAMPLES / "users.msgpack").read_bytes()
    doc = fl.load(data)
    assert page_count(len(data)) == 3
    page = hex_page(data, doc.spans, 2)
    assert page["offset"] == 8192 and len(bytes.fromhex(page["hex"])) == len(data) - 8192
    assert all(s[1] > 8192 for s in page["spans"])
    assert all(i >= 0 for i in page["innermost"])  # msgpack annotates every byte


def test_lookups():
    data = bson.encode({"name": "Ann"})
    doc = fl.load(data)
    assert innermost_span(doc.spans, 5).label == "key 'name'"
    assert span_for_path(doc.spans, ("name",)).kind == "entry"
    rows = flatten(doc.spans)
    assert rows[0].depth == 0 and rows[1].depth == 1 and rows[1].kind == "length"
