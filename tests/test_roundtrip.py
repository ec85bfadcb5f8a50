"""value -> encode -> decode gives the value back, for the values each format can hold."""

import datetime as dt
import string
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import formatlens as fl

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
UTC_DATETIMES = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)


def tree(scalars, keys=TEXT):
    return st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
    )


JSON_SCALARS = st.none() | st.booleans() | INT64 | FLOATS | TEXT


def round_trip(value, fmt, **load_options):
    return fl.load(fl.dump(value, fmt), fmt, **load_options).value


@settings(max_examples=150, deadline=None)
@given(tree(JSON_SCALARS))
def test_json(value):
    assert round_trip(value, "json") == value


@settings(max_examples=150, deadline=None)
@given(tree(JSON_SCALARS | st.binary(max_size=8) | st.dates()))
def test_yaml(value):
    assert round_trip(value, "yaml") == value


@settings(max_examples=150, deadline=None)
@given(tree(JSON_SCALARS | st.binary(max_size=8) | UTC_DATETIMES, keys=TEXT | INT64))
def test_msgpack(value):
    assert round_trip(value, "msgpack") == value


@settings(max_examples=150, deadline=None)
@given(
    tree(
        JSON_SCALARS
        | st.binary(max_size=8)
        | UTC_DATETIMES
        | st.integers()
        | st.decimals(allow_nan=False)
        | st.dates(),
        keys=TEXT | INT64,
    )
)
def test_cbor(value):
    assert round_trip(value, "cbor") == value


BSON_KEYS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10)
BSON_TIMES = UTC_DATETIMES.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(BSON_KEYS, tree(JSON_SCALARS | st.binary(max_size=8) | BSON_TIMES, keys=BSON_KEYS), max_size=5))
def test_bson(value):
    assert round_trip(value, "bson") == value


PICKLE_SCALARS = (
    JSON_SCALARS
    | st.binary(max_size=8)
    | st.integers()
    | st.decimals(allow_nan=False)
    | st.datetimes()
    | st.dates()
    | st.times()
    | st.timedeltas()
    | st.uuids()
    | st.complex_numbers(allow_nan=False)
    | st.frozensets(INT64, max_size=3)
    | st.tuples(INT64, TEXT)
)


@settings(max_examples=150, deadline=None)
@given(tree(PICKLE_SCALARS, keys=TEXT | INT64), st.integers(0, 5))
def test_pickle(value, protocol):
    assert fl.load(fl.dump(value, "pickle", protocol=protocol), "pickle").value == value


XML_NAMES = st.text(string.ascii_letters, min_size=1, max_size=6).filter(lambda n: not n.lower().startswith("xml"))
XML_TEXT = st.text(
    st.characters(whitelist_categories=("L", "N", "P", "S"), max_codepoint=0xD7FF), min_size=1, max_size=10
)


@settings(max_examples=150, deadline=None)
@given(XML_NAMES, st.dictionaries(XML_NAMES, XML_TEXT | st.lists(XML_TEXT, min_size=2, max_size=3), min_size=1))
def test_xml(root, children):
    value = {root: children}
    assert round_trip(value, "xml") == value


CSV_COLUMN = st.text(string.ascii_lowercase + "_ ", min_size=1, max_size=8).filter(str.strip)
CSV_CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(CSV_COLUMN, min_size=1, max_size=4, unique=True).flatmap(
        lambda cols: st.lists(st.fixed_dictionaries({c: CSV_CELL for c in cols}), min_size=1, max_size=5)
    )
)
def test_csv(rows):
    assert round_trip(rows, "csv", delimiter=",", header=True) == rows


def test_decimal_survives_cbor_and_pickle():
    value = {"price": Decimal("19.99")}
    assert round_trip(value, "cbor") == value == round_trip(value, "pickle")


RECORD = st.fixed_dictionaries(
    {
        "i": INT64,
        "s": TEXT,
        "f": FLOATS,
        "b": st.binary(max_size=8),
        "t": UTC_DATETIMES,
        "n": st.none() | INT64,
        "tags": st.lists(TEXT, max_size=3),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=5), st.sampled_from(["null", "deflate", "snappy", "zstd"]))
def test_avro(rows, codec):
    assert fl.load(fl.dump(rows, "avro", codec=codec)).value == rows


@settings(max_examples=60, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=5), st.sampled_from(["none", "snappy", "zstd", "gzip"]))
def test_parquet(rows, compression):
    assert fl.load(fl.dump(rows, "parquet", compression=compression)).value == rows


@settings(max_examples=60, deadline=None)
@given(RECORD.map(lambda r: {k: v for k, v in r.items() if k != "n"}))
def test_protobuf(record):
    result = fl.convert_value(record, "protobuf")
    back = fl.load(result.data, "protobuf", schema=result.schema.text, message="formatlens.inferred.Record")
    assert back.value == record
