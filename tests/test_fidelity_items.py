"""Real files from other tools and engines: what formatlens read wrongly and now reads faithfully."""

from __future__ import annotations

import datetime as dt
import io
import pickle
from zoneinfo import ZoneInfo

import fastavro
import numpy as np
import pandas as pd
import pytest

import formatlens as fl

from .conftest import corpus_dir


@pytest.mark.parametrize("codec", ["bzip2", "xz"])
def test_avro_bzip2_and_xz_containers(codec):
    schema = fastavro.parse_schema({"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]})
    out = io.BytesIO()
    fastavro.writer(out, schema, [{"a": i} for i in range(50)], codec=codec)
    doc = fl.load(out.getvalue())
    assert (doc.format, doc.details["codec"], [r["a"] for r in doc.value]) == ("avro", codec, list(range(50)))
    again = fl.convert(out.getvalue(), "avro")
    assert again.losses == [] and fl.load(again.data).details["codec"] == codec
    written = fl.convert_value([{"a": 1}], "avro", codec=codec).data
    assert list(fastavro.reader(io.BytesIO(written))) == [{"a": 1}]  # and fastavro reads what we write


def test_avro_container_with_binary_metadata_reads_its_records():
    doc = fl.load((corpus_dir("avro", "data") / "syncInMeta.avro").read_bytes(), "avro")
    assert len(doc.value) == 6001 and doc.value[0]["First"] == "Dante"
    assert any("'avro.sync' holds binary values" in f.message for f in doc.findings)


def test_avro_stray_trailing_byte_is_a_finding_not_a_refusal():
    data = (corpus_dir("avro", "lang-js-dat") / "person-10.no-codec.avro").read_bytes()
    doc = fl.load(data, "avro")
    assert len(doc.value) == 10
    (warning,) = [f for f in doc.findings if f.severity == "warning"]
    assert warning.message.startswith("1 stray byte after the last block (at byte 494)")
    assert (warning.span.start, warning.span.end) == (494, 495)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_pickled_zoneinfo_datetime_is_data_without_false_danger(protocol):
    value = [dt.datetime(2024, 5, 1, 12, tzinfo=ZoneInfo("Europe/Paris"))]
    doc = fl.load(pickle.dumps(value, protocol=protocol), "pickle")
    assert doc.value == value and doc.value[0].tzinfo == ZoneInfo("Europe/Paris")
    assert [f.severity for f in doc.findings] == ["info", "info"]
    assert any("zoneinfo.ZoneInfo" in f.message for f in doc.findings)


def test_getattr_outside_the_zoneinfo_pattern_is_still_a_danger():
    # getattr(zoneinfo.ZoneInfo, "clear_cache")(): the same imports, another use
    data = b"\x80\x04cbuiltins\ngetattr\nczoneinfo\nZoneInfo\nX\x0b\x00\x00\x00clear_cache\x86R)R."
    doc = fl.load(data, "pickle")
    dangers = [f.message for f in doc.findings if f.severity == "danger"]
    assert any("imports builtins.getattr" in m for m in dangers)
    assert any("calls builtins.getattr" in m for m in dangers)


@pytest.mark.parametrize("obj", [np.arange(3), pd.DataFrame({"a": [1, 2]})], ids=["numpy", "pandas"])
def test_numpy_and_pandas_pickles_leak_no_internal_objects(obj):
    data = pickle.dumps(obj)
    doc = fl.load(data, "pickle")
    text = fl.convert(data, "json").data.decode()
    assert "GlobalRef" not in text and ("!global" in text or "!new" in text)
    assert "GlobalRef" not in repr(fl.load(fl.convert(data, "yaml").data, "yaml").value)
    assert any(f.severity == "danger" for f in doc.findings)


def test_msgpack_timestamp_outside_the_datetime_range_is_shown_not_refused():
    import msgpack

    year_zero = msgpack.Timestamp(-62167219200, 0)  # msgpack's own test vector: 0000-01-01T00:00:00Z
    data = msgpack.packb({"t": year_zero, "ok": msgpack.Timestamp(1, 5000)})
    doc = fl.load(data)
    assert doc.format == "msgpack" and doc.value["t"] == year_zero
    assert doc.value["ok"] == dt.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=dt.UTC)
    (info,) = doc.findings
    assert "outside Python's datetime range (e.g. -62167219200 s 0 ns)" in info.message
    assert fl.convert(data, "msgpack").losses == []
    assert "written as {seconds, nanoseconds}" in fl.convert(data, "json").losses[0]


def test_csv_lines_ending_with_the_delimiter_keep_their_header():
    data = b"name;age;\r\nAda;36;\r\nBob;41;\r\n"  # what Excel and open-data portals write
    doc = fl.load(data, filename="export.csv")
    assert doc.format == "csv" and doc.value == [{"name": "Ada", "age": "36"}, {"name": "Bob", "age": "41"}]
    assert [f.message for f in doc.findings] == [
        "every line ends with the delimiter ';': the empty last column was dropped"
    ]
    assert fl.load(b"a,b\n1,\n2,\n", "csv").value == [{"a": "1", "b": ""}, {"a": "2", "b": ""}]  # data, kept
