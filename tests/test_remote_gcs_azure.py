"""gs:// (gcsfs) and az:// (adlfs) against local emulators on 127.0.0.1, tested like s3:// is.

GCS: gcp-storage-emulator from PyPI. Azure: Azurite from npm (installed by `./run test`; these tests
skip, saying so, only where its binary is absent). The objects are written by each vendor's own SDK
(google-cloud-storage, azure-storage-blob); formatlens reads them through fsspec with its endpoint
and credentials from the environment only. A counting proxy in front of each emulator counts the
bytes served, so the footer-only read of a Parquet object is asserted on the wire.
"""

from __future__ import annotations

import os
import re

import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.sources.lazy import open_document
from formatlens.sources.policy import RemotePolicy
from tests.support.cli import run_cli
from tests.support.objectstores import ROWS, azurite_binary, azurite_server, gcs_server, objects

BUCKET = "team-bucket"


def put_gcs(made: dict[str, bytes]) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project="formatlens-test", credentials=AnonymousCredentials())
    bucket = client.create_bucket(BUCKET)
    for key, body in made.items():
        bucket.blob(key).upload_from_string(body)


def put_azure(made: dict[str, bytes]) -> None:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
    container = service.create_container(BUCKET)
    for key, body in made.items():
        container.upload_blob(key, body)


@pytest.fixture(scope="module", params=["gs", "az"])
def store(request):
    made = objects()
    if request.param == "gs":
        with gcs_server() as proxy:
            put_gcs(made)
            yield {"scheme": "gs", "proxy": proxy, "objects": made}
        return
    binary = azurite_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Azurite is not installed: .ci/run (./run test) installs it with npm")
        pytest.skip("Azurite is not installed (`./run test` installs it with npm; or set FORMATLENS_AZURITE)")
    with azurite_server(binary) as proxy:
        put_azure(made)
        yield {"scheme": "az", "proxy": proxy, "objects": made}


def url(store, key: str) -> str:
    return f"{store['scheme']}://{BUCKET}/{key}"


def test_parquet_footer_only(store):
    proxy = store["proxy"]
    proxy.reset()
    doc = fl.open(url(store, "big.parquet"))
    size = len(store["objects"]["big.parquet"])
    assert doc.format == "parquet"
    assert doc.details["rows"] == ROWS
    assert doc.details["row_groups"] == 4
    assert doc.schema.details["fields"] == {"id": "int64", "label": "string"}
    assert doc.data.file.fetched <= 3 * 64 * 1024  # what the client asked for: the footer's ranges
    # What the emulator sent (bodies and headers, the metadata request included) is those ranges and
    # a few KiB of HTTP around them: the footer, not the 4.8 MB object.
    assert doc.data.file.fetched <= proxy.served < doc.data.file.fetched + 16 * 1024, proxy.served
    assert size > 20 * proxy.served, (size, proxy.served)


def test_parquet_first_rows(store):
    doc = fl.open(url(store, "big.parquet"))
    assert doc.value[0] == {"id": 0, "label": "label-00000000"}
    assert doc.value[99] == {"id": 99, "label": "label-00000099"}
    assert len(doc.value) == 100


def test_hexdump_window_is_a_range_read(store):
    doc = fl.open(url(store, "big.parquet"))
    store["proxy"].reset()
    middle = 2_000_000  # not read by the footer or detection: this window costs one range read
    assert doc.data[middle : middle + 256] == store["objects"]["big.parquet"][middle : middle + 256]
    assert 256 <= store["proxy"].served < 64 * 1024 + 16 * 1024, store["proxy"].served


def test_small_avro_is_decoded_whole(store):
    doc = fl.open(url(store, "small.avro"))
    assert doc.format == "avro"
    assert doc.value == [{"n": 7}]


def test_hive_partitioned_dataset(store):
    doc = fl.open(url(store, "events/"))
    assert doc.details["files"] == 5
    assert doc.details["rows"] == 15
    assert doc.details["partitions"] == {"day": ["2024-01-01", "2024-01-02", "2024-01-03"], "region": ["eu", "us"]}
    assert doc.schema.details["differing_files"] == ["day=2024-01-03/region=eu/part-0.parquet"]


def test_streaming_convert(store, tmp_path):
    result = fl.convert_file(url(store, "rows.csv"), tmp_path / "rows.parquet", "parquet")
    assert result.rows == 50_000
    assert pq.read_table(tmp_path / "rows.parquet").column("people")[49_999].as_py() == 499_990


def test_policy_applies(store):
    allowed = RemotePolicy((url(store, "events/"),))
    doc = open_document(url(store, "events/day=2024-01-01/region=eu/part-0.parquet"), policy=allowed)
    assert doc.value[0]["user"] == "a"
    with pytest.raises(fl.FormatError, match="outside the allowed prefixes"):
        open_document(url(store, "big.parquet"), policy=allowed)


def test_missing_object_is_a_refusal(store):
    with pytest.raises(fl.FormatError, match=rf"cannot read {store['scheme']}://team-bucket/nope\.parquet"):
        fl.open(url(store, "nope.parquet"))


def test_missing_bucket_is_a_refusal(store):
    with pytest.raises(fl.FormatError, match=rf"cannot read {store['scheme']}://no-such-bucket/x\.parquet"):
        fl.open(f"{store['scheme']}://no-such-bucket/x.parquet")


def test_cli_inspect(store):
    result = run_cli("inspect", url(store, "big.parquet"), "--no-spans", text=True)
    assert result.returncode == 0, result.stderr
    assert f"rows:     {ROWS}" in result.stdout, result.stdout[:500]
    size = len(store["objects"]["big.parquet"])
    fetched = re.search(rf"read ([\d,]+) of {size:,} bytes", result.stderr)
    assert fetched is not None, result.stderr
    assert int(fetched[1].replace(",", "")) <= 3 * 64 * 1024
