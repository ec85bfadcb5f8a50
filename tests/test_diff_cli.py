"""``python -m formatlens diff``: exit 0 equal, 1 different, 2 bad input (diff(1)'s convention)."""

import json

from tests.support.cli import run_cli

from .conftest import ROOT

SAMPLES = ROOT / "samples"


def run(*args):
    return run_cli("diff", *args)


def test_equal_across_formats_exits_0():
    done = run(SAMPLES / "users.json", SAMPLES / "users.yaml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip().endswith("equal")


def test_strict_lists_type_changes_and_exits_1():
    done = run(SAMPLES / "users.json", SAMPLES / "users.yaml", "--strict", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"] == {"added": 0, "removed": 0, "changed": 0, "type": 100}
    first = report["changes"][0]
    assert (first["path"], first["old"], first["new"]) == (
        [0, "registered_at"],
        "2020-12-11T21:26:47+00:00",
        "2020-12-11T21:26:47+00:00",
    )
    assert first["span_a"][0] < first["span_a"][1] and first["span_b"][0] < first["span_b"][1]


def test_a_change_with_key_and_text_output(tmp_path):
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(json.dumps([{"id": 1, "v": 1}, {"id": 2, "v": 2}]))
    b.write_text(json.dumps([{"id": 0, "v": 0}, {"id": 1, "v": 1}, {"id": 2, "v": 3}]))
    done = run(a, b, "--key", "id")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].endswith("1 added, 1 changed")
    assert lines[1].startswith("  changed  2/v: 2 -> 3") and lines[2].startswith("  added    0: {'id': 0, 'v': 0}")


def test_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": 1 2}')
    done = run(bad, SAMPLES / "users.json", "--format-a", "json")
    assert done.returncode == 2
    assert done.stderr.decode().startswith("error: json:") and "at byte 8" in done.stderr.decode()
    missing = run(tmp_path / "missing.json", SAMPLES / "users.json")
    assert missing.returncode == 2 and b"cannot read" in missing.stderr


def test_protobuf_schema_verdict_in_text_output():
    done = run(
        SAMPLES / "users.pb",
        SAMPLES / "users.pb",
        "--schema",
        SAMPLES / "users.proto",
        "--format-a",
        "protobuf",
        "--format-b",
        "protobuf",
    )
    assert done.returncode == 0, done.stderr
    assert "schema (proto): FULL" in done.stdout.decode()
