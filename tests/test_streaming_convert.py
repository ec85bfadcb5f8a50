"""fl.convert_file: streaming conversion in Arrow batches, the loss report, and no half-written output."""

from __future__ import annotations

import io
import json

import fastavro
import msgpack
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.convert import streaming
from tests.support.cli import run_cli

ROWS = 120_000


@pytest.fixture
def small_blocks(monkeypatch):
    """Small batches, so a test file of a few MB is many batches (the streaming path, not one block)."""
    monkeypatch.setattr(streaming, "BLOCK_BYTES", 64 * 1024)
    monkeypatch.setattr(streaming, "RECORD_BATCH_ROWS", 5_000)
    monkeypatch.setattr(streaming, "ROW_GROUP_BYTES", 512 * 1024)


def write_csv(path, rows=ROWS, bad_row: int | None = None, bad: str = "1,2,3,4") -> None:
    with open(path, "w") as out:
        out.write("id,name,score\n")
        for i in range(1, rows + 1):
            out.write(bad + "\n" if i == bad_row else f"{i},name {i},{i / 4}\n")


def test_csv_to_parquet_matches_pyarrow(tmp_path, small_blocks):
    src, dst = tmp_path / "big.csv", tmp_path / "out.parquet"
    write_csv(src)
    seen = []
    result = fl.convert_file(src, dst, "parquet", progress=lambda done, total: seen.append((done, total)))
    assert result.rows == ROWS
    assert result.losses == []
    table = pq.read_table(dst)
    assert table.equals(pacsv.read_csv(src))  # what pyarrow itself reads from the same file
    metadata = pq.ParquetFile(dst).metadata
    assert metadata.num_row_groups > 1  # written as it streamed, not in one piece
    assert len(seen) > 10 and seen[-1][1] == src.stat().st_size
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert list(tmp_path.iterdir()) == [src, dst] or sorted(tmp_path.iterdir()) == sorted([src, dst])


def test_bad_row_in_the_middle_names_it_and_leaves_nothing(tmp_path, small_blocks):
    src, dst = tmp_path / "bad.csv", tmp_path / "out.parquet"
    write_csv(src, bad_row=90_001)
    with pytest.raises(fl.FormatError, match="row 90,001") as caught:
        fl.convert_file(src, dst, "parquet")
    assert caught.value.row == 90_001
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # no output, no temp file


def test_bad_value_for_the_inferred_type_names_the_row(tmp_path, small_blocks):
    src, dst = tmp_path / "bad.csv", tmp_path / "out.parquet"
    write_csv(src, bad_row=70_000, bad="notanumber,x,1")
    with pytest.raises(fl.FormatError, match="row 70,000"):
        fl.convert_file(src, dst, "parquet")
    assert not dst.exists()


def test_existing_output_survives_a_failed_conversion(tmp_path, small_blocks):
    src, dst = tmp_path / "bad.csv", tmp_path / "out.parquet"
    write_csv(src, bad_row=50_000)
    dst.write_bytes(b"previous output")
    with pytest.raises(fl.FormatError):
        fl.convert_file(src, dst, "parquet")
    assert dst.read_bytes() == b"previous output"


def test_jsonl_to_csv_reports_the_same_losses_as_convert(tmp_path, small_blocks):
    records = [{"id": i, "user": {"name": f"n{i}", "tags": ["a", "b"]}} for i in range(20_000)]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.csv"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = fl.convert_file(src, dst, "csv")
    in_memory = fl.convert(json.dumps(records).encode(), "csv")
    assert result.losses == in_memory.losses
    assert dst.read_bytes().replace(b"\r\n", b"\n") == in_memory.data.replace(b"\r\n", b"\n")


def test_avro_to_jsonl_and_back(tmp_path, small_blocks):
    schema = {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}, {"name": "s", "type": "string"}]}
    src = tmp_path / "in.avro"
    with open(src, "wb") as out:
        fastavro.writer(out, schema, ({"n": i, "s": f"v{i}"} for i in range(30_000)))
    jsonl = tmp_path / "out.jsonl"
    result = fl.convert_file(src, jsonl, "jsonl")
    assert result.rows == 30_000
    lines = jsonl.read_text().splitlines()
    assert json.loads(lines[12_345]) == {"n": 12_345, "s": "v12345"}
    back = tmp_path / "back.avro"
    result = fl.convert_file(jsonl, back, "avro")
    with open(back, "rb") as f:
        assert list(fastavro.reader(f))[29_999] == {"n": 29_999, "s": "v29999"}
    assert result.schema is not None and '"name": "n"' in result.schema.text


def test_msgpack_stream_to_parquet(tmp_path, small_blocks):
    src, dst = tmp_path / "in.msgpack", tmp_path / "out.parquet"
    with open(src, "wb") as out:
        for i in range(12_000):
            out.write(msgpack.packb({"k": i, "v": f"x{i}"}))
    result = fl.convert_file(src, dst, "parquet")
    assert result.rows == 12_000
    assert pq.read_table(dst).column("v")[11_999].as_py() == "x11999"


def test_msgpack_row_that_does_not_fit(tmp_path, small_blocks):
    src, dst = tmp_path / "in.msgpack", tmp_path / "out.parquet"
    with open(src, "wb") as out:
        for i in range(12_000):
            out.write(msgpack.packb({"k": i} if i != 7_500 else {"k": {"nested": True}}))
    with pytest.raises(fl.FormatError, match="row 7,501"):
        fl.convert_file(src, dst, "parquet")
    assert not dst.exists()


def test_parquet_to_csv(tmp_path, small_blocks):
    src, dst = tmp_path / "in.parquet", tmp_path / "out.csv"
    table = pa.table({"a": list(range(50_000)), "b": [f"s{i}" for i in range(50_000)]})
    pq.write_table(table, src, row_group_size=10_000)
    fl.convert_file(src, dst, "csv")
    assert pacsv.read_csv(dst).equals(table)


def test_cli_streams_with_losses_on_stderr(tmp_path):
    src, dst = tmp_path / "big.csv", tmp_path / "out.parquet"
    write_csv(src, rows=5_000)
    result = run_cli("convert", src, "--to", "parquet", "-o", dst, "--stream", text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "wrote 5,000 rows" in result.stderr
    assert pq.read_table(dst).num_rows == 5_000


def test_cli_bad_row_exits_2(tmp_path):
    src, dst = tmp_path / "bad.csv", tmp_path / "out.parquet"
    write_csv(src, rows=5_000, bad_row=4_321)
    result = run_cli("convert", src, "--to", "parquet", "-o", dst, "--stream", text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "row 4,321" in result.stderr
    assert not dst.exists()


def test_unsupported_pairs_are_refused(tmp_path):
    with pytest.raises(fl.FormatError, match="streaming conversion writes"):
        fl.convert_file(tmp_path / "x.csv", tmp_path / "y.yaml", "yaml")
    with pytest.raises(fl.FormatError, match="cannot read"):
        fl.convert_file(tmp_path / "missing.csv", tmp_path / "y.parquet", "parquet")
    assert io  # keep the import honest
