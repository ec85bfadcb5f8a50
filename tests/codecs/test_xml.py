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


def _document(children: list[str], after: bytes = b"\n", encoding: str = "utf-8") -> bytes:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    text = declaration + "<feed>\n" + "".join(f"  <{c}>{i}</{c}>\n" for i, c in enumerate(children)) + "</feed>"
    return text.encode(encoding) + after


@pytest.mark.parametrize(
    ("after", "encoding"),
    [(b"\n", "utf-8"), (b"  \r\n\t", "utf-8"), (b"<!-- </feed> -->\n", "utf-8"), (b"", "utf-16")],
)
def test_a_walk_cut_at_the_span_limit_gives_the_spans_of_a_whole_walk(monkeypatch, after, encoding):
    from formatlens.codecs.xml import _spans

    # "b" repeats only after the cut (its paths need an index), "c" never, "a" in the head
    names = ["a", "b", "c", "a"] + [f"u{i}" for i in range(10)] + ["b", "a"]
    data = _document(names, after.decode("ascii").encode(encoding) if after else b"", encoding)
    (whole,) = _spans(data)  # every child annotated
    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "10")
    document = fl.load(data, "xml")
    assert document.spans == [whole._replace(children=whole.children[:9])]  # 10 spans: the root and 9
    assert _spans(data, document.value) == _spans(data)  # with the value the walk may stop; the same spans
    (root,) = document.spans
    if encoding == "utf-8":  # (in UTF-16 the walk ends a tag at its ">" byte, one byte short: not this test's)
        end_tag = b"</feed>"
        assert (root.start, root.end) == (data.index(b"<feed>"), data.index(end_tag) + len(end_tag))
    assert [child.path for child in root.children[:4]] == [
        ("feed", "a", 0),
        ("feed", "b", 0),
        ("feed", "c"),
        ("feed", "a", 1),
    ]
    assert document.details["spans_cut_at"] == 10


def test_the_cut_walk_takes_the_repeated_names_from_the_value(monkeypatch):
    from formatlens.codecs.xml import _spans

    monkeypatch.setenv("FORMATLENS_MAX_SPANS", "3")
    data = _document(["x", "y", "z", "w", "v"])
    claimed = {"feed": {"x": ["0", "5"], "y": "1", "z": "2", "w": "3", "v": "4"}}  # as if x came again
    assert [s.path for s in _spans(data, claimed)[0].children] == [
        ("feed", "x", 0),
        ("feed", "y"),
        ("feed", "z"),
        ("feed", "w"),
    ]
    assert [s.path for s in _spans(data)[0].children][:1] == [("feed", "x")]


def test_an_unknown_encoding_in_the_declaration_is_a_refusal():
    data = b'<?xml version="1.0" encoding="tf-8"?>\n<feed><id>1</id></feed>'  # a byte lost from "utf-8"
    with pytest.raises(fl.FormatError, match="unknown encoding") as info:
        fl.load(data, "xml")
    assert not isinstance(info.value, fl.InternalError)
    assert info.value.offset == data.index(b"encoding")


def test_a_document_with_a_large_head_gets_its_far_values_from_the_decode():
    # Each far child is read with the document's head (its prolog and the root's start tag): a head the
    # input makes large would be parsed again per child (found by review: 2 MB of attribute, 1.9 s a window).
    from formatlens.codecs import xml as xml_codec

    small = b'<root a="x">' + b"<i>k</i>" * 100 + b"</root>"
    large = b'<root a="' + b"x" * (xml_codec.FAR_HEAD_BYTES + 1) + b'">' + b"<i>k</i>" * 100 + b"</root>"
    assert xml_codec.far_walk(small, xml_codec.first_child(small), {"i"}) is not None
    assert xml_codec.far_walk(large, xml_codec.first_child(large), {"i"}) is None
