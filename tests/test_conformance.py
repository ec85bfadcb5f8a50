"""One conformance suite over ../shared/corpus (see its MANIFEST.md).

Known failures live in known_failures.py with their reasons; a known failure
that starts passing fails here too, so the lists stay honest.
"""

import contextlib
import json

import pytest

import formatlens as fl

from . import known_failures
from .conftest import corpus_dir


def _json_cases(prefix):
    folder = corpus_dir("JSONTestSuite", "test_parsing")
    return sorted(folder.glob(prefix + "*.json"))


def test_json_suite_y_cases_load_and_rank_json_first():
    cases = _json_cases("y_")
    assert len(cases) == 95
    for path in cases:
        data = path.read_bytes()
        doc = fl.load(data, "json")
        doc.spans  # noqa: B018 - the lazy spans must build too
        assert fl.detect(data, path.name)[0][0] == "json", path.name
        assert doc.value == json.loads(data) or path.name.startswith("y_number")  # NaN-free equality


def test_json_suite_n_cases_are_refused():
    cases = _json_cases("n_")
    assert len(cases) == 188
    accepted, commented = [], []
    for path in cases:
        try:
            doc = fl.load(path.read_bytes(), "json")
        except fl.FormatError:
            continue
        # JSON with comments is read, with a warning that strict JSON parsers refuse the file
        if [f.severity for f in doc.findings if f.code == "json.comments"] == ["warning"]:
            commented.append(path.name)
        else:
            accepted.append(path.name)
    assert accepted == []
    assert commented == list(known_failures.JSON_READ_AS_JSON_WITH_COMMENTS)


def test_json_suite_i_cases_load_or_refuse_cleanly():
    for path in _json_cases("i_"):
        with contextlib.suppress(fl.FormatError):
            fl.load(path.read_bytes(), "json")


def _bson_specs():
    return [
        (path.name, json.loads(path.read_text())) for path in sorted(corpus_dir("bson-corpus", "tests").glob("*.json"))
    ]


def test_bson_corpus_valid_cases_decode_and_round_trip():
    decoded = 0
    round_trip_misses = set()
    for name, spec in _bson_specs():
        for case in spec.get("valid", []):
            data = bytes.fromhex(case["canonical_bson"])
            doc = fl.load(data, "bson")
            assert doc.spans[0].end == len(data), (name, case["description"])
            assert fl.detect(data)[0][0] == "bson", (name, case["description"])
            decoded += 1
            if fl.dump(doc.value, "bson") != data:
                round_trip_misses.add(name)
    assert decoded == 728
    assert round_trip_misses == set(known_failures.BSON_ROUND_TRIP)


def test_bson_corpus_decode_errors_are_refused():
    refused = 0
    for _name, spec in _bson_specs():
        for case in spec.get("decodeErrors", []):
            with pytest.raises(fl.FormatError):
                fl.load(bytes.fromhex(case["bson"]), "bson")
            refused += 1
    assert refused == 75


def test_yaml_test_suite():
    root = corpus_dir("yaml-test-suite", "data")
    differ = {}
    cases = sorted({path.parent for path in root.rglob("in.yaml")})
    for case in cases:
        case_id = str(case.relative_to(root))
        must_fail = (case / "error").exists()
        try:
            doc = fl.load((case / "in.yaml").read_bytes(), "yaml")
            doc.spans  # noqa: B018
            failed = False
        except fl.FormatError:
            failed = True
        if failed != must_fail:
            differ[case_id] = must_fail
    assert len(cases) == 402
    assert set(differ) == set(known_failures.YAML_TEST_SUITE)


def _json_documents(text: str) -> list:
    """Every JSON value in ``text`` (the suite's in.json holds one per YAML document, one after another)."""
    decoder, values, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return values
        value, i = decoder.raw_decode(text, i)
        values.append(value)


def _untagged(value):
    """The value with YAML tags unwrapped: in.json holds what is under a tag, formatlens keeps the tag as data."""
    if isinstance(value, dict):
        if set(value) == {"!tag", "value"}:
            return _untagged(value["value"])
        return {key: _untagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    return value


def test_yaml_test_suite_values_match_in_json():
    root = corpus_dir("yaml-test-suite", "data")
    compared, mismatches = 0, {}
    for case in sorted({path.parent for path in root.rglob("in.json")}):
        case_id = str(case.relative_to(root))
        if (case / "error").exists() or case_id in known_failures.YAML_TEST_SUITE:  # refused: nothing to compare
            continue
        doc = fl.load((case / "in.yaml").read_bytes(), "yaml")
        several = any(f.code == "yaml.stream" for f in doc.findings)
        documents = doc.value if several else [doc.value]
        compared += 1
        if _untagged(documents) != _json_documents((case / "in.json").read_text()):
            mismatches[case_id] = documents
    assert compared == 238
    assert set(mismatches) == set(known_failures.YAML_TEST_SUITE_VALUES)


def test_csv_spectrum():
    root = corpus_dir("csv-spectrum")
    mismatches = []
    for path in sorted((root / "csvs").glob("*.csv")):
        data = path.read_bytes()
        expected = json.loads((root / "json" / f"{path.stem}.json").read_text())
        assert fl.detect(data, path.name)[0][0] == "csv", path.name
        doc = fl.load(data)
        assert doc.spans, path.name
        if doc.value != expected:
            mismatches.append(path.stem)
    assert mismatches == list(known_failures.CSV_SPECTRUM)


def test_avro_corpus():
    root = corpus_dir("avro")
    outcomes = {}
    for path in sorted([*root.rglob("*.avro"), *root.rglob("*.avro12")]):
        try:
            doc = fl.load(path.read_bytes(), "avro")
            doc.spans  # noqa: B018
            outcomes[str(path.relative_to(root))] = "decoded"
        except fl.FormatError:
            outcomes[str(path.relative_to(root))] = "refused"
    refused = {name for name, outcome in outcomes.items() if outcome == "refused"}
    assert refused == set(known_failures.AVRO_REFUSED)
    assert len(outcomes) == 17
    weather = [json.loads(line) for line in (root / "data" / "weather.json").read_text().splitlines() if line]
    for name in ("weather.avro", "weather-deflate.avro", "weather-snappy.avro", "weather-zstd.avro"):
        assert fl.load((root / "data" / name).read_bytes()).value == weather, name


def test_parquet_testing_data_and_bad_data():
    root = corpus_dir("parquet-testing")
    for path in sorted((root / "data").glob("*.parquet")):
        doc = fl.load(path.read_bytes())
        assert doc.format == "parquet", path.name
        assert isinstance(doc.value, list) and doc.spans[-1].end == len(doc.data), path.name
    accepted = []
    for path in sorted((root / "bad_data").glob("*.parquet")):
        try:
            fl.load(path.read_bytes()).value  # noqa: B018
            accepted.append(path.name)
        except fl.FormatError:
            pass
    assert accepted == list(known_failures.PARQUET_BAD_DATA_ACCEPTED)
