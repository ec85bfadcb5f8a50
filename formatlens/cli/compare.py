"""``compare``: the data written in every format, with sizes, times and losses."""

from __future__ import annotations

import argparse
import json

import formatlens as fl
from formatlens.analysis.compare import as_rows
from formatlens.cli.common import read_input


def add_parser(sub) -> None:
    parser = sub.add_parser("compare", help="write the data in every format: sizes, times, losses")
    parser.add_argument("file", help="a file, or - for standard input")
    parser.add_argument("--format", "-f", help="read the file as this format")
    parser.add_argument("--formats", help="comma-separated formats to measure (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data = read_input(args.file)
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
