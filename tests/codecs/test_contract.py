"""The codec contract, enforced: every registered codec (all 11) goes through the same checks.

Modelled on numcodecs' tests/common.py: one set of checks, parametrised over the registry, so a new
codec is tested by being registered. What is checked: sniff never raises and stays in 0..1; spans stay
in bounds, sorted and nested; each limit (input size, depth, nodes, spans) holds through the one entry
point (Codec.load) whatever the codec; unknown options are refused naming the accepted ones; bad
input is only ever refused with a FormatError (never an InternalError), with an offset where one is known.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from typing import Any

import pytest

import formatlens as fl
import formatlens.codecs
from formatlens.codecs.base import Codec, option_names
from formatlens.core import registry
from formatlens.core.document import count_spans
from formatlens.core.limits import current

from ..conftest import SAMPLE_FILES, expected_format
from ..test_spans import check_span

CODECS = registry.available()
NAMES = [codec.name for codec in CODECS]
SAMPLES_BY_FORMAT = {name: [p for p in SAMPLE_FILES if expected_format(p) == name] for name in NAMES}
RECORDS = [
    {"id": i, "name": f"user {i}", "score": i * 1.5, "active": i % 2 == 0, "tags": ["a", "b"][: i % 3]}
    for i in range(40)
]
TRUNCATION_HAS_OFFSET = {"json", "xml", "bson", "msgpack", "cbor", "pickle", "avro", "parquet", "protobuf"}
"""Formats whose refusal of a cut-off input names the byte (YAML and CSV often read a cut file as valid)."""


def valid_inputs(name: str) -> list[bytes]:
    """Bytes other tools wrote (the samples) and bytes formatlens wrote (a conversion of RECORDS)."""
    shipped = [p.read_bytes() for p in SAMPLES_BY_FORMAT[name] if name != "protobuf"]  # .pb samples need a schema
    return [*shipped[:2], fl.convert_value(RECORDS, name).data]


def depth_and_nodes(value: Any) -> tuple[int, int]:
    """Depth of containers (a scalar is 0) and number of values, counted as check_value counts them."""
    deepest, nodes, stack = 0, 1, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list, tuple, set, frozenset)):
            continue
        deepest = max(deepest, depth)
        children = list(node.values()) if isinstance(node, dict) else list(node)
        nodes += len(children)
        stack.extend((child, depth + 1) for child in children)
    return deepest, nodes


def load_fully(data: bytes, name: str, **options: Any) -> fl.Document:
    document = fl.load(data, name, **options)
    for part in ("value", "spans", "table", "schema", "findings"):
        getattr(document, part)
    return document


# -- identity and registration


def test_every_codec_class_is_registered():
    for module in pkgutil.walk_packages(formatlens.codecs.__path__, "formatlens.codecs."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> set[type]:
        return {sub for direct in cls.__subclasses__() for sub in {direct, *subclasses(direct)}}

    concrete = {cls for cls in subclasses(Codec) if "name" in vars(cls)}  # SchemaCodec has no name: abstract
    assert {type(codec) for codec in CODECS} == concrete
    assert len(CODECS) == 11


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_declarations(codec):
    assert all(isinstance(cls, type) and issubclass(cls, BaseException) for cls in codec.bad_input + codec.bad_value)
    assert not any(issubclass(cls, fl.InternalError) for cls in codec.bad_input + codec.bad_value)
    encode = codec.encode_with_schema if codec.traits.schema_based else codec.encode
    assert set(codec.choices) <= set(option_names(encode)), "choices name encode options"
    assert codec.info().name == codec.name


# -- sniff


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_sniff_never_raises(codec):
    rng = random.Random(codec.name)
    inputs = [b"", b"\x00", b"\xff" * 9, b"{", b"- ", b"<", b"PAR1", b"Obj\x01", b"\x80\x05"]
    inputs += [rng.randbytes(rng.randrange(1, 300)) for _ in range(300)]
    inputs += [p.read_bytes() for p in SAMPLE_FILES]
    inputs += [data[:cut] for data in valid_inputs(codec.name) for cut in (1, 2, 5, 17, len(data) // 2)]
    for data in inputs:
        score, reason = codec.sniff(data)  # a Sniff: the confidence and why
        assert isinstance(score, float) and 0.0 <= score <= 1.0, (codec.name, data[:20], score)
        assert isinstance(reason, str) and reason, (codec.name, data[:20])


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_its_own_bytes_are_detected(codec):
    data = fl.convert_value(RECORDS, codec.name).data
    assert codec.sniff(data).score > 0, codec.name


# -- what load gives


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_load_names_the_document_and_spans_hold(codec):
    for data in valid_inputs(codec.name):
        document = load_fully(data, codec.name)
        assert document.format == codec.name
        assert document.spans, codec.name
        check_span(fl.Span(0, len(data), "value", "all", (), tuple(document.spans)), 0, len(data))
        starts = [span.start for span in document.spans]
        assert starts == sorted(starts)


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_the_value_round_trips_through_the_one_entry_point(codec):
    data, _schema = codec.dump(codec.reshape(RECORDS, []))
    document = codec.load(data)
    assert document.value == fl.load(fl.dump(codec.reshape(RECORDS, []), codec.name), codec.name).value
    assert document.format == codec.name
    if codec.name not in ("csv", "xml", "protobuf"):  # CSV and XML hold text; protobuf reads back field numbers
        assert document.value == RECORDS or document.value == {"items": RECORDS}


# -- limits, the same for every codec


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_input_size_limit(codec, monkeypatch):
    data = valid_inputs(codec.name)[-1]
    monkeypatch.setenv("FORMATLENS_MAX_INPUT_BYTES", str(len(data) - 1))
    for load in (lambda: fl.load(data, codec.name), lambda: codec.load(data)):
        with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_INPUT_BYTES"):
            load()


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_depth_limit(codec, monkeypatch):
    data = valid_inputs(codec.name)[-1]
    depth, _nodes = depth_and_nodes(fl.load(data, codec.name).value)
    assert depth >= 2
    monkeypatch.setenv("FORMATLENS_MAX_DEPTH", str(depth - 1))
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_DEPTH") as caught:
        load_fully(data, codec.name)
    assert caught.value.format == codec.name


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_node_limit(codec, monkeypatch):
    data = valid_inputs(codec.name)[-1]
    _depth, nodes = depth_and_nodes(fl.load(data, codec.name).value)
    monkeypatch.setenv("FORMATLENS_MAX_NODES", str(nodes // 2))
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_NODES") as caught:
        load_fully(data, codec.name)
    assert caught.value.format == codec.name


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_span_limit(codec, monkeypatch):
    """Past FORMATLENS_MAX_SPANS the rest of the bytes stay unannotated (a view, not a refusal)."""
    data = valid_inputs(codec.name)[-1]
    total = count_spans(fl.load(data, codec.name).spans, 10**9)
    limit = max(1, total // 3)
    monkeypatch.setenv("FORMATLENS_MAX_SPANS", str(limit))
    assert current().max_spans == limit
    document = load_fully(data, codec.name)
    kept = count_spans(document.spans, 10**9)
    assert 0 < kept <= limit, (codec.name, total, kept)
    assert document.details.get("spans_cut_at") == limit
    check_span(fl.Span(0, len(data), "value", "all", (), tuple(document.spans)), 0, len(data))


# -- options


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_unknown_options_are_refused_naming_the_accepted_ones(codec):
    data = valid_inputs(codec.name)[-1]
    with pytest.raises(fl.FormatError, match="unknown option 'bogus'") as caught:
        fl.load(data, codec.name, bogus=1)
    assert all(name in caught.value.hint for name in option_names(codec.decode))
    encode = codec.encode_with_schema if codec.traits.schema_based else codec.encode
    with pytest.raises(fl.FormatError, match="unknown option 'bogus'") as caught:
        fl.dump(codec.reshape(RECORDS, []), codec.name, bogus=1)
    assert caught.value.hint.startswith("accepted: ")
    assert all(name in caught.value.hint for name in option_names(encode))
    with pytest.raises(fl.FormatError, match="unknown option 'bogus'"):
        fl.convert_value(RECORDS, codec.name, bogus=1)


def test_a_typo_in_an_option_is_refused_naming_the_right_one():
    with pytest.raises(fl.FormatError, match="sort_key") as caught:
        fl.dump({"a": 1}, "json", sort_key=True)
    assert "sort_keys" in caught.value.hint


# -- refusals


@pytest.mark.parametrize("codec", CODECS, ids=NAMES)
def test_bad_input_is_only_ever_a_format_error(codec):
    """Random, cut and bit-flipped inputs forced into the codec: a Document or a FormatError, nothing else."""
    rng = random.Random(f"refusals {codec.name}")
    inputs = [b"", b"\x00"] + [rng.randbytes(rng.randrange(1, 200)) for _ in range(200)]
    for data in valid_inputs(codec.name):
        inputs += [data[:cut] for cut in sorted({1, 3, 9, len(data) // 3, len(data) // 2, len(data) - 1})]
        for _ in range(60):
            flipped = bytearray(data)
            flipped[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            inputs.append(bytes(flipped))
    for data in inputs:
        try:
            load_fully(data, codec.name)
        except fl.FormatError as exc:  # an InternalError is not caught: it fails the test
            assert exc.format == codec.name, (data[:30], exc)
            assert exc.offset is None or 0 <= exc.offset <= len(data), (data[:30], exc)


@pytest.mark.parametrize("codec", [c for c in CODECS if c.name in TRUNCATION_HAS_OFFSET], ids=lambda c: c.name)
def test_a_cut_off_input_is_refused_at_a_byte(codec):
    data = valid_inputs(codec.name)[-1]
    refused = []
    for cut in sorted({len(data) // 4, len(data) // 2, len(data) - 3}):
        try:
            load_fully(data[:cut], codec.name)
        except fl.FormatError as exc:
            refused.append((cut, exc.offset))
    assert refused, "no cut-off input was refused"
    assert all(offset is not None and 0 <= offset <= cut for cut, offset in refused), refused


# -- structured findings

FINDING_INPUTS = [
    ("yaml", b"a: 1\na: 2\nb: !!python/object/apply:os.system ['true']\nc: !custom 3\n---\nd: 4\n"),
    ("csv", b"\xe9t\xe9,b\n1,2,3\n4\n"),
    ("csv", b"1,2\n3,4\n"),
    ("msgpack", b"\x81\xa1a\x01\x81\xa1b\x02"),
    ("cbor", b"\xa1aa\x01\xa1ab\x02"),
    ("bson", fl.dump({"a": 1}, "bson") * 2),
    ("json", b'// c\n{"a": 1, "a": 2,}'),
    ("msgpack", b"\x82\xa1a\x01\xa1a\x02"),
    ("cbor", b"\xa2aa\x01aa\x02"),
    ("bson", b"\x13\x00\x00\x00\x10a\x00\x01\x00\x00\x00\x10a\x00\x02\x00\x00\x00\x00"),
]


def test_every_finding_has_a_stable_code_and_the_pickle_ones_a_subject():
    documents = [fl.load(p.read_bytes(), expected_format(p)) for p in SAMPLE_FILES]
    documents += [fl.load(data, name) for name, data in FINDING_INPUTS]
    # Layer findings (formatlens/layers, peeled before a codec runs) are not the codecs' own.
    findings = [(d.format, f) for d in documents for f in d.findings if not f.message.startswith("layer ")]
    codes = {f.code for _fmt, f in findings}
    assert all(f.code.startswith(fmt + ".") and f.code.count(".") == 1 for fmt, f in findings), [
        (fmt, f.code, f.message) for fmt, f in findings if not f.code.startswith(fmt + ".")
    ]
    expected = {"pickle.global", "pickle.call", "pickle.safe", "yaml.tag", "yaml.duplicate-key", "yaml.custom-tag"}
    expected |= {"yaml.stream", "csv.latin-1", "csv.ragged-rows", "csv.no-header", "json.jsonpickle-tag"}
    expected |= {"msgpack.stream", "cbor.stream", "bson.stream", "json.comments"}
    expected |= {f"{fmt}.duplicate-key" for fmt in ("json", "msgpack", "cbor", "bson")}
    assert expected <= codes, expected - codes
    dangerous = [f for _fmt, f in findings if f.code in ("pickle.global", "pickle.call", "pickle.new")]
    assert dangerous and all(f.subject and f.subject in f.message for f in dangerous)
    tag = next(f for _fmt, f in findings if f.code == "yaml.tag")
    assert tag.subject == "tag:yaml.org,2002:python/object/apply:os.system"
