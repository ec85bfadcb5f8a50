"""The URL source's SSRF policy: what a shared server refuses to fetch, and what the operator can allow."""

from __future__ import annotations

import ipaddress
import socket

import pytest

import formatlens as fl
from formatlens.sources.filesystems import _http
from formatlens.sources.lazy import open_document
from formatlens.sources.policy import RemotePolicy, RemoteRefused, address_problem
from tests.support.rangeserver import serving

DATA = b"id,name\n" + b"1,a\n" * 100


def policy(allow: str, addresses: str = "") -> RemotePolicy:
    return RemotePolicy.from_env({"FORMATLENS_REMOTE_ALLOW": allow, "FORMATLENS_REMOTE_ALLOW_ADDRESSES": addresses})


def test_off_by_default():
    with pytest.raises(RemoteRefused, match="the URL source is off"):
        RemotePolicy.from_env({}).check_url("https://example.com/x.parquet")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "/etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:6379/_INFO"],
)
def test_schemes_other_than_remote_storage_are_refused(url):
    with pytest.raises(RemoteRefused, match=r"file:// URLs are not allowed|scheme is not allowed"):
        policy("https://example.com/,file:///").check_url(url)


def test_prefix_must_cover_the_url():
    rules = policy("s3://team-bucket/exports/,https://data.example/")
    rules.check_url("s3://team-bucket/exports/day=1/part-0.parquet")  # allowed: no error
    for url in [
        "s3://team-bucket/private/x.parquet",
        "s3://team-bucket-evil/exports/x.parquet",
        "s3://team-bucket/exports/../private/x.parquet",
        "https://data.example.evil.test/x",
        "https://data.example@evil.test/x",
    ]:
        with pytest.raises(RemoteRefused, match="outside the allowed prefixes"):
            rules.check_url(url)


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("2130706433", "loopback"),  # 127.0.0.1 written as one decimal number
        ("0x7f.1", "loopback"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("169.254.169.254", "metadata-service"),
        ("169.254.10.1", "link-local"),
        ("[fe80::1]", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("localhost", "loopback"),  # a DNS name that resolves to loopback
    ],
)
def test_addresses_a_shared_server_must_not_reach(host, problem):
    url = f"http://{host}:8000/data.csv"
    with pytest.raises(RemoteRefused, match=problem):
        policy(f"http://{host}:8000/").check_url(url)


def test_names_resolving_to_metadata_service_are_refused(monkeypatch):
    # The one mock here: DNS for a name that points at the metadata service (no such name on this machine).
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "metadata.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(RemoteRefused, match=r"'metadata.test' resolves to 169.254.169.254, a cloud metadata-service"):
        policy("http://metadata.test/").check_url("http://metadata.test/latest/meta-data/")


def test_address_rules():
    assert address_problem(ipaddress.ip_address("93.184.216.34")) is None
    assert address_problem(ipaddress.ip_address("10.1.2.3")) is None  # a private data host behind an allowed prefix
    assert address_problem(ipaddress.ip_address("fd00:ec2::254")) == "a cloud metadata-service address"


def test_operator_can_allow_loopback_explicitly():
    with serving({"data.csv": DATA}) as server:
        prefix = f"{server.url}/"
        with pytest.raises(RemoteRefused, match="loopback"):
            open_document(f"{server.url}/data.csv", policy=policy(prefix))
        assert server.requests == []  # refused before any connection
        doc = open_document(f"{server.url}/data.csv", policy=policy(prefix, "127.0.0.1/32"))
        assert doc.value[:1] == [{"id": "1", "name": "a"}]


def test_connections_are_checked_not_only_the_url():
    """A name that passed the URL check but connects to a refused address (DNS rebinding) is refused on connect."""
    with serving({"data.csv": DATA}) as server:
        fs = _http(policy(f"{server.url}/"))  # the URL check is skipped: only the connection guard stands
        with pytest.raises(RemoteRefused, match="loopback"):
            fs.cat_file(f"{server.url}/data.csv")
        assert server.requests == []


def test_redirect_within_the_allowlist_to_a_refused_address():
    with serving({"data.csv": DATA}) as target, serving({}) as front:
        allowed = policy(f"{front.url}/", "127.0.0.1/32")
        # The redirect goes to another host:port: refused before it is followed.
        with pytest.raises(fl.FormatError, match="redirects to another host"):
            open_document(f"{front.url}/redirect/127.0.0.1:{target.server_address[1]}/data.csv", policy=allowed)
        assert target.requests == []


def test_bad_operator_setting_is_a_clear_refusal():
    with pytest.raises(RemoteRefused, match="not an address or network"):
        policy("https://x/", "not-a-network")
