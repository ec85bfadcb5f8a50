"""s3:// through s3fs against moto's S3 server on 127.0.0.1: lazy Parquet, Avro, CSV, datasets, streaming."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.sources.lazy import open_document
from formatlens.sources.policy import RemotePolicy
from tests.support.cli import run_cli
from tests.support.objectstores import ROWS
from tests.support.objectstores import objects as store_objects
from tests.support.s3server import s3_server

BUCKET = "team-bucket"


@pytest.fixture(scope="module")
def s3():
    boto3 = pytest.importorskip("boto3")
    with s3_server() as endpoint:
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket=BUCKET)
        objects = store_objects()
        objects["events/_SUCCESS"] = b""
        for key, body in objects.items():
            client.put_object(Bucket=BUCKET, Key=key, Body=body)
        yield {"endpoint": endpoint, "objects": objects}


def test_parquet_footer_over_s3(s3):
    doc = fl.open(f"s3://{BUCKET}/big.parquet")
    assert doc.format == "parquet"
    assert doc.details["rows"] == ROWS
    assert doc.details["row_groups"] == 4
    assert doc.data.file.fetched <= 3 * 64 * 1024
    assert doc.data.file.fetched < len(s3["objects"]["big.parquet"]) / 10
    assert doc.value[0] == {"id": 0, "label": "label-00000000"}


def test_small_avro_over_s3_is_decoded_whole(s3):
    doc = fl.open(f"s3://{BUCKET}/small.avro")
    assert doc.format == "avro"
    assert doc.value == [{"n": 7}]


def test_hive_partitioned_dataset(s3):
    doc = fl.open(f"s3://{BUCKET}/events/")
    assert doc.details["files"] == 5
    assert doc.details["rows"] == 15
    assert doc.details["partitions"] == {"day": ["2024-01-01", "2024-01-02", "2024-01-03"], "region": ["eu", "us"]}
    assert doc.schema.details["differing_files"] == ["day=2024-01-03/region=eu/part-0.parquet"]
    warnings = [f.message for f in doc.findings if f.severity == "warning"]
    assert warnings == ["day=2024-01-03/region=eu/part-0.parquet has a different schema: adds coupon (string)"]
    assert "coupon: string" in doc.schema.text and "day: string (hive partition)" in doc.schema.text
    assert doc.value[0] == {"user": "a", "amount": 1.5, "day": "2024-01-01", "region": "eu"}


def test_glob_over_s3(s3):
    doc = fl.open(f"s3://{BUCKET}/events/day=2024-01-0[12]/*/*.parquet")
    assert doc.details["files"] == 4
    assert doc.schema.details["differing_files"] == []


def test_streaming_convert_from_s3(s3, tmp_path):
    result = fl.convert_file(f"s3://{BUCKET}/rows.csv", tmp_path / "rows.parquet", "parquet")
    assert result.rows == 50_000
    assert pq.read_table(tmp_path / "rows.parquet").column("people")[49_999].as_py() == 499_990


def test_policy_applies_to_s3(s3):
    allowed = RemotePolicy(("s3://team-bucket/events/",))
    doc = open_document(f"s3://{BUCKET}/events/day=2024-01-01/region=eu/part-0.parquet", policy=allowed)
    assert doc.value[0]["user"] == "a"
    with pytest.raises(fl.FormatError, match="outside the allowed prefixes"):
        open_document(f"s3://{BUCKET}/big.parquet", policy=allowed)


def test_missing_object_is_a_refusal(s3):
    with pytest.raises(fl.FormatError, match=r"cannot read s3://team-bucket/nope\.parquet"):
        fl.open(f"s3://{BUCKET}/nope.parquet")


def test_cli_inspect_s3_dataset(s3):
    result = run_cli("inspect", f"s3://{BUCKET}/events/", "--json", "--no-spans", text=True)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["details"]["files"] == 5
    assert out["schema"]["details"]["partitions"]["region"] == ["eu", "us"]
