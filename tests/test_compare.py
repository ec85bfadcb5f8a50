import json
import subprocess
import sys

import formatlens as fl
from formatlens.analysis.compare import as_rows, sizes_at_scale
from formatlens.analysis.samples import users

from .conftest import FORMATS, ROOT


def test_every_format_is_measured_or_refused_with_a_reason():
    results = fl.compare(users(200), repeat=1)
    assert sorted(m.format for m in results) == sorted(FORMATS)
    for m in results:
        assert (m.error is None) == (m.size is not None), m.format
        if m.error is None:
            assert m.size > 0 and m.gzip_size > 0 and m.zstd_size > 0 and m.encode_s > 0 and m.decode_s > 0
    assert {m.format for m in results if m.schema_based} == {"avro", "parquet", "protobuf"}
    assert any(
        "numbers, booleans and nulls written as text" in loss
        for loss in next(m for m in results if m.format == "csv").losses
    )


def test_a_format_that_cannot_hold_the_value_says_why():
    (measurement,) = fl.compare({"callback": lambda: 1}, ["pickle"], repeat=1)
    assert measurement.size is None and "lambda" in measurement.error


def test_parquet_is_smaller_than_json_for_5000_users():
    sizes = {m.format: m.size for m in fl.compare(users(5000), ["json", "parquet"], repeat=1)}
    assert sizes["parquet"] < sizes["json"] / 2


def test_sizes_grow_with_the_rows():
    rows = sizes_at_scale(users, [10, 100], ["json", "cbor"])
    by = {(r["rows"], r["format"]): r["bytes"] for r in rows}
    assert by[(100, "json")] > 5 * by[(10, "json")] and by[(100, "cbor")] > by[(10, "cbor")]


def test_cli_compare_prints_the_same_table():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "formatlens",
            "compare",
            str(ROOT / "samples" / "users.json"),
            "--json",
            "--repeat",
            "1",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted(r["format"] for r in rows) == sorted(FORMATS)
    assert set(rows[0]) == set(as_rows(fl.compare([{"a": 1}], ["json"], repeat=1))[0])
    text = subprocess.run(
        [
            sys.executable,
            "-m",
            "formatlens",
            "compare",
            str(ROOT / "samples" / "users.json"),
            "--formats",
            "json,parquet",
            "--repeat",
            "1",
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert b"parquet" in text.stdout and b"encode ms" in text.stdout
