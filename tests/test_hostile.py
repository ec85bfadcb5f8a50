"""Hostile inputs (DESIGN.md, Testing): nothing runs, nothing hangs, only FormatError escapes."""

import json
import pickle
import subprocess
import sys

import bson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formatlens as fl
from formatlens.render.report import document_to_dict

from .conftest import FORMATS, ROOT, SAMPLE_FILES


def _payloads(marker):
    """Pickles that would create the marker file if they were ever loaded for real."""
    command = f"touch {marker}"

    class System:
        def __reduce__(self):
            import os

            return (os.system, (command,))

    class Eval:
        def __reduce__(self):
            return (eval, (f"open({str(marker)!r}, 'w')",))

    class Popen:
        def __reduce__(self):
            return (subprocess.Popen, (["touch", str(marker)],))

    class Nested:
        def __reduce__(self):
            return (getattr, (Popen(), "wait"))

    out = {}
    for name, obj in {"system": System(), "eval": Eval(), "subprocess": Popen(), "nested": Nested()}.items():
        for protocol in (0, 2, 5):
            out[f"{name}-p{protocol}"] = pickle.dumps(obj, protocol=protocol)
    # INST and OBJ, hand-written (protocol 0 and 1)
    out["inst"] = f"(S'{command}'\nios\nsystem\n.".encode()
    out["obj"] = b"(cos\nsystem\nX" + len(command).to_bytes(4, "little") + command.encode() + b"o."
    return out


def test_malicious_pickles_never_run_through_the_library(marker):
    for name, data in _payloads(marker).items():
        doc = fl.load(data)
        assert doc.format == "pickle", name
        assert any(f.severity == "danger" for f in doc.findings), name
        document_to_dict(doc)
        for target in ("json", "yaml", "pickle"):
            fl.convert(data, target)
    assert not marker.exists()


def test_malicious_pickles_never_run_through_the_cli(marker, tmp_path):
    for name, data in _payloads(marker).items():
        path = tmp_path / f"{name}.pickle"
        path.write_bytes(data)
        run = subprocess.run(
            [sys.executable, "-m", "formatlens", "inspect", "--json", str(path)],
            capture_output=True,
            cwd=ROOT,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        assert b'"danger"' in run.stdout
    assert not marker.exists()


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {m}"]',
        '!!python/object/new:subprocess.Popen [["touch", "{m}"]]',
        "!!python/name:os.system",
        "a: !!python/object/apply:builtins.eval [\"open('{m}', 'w')\"]",
    ],
)
def test_yaml_python_tags_are_data_never_constructed(tag, marker):
    data = tag.format(m=marker).encode()
    doc = fl.load(data, "yaml")
    dangers = [f.message for f in doc.findings if f.severity == "danger"]
    assert len(dangers) == 1 and "!!python/" in dangers[0] and "never constructed" in dangers[0]
    node = doc.value["a"] if isinstance(doc.value, dict) and "a" in doc.value else doc.value
    assert node["!tag"].startswith("!!python/")
    document_to_dict(doc)
    for target in ("json", "yaml", "pickle"):
        fl.convert(data, target)


def test_yaml_alias_bomb():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_NODES"):
        fl.load("\n".join(lines).encode(), "yaml")


def test_xml_entity_bomb_and_xxe(tmp_path):
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>'
    with pytest.raises(fl.FormatError, match="entity"):
        fl.load(bomb, "xml")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    with pytest.raises(fl.FormatError) as info:
        fl.load(xxe, "xml")
    assert "TOP SECRET" not in str(info.value)
    external_dtd = f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file://{secret}"><r/>'.encode()
    with pytest.raises(fl.FormatError, match="external DTD"):
        fl.load(external_dtd, "xml")
    parameter = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file://{secret}"> %p;]><r/>'.encode()
    with pytest.raises(fl.FormatError):
        fl.load(parameter, "xml")


DEEP = 100_000
DEEP_INPUTS = {
    "json": b"[" * DEEP + b"]" * DEEP,
    "yaml": b"[" * DEEP + b"]" * DEEP,
    "xml": b"<a>" * DEEP + b"</a>" * DEEP,
    "msgpack": b"\x91" * DEEP + b"\x00",
    "cbor": b"\x81" * DEEP + b"\x00",
    "pickle": b"\x80\x04" + b"](" * DEEP + b"e" * DEEP + b".",
}


