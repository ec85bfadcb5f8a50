import pytest

import formatlens as fl

from .conftest import SAMPLE_FILES, expected_format


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_is_detected_as_its_own_format(path):
    assert fl.detect(path.read_bytes())[0][0] == expected_format(path)


def test_extension_is_a_hint_not_the_answer():
    assert fl.detect(b'{"a": 1}', "data.yaml")[0][0] == "json"
    plain = fl.detect(b"a: 1\n")
    hinted = fl.detect(b"a: 1\n", "x.yml")
    assert hinted[0][1] == pytest.approx(plain[0][1] + 0.05)


def test_json_outranks_yaml_for_json():
    ranking = dict(fl.detect(b'{"a": [1, 2, 3]}'))
    assert ranking["json"] > ranking["yaml"]


def test_ranking_is_sorted_and_bounded():
    for path in SAMPLE_FILES:
        ranking = fl.detect(path.read_bytes())
        scores = [score for _, score in ranking]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < score <= 1 for score in scores)


def test_nothing_detected_in_noise():
    assert fl.detect(b"") == []
    assert fl.detect(bytes(range(256))[::-1]) == []


# Inputs over 1 MiB are sniffed from their first items only (codecs' sniff stays cheap at the upload cap).
# A CBOR array of records was detected as MessagePack, and a schemaless protobuf as CSV, at 46 MiB.
BIG_RECORDS = [{"id": i, "name": f"user {i}", "email": f"user{i}@example.net", "score": i * 0.5} for i in range(25_000)]


def _protobuf_records(count: int) -> bytes:
    """A message with ``count`` repeated submessages (field 1), each {1: id varint, 2: name string}: protoc's wire layout."""
    out = bytearray()
    for i in range(count):
        name = f"user {i}, a name".encode()
        inner = b"\x08" + _varint(i) + b"\x12" + _varint(len(name)) + name
        out += b"\x0a" + _varint(len(inner)) + inner
    return bytes(out)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def test_a_big_cbor_array_is_cbor_not_msgpack():
    import cbor2

    data = cbor2.dumps(BIG_RECORDS)
    assert len(data) > 1 << 20
    assert fl.detect(data)[0][0] == "cbor"


def test_a_big_msgpack_array_is_msgpack_not_cbor():
    import msgpack

    data = msgpack.packb(BIG_RECORDS)
    assert len(data) > 1 << 20
    assert fl.detect(data)[0][0] == "msgpack"


def test_a_big_schemaless_protobuf_is_protobuf_not_csv():
    data = _protobuf_records(60_000)
    assert len(data) > 1 << 20
    assert fl.detect(data)[0][0] == "protobuf"
    # and protobuf's library reads it as a message of 60,000 length-delimited fields (the test's wire layout is right)
    from google.protobuf import empty_pb2
    from google.protobuf.unknown_fields import UnknownFieldSet

    message = empty_pb2.Empty()
    message.ParseFromString(data)
    assert len(UnknownFieldSet(message)) == 60_000


def test_a_big_input_whose_first_items_are_corrupt_is_not_msgpack_or_cbor():
    import msgpack

    data = bytearray(msgpack.packb(BIG_RECORDS))
    assert data[3] == 0x84  # the first record's header (a map of 4)
    data[3] = 0xC1  # a byte MessagePack never uses
    ranking = dict(fl.detect(bytes(data)))
    assert ranking.get("msgpack", 0) == 0
