"""``diff``: what changed between two inputs, in any formats; exit 0 equal, 1 different, 2 bad input (as diff(1))."""

from __future__ import annotations

import argparse
import json

import formatlens as fl
from formatlens.cli.common import read_input, schema_args
from formatlens.render.diff_report import change_row, diff_to_dict

SCHEMA_FORMATS = ("protobuf", "avro")


def add_parser(sub) -> None:
    parser = sub.add_parser("diff", help="compare two inputs by meaning, in any formats (exit 0 equal, 1 different)")
    parser.add_argument("a", help="the old input (a file, or - for standard input)")
    parser.add_argument("b", help="the new input")
    parser.add_argument("--key", help="align lists of records by this field (e.g. id) instead of by position")
    parser.add_argument("--strict", action="store_true", help="also report type changes (1 vs 1.0, a date vs its text)")
    parser.add_argument("--json", action="store_true", help="print the whole diff as JSON")
    parser.add_argument("--format-a", help="read A as this format")
    parser.add_argument("--format-b", help="read B as this format")
    parser.add_argument("--schema", help="schema text or file (.proto, .avsc) for the sides that need one")
    parser.add_argument("--message", help="full name of the Protocol Buffers message")
    parser.add_argument("--limit", type=int, default=50, help="changes to list (default 50)")
    parser.set_defaults(run=run)


def _load(path: str, format: str | None, args: argparse.Namespace) -> fl.Document:
    data = read_input(path)
    options = schema_args(args)
    detected = format or next(iter(fl.detect(data, path)), ("", 0.0))[0]
    return fl.load(data, format, filename=path, **(options if detected in SCHEMA_FORMATS else {}))


def run(args: argparse.Namespace) -> int:
    result = fl.diff(
        _load(args.a, args.format_a, args), _load(args.b, args.format_b, args), key=args.key, strict=args.strict
    )
    if args.json:
        print(json.dumps(diff_to_dict(result), indent=2, ensure_ascii=False))
        return 0 if result.equal else 1
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items() if n)
    print(f"{args.a} ({result.a.format}) vs {args.b} ({result.b.format}): " + ("equal" if result.equal else counts))
    for change in result.changes[: args.limit]:
        row = change_row(change)
        where = " ".join(f"[{side} {row[f'bytes {side}']}]" for side in ("a", "b") if row[f"bytes {side}"])
        values = {"added": row["new"], "removed": row["old"]}.get(change.kind, f"{row['old']} -> {row['new']}")
        print(f"  {change.kind:<8} {row['path']}: {values}  {where}".rstrip())
    if len(result.changes) > args.limit:
        print(f"  ... {len(result.changes) - args.limit:,} more (use --limit or --json)")
    if result.truncated:
        print("  (stopped counting: too many changes)")
    for note in result.notes:
        print(f"  note: {note}")
    schema = result.schema
    if schema is not None:
        print(f"schema ({schema.kind}): {schema.verdict}")
        for breaking in schema.breaking:
            print(f"  breaks {breaking.direction}: {breaking.path}: {breaking.message}")
    return 0 if result.equal else 1
