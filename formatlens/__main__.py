"""The command line: ``python -m formatlens formats | inspect | convert``.

Exit status 0, or 2 with a one-line error on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import formatlens as fl
from formatlens.adapt import to_jsonable
from formatlens.report import document_to_dict


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise fl.FormatError(f"cannot read {path}: {exc.strerror}") from None


def cmd_formats(args: argparse.Namespace) -> int:
    rows = fl.formats()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": c.name,
                        "title": c.title,
                        "media_type": c.media_type,
                        "extensions": list(c.extensions),
                        "library": c.library,
                        "textual": c.traits.textual,
                        "schema_based": c.traits.schema_based,
                        "shape": c.traits.shape,
                        "portable": c.traits.portable,
                    }
                    for c in rows
                ],
                indent=2,
            )
        )
        return 0
    print(f"{'name':<9} {'title':<12} {'kind':<7} {'shape':<13} {'media type':<30} extensions")
    for c in rows:
        kind = "text" if c.traits.textual else "binary"
        print(f"{c.name:<9} {c.title:<12} {kind:<7} {c.traits.shape:<13} {c.media_type:<30} {' '.join(c.extensions)}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    data = _read(args.file)
    document = fl.load(data, args.format, filename=args.file, **_schema_args(args))
    if args.json:
        print(json.dumps(document_to_dict(document, spans=not args.no_spans), indent=2, ensure_ascii=False))
        return 0
    ranking = fl.detect(data, args.file)
    print(f"format:   {document.format}" + ("" if args.format else f"   (detected: {_ranking(ranking)})"))
    print(f"size:     {len(data):,} bytes")
    for key, value in document.details.items():
        print(f"{key + ':':<9} {value}")
    if document.schema is not None:
        print(f"schema ({document.schema.kind}):")
        print("  " + document.schema.text.replace("\n", "\n  "))
    for finding in document.findings:
        print(f"[{finding.severity}] {finding.message}")
    preview = json.dumps(to_jsonable(document.value), indent=2, ensure_ascii=False)
    lines = preview.splitlines()
    print("value:")
    print("\n".join(lines[: args.lines]))
    if len(lines) > args.lines:
        print(f"... {len(lines) - args.lines:,} more lines (use --json for all)")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    data = _read(args.file)
    result = fl.convert(data, args.to, source=args.source)
    for loss in result.losses:
        print(f"loss: {loss}", file=sys.stderr)
    if args.output:
        Path(args.output).write_bytes(result.data)
        print(f"wrote {len(result.data):,} bytes of {result.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(result.data)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from formatlens.compare import as_rows

    data = _read(args.file)
    value = fl.load(data, args.format, filename=args.file).value
    rows = as_rows(fl.compare(value, args.formats.split(",") if args.formats else None, repeat=args.repeat))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{'format':<9} {'bytes':>10} {'gzip':>10} {'zstd':>10} {'encode ms':>10} {'decode ms':>10}  losses")
    for row in rows:
        cells = [row[k] if row[k] is not None else "—" for k in ("bytes", "gzip", "zstd", "encode ms", "decode ms")]
        sizes = "".join(f" {c:>10,}" if isinstance(c, int) else f" {c:>10}" for c in cells[:3])
        times = "".join(f" {c:>10}" for c in cells[3:])
        print(f"{row['format']:<9}{sizes}{times}  {row['losses'] or '-'}")
    return 0


def _ranking(ranking: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {score:.0%}" for name, score in ranking[:3]) or "nothing"


def _schema_args(args: argparse.Namespace) -> dict:
    out = {}
    if getattr(args, "schema", None):
        path = Path(args.schema)
        out["schema"] = path.read_text() if path.exists() else args.schema
    if getattr(args, "message", None):
        out["message"] = args.message
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m formatlens", description="Inspect and convert serialized data.")
    sub = parser.add_subparsers(dest="command", required=True)

    formats = sub.add_parser("formats", help="list the supported formats")
    formats.add_argument("--json", action="store_true", help="print JSON")
    formats.set_defaults(run=cmd_formats)

    inspect = sub.add_parser("inspect", help="decode a file and show its value, schema and findings")
    inspect.add_argument("file", help="a file, or - for standard input")
    inspect.add_argument("--format", "-f", help="skip detection and read as this format")
    inspect.add_argument("--schema", help="schema text or file (.proto, .avsc)")
    inspect.add_argument("--message", help="full name of the Protocol Buffers message")
    inspect.add_argument("--json", action="store_true", help="print the whole Document as JSON")
    inspect.add_argument("--no-spans", action="store_true", help="leave the byte spans out of --json")
    inspect.add_argument("--lines", type=int, default=40, help="lines of the value to show (default 40)")
    inspect.set_defaults(run=cmd_inspect)

    convert = sub.add_parser("convert", help="convert a file to another format")
    convert.add_argument("file", help="a file, or - for standard input")
    convert.add_argument("--to", "-t", required=True, help="target format")
    convert.add_argument("--from", dest="source", help="source format (detected when not given)")
    convert.add_argument("-o", "--output", help="output file (default: standard output)")
    convert.set_defaults(run=cmd_convert)
    compare = sub.add_parser("compare", help="write the data in every format: sizes, times, losses")
    compare.add_argument("file", help="a file, or - for standard input")
    compare.add_argument("--format", "-f", help="read the file as this format")
    compare.add_argument("--formats", help="comma-separated formats to measure (default: all)")
    compare.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(run=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except fl.FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
