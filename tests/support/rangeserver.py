"""A local HTTP server with Range support that counts the bytes it serves (tests of lazy remote reads).

Files are served from a dict; a few paths misbehave on purpose: ``/redirect/<host:port>/<name>``
redirects to another host, ``/slow/<name>`` stalls before answering, ``/liar/<name>`` claims a
longer Content-Length than it serves.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.files = files
        self.served = 0
        """Body bytes sent, all requests together."""
        self.requests: list[tuple[str, str, str | None]] = []
        self.stall = 5.0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: CountingServer

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.requests.append((self.command, path, self.headers.get("Range")))
        redirect = re.fullmatch(r"/redirect/([^/]+)/(.+)", path)
        if redirect:
            self.send_response(302)
            self.send_header("Location", f"http://{redirect[1]}/{redirect[2]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        liar = path.startswith("/liar/")
        if path.startswith("/slow/"):
            time.sleep(self.server.stall)
        name = path.rsplit("/", 1)[-1]
        data = self.server.files.get(name)
        if data is None:
            self.send_error(404)
            return
        size = len(data)
        claimed = size * 2 if liar else size
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range") or "")
        if match:
            start = int(match[1]) if match[1] else max(0, claimed - int(match[2]))
            end = min(int(match[2]) + 1 if match[1] and match[2] else claimed, claimed)
            chunk = data[start:end]  # a liar serves fewer bytes than the range it claims
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{claimed}")
        else:
            chunk = data
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(claimed if not match and not body else len(chunk)))
        self.end_headers()
        if body:
            # Counted before the write: once the client has the bytes, the count must already show them.
            with self.server.lock:
                self.server.served += len(chunk)
            self.wfile.write(chunk)


@contextmanager
def serving(files: dict[str, bytes]) -> Iterator[CountingServer]:
    server = CountingServer(files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
