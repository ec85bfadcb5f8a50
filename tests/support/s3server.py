"""moto's S3 server on 127.0.0.1 for tests: a real S3 API over HTTP, clients configured by environment only."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

ENV = {
    "AWS_ACCESS_KEY_ID": "formatlens-test",
    "AWS_SECRET_ACCESS_KEY": "formatlens-test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def s3_server() -> Iterator[str]:
    """Start moto's server, point the AWS clients at it through AWS_ENDPOINT_URL; yield its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with patch.dict(os.environ, {**ENV, "AWS_ENDPOINT_URL": url}):
            yield url
    finally:
        server.stop()
