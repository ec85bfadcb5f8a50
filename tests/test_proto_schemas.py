"""Protocol Buffers schemas as people have them: a FileDescriptorSet, several .proto files with imports,
a zip or a directory of them; bytes that are no schema are a FormatError (and one line from the CLI)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.resources
import io
import random
import subprocess
import sys
import zipfile

import pytest

import formatlens as fl
from formatlens.codecs.protobuf.codec import compile_proto

from .test_cli import run

COMMON = 'syntax = "proto3";\npackage shop;\nmessage Money { string currency = 1; int64 units = 2; }\n'
ORDER = (
    'syntax = "proto3";\npackage shop;\nimport "common/money.proto";\nimport "google/protobuf/timestamp.proto";\n'
    "message Order { int64 id = 1; Money total = 2; google.protobuf.Timestamp at = 3; }\n"
)
FILES = {"common/money.proto": COMMON, "order.proto": ORDER}
VALUE = {"id": 3, "total": {"currency": "EUR", "units": 5}, "at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("protos")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    include = str(importlib.resources.files("grpc_tools") / "_proto")
    for out, extra in (("set.pb", ["--include_imports"]), ("bare.pb", [])):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "grpc_tools.protoc",
                f"-I{root}",
                f"-I{include}",
                *extra,
                f"--descriptor_set_out={root / out}",
                "order.proto",
            ],
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr
    return root


def _data() -> bytes:
    return fl.dump(VALUE, "protobuf", schema=FILES, message="shop.Order")


def test_several_files_with_imports(tree):
    doc = fl.load(_data(), "protobuf", schema=FILES, message="shop.Order")
    assert doc.value == VALUE
    assert doc.schema.details["messages"] == ["shop.Money", "shop.Order"]


def test_a_descriptor_set_is_a_schema_and_converts_to_itself(tree):
    descriptor_set = (tree / "set.pb").read_bytes()
    doc = fl.load(_data(), "protobuf", schema=descriptor_set, message="shop.Order")
    assert doc.value == VALUE
    same = fl.convert(_data(), "protobuf", source="protobuf", schema=descriptor_set, message="shop.Order")
    assert same.data == _data() and same.losses == []


def test_a_zip_of_proto_files(tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in FILES.items():
            archive.writestr(name, text)
    doc = fl.load(_data(), "protobuf", schema=buffer.getvalue(), message="shop.Order")
    assert doc.value == VALUE


def test_a_descriptor_set_without_its_imports_says_so(tree):
    with pytest.raises(fl.FormatError, match=r"imports 'common/money\.proto' but does not hold it") as info:
        fl.load(_data(), "protobuf", schema=(tree / "bare.pb").read_bytes(), message="shop.Order")
    assert "--include_imports" in info.value.hint


def test_bytes_that_are_no_schema_are_a_format_error():
    rng = random.Random(14)
    real = fl.dump(VALUE, "protobuf", schema=FILES, message="shop.Order")
    for _ in range(300):
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 120)))
        with pytest.raises(fl.FormatError):
            fl.load(real, "protobuf", schema=noise, message="shop.Order")


def test_mutated_descriptor_sets_never_escape_as_other_errors(tree):
    rng = random.Random(9)
    real = (tree / "set.pb").read_bytes()
    for _ in range(300):
        mutant = bytearray(real)
        for _ in range(rng.randint(1, 4)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        with contextlib.suppress(fl.FormatError):  # anything else escaping fails the test
            compile_proto(bytes(mutant))


def test_cli_takes_a_descriptor_set_a_directory_and_refuses_noise_in_one_line(tree, tmp_path):
    data_file = tmp_path / "order.pb"
    data_file.write_bytes(_data())
    for schema in (tree / "set.pb", tree):
        done = run(
            "inspect", str(data_file), "--format", "protobuf", "--schema", str(schema), "--message", "shop.Order"
        )
        assert done.returncode == 0, done.stderr
        assert "currency: str  'EUR'" in done.stdout.decode()
    noise = tmp_path / "noise.bin"
    noise.write_bytes(random.Random(1).randbytes(256))
    done = run("inspect", str(data_file), "--format", "protobuf", "--schema", str(noise))
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: protobuf: "), done.stderr
