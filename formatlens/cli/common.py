"""Helpers every command shares: reading the input, schema arguments, the detection summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import formatlens as fl


def read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise fl.FormatError(f"cannot read {path}: {exc.strerror}") from None


def ranking_text(ranking: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {score:.0%}" for name, score in ranking[:3]) or "nothing"


def schema_args(args: argparse.Namespace) -> dict:
    out = {}
    if getattr(args, "schema", None):
        path = Path(args.schema)
        out["schema"] = path.read_text() if path.exists() else args.schema
    if getattr(args, "message", None):
        out["message"] = args.message
    return out
