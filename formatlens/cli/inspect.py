"""``inspect``: decode a file and show its value, schema and findings."""

from __future__ import annotations

import argparse
import json

import formatlens as fl
from formatlens.cli import sources
from formatlens.cli.common import ranking_text, read_input, schema_args
from formatlens.render.report import document_to_dict
from formatlens.render.typed import text_tree


def add_parser(sub) -> None:
    parser = sub.add_parser("inspect", help="decode a file and show its value, schema and findings")
    parser.add_argument("file", help="a file, URL, Parquet directory or glob, or - for standard input")
    parser.add_argument("--format", "-f", help="skip detection and read as this format")
    parser.add_argument("--schema", help="schema text or file (.proto, .avsc)")
    parser.add_argument("--message", help="full name of the Protocol Buffers message")
    parser.add_argument(
        "--no-peel", action="store_true", help="decode the bytes as given: no gzip, base64, gRPC... layers peeled"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the whole Document as JSON (typed: see formatlens/render/typed.py)"
    )
    parser.add_argument("--no-spans", action="store_true", help="leave the byte spans out of --json")
    parser.add_argument("--lines", type=int, default=40, help="lines of the value to show (default 40)")
    parser.add_argument("--rows", type=int, help="big files, URLs, datasets: read and show the first N rows")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if sources.wants_lazy(args.file):  # URLs, datasets, big files: read what is shown
        return sources.inspect_lazy(args, schema_args(args))
    data = read_input(args.file)
    document = fl.load(data, args.format, filename=args.file, peel=not args.no_peel, **schema_args(args))
    if args.json:
        print(json.dumps(document_to_dict(document, spans=not args.no_spans), indent=2, ensure_ascii=False))
        return 0
    ranking = fl.detect(data, args.file)
    layers = len(document.layers)
    found = f"inside {layers} layer" + "s" * (layers > 1) if layers else f"detected: {ranking_text(ranking)}"
    print(f"format:   {document.format}" + ("" if args.format else f"   ({found})"))
    print(f"size:     {len(data):,} bytes")
    if document.layers:
        print("layers:   " + " > ".join([layer.kind for layer in document.layers] + [document.format]))
        for number, layer in enumerate(document.layers, 1):
            shown = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in layer.details.items())
            where = f"bytes {layer.start:,}-{layer.end:,}"
            if layer.source:  # in the bytes an earlier layer (base64, gzip...) made
                maker = next(i for i, other in enumerate(document.layers) if other.source == layer.source)
                where += f" of what layer {maker} decoded"
            print(f"  {number}. {layer.kind:<18} {where}" + (f"  {shown}" if shown else ""))
    for key, value in document.details.items():
        print(f"{key + ':':<9} {value}")
    if document.schema is not None:
        print(f"schema ({document.schema.kind}):")
        print("  " + document.schema.text.replace("\n", "\n  "))
    for finding in document.findings:
        print(f"[{finding.severity}] {finding.message}")
    lines, more = text_tree(document.value, max_lines=args.lines)
    print("value:")
    print("\n".join("  " + line for line in lines))
    if more:
        print("... more lines left out (--lines N shows more, --json shows all)")
    return 0
