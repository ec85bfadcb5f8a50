"""The Schema Registry client against a registry-API server started on 127.0.0.1 inside the test:
schemas by id, cached per id, 404, a registry that is down or slow, and redirects."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import formatlens as fl
from formatlens.layers import registry_client
from formatlens.layers.peel import UNPARSED
from formatlens.layers.registry_client import RegistryError, fetch_schema

PROTO = 'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string item = 2; }\n'
AVRO = json.dumps(
    {"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}]}
)
SCHEMAS = {42: {"schema": PROTO, "schemaType": "PROTOBUF"}, 7: {"schema": AVRO}}


class Registry:
    """A tiny Confluent registry API: GET /schemas/ids/{id}; records every request path."""

    def __init__(self, redirect_to: str | None = None, delay: float = 0.0) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                if delay:
                    time.sleep(delay)
                if self.path.startswith("/old/"):  # moved, on this same server
                    self.send_response(301)
                    self.send_header("Location", self.path[len("/old") :])
                    self.end_headers()
                    return
                if redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", redirect_to + self.path)
                    self.end_headers()
                    return
                schema_id = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/schemas/ids/") else -1
                if schema_id not in SCHEMAS:
                    body = json.dumps({"error_code": 40403, "message": "Schema not found"}).encode()
                    self.send_response(404)
                else:
                    body = json.dumps(SCHEMAS[schema_id]).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def fresh_cache():
    registry_client.clear_cache()
    yield
    registry_client.clear_cache()


def confluent(schema_id: int, payload: bytes, indexes: bytes = b"") -> bytes:
    return b"\x00" + schema_id.to_bytes(4, "big") + indexes + payload


def test_protobuf_schema_by_id_and_cached_per_id(monkeypatch):
    with Registry() as registry:
        monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_URL", registry.url)
        data = confluent(42, b"\x08\x05\x12\x03pen", b"\x00")
        doc = fl.load(data)
        assert doc.format == "protobuf" and doc.value == {"id": 5, "item": "pen"}
        layer = doc.layers[0]
        assert layer.details["schema_id"] == 42 and layer.details["schema_source"] == "registry"
        assert layer.details["message"] == "shop.Order" and layer.details["schema_type"] == "PROTOBUF"
        fl.load(data)
        assert registry.requests == ["/schemas/ids/42"]  # the second load used the cache


def test_avro_schema_by_id(monkeypatch):
    with Registry() as registry:
        monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_URL", registry.url)
        doc = fl.load(confluent(7, b"\x02\x06Ann"))
        assert doc.format == "avro" and doc.value == {"id": 1, "name": "Ann"}
        assert "message_indexes" not in doc.layers[0].details  # Avro payloads have no index array


def test_unknown_id_is_a_finding_and_the_payload_still_shows(monkeypatch):
    with Registry() as registry:
        monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_URL", registry.url)
        doc = fl.load(confluent(99, b"\x08\x05", b"\x00"))
        assert doc.format == "protobuf" and doc.value == {"1": 5}  # schemaless
        assert any(
            f.severity == "warning" and "404" in f.message and "Schema not found" in f.message for f in doc.findings
        )
        avro = fl.load(confluent(98, b"\x02\x06Ann"))
        assert avro.format == UNPARSED and avro.layers[0].details["schema_id"] == 98


def test_registry_down(monkeypatch):
    with Registry() as registry:
        url = registry.url
    monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_URL", url)  # the server is gone: connection refused
    doc = fl.load(confluent(42, b"\x08\x05", b"\x00"))
    assert doc.value == {"1": 5}
    assert any("cannot be reached" in f.message for f in doc.findings)


def test_slow_registry_times_out(monkeypatch):
    with Registry(delay=3) as registry:
        monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_URL", registry.url)
        monkeypatch.setenv("FORMATLENS_SCHEMA_REGISTRY_TIMEOUT", "0.5")
        with pytest.raises(RegistryError, match="cannot be reached"):
            fetch_schema(42)


def test_redirect_to_another_host_is_not_followed():
    with Registry() as target, Registry(redirect_to=target.url.replace("127.0.0.1", "localhost")) as registry:
        with pytest.raises(RegistryError, match="another host"):
            fetch_schema(42, registry.url)
        assert registry.requests == ["/schemas/ids/42"] and target.requests == []


def test_redirect_on_the_same_host_is_followed_and_another_port_is_not():
    with Registry() as registry:
        found = fetch_schema(42, registry.url + "/old")  # answered with a relative redirect to /schemas/ids/42
        assert found.schema_type == "PROTOBUF" and registry.requests == ["/old/schemas/ids/42", "/schemas/ids/42"]
        with Registry(redirect_to=registry.url) as other_port, pytest.raises(RegistryError, match="another host"):
            fetch_schema(42, other_port.url)


def test_no_registry_configured(monkeypatch):
    monkeypatch.delenv("FORMATLENS_SCHEMA_REGISTRY_URL", raising=False)
    with pytest.raises(RegistryError, match="no schema registry"):
        fetch_schema(42)
    assert fl.load(confluent(42, b"\x08\x05", b"\x00")).value == {"1": 5}
