import datetime as dt
import json
from decimal import Decimal

import jsonschema
import pyarrow as pa

import formatlens as fl
from formatlens.convert.adapt import to_jsonable
from formatlens.convert.infer import coerce, infer, infer_records, to_arrow_schema, to_avro, to_json_schema, to_proto

ROWS = [
    {
        "id": 1,
        "score": 2,
        "tag": "a",
        "when": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "price": Decimal("1.50"),
        "blob": b"\x00",
        "items": [],
    },
    {
        "id": 2,
        "score": 2.5,
        "tag": 3,
        "when": None,
        "price": Decimal("10.125"),
        "blob": b"\x01",
        "items": [],
        "extra": True,
    },
]


def test_decisions_are_reported_once_and_the_same_everywhere():
    _rows, inference, losses = infer_records(ROWS)
    node = inference.type
    assert losses == []
    assert node.fields["score"].kind == "float"
    assert node.fields["tag"].kind == "string"
    assert node.fields["when"].optional and node.fields["when"].kind == "datetime"
    assert node.fields["extra"].optional
    assert (node.fields["price"].precision, node.fields["price"].scale) == (5, 3)
    assert node.fields["items"].items.kind == "string"
    assert sorted(inference.notes) == [
        "record.extra: missing in some records, so null there",
        "record.items[]: always empty, so its items are strings",
        "record.score: ints mixed with floats are floats",
        "record.tag: mixed string and int values are strings",
    ]
    avro = {f["name"]: f["type"] for f in to_avro(node)["fields"]}
    assert avro["when"] == ["null", {"type": "long", "logicalType": "timestamp-micros"}]
    assert avro["price"] == {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 3}
    arrow = to_arrow_schema(node)
    assert arrow.field("price").type == pa.decimal128(5, 3) and arrow.field("tag").type == pa.string()
    proto = to_proto(node)
    assert "optional google.protobuf.Timestamp when = 4;" in proto and "optional bool extra = 8;" in proto
    assert "repeated string items = 7;" in proto


def test_coerce_fits_values_to_the_tree():
    _rows, inference, _ = infer_records(ROWS)
    fitted = [coerce(row, inference.type) for row in ROWS]
    assert fitted[0]["score"] == 2.0 and isinstance(fitted[0]["score"], float)
    assert fitted[1]["tag"] == "3" and fitted[0]["extra"] is None


def test_json_schema_validates_the_data():
    _rows, inference, _ = infer_records(ROWS)
    schema = to_json_schema(inference.type)
    data = json.loads(json.dumps(to_jsonable([coerce(r, inference.type) for r in ROWS])))
    for row in data:
        jsonschema.validate(row, schema)


def test_maps_for_non_identifier_keys_and_bigints():
    inference = infer({"a b": 1, "c-d": 2})
    assert inference.type.kind == "map" and "keys that are not identifiers" in inference.notes[0]
    assert infer({"n": 2**70}).type.fields["n"].kind == "string"


def test_conversion_shows_the_inferred_schema():
    result = fl.convert(b'[{"a": 1}, {"a": 2.5, "b": null}]', "avro")
    assert result.schema.kind == "avro" and result.schema.details["inferred"]
    assert "schema: record.a: ints mixed with floats are floats" in result.losses
    assert fl.load(result.data).value == [{"a": 1.0, "b": None}, {"a": 2.5, "b": None}]


def test_schema_field_trees():
    from formatlens.convert.schema_tree import field_tree

    from .conftest import SAMPLES

    avro = fl.load((SAMPLES / "training.avro").read_bytes()).schema
    tree = field_tree(avro)
    assert tree["metadata"]["rest_days"] == {"[items]": "string"}
    assert tree["exercises"]["plank"]["equipment"] == "string (optional)"
    parquet = field_tree(fl.load((SAMPLES / "users.parquet").read_bytes()).schema)
    assert parquet["registered_at"] == "timestamp[us, tz=UTC]"
    proto = fl.load(
        (SAMPLES / "users.pb").read_bytes(), "protobuf", schema=(SAMPLES / "users.proto").read_text()
    ).schema
    assert field_tree(proto)["items []"]["registered_at"] == "google.protobuf.Timestamp"
    assert field_tree(fl.load((SAMPLES / "users.csv").read_bytes()).schema)["id"] == "integer"
