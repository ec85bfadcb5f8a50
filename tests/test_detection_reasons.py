"""Detection says why: each codec's sniff gives its reason, on files other tools wrote, and the app shows it."""

import io
import pickle
import xml.etree.ElementTree as ET

import bson
import cbor2
import msgpack
import pytest
from google.protobuf import timestamp_pb2

import formatlens as fl
from tests.conftest import corpus_dir
from tests.test_app import started_app

VALUE = {"name": "Ann", "tags": [1, 2]}


def _corpus(folder: str, *path: str) -> bytes:
    return corpus_dir(folder).joinpath(*path).read_bytes()


def _csv_from_stdlib() -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([["a", "b", "c"], [1, 2, 3], [4, 5, 6]])
    return out.getvalue().encode()


# (format, how the bytes are made, the reason expected): each written by a library or taken from a corpus.
CASES = {
    "parquet": (
        lambda: _corpus("parquet-testing", "data", "alltypes_plain.parquet"),
        "magic bytes PAR1 at the start and the end",
    ),
    "avro": (lambda: _corpus("avro", "data", "weather.avro"), "magic bytes Obj\\x01 (an Avro object container file)"),
    "json": (lambda: _corpus("JSONTestSuite", "test_parsing", "y_object.json"), "starts with `{` and parses"),
    "yaml": (lambda: _corpus("yaml-test-suite", "data", "229Q", "in.yaml"), "6 `key: value` lines"),
    "csv": (_csv_from_stdlib, "3 lines of 3 fields each, split by commas"),
    "xml": (lambda: ET.tostring(ET.Element("users", {"n": "1"})), "starts with the tag `<users>`"),
    "bson": (lambda: bson.encode(VALUE), "a length prefix of 44 bytes that matches the input, ending on 0x00"),
    "msgpack": (lambda: msgpack.packb(VALUE), "starts with a MessagePack map (0x82) and unpacks to the end"),
    "cbor": (lambda: cbor2.dumps(VALUE), "starts with a CBOR map (0xa2) and parses to the end"),
    "pickle": (
        lambda: pickle.dumps(VALUE, protocol=5),
        "magic bytes 80 05 (pickle protocol 5), ending with the STOP opcode `.`",
    ),
    # protoc's own output: the serialized descriptor of google/protobuf/timestamp.proto
    "protobuf": (
        lambda: timestamp_pb2.DESCRIPTOR.serialized_pb,
        "a valid protobuf wire walk of {size:,} bytes (5 top-level fields; protobuf has no magic bytes)",
    ),
}


def test_every_format_has_a_case():
    assert set(CASES) == {info.name for info in fl.formats()}


@pytest.mark.parametrize("format", list(CASES))
def test_the_winner_says_why(format):
    make, reason = CASES[format]
    data = make()
    best = fl.explain_detection(data)[0]
    assert best.format == format
    assert best.reason == reason.replace("{size:,}", f"{len(data):,}")
    assert [(d.format, d.confidence) for d in fl.explain_detection(data)] == fl.detect(data)


def test_the_extension_adds_its_own_reason():
    data = msgpack.packb(VALUE)
    plain, hinted = fl.explain_detection(data)[0], fl.explain_detection(data, "x.msgpack")[0]
    assert hinted.reason == plain.reason + "; the file name ends in .msgpack"
    assert hinted.confidence == pytest.approx(plain.confidence + 0.05)


def test_a_runner_up_says_why_too():
    ranking = fl.explain_detection(b'{"a": 1}')
    assert [(d.format, d.reason) for d in ranking] == [
        ("json", "starts with `{` and parses"),
        ("yaml", "starts with `{`: JSON is YAML too"),
    ]


def test_every_codec_sniff_returns_a_sniff_with_a_reason():
    from formatlens.codecs.base import Sniff
    from formatlens.core import registry

    for codec in registry.available():
        for data in (b"", b"\x00\x01garbage", b"{"):
            found = codec.sniff(data)
            assert isinstance(found, Sniff) and isinstance(found.reason, str) and found.reason, codec.name
            assert 0.0 <= found.score <= 1.0


@pytest.fixture
def app(monkeypatch):
    return started_app(monkeypatch, timeout=60)


def test_the_sidebar_and_inspect_show_the_reasons(app):
    app.selectbox(key="sample").set_value("users.pb").run()
    assert not app.exception
    sidebar = " ".join(c.value for c in app.sidebar.caption).replace("\\", "")
    assert "**protobuf** 45%: a valid protobuf wire walk of 6,090 bytes (100 top-level fields" in sidebar
    assert "**csv**" not in sidebar  # protobuf's tag bytes 0x08 0x12 0x1a... are not text (they once ranked csv)
    confidence = next(m for m in app.metric if m.label == "Detection confidence")
    assert confidence.value == "45%"
    assert confidence.proto.help.startswith("Why: a valid protobuf wire walk of 6,090 bytes")
    assert any("protobuf because: a valid protobuf wire walk" in c.value.replace("\\", "") for c in app.main.caption)
