"""What looking for layers costs, and what peeling costs against the libraries that do the work.

    python bench/layers.py [--repeat 7]

1. fl.load(data, fmt).value with peeling (the default) vs peel=False, on every sample file:
   the price of sniffing for wrappers on bytes that have none (target: at most 1.10x).
2. A gzip-, zstd- and base64+gzip-wrapped JSON document (about 5 MB inflated): fl.load(...).value vs
   the direct calls (gzip.decompress / zstd.decompress / base64.b64decode) then fl.load(json, peel=False):
   what peeling adds over unwrapping by hand (the JSON codec's own cost is bench/codec_overhead.py's).

Each pair is timed in alternation in one run; ratios are formatlens / the peer.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
from pathlib import Path

from backports import zstd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import compare  # noqa: E402

import formatlens as fl  # noqa: E402


def bare(inflated: bytes) -> object:
    return fl.load(inflated, "json", peel=False).value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'input':<28} {'peel (ms)':>10} {'no peel (ms)':>13} {'ratio':>6}")
    for path in sorted((ROOT / "samples").iterdir()):
        if path.suffix in (".py", ".md", ".proto", ".avsc") or not path.is_file():
            continue
        data = path.read_bytes()
        fmt = fl.load(data, peel=False, filename=path.name).format if path.suffix != ".pb" else "protobuf"
        ours, theirs = compare(
            lambda d=data, f=fmt: fl.load(d, f).value,
            lambda d=data, f=fmt: fl.load(d, f, peel=False).value,
            args.repeat,
        )
        print(f"{path.name:<28} {ours * 1e3:>10.2f} {theirs * 1e3:>13.2f} {ours / theirs:>6.2f}")
    records = [{"id": i, "name": f"user {i}", "tags": ["a", "b"], "score": i / 7} for i in range(60_000)]
    text = json.dumps(records).encode()
    wrapped = {
        "gzip": (gzip.compress(text), lambda b: bare(gzip.decompress(b))),
        "zstd": (zstd.compress(text), lambda b: bare(zstd.decompress(b))),
        "base64+gzip": (base64.b64encode(gzip.compress(text)), lambda b: bare(gzip.decompress(base64.b64decode(b)))),
    }
    print(f"\n{len(text) / 1e6:.1f} MB of JSON, wrapped   {'fl (ms)':>10} {'by hand (ms)':>12} {'ratio':>6}")
    for name, (data, direct) in wrapped.items():
        assert fl.load(data).value == direct(data)
        ours, theirs = compare(lambda d=data: fl.load(d).value, lambda d=data, f=direct: f(d), args.repeat)
        print(f"{name:<28} {ours * 1e3:>10.1f} {theirs * 1e3:>12.1f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
