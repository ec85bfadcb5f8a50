"""``formats``: the supported formats and their traits."""

from __future__ import annotations

import argparse
import json

import formatlens as fl


def add_parser(sub) -> None:
    parser = sub.add_parser("formats", help="list the supported formats")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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
