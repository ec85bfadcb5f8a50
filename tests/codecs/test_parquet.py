import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formatlens as fl

from ..conftest import corpus_dir

ROWS = [{"id": i, "language": ["de", "en", "fr"][i % 3], "score": i / 2} for i in range(300)]


def parquet_bytes(rows=ROWS, **options) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows), sink, **options)
    return sink.getvalue().to_pybytes()


def test_layout_and_spans_come_from_the_footer(monkeypatch):
    data = parquet_bytes(row_group_size=100, compression="zstd")
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("rows were read"))
    doc = fl.load(data)
    assert doc.format == "parquet" and doc.details["rows"] == 300 and doc.details["row_groups"] == 3
    assert "optional int64 field_id=-1 id;" in doc.schema.text
    assert "language: string" in doc.schema.details["arrow_schema"]
    chunk = doc.schema.details["row_groups"][0]["columns"][1]
    assert chunk["path"] == "language" and chunk["compression"] == "ZSTD"
    assert chunk["min"] == "de" and chunk["max"] == "fr" and chunk["null_count"] == 0
    kinds = [s.kind for s in doc.spans]
    assert kinds[0] == "magic" and kinds[-3:] == ["footer", "length", "magic"]
    groups = [s for s in doc.spans if s.label.startswith("row group")]
    assert len(groups) == 3 and all(len(g.children) == 3 for g in groups)
    assert doc.spans[-1].end == len(data)


def test_statistics_without_a_logical_form_show_their_raw_bytes():
    # Another writer's string statistics need not be UTF-8: pyarrow cannot box them as str
    # (UnicodeDecodeError), and the footer still holds them; the layout shows the bytes, not nothing.
    data = parquet_bytes([{"s": "abc\u00e9"}, {"s": "zz"}], compression="none")
    data = data.replace("abc\u00e9".encode(), b"abc\xff\xfe")  # same length: no offset moves
    chunk = fl.load(data, "parquet").schema.details["row_groups"][0]["columns"][0]
    assert (chunk["min"], chunk["max"]) == (b"abc\xff\xfe", "zz")


def test_columns_and_filters():
    data = parquet_bytes()
    doc = fl.load(data, "parquet", columns=["id", "language"], filters=[("language", "=", "fr")])
    assert doc.value[:2] == [{"id": 2, "language": "fr"}, {"id": 5, "language": "fr"}]
    assert doc.table.num_rows == 100


@pytest.mark.parametrize("compression", ["none", "snappy", "gzip", "zstd", "brotli", "lz4"])
def test_encode_options(compression):
    data = fl.dump(ROWS, "parquet", compression=compression, row_group_size=50, use_dictionary=False)
    meta = pq.ParquetFile(pa.BufferReader(data)).metadata
    assert meta.num_row_groups == 6
    assert fl.load(data).value == ROWS


def test_decompression_bomb_refused_fast_and_small():
    bomb = corpus_dir("parquet-testing", "decompression_bomb") / "large_string_map.brotli.parquet"
    tracemalloc.start()
    doc = fl.load(bomb.read_bytes())
    assert doc.details["uncompressed_bytes"] > 2_000_000_000
    with pytest.raises(fl.LimitExceeded, match="FORMATLENS_MAX_DECOMPRESSED_BYTES"):
        doc.value  # noqa: B018
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000, "the bomb was inflated"  # how fast it is refused: bench/parquet_bomb.py


def test_encrypted_and_truncated():
    encrypted = corpus_dir("parquet-testing", "data") / "uniform_encryption.parquet.encrypted"
    with pytest.raises(fl.FormatError, match="encrypted"):
        fl.load(encrypted.read_bytes())
    data = parquet_bytes()
    with pytest.raises(fl.FormatError, match="PAR1"):
        fl.load(data[:-1], "parquet")
    with pytest.raises(fl.FormatError, match="footer"):
        fl.load(data[:4] + b"\x00" * (len(data) - 12) + data[-8:], "parquet")
