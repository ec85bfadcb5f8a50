"""``convert``: write a file in another format; losses go to standard error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import formatlens as fl
from formatlens.cli import sources
from formatlens.cli.common import read_input


def add_parser(sub) -> None:
    parser = sub.add_parser("convert", help="convert a file to another format")
    parser.add_argument("file", help="a file, or - for standard input")
    parser.add_argument("--to", "-t", required=True, help="target format")
    parser.add_argument("--from", dest="source", help="source format (detected when not given)")
    parser.add_argument("-o", "--output", help="output file (default: standard output)")
    parser.add_argument("--stream", action="store_true", help="stream in Arrow batches (automatic for big files)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if sources.wants_streaming(args):  # bounded memory, temp file + rename
        return sources.convert_streaming(args)
    data = read_input(args.file)
    result = fl.convert(data, args.to, source=args.source)
    for loss in result.losses:
        print(f"loss: {loss}", file=sys.stderr)
    if args.output:
        Path(args.output).write_bytes(result.data)
        print(f"wrote {len(result.data):,} bytes of {result.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(result.data)
    return 0
