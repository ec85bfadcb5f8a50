import pytest

import formatlens as fl


def test_semicolon_dialect_header_and_row_spans():
    data = b'id;name\r\n1;Ann\r\n2;"B;o"\r\n'
    doc = fl.load(data)
    assert doc.format == "csv"
    assert doc.value == [{"id": "1", "name": "Ann"}, {"id": "2", "name": "B;o"}]
    assert doc.details["delimiter"] == ";" and doc.details["line_ending"] == "\r\n"
    header, _first, second = doc.spans
    assert header.kind == "header" and data[header.start : header.end] == b"id;name\r\n"
    assert data[second.start : second.end] == b'2;"B;o"\r\n' and second.path == (1,)
    assert doc.schema.details["columns"] == {"id": "integer", "name": "string"}
    assert doc.schema.details["inferred"] is True


def test_latin1_fallback_is_reported():
    doc = fl.load("name,city\nJosé,Málaga\n".encode("latin-1"), "csv")
    assert doc.value == [{"name": "José", "city": "Málaga"}]
    assert any("Latin-1" in f.message for f in doc.findings)


def test_bom_and_no_header():
    doc = fl.load(b"\xef\xbb\xbf1,2\n3,4\n", "csv")
    assert doc.value == [{"column_1": "1", "column_2": "2"}, {"column_1": "3", "column_2": "4"}]
    assert doc.details["bom"] is True and doc.spans[0].start == 3


def test_ragged_rows_are_kept_and_reported():
    doc = fl.load(b"a,b\n1\n2,3,4\n", "csv")
    assert doc.value == [{"a": "1", "b": None}, {"a": "2", "b": "3", "column_3": "4"}]
    assert "2 rows" in doc.findings[0].message


def test_encode_options():
    rows = [{"a": "1", "b": "x,y"}]
    assert fl.dump(rows, "csv") == b'a,b\r\n1,"x,y"\r\n'
    assert fl.dump(rows, "csv", delimiter="\t", lineterminator="\n", header=False) == b"1\tx,y\n"
    assert fl.dump(rows, "csv", quoting="all") == b'"a","b"\r\n"1","x,y"\r\n'
    with pytest.raises(fl.EncodeError):
        fl.dump({"a": 1}, "csv")


def test_convert_flattens_nested_records():
    result = fl.convert(b'[{"id": 1, "address": {"city": "Lyon"}, "tags": [1, 2]}]', "csv")
    assert result.data == b'id,address.city,tags\r\n1,Lyon,"[1, 2]"\r\n'
    assert "nested field 'address' flattened to address.<field> columns" in result.losses
