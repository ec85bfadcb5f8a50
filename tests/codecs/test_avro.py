import io
import json

import fastavro
import pytest

import formatlens as fl

from ..conftest import corpus_dir

SCHEMA = {
    "type": "record",
    "name": "User",
    "fields": [{"name": "id", "type": "int"}, {"name": "name", "type": "string"}],
}
ROWS = [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}]


def container(rows=ROWS, schema=SCHEMA, codec="null", **options) -> bytes:
    out = io.BytesIO()
    fastavro.writer(out, fastavro.parse_schema(schema), rows, codec=codec, **options)
    return out.getvalue()


def test_container_value_schema_and_spans():
    data = container(codec="deflate", metadata={"team": "data"})
    doc = fl.load(data)
    assert doc.format == "avro" and doc.value == ROWS
    assert json.loads(doc.schema.text)["name"] == "User"
    assert doc.schema.details["fields"] == [{"name": "id", "type": "int"}, {"name": "name", "type": "string"}]
    assert doc.details["codec"] == "deflate" and doc.details["metadata"]["team"] == "data"
    magic, header, sync, block = doc.spans
    assert (magic.kind, magic.end) == ("magic", 4)
    keys = [entry.children[0].label for entry in header.children if entry.kind == "entry"]
    assert "key 'avro.schema'" in keys and "key 'team'" in keys
    assert sync.label == f"sync marker {doc.details['sync_marker']}"
    assert [c.kind for c in block.children] == ["length", "length", "compressed", "magic"]
    assert block.end == len(data)


@pytest.mark.parametrize("codec", ["null", "deflate", "snappy", "zstd"])
def test_encode_codecs_round_trip(codec):
    data = fl.dump(ROWS, "avro", codec=codec)
    assert fl.load(data).value == ROWS


def test_encode_with_supplied_schema():
    data = fl.dump(ROWS, "avro", schema=json.dumps(SCHEMA))
    assert fastavro.reader(io.BytesIO(data)).writer_schema["name"] == "User"


def test_schemaless_datum_and_single_object():
    datum = io.BytesIO()
    fastavro.schemaless_writer(datum, fastavro.parse_schema(SCHEMA), ROWS[0])
    doc = fl.load(datum.getvalue(), "avro", schema=json.dumps(SCHEMA))
    assert doc.value == ROWS[0]
    folder = corpus_dir("avro", "data", "messageV1")
    doc = fl.load((folder / "test_message.bin").read_bytes(), "avro", schema=(folder / "test_schema.avsc").read_text())
    assert doc.value["name"] == "Bill" and "single-object" in doc.findings[0].message
    # Peeled, the single-object header is a layer: another schema's fingerprint leaves the datum unparsed
    # with a finding; the codec alone (peel=False) refuses it.
    other = fl.load((folder / "test_message.bin").read_bytes(), "avro", schema=json.dumps(SCHEMA))
    assert [layer.kind for layer in other.layers] == ["avro-single-object"] and other.format == "unparsed"
    assert any("fingerprint" in f.message and f.severity == "warning" for f in other.findings)
    with pytest.raises(fl.FormatError, match="fingerprint"):
        fl.load((folder / "test_message.bin").read_bytes(), "avro", schema=json.dumps(SCHEMA), peel=False)


def test_schema_evolution_report():
    reader = {
        "type": "record",
        "name": "User",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "email", "type": "string", "default": "unknown"},
        ],
    }
    doc = fl.load(container(), "avro", reader_schema=json.dumps(reader))
    assert doc.value == [{"id": 1, "email": "unknown"}, {"id": 2, "email": "unknown"}]
    changes = {c["field"]: c["change"] for c in doc.details["evolution"]}
    assert changes == {
        "id": "promoted from int to long",
        "email": "defaulted (added in the reader schema)",
        "name": "dropped (not in the reader schema)",
    }


@pytest.mark.parametrize("codec", ["deflate", "zstandard", "snappy"])
def test_compression_bomb_is_refused_at_the_limit(monkeypatch, codec):
    monkeypatch.setenv("FORMATLENS_MAX_DECOMPRESSED_BYTES", str(1 << 20))
    rows = [{"id": 1, "name": "x" * 1_000_000} for _ in range(4)]
    data = container(rows, codec=codec)
    assert len(data) < 250_000
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_DECOMPRESSED_BYTES"):
        fl.load(data)


def test_bad_inputs():
    with pytest.raises(fl.FormatError, match="not a valid Avro schema"):
        fl.load(b"\x02", "avro", schema="{not json")
    with pytest.raises(fl.FormatError, match="supply the writer schema"):
        fl.load(b"\x02\x04", "avro")
    data = container()
    with pytest.raises(fl.FormatError, match="sync marker") as info:
        fl.load(data[:-1] + b"\x00", "avro")
    assert info.value.offset == len(data) - 16


def test_each_block_names_its_first_and_last_record():
    schema = {"type": "record", "name": "R", "fields": [{"name": "i", "type": "long"}]}
    out = io.BytesIO()
    fastavro.writer(out, schema, [{"i": i} for i in range(250)], sync_interval=20)  # blocks of a few records
    document = fl.load(out.getvalue(), "avro")
    blocks = [s for s in document.spans if s.label.startswith("block ")]
    counts = [b["records"] for b in document.details["blocks"]]
    assert len(blocks) == len(counts) > 5 and sum(counts) == 250
    firsts = [sum(counts[:i]) for i in range(len(counts))]
    assert [b.children[2].label for b in blocks] == [f"records {f:,}-{f + c - 1:,}" for f, c in zip(firsts, counts)]
    assert [b.children[2].path for b in blocks] == [(f,) for f in firsts]
