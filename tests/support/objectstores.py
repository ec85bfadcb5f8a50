"""Local Google Cloud Storage and Azure Blob emulators for the gs:// and az:// tests, on 127.0.0.1.

- GCS: gcp-storage-emulator (PyPI, pure Python) in a thread; gcsfs reaches it via STORAGE_EMULATOR_HOST.
- Azure: Azurite's blob service (npm, run by Debian's node) in a child process; adlfs reaches it via
  AZURE_STORAGE_CONNECTION_STRING. `./run test` installs Azurite with npm (see ``azurite_binary``).

Each client is configured through the environment only, as a server's operator would configure it,
and each emulator sits behind a CountingProxy so a test can assert how many bytes were served.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq

from tests.support.countingproxy import CountingProxy, counting_proxy

AZURITE_VERSION = re.search(r"^AZURITE_VERSION=(\S+)", (Path(__file__).parents[2] / "run").read_text(), re.M)[1]
"""The Azurite release `./run test` installs (one place says it: the run script)."""

# Azurite's documented development account (the same in every Azurite install; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


ROWS = 400_000
"""Rows of big.parquet in the test objects."""


def parquet_bytes(table: pa.Table, **options) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return sink.getvalue()


def objects() -> dict[str, bytes]:
    """The objects every store test holds: a big Parquet of four row groups, a small Avro, a CSV and a hive
    dataset whose last partition has an extra column."""
    big = pa.table({"id": pa.array(range(ROWS)), "label": pa.array([f"label-{i:08d}" for i in range(ROWS)])})
    made = {"big.parquet": parquet_bytes(big, row_group_size=ROWS // 4)}
    out = io.BytesIO()
    fastavro.writer(out, {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}]}, [{"n": 7}])
    made["small.avro"] = out.getvalue()
    made["rows.csv"] = b"city,people\n" + b"".join(b"c%d,%d\n" % (i, i * 10) for i in range(50_000))
    events = pa.table({"user": ["a", "b", "c"], "amount": [1.5, 2.5, 3.5]})
    for day in ("2024-01-01", "2024-01-02"):
        for region in ("eu", "us"):
            made[f"events/day={day}/region={region}/part-0.parquet"] = parquet_bytes(events)
    odd = events.append_column("coupon", pa.array(["X", None, "Y"]))
    made["events/day=2024-01-03/region=eu/part-0.parquet"] = parquet_bytes(odd)
    return made


@contextmanager
def gcs_server() -> Iterator[CountingProxy]:
    """gcp-storage-emulator in memory on 127.0.0.1, behind a counting proxy; STORAGE_EMULATOR_HOST set."""
    from gcp_storage_emulator.server import create_server

    logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)
    server = create_server("127.0.0.1", 0, in_memory=True)
    server.start()
    try:
        # The emulator does not report the port it bound; its HTTP server holds it.
        port = server._api._httpd.server_address[1]
        with (
            counting_proxy("127.0.0.1", port) as proxy,
            patch.dict(os.environ, {"STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{proxy.port}"}),
        ):
            yield proxy
    finally:
        server.stop()


def azurite_binary() -> str | None:
    """Azurite's blob server: $FORMATLENS_AZURITE, the copy `./run test` installs, or one on PATH."""
    explicit = os.environ.get("FORMATLENS_AZURITE")
    if explicit:
        return explicit
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "formatlens"
    installed = cache / f"azurite-{AZURITE_VERSION}" / "node_modules" / ".bin" / "azurite-blob"
    return str(installed) if installed.exists() else shutil.which("azurite-blob")


def azurite_connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )


@contextmanager
def azurite_server(binary: str) -> Iterator[CountingProxy]:
    """Azurite's blob service in memory on 127.0.0.1, behind a counting proxy; the connection string set."""
    process = subprocess.Popen(
        [binary, "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--skipApiVersionCheck"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    reader = threading.Thread()
    try:
        port, reader = _listening_port(process)
        with (
            counting_proxy("127.0.0.1", port) as proxy,
            patch.dict(os.environ, {"AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(proxy.port)}),
        ):
            yield proxy
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if reader.ident is not None:
            reader.join(10)  # it ends at the end of Azurite's output
        assert process.stdout is not None
        process.stdout.close()


def _listening_port(process: subprocess.Popen, timeout: float = 60.0) -> tuple[int, threading.Thread]:
    """The port from Azurite's "successfully listens on http://127.0.0.1:PORT" line."""
    found: list[int] = []
    seen: list[str] = []
    ready = threading.Event()

    def read() -> None:
        # Reads Azurite's output to the end, so it never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            match = re.search(r"listens on http://127\.0\.0\.1:(\d+)", line)
            if match and not found:
                found.append(int(match[1]))
                ready.set()
        ready.set()  # Azurite exited

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(timeout)
    if not found:
        raise RuntimeError(f"Azurite did not start within {timeout:.0f} s (exit {process.poll()}): {''.join(seen)}")
    return found[0], reader
