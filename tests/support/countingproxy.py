"""A TCP proxy on 127.0.0.1 that counts the bytes a server sends back (object-storage emulators).

The emulators (gcp-storage-emulator, Azurite) do not count what they serve; this proxy sits between
the client and the emulator and counts every byte of the responses, headers included, so a test can
assert that a lazy read fetched the footer and not the object.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CountingProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.served = 0
        """Bytes sent from the server to the clients, all connections together."""
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def reset(self) -> None:
        with self.lock:
            self.served = 0

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener was closed: the proxy is stopping
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, count: bool) -> None:
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:  # the other side or stop() closed it
                chunk = b""
            if not chunk:
                break
            if count:
                with self.lock:
                    self.served += len(chunk)
            try:
                sink.sendall(chunk)
            except OSError:
                break
        for sock in (source, sink):
            with contextlib.suppress(OSError):  # already shut
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.closed.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                sock.close()


@contextmanager
def counting_proxy(host: str, port: int) -> Iterator[CountingProxy]:
    proxy = CountingProxy((host, port))
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.stop()
