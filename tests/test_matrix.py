"""Every pair of the eleven formats, on the samples: each converts, or refuses with a reason."""

import datetime as dt
import json

import pytest

import formatlens as fl
from formatlens.convert.adapt import adapt
from formatlens.core import registry

from .conftest import FORMATS, SAMPLES

SOURCES = {fmt: SAMPLES / f"users.{'pb' if fmt == 'protobuf' else fmt}" for fmt in FORMATS}


@pytest.mark.parametrize("target", FORMATS)
@pytest.mark.parametrize("source", FORMATS)
def test_pair(source, target):
    data = SOURCES[source].read_bytes()
    result = fl.convert(data, target, source=source)
    assert result.format == target and result.source_format == source
    if fl.formats()[FORMATS.index(target)].traits.schema_based:
        assert result.schema is not None and result.schema.text
    options = {}
    if (
        target == "protobuf" and source != "protobuf"
    ):  # read back with the schema it was written with, not as a guessed wire tree
        options = {"schema": result.schema.text, "message": result.schema.details.get("message")}
    back = fl.load(result.data, target, **options)
    source_value = fl.load(data, source).value
    if (source, target) in RESHAPED:
        assert any(RESHAPED[source, target] in loss for loss in result.losses), result.losses
    elif target in ("csv", "xml"):  # text cells and element names: compare with the same value written directly
        assert back.value == fl.load(fl.convert_value(source_value, target).data, target).value
    elif source == target == "protobuf":  # the guessed wire tree, read back the same way
        assert back.value == source_value
    else:  # what went in comes back, seen in JSON's vocabulary on both sides
        codec = registry.get(target)
        assert _plain(back.value) == _plain(adapt(codec.reshape(source_value, []), codec.holds, []))


RESHAPED = {
    # A schemaless protobuf value has field numbers for keys, which are not Avro/Parquet field names:
    # the record becomes a map and the losses say so (checked above instead of the values).
    ("protobuf", "avro"): "keys that are not identifiers",
    ("protobuf", "parquet"): "keys that are not identifiers",
}


def _plain(value):
    return json.loads(fl.convert_value(value, "json").data)


def test_refusals_say_why():
    with pytest.raises(fl.EncodeError) as info:
        fl.dump(42, "csv")
    assert "list of records" in str(info.value)
    with pytest.raises(fl.EncodeError) as info:
        fl.dump([1, 2], "protobuf")
    assert "message" in str(info.value)


def test_typed_records_keep_every_value_through_the_chain():
    # json -> avro -> parquet -> msgpack -> cbor -> yaml -> json, as the issue asks.
    original = fl.load((SAMPLES / "users.json").read_bytes()).value
    data, fmt = (SAMPLES / "users.json").read_bytes(), "json"
    for target in ["avro", "parquet", "msgpack", "cbor", "yaml", "json"]:
        data, fmt = fl.convert(data, target, source=fmt).data, target
    assert fl.load(data, "json").value == original


def test_datetimes_stay_datetimes_where_the_schema_says_so():
    original = fl.load((SAMPLES / "users.pickle").read_bytes()).value
    data, fmt = (SAMPLES / "users.pickle").read_bytes(), "pickle"
    for target in ["avro", "parquet", "msgpack", "cbor", "yaml", "protobuf"]:
        data, fmt = fl.convert(data, target, source=fmt).data, target
        if target != "protobuf":
            value = fl.load(data, target).value
            assert value == original, target
            assert isinstance(value[0]["registered_at"], dt.datetime)