@pytest.mark.parametrize("fmt", DEEP_INPUTS)
def test_100k_deep_nesting_is_a_format_error(fmt):
    try:
        doc = fl.load(DEEP_INPUTS[fmt], fmt)
        document_to_dict(doc)  # the value must not be walkable either
    except fl.FormatError as exc:
        assert "depth" in str(exc) or "nest" in str(exc) or "deep" in str(exc) or fmt in ("msgpack", "cbor")
    else:
        pytest.fail("a 100,000-deep value was accepted")


def test_deep_bson_is_refused():
    inner = bson.encode({})
    for _ in range(20_000):  # nested by hand: pymongo refuses to encode this deep
        body = b"\x03a\x00" + inner + b"\x00"
        inner = (len(body) + 4).to_bytes(4, "little") + body
    with pytest.raises(fl.FormatError):
        document_to_dict(fl.load(inner, "bson"))


def test_huge_integers_are_refused():
    with pytest.raises(fl.FormatError, match=r"4,300 digits|4300"):
        fl.load(b"1" * 60_000, "json")
    with pytest.raises(fl.FormatError):
        fl.load(b"a: " + b"1" * 60_000, "yaml")


@pytest.mark.parametrize(
    "fmt,data",
    [
        ("bson", b"\xff\xff\xff\x7f\x02a\x00"),
        ("msgpack", b"\xdb\xff\xff\xff\xffabc"),
        ("msgpack", b"\xdf\xff\xff\xff\xff"),
        ("cbor", b"\x5b\x00\x00\x00\x10\x00\x00\x00\x00ab"),
        ("cbor", b"\xbb\x00\x00\x00\x10\x00\x00\x00\x00"),
        ("pickle", b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7fabc."),
        ("pickle", b"\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7fabc."),
    ],
)
def test_lying_length_prefixes(fmt, data):
    with pytest.raises(fl.FormatError):
        fl.load(data, fmt)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_truncated_samples(path):
    data = path.read_bytes()
    fmt = fl.load(data).format
    for cut in sorted({1, 2, 5, len(data) // 3, len(data) // 2, len(data) - 1}):
        try:
            doc = fl.load(data[:cut], fmt)
            doc.spans  # noqa: B018
        except fl.FormatError:
            pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=200), fmt=st.sampled_from(FORMATS))
def test_random_bytes_into_every_codec(data, fmt):
    try:
        doc = fl.load(data, fmt)
        doc.spans  # noqa: B018
        document_to_dict(doc)
    except fl.FormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_samples(data):
    path = data.draw(st.sampled_from(SAMPLE_FILES))
    raw = bytearray(path.read_bytes()[:2000])
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip":
            raw[i] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "insert":
            raw.insert(i, data.draw(st.integers(0, 255)))
        elif len(raw) > 1:
            del raw[i]
    mutant = bytes(raw)
    fl.detect(mutant)
    fmt = data.draw(st.sampled_from(FORMATS))
    try:
        doc = fl.load(mutant, fmt)
        doc.spans  # noqa: B018
        document_to_dict(doc)
    except fl.FormatError:
        pass


def test_yaml_and_jsonpickle_payloads_never_run_through_the_cli(marker, tmp_path):
    payloads = {
        "evil.yaml": f'!!python/object/apply:os.system ["touch {marker}"]',
        "evil.json": f'{{"py/reduce": [{{"py/function": "os.system"}}, {{"py/tuple": ["touch {marker}"]}}]}}',
    }
    for name, text in payloads.items():
        path = tmp_path / name
        path.write_text(text)
        inspected = subprocess.run(
            [sys.executable, "-m", "formatlens", "inspect", "--json", str(path)],
            capture_output=True,
            cwd=ROOT,
            timeout=60,
        )
        assert inspected.returncode == 0, inspected.stderr
        report = json.loads(inspected.stdout)
        assert any(f["severity"] == "danger" for f in report["findings"]), (name, report["findings"])
        converted = subprocess.run(
            [sys.executable, "-m", "formatlens", "convert", str(path), "--to", "json"],
            capture_output=True,
            cwd=ROOT,
            timeout=60,
        )
        assert converted.returncode == 0, converted.stderr
        assert str(marker) in converted.stdout.decode(), "the payload is kept as data in the output"
    assert not marker.exists()


def test_deep_nesting_at_the_head_of_a_large_input_is_refused_not_a_crash_of_detection():
    # Over 64 KiB the JSON sniff reads its head's first value to tell JSON Lines apart; nested deeper than
    # Python's parser follows, that raised a bare RecursionError out of fl.detect and fl.load (found by review).
    data = b"[" * 5000 + b"]" * 5000 + b" " * 70000
    assert fl.detect(data)[0][0] == "json"
    with pytest.raises(fl.LimitExceeded, match="nesting is deeper"):
        fl.load(data)
