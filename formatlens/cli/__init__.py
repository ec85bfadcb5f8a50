"""The command line: ``python -m formatlens formats | inspect | convert | compare | diff``.

One module per command, each with ``add_parser(subparsers)`` and ``run(args) -> int``;
a new command is a new module listed in COMMANDS. Exit status 0, 2 with a one-line
error on bad input (``diff`` exits 1 when the inputs differ), or 3 with a one-line
message on a bug in formatlens (InternalError).
"""

from __future__ import annotations

import argparse
import sys

import formatlens as fl
from formatlens.cli import compare, convert, diff, formats, inspect

COMMANDS = (formats, inspect, convert, compare, diff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m formatlens", description="Inspect and convert serialized data.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except fl.FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except fl.InternalError as exc:
        print(f"internal error: {exc}; please report it with the file", file=sys.stderr)
        return 3
