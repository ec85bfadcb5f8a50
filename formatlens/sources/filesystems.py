"""The fsspec filesystem for a path or URL: real clients, credentials from the server's environment.

- local paths (and ``file://`` in the library, never in the app's URL source)
- ``http(s)://`` through aiohttp, with timeouts, no redirect to another host, and the SSRF policy
  checked on every connection the client makes (the address it connects to, not only the URL)
- ``s3://`` (s3fs), ``gs://`` (gcsfs), ``az://``/``abfs://`` (adlfs): whichever is installed;
  each reads its credentials and endpoint from the environment (``AWS_*``, ``GOOGLE_*``,
  ``AZURE_STORAGE_*``), never from the person using the app.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import fsspec
from fsspec.implementations.local import LocalFileSystem

from formatlens.sources.policy import RemotePolicy, RemoteRefused


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds: no read waits forever, a silent server becomes a refusal."""
    return (
        float(os.environ.get("FORMATLENS_REMOTE_CONNECT_SECONDS", "10")),
        float(os.environ.get("FORMATLENS_REMOTE_READ_SECONDS", "30")),
    )


_INSTALL_HINT = {"s3": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs", "abfss": "adlfs"}


def is_url(path_or_url: str) -> bool:
    scheme = urlsplit(str(path_or_url)).scheme
    return len(scheme) > 1  # a Windows drive letter is not a scheme


def filesystem_for(path_or_url: Any, policy: RemotePolicy | None = None) -> tuple[fsspec.AbstractFileSystem, str]:
    """(filesystem, path inside it) for a local path or a URL; ``policy`` is the shared server's rules."""
    text = os.fspath(path_or_url) if hasattr(path_or_url, "__fspath__") else str(path_or_url)
    if policy is not None:
        policy.check_url(text)
    if not is_url(text):
        return LocalFileSystem(), os.path.abspath(text)
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        return _http(policy), text
    if scheme == "file":
        return LocalFileSystem(), urlsplit(text).path
    try:
        cls = fsspec.get_filesystem_class(scheme)
    except (ImportError, ValueError) as exc:
        package = _INSTALL_HINT.get(scheme)
        raise RemoteRefused(
            f"cannot read {scheme}:// URLs here: {exc}",
            hint=f"pip install {package}" if package else "use a local path, http(s), s3, gs or az",
        ) from None
    if scheme in ("gs", "gcs") and os.environ.get("STORAGE_EMULATOR_HOST"):
        # gcsfs's default class first asks Google's gRPC control plane for each bucket's layout
        # (zonal / hierarchical), which an emulator does not serve: it waits 60 s per bucket. An
        # emulator speaks the JSON API only, which the plain client uses.
        from gcsfs.core import GCSFileSystem

        cls = GCSFileSystem
    fs = cls(skip_instance_cache=True, **_client_options(scheme))
    return fs, fs._strip_protocol(text)


def _client_options(scheme: str) -> dict[str, Any]:
    """Timeouts for each object-store client (their defaults wait or retry for minutes)."""
    connect, read = timeouts()
    if scheme == "s3":
        return {"config_kwargs": {"connect_timeout": connect, "read_timeout": read, "retries": {"max_attempts": 2}}}
    if scheme in ("gs", "gcs"):
        options: dict[str, Any] = {"requests_timeout": read}
        if os.environ.get("STORAGE_EMULATOR_HOST"):
            # gcsfs sends requests to the emulator but would still look for Google credentials
            # (and ask the metadata service for them): an emulator takes none.
            options["token"] = "anon"
        return options
    if scheme in ("az", "abfs", "abfss"):
        # adlfs reads AZURE_STORAGE_CONNECTION_STRING / _ACCOUNT_NAME / _ACCOUNT_KEY / ... itself.
        return {"connection_timeout": int(connect), "read_timeout": int(read)}
    return {}


def _http(policy: RemotePolicy | None) -> fsspec.AbstractFileSystem:
    import aiohttp
    import yarl
    from fsspec.implementations.http import HTTPFileSystem

    class GuardedConnector(aiohttp.TCPConnector):
        """Checks the address of every connection, so a DNS name that resolves to loopback is refused too."""

        async def _resolve_host(self, host: str, port: int, traces: Any = None) -> Any:
            import ipaddress

            hosts = await super()._resolve_host(host, port, traces=traces)
            if policy is not None:
                for entry in hosts:
                    policy.check_address(ipaddress.ip_address(entry["host"]), host)
            return hosts

    async def refuse_other_hosts(session: Any, context: Any, params: Any) -> None:
        before = urlsplit(str(params.url))
        location = params.response.headers.get("Location", "")
        after = urlsplit(str(params.url.join(yarl.URL(location))))
        if (before.scheme, before.netloc) != (after.scheme, after.netloc):
            raise RemoteRefused(
                f"{before.scheme}://{before.netloc} redirects to another host ({after.scheme}://{after.netloc})",
                hint="give the final URL; formatlens follows redirects only within one host",
            )
        if policy is not None:
            policy.check_url(after.geturl())

    async def get_client(**kwargs: Any) -> Any:
        connect, read = timeouts()
        trace = aiohttp.TraceConfig()
        trace.on_request_redirect.append(refuse_other_hosts)
        return aiohttp.ClientSession(
            connector=GuardedConnector(),
            trace_configs=[trace],
            timeout=aiohttp.ClientTimeout(sock_connect=connect, sock_read=read),
            **kwargs,
        )

    return HTTPFileSystem(get_client=get_client, skip_instance_cache=True, block_size=0)
