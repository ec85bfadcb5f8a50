"""fl.open over http(s) against a real local server with Range support that counts the bytes it serves."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formatlens as fl
from formatlens.sources.lazy import EAGER_BYTES
from formatlens.sources.rangefile import LazyBytes
from tests.conftest import ROOT
from tests.support.cli import run_cli
from tests.support.rangeserver import serving

ROWS = 400_000


@pytest.fixture(scope="module")
def big_parquet() -> bytes:
    """~7 MB written by pyarrow in 8 row groups: bigger than EAGER_BYTES, so it is read lazily."""
    table = pa.table(
        {
            "id": pa.array(range(ROWS), pa.int64()),
            "name": pa.array([f"user-{i:07d}" for i in range(ROWS)]),
            "score": pa.array([(i * 7919) % 1000 / 10 for i in range(ROWS)]),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=ROWS // 8, compression="snappy")
    data = sink.getvalue()
    assert len(data) > EAGER_BYTES
    return data


def test_parquet_footer_is_all_that_is_read(big_parquet):
    with serving({"big.parquet": big_parquet}) as server:
        doc = fl.open(f"{server.url}/big.parquet")
        assert doc.format == "parquet"
        assert doc.details["rows"] == ROWS
        assert doc.details["row_groups"] == 8
        assert [c["path"] for c in doc.schema.details["row_groups"][0]["columns"]] == ["id", "name", "score"]
        assert doc.schema.details["row_groups"][3]["columns"][0]["min"] == 3 * ROWS // 8
        assert [s.label for s in doc.spans][:2] == ["PAR1 magic", f"row group 0: {ROWS // 8:,} rows"]
        footer_reads = server.served
        # The footer and the 4 KiB sniff: 3 blocks of 64 KiB at most, out of a ~7 MB file.
        assert footer_reads <= 3 * 64 * 1024, footer_reads
        assert footer_reads < len(big_parquet) / 20
        assert isinstance(doc.data, LazyBytes)
        assert doc.data.file.fetched == footer_reads  # what the client counted is what the server sent

        # A hexdump window is one range read of the bytes on screen (one 64 KiB block).
        block = len(big_parquet) // 2 // 65536 * 65536
        middle = block + 100
        assert doc.data[middle : middle + 4096] == big_parquet[middle : middle + 4096]
        assert server.served - footer_reads == 64 * 1024
        assert server.requests[-1][2] == f"bytes={block}-{block + 65535}"


def test_first_rows_read_the_first_pages_only(big_parquet):
    with serving({"big.parquet": big_parquet}) as server:
        doc = fl.open(f"{server.url}/big.parquet")
        assert doc.value[:2] == [
            {"id": 0, "name": "user-0000000", "score": 0.0},
            {"id": 1, "name": "user-0000001", "score": 91.9},
        ]
        assert len(doc.value) == 100
        assert server.served < len(big_parquet) / 3, server.served


def test_cli_inspect_url_reads_the_footer(big_parquet):
    with serving({"big.parquet": big_parquet}) as server:
        result = run_cli("inspect", f"{server.url}/big.parquet", text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "rows:     400000" in result.stdout
        assert "row_groups: 8" in result.stdout
        assert "optional int64 field_id=-1 id;" in result.stdout
        assert f"read {server.served:,} of {len(big_parquet):,} bytes" in result.stderr
        assert server.served <= 3 * 64 * 1024


def test_small_file_is_read_whole_and_decoded_like_an_upload():
    data = (ROOT / "samples" / "users.avro").read_bytes()
    with serving({"users.avro": data}) as server:
        doc = fl.open(f"{server.url}/users.avro")
        assert doc.format == "avro"
        assert doc.value == fl.load(data).value
        assert server.served == len(data)


def test_csv_first_rows_from_the_head():
    body = "id,name\n" + "".join(f"{i},name-{i}\n" for i in range(600_000))
    data = body.encode()
    with serving({"big.csv": data}) as server:
        doc = fl.open(f"{server.url}/big.csv")
        assert doc.format == "csv"
        assert doc.value[:2] == [{"id": 0, "name": "name-0"}, {"id": 1, "name": "name-1"}] or doc.value[:2] == [
            {"id": "0", "name": "name-0"},
            {"id": "1", "name": "name-1"},
        ]
        assert server.served <= 1024 * 1024 + 64 * 1024
        assert any("read lazily" in f.message for f in doc.findings)


def test_json_lines_first_rows():
    data = "".join(f'{{"n": {i}, "tag": "t{i}"}}\n' for i in range(300_000)).encode()
    with serving({"big.jsonl": data}) as server:
        doc = fl.open(f"{server.url}/big.jsonl", format="json")
        assert doc.value[:2] == [{"n": 0, "tag": "t0"}, {"n": 1, "tag": "t1"}]
        assert doc.details["json_lines"] is True
        assert server.served <= 1024 * 1024 + 64 * 1024


def test_avro_header_and_first_blocks():
    import fastavro

    schema = {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}, {"name": "s", "type": "string"}]}
    out = io.BytesIO()
    fastavro.writer(out, schema, ({"n": i, "s": f"value {i} " * 4} for i in range(200_000)), codec="null")
    data = out.getvalue()
    assert len(data) > EAGER_BYTES
    with serving({"big.avro": data}) as server:
        doc = fl.open(f"{server.url}/big.avro")
        assert doc.format == "avro"
        assert doc.value[:2] == [{"n": 0, "s": "value 0 " * 4}, {"n": 1, "s": "value 1 " * 4}]
        assert '"name": "n"' in doc.schema.text
        assert server.served < len(data) / 4
        # The codec's spans for what was read: magic, header map, sync marker, then whole blocks.
        labels = [span.label for span in doc.spans]
        assert labels[:2] == ["magic Obj\\x01", "header metadata map"]
        assert labels[2].startswith("sync marker ")
        blocks = [span for span in doc.spans if span.label.startswith("block ")]
        assert blocks and blocks[0].label.startswith("block 0: ")
        assert blocks[-1].end <= doc.data.file.fetched < len(data)
        assert sum(int(b.label.split(": ")[1].split(" ")[0].replace(",", "")) for b in blocks) >= 100
        assert data[blocks[0].end - 16 : blocks[0].end] == data[labels_end(doc) - 16 : labels_end(doc)]


def test_not_found_is_a_refusal():
    with serving({}) as server, pytest.raises(fl.FormatError, match="not found"):
        fl.open(f"{server.url}/missing.parquet")


def test_unreachable_is_a_refusal():
    from tests.support.launch import free_port

    with pytest.raises(fl.FormatError, match="cannot read"):
        fl.open(f"http://127.0.0.1:{free_port()}/x.parquet")


def test_slow_server_times_out(monkeypatch, big_parquet):
    monkeypatch.setenv("FORMATLENS_REMOTE_READ_SECONDS", "0.5")
    with serving({"big.parquet": big_parquet}) as server:
        server.stall = 3
        with pytest.raises(fl.FormatError, match="did not answer in time"):
            fl.open(f"{server.url}/slow/big.parquet")


def test_redirect_to_another_host_is_refused(big_parquet):
    with serving({"big.parquet": big_parquet}) as server, serving({"big.parquet": big_parquet}) as other:
        elsewhere = f"localhost:{other.server_address[1]}"
        with pytest.raises(fl.FormatError, match="redirects to another host"):
            fl.open(f"{server.url}/redirect/{elsewhere}/big.parquet")
        assert other.requests == []  # the other host was never contacted


def test_server_that_lies_about_its_length(big_parquet):
    with serving({"big.parquet": big_parquet}) as server, pytest.raises(fl.FormatError) as caught:
        fl.open(f"{server.url}/liar/big.parquet")
    assert f"it said it holds {2 * len(big_parquet):,} bytes" in str(caught.value)
    assert "lying about its length" in str(caught.value)


def test_truncated_parquet_footer(big_parquet):
    cut = big_parquet[: len(big_parquet) - 100] + big_parquet[-8:]  # footer bytes lost, length + magic kept
    with serving({"cut.parquet": cut}) as server:
        with pytest.raises(fl.FormatError, match="footer") as caught:
            fl.open(f"{server.url}/cut.parquet")
        assert caught.value.format == "parquet"


def test_byte_search_in_a_lazy_file_is_bounded(big_parquet):
    from formatlens.sources.rangefile import FIND_BYTES

    with serving({"big.parquet": big_parquet}) as server:
        doc = fl.open(f"{server.url}/big.parquet")
        before = server.served
        assert doc.data.find(b"PAR1") == 0
        assert doc.data.rfind(b"PAR1") == len(big_parquet) - 4
        needle = b"parquet-cpp-arrow version"  # the footer's created_by: once, at the end
        at = big_parquet.find(needle)
        assert big_parquet.find(needle) == at > FIND_BYTES
        assert doc.data.find(needle, at - 100_000) == at
        assert doc.data.find(needle, 0) == -1  # beyond what one search reads from offset 0
        assert doc.data.rfind(needle, 0, at + len(needle)) == at
        assert server.served - before <= 6 * (FIND_BYTES + 64 * 1024)  # six searches, each one window


def labels_end(doc) -> int:
    """The end of the header's sync marker (the third span)."""
    return doc.spans[2].end
