"""Which URLs a shared server may fetch: the operator's allowlist and the SSRF refusals.

A team server that fetches URLs for its users can be pointed at addresses only the server can
reach: its own loopback, the cloud metadata service on a link-local address, a file on its disk.
The "URL" source is therefore off unless the operator lists allowed prefixes in
``FORMATLENS_REMOTE_ALLOW`` (comma-separated, e.g. ``s3://team-bucket/,https://data.internal/``),
and even an allowed http(s) URL is refused when its host resolves to a loopback, link-local,
unspecified, multicast, reserved or metadata-service address, unless that address is inside a
network the operator lists in ``FORMATLENS_REMOTE_ALLOW_ADDRESSES`` (e.g. ``127.0.0.1/32``).
The check runs on every connection (redirects included), not only on the URL as typed, so a DNS
name that resolves to loopback is refused too.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from formatlens.core.errors import FormatError

ALLOW_ENV = "FORMATLENS_REMOTE_ALLOW"
ADDRESSES_ENV = "FORMATLENS_REMOTE_ALLOW_ADDRESSES"
SCHEMES = ("http", "https", "s3", "gs", "gcs", "az", "abfs")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)


class RemoteRefused(FormatError):
    """A URL the server's policy does not allow (a refusal, shown as a message)."""


def address_problem(address: IPAddress) -> str | None:
    """Why a shared server must not connect to this address, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata-service address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    return None


def resolve(host: str, port: int | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to (numeric forms such as 2130706433 included)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise RemoteRefused(f"cannot resolve the host {host!r}: {exc}", hint="check the URL") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class RemotePolicy:
    """What the operator allows: URL prefixes, and addresses let through despite the SSRF rules."""

    prefixes: tuple[str, ...] = ()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> RemotePolicy:
        env = os.environ if environ is None else environ
        prefixes = tuple(p.strip() for p in env.get(ALLOW_ENV, "").split(",") if p.strip())
        networks = []
        for item in env.get(ADDRESSES_ENV, "").split(","):
            if item.strip():
                try:
                    networks.append(ipaddress.ip_network(item.strip(), strict=False))
                except ValueError:
                    raise RemoteRefused(
                        f"{ADDRESSES_ENV} holds {item.strip()!r}, which is not an address or network",
                        hint="use CIDR notation such as 127.0.0.1/32",
                    ) from None
        return cls(prefixes, tuple(networks))

    @property
    def enabled(self) -> bool:
        return bool(self.prefixes)

    def check_url(self, url: str) -> None:
        """Refuse ``url`` unless an allowed prefix covers it and (for http) its host is a fair target."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise RemoteRefused(
                f"the {scheme or 'local file'} scheme is not allowed for a URL source"
                if scheme != "file"
                else "file:// URLs are not allowed: the server's own disk is not a source",
                hint="use an http(s), s3, gs or az URL the operator allows",
            )
        if not self.enabled:
            raise RemoteRefused(
                "the URL source is off on this server",
                hint=f"the operator enables it by listing allowed prefixes in {ALLOW_ENV}",
            )
        if not any(_covers(prefix, url) for prefix in self.prefixes):
            raise RemoteRefused(
                f"{_redacted(url)} is outside the allowed prefixes",
                hint="allowed: " + ", ".join(self.prefixes),
            )
        if scheme in ("http", "https"):
            if not parts.hostname:
                raise RemoteRefused("the URL has no host", hint="write it as https://host/path")
            for address in resolve(parts.hostname, parts.port):
                self.check_address(address, parts.hostname)

    def check_address(self, address: IPAddress, host: str = "") -> None:
        problem = address_problem(address)
        if problem is None or any(address in network for network in self.networks):
            return
        named = f"{host!r} resolves to {address}" if host and host != str(address) else str(address)
        raise RemoteRefused(
            f"refused: {named}, {problem}",
            hint=f"the operator can allow it explicitly in {ADDRESSES_ENV}",
        )


def _covers(prefix: str, url: str) -> bool:
    """A prefix covers a URL with the same scheme and host (case-insensitive) and a path that starts with it."""
    p, u = urlsplit(prefix), urlsplit(url)
    if (p.scheme.lower(), p.netloc.lower()) != (u.scheme.lower(), u.netloc.lower()):
        return False
    if ".." in u.path.split("/"):
        return False  # no climbing out of an allowed folder
    return u.path.startswith(p.path)


def _redacted(url: str) -> str:
    """The URL without user:password (never echo credentials)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")).geturl()
