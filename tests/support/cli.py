"""Run formatlens's command line the way a person does: `python -m formatlens ...` from the repository."""

from __future__ import annotations

import subprocess
import sys

from tests.support.launch import ROOT


def run_cli(
    *args: object, stdin: bytes | None = None, text: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The finished command, output captured (the caller checks its returncode)."""
    return subprocess.run(
        [sys.executable, "-m", "formatlens", *map(str, args)],
        capture_output=True,
        cwd=ROOT,
        input=stdin,
        text=text,
        timeout=timeout,
    )
