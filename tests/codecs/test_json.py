import pytest

import formatlens as fl


def test_decodes_and_annotates_members():
    doc = fl.load('{"name": "Zoë", "tags": [1, 2]}'.encode())
    assert doc.value == {"name": "Zoë", "tags": [1, 2]}
    name, tags = doc.spans
    assert name.label == "'name': \"Zoë\"" and name.path == ("name",)
    key, value = name.children
    assert doc.data[key.start : key.end] == b'"name"'
    assert doc.data[value.start : value.end] == '"Zoë"'.encode()  # byte offsets, not characters
    assert doc.data[tags.children[1].start : tags.children[1].end] == b"[1, 2]"


def test_error_offset_is_in_bytes_after_multibyte_text():
    with pytest.raises(fl.FormatError) as info:
        fl.load('{"é": 1, "ü": tru}'.encode(), "json")  # (a trailing comma is JSON with comments now)
    assert info.value.offset == len('{"é": 1, "ü": '.encode())
    assert "missing value" in info.value.hint


def test_nan_refused_unless_asked():
    with pytest.raises(fl.FormatError, match="NaN"):
        fl.load(b"[NaN]", "json")
    doc = fl.load(b"[NaN]", "json", allow_nan=True)
    assert doc.value[0] != doc.value[0]


def test_utf16_with_bom():
    data = '{"a": "ü"}'.encode("utf-16")
    assert fl.detect(data)[0][0] == "json"
    doc = fl.load(data)
    assert doc.value == {"a": "ü"} and doc.details["encoding"] == "utf-16-le"
    assert doc.spans[0].start == 4  # 2-byte BOM, 2-byte "{"


def test_encode_options():
    value = {"b": 1, "a": "ü"}
    assert fl.dump(value, "json", indent=None, sort_keys=True) == '{"a": "ü", "b": 1}'.encode()
    assert fl.dump(value, "json", indent=None, ensure_ascii=True) == b'{"b": 1, "a": "\\u00fc"}'
    assert fl.dump([1], "json", indent=4) == b"[\n    1\n]"


def test_jsonpickle_tags_are_findings_not_actions(marker):
    data = f'{{"py/reduce": [{{"py/function": "os.system"}}, {{"py/tuple": ["touch {marker}"]}}]}}'.encode()
    doc = fl.load(data)
    assert doc.format == "json"
    messages = [f.message for f in doc.findings if f.severity == "danger"]
    assert any("py/reduce" in m for m in messages) and any("py/function (os.system)" in m for m in messages)
    assert doc.value["py/reduce"][0] == {"py/function": "os.system"}


def test_scalar_document_and_extra_data():
    assert fl.load(b" 42 ", "json").value == 42
    assert fl.load(b'{"a": 1}\n{"b": 2}', "json").value == [{"a": 1}, {"b": 2}]  # peeled as JSON Lines
    with pytest.raises(fl.FormatError, match="Extra data") as info:
        fl.load(b'{"a": 1}\n{"b": 2}', "json", peel=False)
    assert info.value.offset == 9 and "JSON Lines" in info.value.hint


def test_json_lines_larger_than_the_sniff_window_are_read_line_by_line():
    # Over 64 KiB the JSON codec does not parse to sniff; a whole value followed by another in its first
    # bytes is JSON Lines (found by review: 3,000 lines were refused with "Extra data").
    import json

    lines = b"".join(json.dumps({"id": i, "name": f"user {i}"}).encode() + b"\n" for i in range(3000))
    assert len(lines) > 65536
    document = fl.load(lines)
    assert document.format == "json" and [layer.kind for layer in document.layers] == ["json-lines"]
    assert document.value == [{"id": i, "name": f"user {i}"} for i in range(3000)]
    single = json.dumps([{"id": i} for i in range(20000)], indent=2).encode()  # one large document
    assert fl.load(single).layers == [] and fl.load(single).value[19999] == {"id": 19999}
