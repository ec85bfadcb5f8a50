import datetime as dt

import pytest

import formatlens as fl


def test_decodes_with_spans_per_top_level_key():
    data = b"name: Ann\nwhen: 2024-01-02\nlist:\n  - 1\n  - 2\n"
    doc = fl.load(data)
    assert doc.format == "yaml"
    assert doc.value == {"name": "Ann", "when": dt.date(2024, 1, 2), "list": [1, 2]}
    assert [s.path for s in doc.spans] == [("name",), ("when",), ("list",)]
    assert data[doc.spans[0].start : doc.spans[0].end] == b"name: Ann"


def test_multiple_documents_become_a_list():
    doc = fl.load(b"--- 1\n--- 2\n", "yaml")
    assert doc.value == [1, 2]
    assert doc.findings[0].message.startswith("2 YAML documents")
    assert [s.path for s in doc.spans] == [(0,), (1,)]


def test_error_has_byte_offset_and_hint():
    data = "é: [1\nb: 2".encode()
    with pytest.raises(fl.FormatError) as info:
        fl.load(data, "yaml")
    assert data[info.value.offset : info.value.offset + 1] == b":"  # the colon after b, in bytes


def test_encode_options():
    assert fl.dump({"b": 1, "a": [1, 2]}, "yaml") == b"b: 1\na:\n- 1\n- 2\n"
    assert fl.dump({"b": 1, "a": [1, 2]}, "yaml", sort_keys=True, default_flow_style=True) == b"{a: [1, 2], b: 1}\n"


def test_python_tags_are_data_with_a_danger_finding(marker):
    data = f'!!python/object/apply:os.system ["touch {marker}"]'.encode()
    doc = fl.load(data, "yaml")
    assert doc.value == {"!tag": "!!python/object/apply:os.system", "value": [f"touch {marker}"]}
    assert [f.severity for f in doc.findings] == ["danger"]


def test_a_key_that_overrides_a_merged_one_is_not_a_duplicate():
    # YAML's merge key: a key written in the mapping overrides one the merge brings in (found by review:
    # it was reported as a duplicate key pointing inside the anchor). Two written keys still repeat.
    override = fl.load(b"base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n", "yaml")
    assert override.value == {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}}
    assert [f.code for f in override.findings] == []
    repeated = fl.load(b"other:\n  y: 1\n  <<: {x: 1}\n  y: 3\n", "yaml")
    assert [(f.code, f.span.start if f.span else None) for f in repeated.findings] == [("yaml.duplicate-key", 29)]
