import pytest

import formatlens as fl


def test_xmltodict_shape_and_spans(tmp_path):
    data = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" lang="en"><entry>a</entry><entry>b</entry><id/></feed>'
    doc = fl.load(data)
    assert doc.value == {
        "feed": {"@xmlns": "http://www.w3.org/2005/Atom", "@lang": "en", "entry": ["a", "b"], "id": None}
    }
    (root,) = doc.spans
    assert root.label == "root element <feed>"
    assert [data[s.start : s.end] for s in root.children] == [b"<entry>a</entry>", b"<entry>b</entry>", b"<id/>"]
    assert [s.path for s in root.children] == [("feed", "entry", 0), ("feed", "entry", 1), ("feed", "id")]


def test_mismatched_tag_offset():
    with pytest.raises(fl.FormatError, match="mismatched tag") as info:
        fl.load(b"<a><b></a>", "xml")
    assert info.value.offset == 8


def test_encode_pretty_and_root():
    assert fl.dump({"a": {"@x": "1", "b": "t"}}, "xml", pretty=False) == (
        b'<?xml version="1.0" encoding="utf-8"?>\n<a x="1"><b>t</b></a>'
    )
    with pytest.raises(fl.EncodeError, match="one root"):
        fl.dump([1, 2], "xml")


def test_convert_wraps_lists_and_fixes_names():
    result = fl.convert(b'[{"first name": "Ann", "1st": true}]', "xml")
    assert fl.load(result.data).value == {"root": {"item": {"first_name": "Ann", "_1st": "true"}}}
    assert any("one root element" in loss for loss in result.losses)
    assert any("not valid XML names" in loss for loss in result.losses)
    assert any("no types" in loss for loss in result.losses)
