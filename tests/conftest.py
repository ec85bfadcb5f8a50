import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.suffix not in (".py", ".md", ".proto"))
SCHEMALESS = ["json", "yaml", "xml", "csv", "pickle", "bson", "msgpack", "cbor"]
SCHEMA_BASED = ["avro", "parquet", "protobuf"]
FORMATS = SCHEMALESS + SCHEMA_BASED
BINARY = ["pickle", "bson", "msgpack", "cbor", "avro", "parquet", "protobuf"]
"""Every binary format: their spans annotate every byte of a file."""


def corpus_dir(*parts: str) -> Path:
    """A folder of ../shared/corpus; missing is an error on CI, a skip elsewhere."""
    path = CORPUS.joinpath(*parts)
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the corpus folder {path} is missing")
        pytest.skip(f"the corpus folder {path} is not here")
    return path


@pytest.fixture
def marker(tmp_path):
    """A path that a payload would create if it ran; tests assert it never exists."""
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a payload ran: the marker file was created"


SHIPPED_MARKER = Path("/tmp/formatlens-pwned")
"""The file samples/runs-shell-command.pickle would write if it ever ran (samples/generate.py's command)."""


@pytest.fixture
def shipped_marker():
    """Watch the path the shipped payload really writes: it must not appear (or change) while the test runs."""
    before = SHIPPED_MARKER.stat().st_mtime_ns if SHIPPED_MARKER.exists() else None
    yield SHIPPED_MARKER
    after = SHIPPED_MARKER.stat().st_mtime_ns if SHIPPED_MARKER.exists() else None
    assert after == before, f"the payload ran: {SHIPPED_MARKER} was created or rewritten"


# CI runs the property tests with a fixed derivation, so a red run can be reproduced exactly.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def expected_format(path: Path) -> str:
    """The format a sample file is written in, from its extension (users.pb -> protobuf)."""
    from formatlens.core import registry

    return registry.get(path.suffix).name
