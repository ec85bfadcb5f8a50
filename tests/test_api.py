"""The public API is a contract: these names and shapes must not drift."""

import inspect

import pytest

import formatlens as fl
from formatlens.codecs.base import Codec
from formatlens.core import registry
from formatlens.core.limits import Limits

from .conftest import SCHEMALESS


def test_public_names():
    for name in [
        "formats",
        "detect",
        "load",
        "dump",
        "convert",
        "FormatError",
        "Document",
        "Span",
        "Finding",
        "Schema",
        "Conversion",
    ]:
        assert name in fl.__all__
        assert hasattr(fl, name)
    assert issubclass(fl.FormatError, ValueError)
    assert list(inspect.signature(fl.load).parameters)[:2] == ["data", "format"]
    assert inspect.signature(fl.detect).parameters["filename"].default is None


def test_formats_lists_every_format_with_traits():
    infos = {info.name: info for info in fl.formats()}
    assert set(SCHEMALESS) <= set(infos)
    assert infos["csv"].traits.shape == "tabular"
    assert infos["pickle"].traits.portable is False
    assert infos["bson"].traits.textual is False and infos["json"].traits.textual is True
    assert all(infos[name].traits.schema_based is False for name in SCHEMALESS)
    assert infos["parquet"].traits.orientation == "column" and infos["avro"].traits.schema_based
    assert infos["msgpack"].library.startswith("msgpack ")  # name and installed version
    assert infos["yaml"].media_type == "application/yaml"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_codec_class_is_registered():
    registry.available()
    registered = {type(codec) for codec in registry.available()}
    concrete = {cls for cls in _subclasses(Codec) if "name" in vars(cls)}  # SchemaCodec is an abstract base
    assert concrete <= registered and len(concrete) == 11


@pytest.mark.parametrize(
    "alias,name",
    [
        ("yml", "yaml"),
        ("pkl", "pickle"),
        (".json", "json"),
        ("application/cbor", "cbor"),
        ("MessagePack", "msgpack"),
        ("tsv", "csv"),
    ],
)
def test_aliases_resolve(alias, name):
    assert registry.get(alias).name == name


def test_all_eleven_formats_are_registered_and_available():
    names = {info.name for info in fl.formats()}
    assert names == {"json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor", "avro", "parquet", "protobuf"}
    assert names == set(registry.CODEC_MODULES)


def test_unknown_format_is_a_format_error():
    with pytest.raises(fl.FormatError, match="unknown format 'toml'"):
        fl.load(b"a = 1", "toml")
    with pytest.raises(fl.FormatError):
        fl.dump({}, "nope")


def test_load_refuses_text_and_undetectable_bytes():
    with pytest.raises(fl.FormatError, match="binary mode"):
        fl.load("{}")
    with pytest.raises(fl.UnknownFormatError) as info:
        fl.load(b"\xff\xfe\xfd\x00\x01")
    assert info.value.offset == 0 and info.value.hint


def test_value_and_spans_are_lazy():
    calls = []
    doc = fl.Document(
        "json",
        b"{}",
        value_factory=lambda: calls.append("value") or {},
        spans_factory=lambda: calls.append("spans") or [],
    )
    assert calls == []
    assert doc.value == {} and doc.value == {}
    assert calls == ["value"]
    assert doc.spans == []
    assert calls == ["value", "spans"]


def test_a_bug_in_a_lazy_step_is_an_internal_error_not_a_refusal():
    doc = fl.Document("json", b"", spans_factory=lambda: 1 / 0)
    with pytest.raises(fl.InternalError, match="ZeroDivisionError") as caught:
        _ = doc.spans
    assert not isinstance(caught.value, (fl.FormatError, ValueError))
    assert "this is a bug in formatlens" in str(caught.value)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_a_declared_library_error_in_a_lazy_step_is_a_refusal():
    import json

    doc = fl.Document("json", b"", spans_factory=lambda: json.loads("{"))
    doc.bad_input = (json.JSONDecodeError,)
    with pytest.raises(fl.FormatError, match="JSONDecodeError") as caught:
        _ = doc.spans
    assert caught.value.format == "json"


def test_spans_at_returns_outermost_first():
    doc = fl.load(b'{"a": [1, 2]}')
    chain = doc.spans_at(7)
    assert [s.kind for s in chain] == ["entry", "value"]
    assert chain[0].path == ("a",)


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FORMATLENS_MAX_INPUT_BYTES", "10")
    assert Limits.from_env().max_input_bytes == 10
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_INPUT_BYTES"):
        fl.load(b'{"a": "0123456789"}')


def test_conversion_shape():
    result = fl.convert(b'{"a": 1}', "yaml")
    assert isinstance(result, fl.Conversion)
    assert result.data == b"a: 1\n" and result.format == "yaml" and result.source_format == "json"
    assert result.losses == []
