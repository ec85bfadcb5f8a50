import json

import pytest

from tests.support.cli import run_cli

from .conftest import ROOT, SAMPLE_FILES, expected_format


def run(*args, stdin=None):
    return run_cli(*args, stdin=stdin)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_inspect_json_on_every_sample(path):
    done = run("inspect", "--json", str(path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["format"] == expected_format(path)
    assert report["size"] == path.stat().st_size
    assert report["spans"] and {"start", "end", "kind", "label", "path"} <= set(report["spans"][0])
    assert isinstance(report["findings"], list)


def test_inspect_text_summary():
    done = run("inspect", str(ROOT / "samples" / "runs-shell-command.pickle"))
    out = done.stdout.decode()
    assert "format:   pickle" in out and "[danger]" in out and "posix.system" in out


def test_formats():
    done = run("formats")
    assert done.returncode == 0
    for name in ["json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor"]:
        assert f"\n{name} " in "\n" + done.stdout.decode()


def test_convert_to_file_and_stdout(tmp_path):
    out = tmp_path / "users.cbor"
    done = run("convert", str(ROOT / "samples" / "users.json"), "--to", "cbor", "-o", str(out))
    assert done.returncode == 0 and out.stat().st_size > 0
    done = run("convert", "-", "--to", "yaml", "--from", "json", stdin=b'{"a": [1]}')
    assert done.stdout == b"a:\n- 1\n"


def test_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": }')
    done = run("inspect", str(bad), "--format", "json")
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: json: Expecting value (at byte 6)")
    assert run("inspect", str(tmp_path / "missing.bin")).returncode == 2
    assert run("convert", str(bad), "--to", "nope").returncode == 2


def test_a_bug_exits_3_with_one_line(monkeypatch, capsys):
    from formatlens.cli import main
    from formatlens.core import registry

    def buggy_decode(data, **options):
        raise KeyError("a bug")

    monkeypatch.setattr(registry.get("json"), "decode", buggy_decode)
    status = main(["inspect", "--format", "json", str(ROOT / "samples" / "users.json")])
    err = capsys.readouterr().err
    assert status == 3
    assert err.count("\n") == 1 and "this is a bug in formatlens" in err and "KeyError" in err
