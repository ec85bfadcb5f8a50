"""Layers peeled before decoding: frames built by hand from the specs, each compression, armor and stream kind,
combinations, and wrappers that lie."""

import base64
import bz2
import gzip
import json
import lzma
import zlib

import bson
import cbor2
import cramjam
import msgpack
import pytest
from backports import zstd

import formatlens as fl
from formatlens.layers import registry
from formatlens.layers.peel import UNPARSED

VALUE = {"name": "Ann", "tags": ["a", "b"], "n": 3}
JSON = json.dumps(VALUE).encode()
MESSAGE = b"\x08\x96\x01\x12\x03abc"  # field 1 = 150, field 2 = "abc"


def kinds(document):
    return [layer.kind for layer in document.layers]


# -- Confluent Schema Registry wire format


def test_confluent_protobuf_id_42_indexes_0():
    doc = fl.load(bytes.fromhex("000000002a00") + MESSAGE)
    assert doc.format == "protobuf" and kinds(doc) == ["confluent"]
    assert doc.layers[0].details == {"schema_id": 42, "message_indexes": [0]}
    assert (doc.layers[0].start, doc.layers[0].end) == (0, 6 + len(MESSAGE))
    assert doc.value == {"1": 150, "2": "abc"}
    assert [(s.start, s.end, s.kind) for s in doc.spans[:3]] == [(0, 1, "magic"), (1, 5, "header"), (5, 6, "header")]
    assert doc.spans[3].start == 6  # the payload's own spans, at their place in the input
    assert doc.findings[0].message.startswith("layer 1: Confluent") and doc.findings[0].severity == "info"


PROTO = 'syntax = "proto3";\nmessage A { int32 x = 1; }\nmessage B { message Inner { string s = 1; } int32 y = 1; }\n'


def test_confluent_message_indexes_pick_the_message():
    # indexes [1, 0] = zigzag count 2 (04), then 1 (02) and 0 (00): the first message nested in the second.
    doc = fl.load(bytes.fromhex("0000000007" + "040200") + b"\x0a\x02hi", schema=PROTO)
    assert doc.layers[0].details["message_indexes"] == [1, 0]
    assert doc.layers[0].details["message"] == "B.Inner"
    assert doc.value == {"s": "hi"}


def test_confluent_avro_without_schema_is_unparsed_with_a_finding():
    datum = b"\x02\x06Ann"  # Avro long 1, string "Ann"
    doc = fl.load(bytes.fromhex("0000000007") + datum)
    assert kinds(doc) == ["confluent"] and doc.layers[0].details["schema_id"] == 7
    assert doc.format == UNPARSED and doc.value is None
    assert any(f.severity == "warning" and "schema" in f.message for f in doc.findings)


