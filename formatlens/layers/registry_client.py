"""A small client for a Confluent Schema Registry: ``GET {url}/schemas/ids/{id}``.

The registry is the operator's setting (FORMATLENS_SCHEMA_REGISTRY_URL, read from the
server's environment and never from a browser or a link), so a person using the app
cannot point the server at another host. Each answer is cached per (registry, id);
requests time out (FORMATLENS_SCHEMA_REGISTRY_TIMEOUT seconds, default 5); a redirect
is followed only when it stays on the registry's own scheme, host and port.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

URL_VARIABLE = "FORMATLENS_SCHEMA_REGISTRY_URL"
TIMEOUT_VARIABLE = "FORMATLENS_SCHEMA_REGISTRY_TIMEOUT"
MAX_ANSWER_BYTES = 4 << 20


class RegistryError(Exception):
    """The registry could not give the schema (down, 404, redirected away, not JSON)."""


@dataclass(frozen=True)
class RegistrySchema:
    schema_id: int
    text: str
    schema_type: str
    """"AVRO" (the registry leaves schemaType out for Avro), "PROTOBUF" or "JSON"."""
    references: tuple = ()


_cache: dict[tuple[str, int], RegistrySchema] = {}
_lock = threading.Lock()


def registry_url() -> str | None:
    url = os.environ.get(URL_VARIABLE, "").strip()
    return url.rstrip("/") if url else None


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the registry's own scheme, host and port."""

    def __init__(self, origin: tuple[str, str]) -> None:
        self.origin = origin

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (target.scheme, target.netloc) != self.origin:
            raise RegistryError(f"the registry redirected to another host ({target.netloc or '?'}): not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_schema(schema_id: int, url: str | None = None) -> RegistrySchema:
    """The schema registered under ``schema_id``; RegistryError when it cannot be had."""
    base = url or registry_url()
    if not base:
        raise RegistryError(f"no schema registry is configured ({URL_VARIABLE})")
    key = (base, schema_id)
    with _lock:
        if key in _cache:
            return _cache[key]
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https"):
        raise RegistryError(f"{URL_VARIABLE} must be an http(s) URL")
    opener = urllib.request.build_opener(_SameOrigin((parts.scheme, parts.netloc)))
    request = urllib.request.Request(
        f"{base}/schemas/ids/{int(schema_id)}", headers={"Accept": "application/vnd.schemaregistry.v1+json"}
    )
    timeout = float(os.environ.get(TIMEOUT_VARIABLE, "5"))
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        reason = _error_message(exc)
        raise RegistryError(f"the registry answered {exc.code}{': ' + reason if reason else ''}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise RegistryError(f"the registry cannot be reached: {getattr(exc, 'reason', exc)}") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise RegistryError("the registry's answer is too large")
    try:
        parsed: Any = json.loads(body)
        text = parsed["schema"]
    except (ValueError, KeyError, TypeError):
        raise RegistryError("the registry's answer is not a schema (no JSON with a 'schema' field)") from None
    found = RegistrySchema(
        schema_id, str(text), str(parsed.get("schemaType") or "AVRO").upper(), tuple(parsed.get("references") or ())
    )
    with _lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[key] = found
    return found


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read(65536)).get("message", ""))[:200]
    except (ValueError, AttributeError, OSError):
        return ""


def clear_cache() -> None:
    with _lock:
        _cache.clear()
