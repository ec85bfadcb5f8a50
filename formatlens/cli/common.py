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


def read_schema(given: str) -> str | bytes | dict[str, bytes]:
    """--schema: a file as its bytes (.proto, .avsc, a FileDescriptorSet, a zip of .proto files), a
    directory as its .proto files (name relative to it, for imports), else the text itself."""
    path = Path(given)
    try:
        if path.is_dir():
            return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*.proto"))}
        if path.exists():
            return path.read_bytes()
    except OSError as exc:
        raise fl.FormatError(f"cannot read {given}: {exc.strerror}") from None
    return given


def ranking_text(ranking: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {score:.0%}" for name, score in ranking[:3]) or "nothing"


def schema_args(args: argparse.Namespace) -> dict:
    out = {}
    if getattr(args, "schema", None):
        out["schema"] = read_schema(args.schema)
    if getattr(args, "message", None):
        out["message"] = args.message
    return out