def test_confluent_avro_with_supplied_schema():
    avsc = json.dumps(
        {"type": "record", "name": "R", "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}]}
    )
    doc = fl.load(bytes.fromhex("0000000007") + b"\x02\x06Ann", schema=avsc)
    assert doc.format == "avro" and doc.value == {"id": 1, "name": "Ann"}
    assert doc.layers[0].details["schema_source"] == "supplied"


def test_avro_single_object():
    avsc = json.dumps({"type": "record", "name": "R", "fields": [{"name": "id", "type": "long"}]})
    encoded = fl.load(b"\xc3\x01" + bytes(8) + b"\x02")
    assert kinds(encoded) == ["avro-single-object"] and encoded.format == UNPARSED
    doc = fl.load(b"\xc3\x01" + bytes(8) + b"\x02", schema=avsc)
    assert doc.format == "avro" and doc.value == {"id": 1}
    assert any("fingerprint" in f.message and f.severity == "warning" for f in doc.findings)


# -- gRPC


def grpc_frame(payload, flag=0):
    return bytes([flag]) + len(payload).to_bytes(4, "big") + payload


def test_grpc_one_message_then_protobuf():
    doc = fl.load(grpc_frame(MESSAGE))
    assert kinds(doc) == ["grpc"] and doc.value == {"1": 150, "2": "abc"}
    assert [s.kind for s in doc.spans[:2]] == ["type", "length"]


def test_grpc_several_messages_and_a_compressed_one():
    data = grpc_frame(MESSAGE) + grpc_frame(gzip.compress(b"\x08\x07"), flag=1)
    doc = fl.load(data)
    assert kinds(doc) == ["grpc"] and doc.layers[0].details["compressed_messages"] == 1
    assert doc.value == [{"1": 150, "2": "abc"}, {"1": 7}]
    assert doc.details["framing"] == "gRPC framing" and doc.details["messages"] == 2


def test_grpc_web_trailers_and_grpc_web_text():
    body = grpc_frame(MESSAGE) + grpc_frame(b"grpc-status:0\r\ngrpc-message:OK\r\n", flag=0x80)
    doc = fl.load(body)
    assert doc.layers[0].details["variant"] == "gRPC-web"
    assert doc.layers[0].details["trailers"] == {"grpc-status": "0", "grpc-message": "OK"}
    assert doc.value == [{"1": 150, "2": "abc"}]
    # grpc-web-text: each frame base64-encoded with its own padding, one after the other
    text = base64.b64encode(grpc_frame(b"\x08\x01")) + base64.b64encode(grpc_frame(b"grpc-status:0\r\n", flag=0x80))
    doc = fl.load(text)
    assert kinds(doc) == ["base64", "grpc"] and doc.value == [{"1": 1}]
    assert doc.layers[0].details["variant"] == "standard, chunks"


# -- length-prefixed streams


@pytest.mark.parametrize(
    "prefix, kind",
    [
        (lambda n: bytes([n]), "varint-delimited"),
        (lambda n: n.to_bytes(4, "big"), "u32be-prefixed"),
        (lambda n: n.to_bytes(4, "little"), "u32le-prefixed"),
    ],
)
def test_length_prefixed_protobuf_streams(prefix, kind):
    one, two = b"\x08\x01", b"\x08\x02\x12\x01x"
    doc = fl.load(prefix(len(one)) + one + prefix(len(two)) + two)
    assert kinds(doc) == [kind] and doc.format == "protobuf"
    assert doc.value == [{"1": 1}, {"1": 2, "2": "x"}]
    assert doc.spans[1].children[0].kind == "length" and doc.spans[1].path == (1,)


def test_varint_delimited_with_multibyte_lengths():
    big = b"\x12\x90\x01" + b"y" * 144
    data = b"\x93\x01" + big + b"\x02\x08\x05"
    doc = fl.load(data)
    assert kinds(doc) == ["varint-delimited"] and doc.value == [{"2": "y" * 144}, {"1": 5}]


def test_json_lines():
    doc = fl.load(b'{"a": 1}\n{"a": 2}\n\n[3]\n')
    assert kinds(doc) == ["json-lines"] and doc.format == "json" and doc.value == [{"a": 1}, {"a": 2}, [3]]
    assert doc.layers[0].details == {"lines": 3}


def test_json_lines_with_a_bad_line_keeps_the_others():
    doc = fl.load(b'{"a": 1}\n{"a": 2}\n{nope\n')
    assert doc.value == [{"a": 1}, {"a": 2}, None]
    assert any(f.severity == "warning" and "1 of the 3" in f.message for f in doc.findings)


@pytest.mark.parametrize(
    "data, fmt, kind",
    [
        (bson.encode({"a": 1}) + bson.encode({"a": 2}), "bson", "bson-sequence"),
        (cbor2.dumps({"a": 1}) + cbor2.dumps({"a": 2}), "cbor", "cbor-sequence"),
        (msgpack.packb({"a": 1}) + msgpack.packb({"a": 2}), "msgpack", "msgpack-stream"),
        (b"a: 1\n---\na: 2\n", "yaml", "yaml-documents"),
    ],
)
def test_streams_the_codecs_read_are_reported_as_layers(data, fmt, kind):
    doc = fl.load(data, fmt)
    assert kinds(doc) == [kind] and doc.value == [{"a": 1}, {"a": 2}]
    assert (doc.layers[0].start, doc.layers[0].end) == (0, len(data))


def test_avro_container_is_a_layer():
    from .conftest import SAMPLES

    doc = fl.load((SAMPLES / "users.avro").read_bytes())
    assert kinds(doc) == ["avro-container"] and doc.layers[0].details["records"] == len(doc.value)


# -- compression


COMPRESSORS = {
    "gzip": gzip.compress,
    "zlib": zlib.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zstd": zstd.compress,
    "lz4": lambda b: bytes(cramjam.lz4.compress(b)),
    "snappy": lambda b: bytes(cramjam.snappy.compress(b)),
}


@pytest.mark.parametrize("kind", COMPRESSORS)
def test_each_compression(kind):
    packed = COMPRESSORS[kind](JSON * 1 if kind != "snappy" else JSON)
    doc = fl.load(packed)
    assert kinds(doc) == [kind] and doc.format == "json" and doc.value == VALUE
    details = doc.layers[0].details
    assert details["compressed"] == len(packed) and details["decompressed"] == len(JSON)
    assert details["ratio"] == round(len(JSON) / len(packed), 2)
    assert doc.data == JSON and doc.layer_bytes(0) == packed


@pytest.mark.parametrize("kind", COMPRESSORS)
def test_each_compression_bomb_stops_at_the_limit(kind, monkeypatch):
    monkeypatch.setenv("FORMATLENS_MAX_DECOMPRESSED_BYTES", "100000")
    packed = COMPRESSORS[kind](b"\0" * 2_000_000)
    doc = fl.load(packed)
    assert kinds(doc) == [kind] and doc.format == UNPARSED
    assert "FORMATLENS_MAX_DECOMPRESSED_BYTES" in doc.layers[0].details["error"] or any(
        "FORMATLENS_MAX_DECOMPRESSED_BYTES" in f.message for f in doc.findings
    )


@pytest.mark.parametrize("kind", COMPRESSORS)
def test_each_compression_truncated_or_corrupt(kind):
    packed = COMPRESSORS[kind](JSON * 50)
    # zlib has only a 2-byte header, so its sniff inflates the start: zeros there are not zlib at all.
    corrupt = [] if kind == "zlib" else [packed[:12] + bytes(len(packed) - 12)]
    for broken in (packed[: len(packed) // 2], *corrupt):
        doc = fl.load(broken)
        assert kinds(doc) == [kind] and doc.format == UNPARSED, broken
        assert any(f.severity == "warning" for f in doc.findings)


def test_concatenated_gzip_members():
    doc = fl.load(gzip.compress(b'{"a": ') + gzip.compress(b"1}"))
    assert doc.value == {"a": 1} and doc.layers[0].details["members"] == 2


# -- text armor


@pytest.mark.parametrize(
    "encode, variant",
    [
        (base64.b64encode, "standard, padded"),
        (lambda b: base64.urlsafe_b64encode(b).rstrip(b"="), "url-safe, unpadded"),
        (lambda b: base64.b64encode(b).rstrip(b"="), "standard, unpadded"),
    ],
)
def test_base64_variants(encode, variant):
    payload = msgpack.packb({"k": [1, 2, 3], "bin": b"\xff\xfe\xfb"})
    doc = fl.load(encode(payload))
    assert kinds(doc) == ["base64"] and doc.format == "msgpack"
    assert doc.layers[0].details["variant"] == variant


def test_hex_armor_with_spaces():
    doc = fl.load(b"0x" + cbor2.dumps({"a": [1, 2]}).hex().encode())
    assert kinds(doc) == ["hex"] and doc.value == {"a": [1, 2]}
    doc = fl.load(" ".join(f"{b:02x}" for b in bson.encode({"a": 1})).encode())
    assert kinds(doc) == ["hex"] and doc.format == "bson"


def test_data_urls():
    doc = fl.load(b"data:application/json;base64," + base64.b64encode(JSON))
    assert (
        kinds(doc) == ["data-url"] and doc.value == VALUE and doc.layers[0].details["media_type"] == "application/json"
    )
    doc = fl.load(b"data:,%7B%22a%22%3A1%7D")
    assert doc.value == {"a": 1} and doc.layers[0].details["base64"] is False


def test_plain_text_is_not_taken_for_base64_or_hex():
    for text in (b"hello world", b"deadbeef", b"Abcdefgh", b"name,age\nann,3\n", b"12345678"):
        assert fl.load(text).layers == [], text


# -- combinations


def test_base64_gzip_json():
    doc = fl.load(base64.b64encode(gzip.compress(JSON)))
    assert kinds(doc) == ["base64", "gzip"] and doc.value == VALUE and doc.format == "json"
    assert [layer.source for layer in doc.layers] == [0, 1]
    assert doc.layer_bytes(1)[:2] == b"\x1f\x8b"


def test_hex_confluent_protobuf():
    doc = fl.load((bytes.fromhex("000000002a00") + MESSAGE).hex().encode())
    assert kinds(doc) == ["hex", "confluent"] and doc.value == {"1": 150, "2": "abc"}
    assert doc.layers[1].source == 1 and doc.spans[0].kind == "magic"


def test_data_url_zstd_grpc_stream():
    inner = zstd.compress(grpc_frame(b"\x08\x01") + grpc_frame(b"\x08\x02"))
    doc = fl.load(b"data:application/octet-stream;base64," + base64.b64encode(inner))
    assert kinds(doc) == ["data-url", "zstd", "grpc"] and doc.value == [{"1": 1}, {"1": 2}]


def test_layers_stop_at_the_limit(monkeypatch):
    data = JSON
    for _ in range(10):
        data = gzip.compress(data)
    doc = fl.load(data)
    assert kinds(doc) == ["gzip"] * 8 and doc.format == UNPARSED
    assert any("stopped after 8 layers" in f.message for f in doc.findings)
    monkeypatch.setenv("FORMATLENS_MAX_LAYERS", "12")
    assert fl.load(data).value == VALUE


def test_peel_false_and_forced_format():
    packed = gzip.compress(JSON)
    assert fl.load(packed, "json").value == VALUE
    with pytest.raises(fl.FormatError):
        fl.load(packed, "json", peel=False)
    assert fl.load(JSON, peel=False).layers == []


# -- wrappers that lie


def test_lying_grpc_length_inside_base64_keeps_the_outer_layer():
    lie = b"\x00" + (1000).to_bytes(4, "big") + MESSAGE
    doc = fl.load(base64.b64encode(gzip.compress(lie)))
    assert kinds(doc)[:2] == ["base64", "gzip"] and doc.format == UNPARSED
    assert doc.data == lie and any("unparsed" in f.message for f in doc.findings)


def test_lying_lz4_and_snappy_lengths_do_not_crash():
    lz = bytearray(cramjam.lz4.compress(JSON * 20))
    lz[7:11] = (0x7FFFFFF0).to_bytes(4, "little")  # first block size far past the end
    assert fl.load(bytes(lz)).format == UNPARSED
    sn = bytearray(cramjam.snappy.compress(JSON))
    sn[11:14] = (0xFFFFFF).to_bytes(3, "little")
    assert fl.load(bytes(sn)).format == UNPARSED


def test_confluent_with_cut_index_array():
    doc = fl.load(bytes.fromhex("000000002a") + b"\x80", "protobuf")
    assert kinds(doc) == ["confluent"] and doc.format == UNPARSED


def test_every_layer_is_registered_with_a_title():
    titles = registry.titles()
    assert set(registry.LAYER_CLASSES) <= set(titles) and all(titles.values())


# -- across the worker boundary, and on the command line


def test_worker_pool_carries_layers_and_the_bytes_they_made():
    from formatlens.runtime.isolation import WorkerPool

    data = base64.b64encode(gzip.compress(JSON))
    pool = WorkerPool(workers=1)
    try:
        doc = pool.load(data)
        framed = pool.load(bytes.fromhex("000000002a00") + MESSAGE)
    finally:
        pool.close()
    assert kinds(doc) == ["base64", "gzip"] and doc.value == VALUE and doc.data == JSON
    assert doc.layer_bytes(0) == data
    assert doc.layer_bytes(1)[:2] == b"\x1f\x8b"
    assert framed.data == bytes.fromhex("000000002a00") + MESSAGE and framed.layers[0].details["schema_id"] == 42
    assert framed.spans[0].kind == "magic"


def test_cli_prints_layers_and_no_peel(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    path = tmp_path / "message.bin"
    path.write_bytes(bytes.fromhex("000000002a00") + MESSAGE)
    done = subprocess.run(
        [sys.executable, "-m", "formatlens", "inspect", str(path)], capture_output=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "layers:   confluent > protobuf" in out and "schema_id=42, message_indexes=[0]" in out
    done = subprocess.run(
        [sys.executable, "-m", "formatlens", "inspect", "--no-peel", str(path)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and b"no format recognised" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "formatlens", "inspect", "--json", str(path)], capture_output=True, cwd=ROOT, timeout=120
    )
    report = json.loads(done.stdout)
    assert report["layers"][0]["kind"] == "confluent" and report["layers"][0]["details"]["schema_id"] == 42


@pytest.mark.timeout(60)
def test_near_misses_do_not_backtrack():
    # Long texts that almost look like armor or framing are refused in linear time.
    for text in (b"A" * 200_000 + b"!", b"1" * 60_000, b"ab" * 100_000 + b"g", b"a: " + b"1" * 60_000):
        assert [layer.kind for layer in registry.available() if layer.sniff(text)] == [], text[:20]
