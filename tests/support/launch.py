"""Start `streamlit run app.py` on a free port of 127.0.0.1 and wait for its health check (tests, benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
"""Debian's chromium, which Playwright drives (no browser download)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
"""Without the background-networking flags chromium keeps calling out to a network this machine lacks."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(
    timeout: float = 60, env: dict[str, str] | None = None, script: str = "app.py", args: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """(url, process) of a fresh server of ``script`` (default the app), with ``env`` added to its
    environment and ``args`` after streamlit's own; it is stopped on exit."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *args,
        ],
        cwd=ROOT,
        env={**os.environ, **env} if env else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:g} s") from None
                time.sleep(0.3)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # busy inside a C parser: it does not hear SIGTERM
            process.kill()
            process.wait(timeout=10)
