"""The CLI's paths and URLs: lazy ``inspect`` of big files, URLs and datasets; streaming ``convert``.

Small local files keep the in-memory path (``read_input`` + ``load``/``convert``); these helpers
take over for URLs, directories, globs and files over EAGER_BYTES.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import formatlens as fl
from formatlens.convert.adapt import to_jsonable
from formatlens.convert.streaming import SOURCES, TARGETS, source_format, tqdm_progress
from formatlens.render.report import document_to_dict
from formatlens.sources.dataset import is_dataset_path
from formatlens.sources.filesystems import is_url
from formatlens.sources.lazy import EAGER_BYTES
from formatlens.sources.rangefile import LazyBytes


def wants_lazy(path: str) -> bool:
    if path == "-":
        return False
    if is_url(path) or is_dataset_path(path) or os.path.isdir(path):
        return True
    try:
        return os.path.getsize(path) > EAGER_BYTES
    except OSError:
        return False


def inspect_lazy(args: argparse.Namespace, schema_options: dict) -> int:
    document = fl.open(args.file, format=args.format, **schema_options)
    rows = getattr(args, "rows", None)
    if args.json:
        out = document_to_dict(document, spans=not args.no_spans)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        _report_reads(document)
        return 0
    print(f"format:   {document.format}")
    print(f"size:     {len(document.data):,} bytes" if document.data else "size:     (a dataset)")
    for key, value in document.details.items():
        print(f"{key + ':':<9} {value}")
    if document.schema is not None:
        print(f"schema ({document.schema.kind}):")
        print("  " + document.schema.text.replace("\n", "\n  "))
        for entry in document.schema.details.get("files", []):
            part = ", ".join(f"{k}={v}" for k, v in entry["partition"].items())
            print(
                f"  file {entry['path']}: {entry['rows']:,} rows, {entry['bytes']:,} bytes"
                + (f" [{part}]" if part else "")
            )
    for finding in document.findings:
        print(f"[{finding.severity}] {finding.message}")
    shows_rows = document.format in ("csv", "json") or rows
    if shows_rows:
        value = document.value
        if rows and isinstance(value, list):
            value = value[:rows]
        lines = json.dumps(to_jsonable(value), indent=2, ensure_ascii=False).splitlines()
        print("value:")
        print("\n".join(lines[: args.lines]))
        if len(lines) > args.lines:
            print(f"... {len(lines) - args.lines:,} more lines")
    else:
        print("value:    not read (add --rows N to read the first rows)")
    _report_reads(document)
    return 0


def _report_reads(document: fl.Document) -> None:
    if isinstance(document.data, LazyBytes):
        file = document.data.file
        print(f"read {file.fetched:,} of {file.size:,} bytes in {file.requests} range requests", file=sys.stderr)


def wants_streaming(args: argparse.Namespace) -> bool:
    if args.file == "-" or not args.output:
        return False
    target = "jsonl" if args.to.lower() in ("jsonl", "ndjson") else args.to.lower()
    try:
        fmt = source_format(args.file, args.source)
    except fl.FormatError:
        return False
    if target not in TARGETS or fmt not in SOURCES:
        return False
    return bool(getattr(args, "stream", False)) or wants_lazy(args.file) or target == "jsonl" or fmt == "jsonl"


def convert_streaming(args: argparse.Namespace) -> int:
    progress, close = tqdm_progress(os.path.basename(args.file))
    try:
        result = fl.convert_file(args.file, args.output, args.to, source=args.source, progress=progress)
    finally:
        close()
    for loss in result.losses:
        print(f"loss: {loss}", file=sys.stderr)
    print(
        f"wrote {result.rows:,} rows, {result.bytes_written:,} bytes of {result.format} to {args.output}",
        file=sys.stderr,
    )
    return 0
