"""deploy/replicas.sh: two replicas behind Debian's nginx, sticky by cookie, sessions kept apart.

Needs nginx (`apt-get install nginx`; `./run test` installs it) and chromium. Missing nginx is a
skip with the reason here, and an error on CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.launch import CHROMIUM, free_port


def need(path: str | None, what: str) -> None:
    if path and Path(path).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed: ./run test installs it with apt-get")
    pytest.skip(f"{what} is not installed here (apt-get install {what})")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    need(shutil.which("nginx") or "/usr/sbin/nginx", "nginx")
    run_dir = tmp_path_factory.mktemp("replicas")
    proxy = free_port()
    env = dict(
        os.environ,
        FORMATLENS_RUN_DIR=str(run_dir),
        FORMATLENS_PROXY_LISTEN=f"127.0.0.1:{proxy}",
        FORMATLENS_REPLICA_BASE=str(free_port_pair()),
        FORMATLENS_PYTHON=sys.executable,
        # A loaded CI machine must not turn a slow first decode into a refusal the test can't see past.
        FORMATLENS_MAX_DECODE_SECONDS="60",
    )
    script = ROOT / "deploy" / "replicas.sh"
    started = subprocess.run([script, "start", "2"], env=env, capture_output=True, text=True, timeout=240)
    try:
        assert started.returncode == 0, started.stderr + _logs(run_dir)
        yield {"url": f"http://127.0.0.1:{proxy}", "run_dir": run_dir, "env": env}
    finally:
        stopped = subprocess.run([script, "stop"], env=env, capture_output=True, text=True, timeout=120)
        assert stopped.returncode == 0, stopped.stderr


def free_port_pair() -> int:
    """A port p with p+1 free too (the replicas listen on BASE and BASE+1)."""
    for _ in range(50):
        port = free_port()
        try:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two adjacent free ports")


def _logs(run_dir: Path) -> str:
    return "".join(f"\n--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(run_dir.glob("*.log")))


def routes(run_dir: Path) -> dict[str, set[str]]:
    """route cookie -> the upstream addresses its requests went to (from nginx's access log)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for line in (run_dir / "access.log").read_text().splitlines():
        match = re.search(r"route=(\S+) upstream=(\S+)", line)
        if match and match[2] != "-":
            seen[match[1]].add(match[2])
    return seen


def test_new_visitors_are_spread_over_both_replicas(replicas):
    for _ in range(24):
        with urllib.request.urlopen(f"{replicas['url']}/_stcore/health", timeout=10) as answer:
            assert answer.read() == b"ok"
    upstreams = set().union(*routes(replicas["run_dir"]).values())
    assert len(upstreams) == 2, upstreams


def test_a_cookie_sticks_to_one_replica(replicas):
    for _ in range(10):
        request = urllib.request.Request(
            f"{replicas['url']}/_stcore/health", headers={"Cookie": "formatlens_route=r-42"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            cookies = answer.headers.get_all("Set-Cookie")
            assert [c for c in cookies if c.startswith("formatlens_route=")] == [
                "formatlens_route=r-42; Path=/; HttpOnly; SameSite=Lax"
            ]
    assert len(routes(replicas["run_dir"])["r-42"]) == 1


def test_browser_sessions_stay_on_their_replica_and_apart(replicas, tmp_path):
    need(CHROMIUM, "chromium")
    args = []
    for i in range(2):
        marker = f"replica-marker-{i}-{os.urandom(3).hex()}"
        path = tmp_path / f"{marker}.json"  # the name shows in the view, the data in every page
        # ~1 MB: over nginx's in-memory body buffer, so the upload path through the proxy is the real one.
        path.write_text(json.dumps([{"id": r, "owner": marker, "pad": "x" * 40} for r in range(15_000)]))
        args.append(f"{path}:{marker}")
    result = subprocess.run(
        # Two pages keep this test short; bench/replicas_load.py walks every page with 20 sessions.
        [sys.executable, "-m", "tests.support.replica_sessions", "--pages", "Convert,Schemas", replicas["url"], *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stderr[-3000:] + _logs(replicas["run_dir"])
    sessions = json.loads(result.stdout)
    assert [s["errors"] for s in sessions] == [[], []]
    assert [s["pages"] for s in sessions] == [["Convert", "Schemas"]] * 2
    seen = routes(replicas["run_dir"])
    for session in sessions:
        assert session["route"] is not None
        assert len(seen[session["route"]]) == 1, (session["route"], seen[session["route"]])  # sticky: one replica
