"""How much formatlens adds over calling each format's library directly, measured side by side.

    python bench/codec_overhead.py [--rows 20000] [--repeat 7]

For each codec: the median time of the direct library call and of formatlens's
load() (value only; spans are lazy and not built) and dump(), and their ratio.
The same data (the tutorial's users, generated) is used for both, in one run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import pickle
import sys
from pathlib import Path

import bson
import cbor2
import msgpack
import xmltodict
import yaml
from bson.codec_options import CodecOptions, DatetimeConversion

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "samples"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import compare

import formatlens as fl
from formatlens.analysis.samples import users

# The same library options formatlens needs: aware datetimes, and years past 9999 (the corpus has them).
BSON_OPTIONS = CodecOptions(tz_aware=True, datetime_conversion=DatetimeConversion.DATETIME_AUTO)
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DIRECT_DECODE = {
    "json": json.loads,
    "yaml": lambda b: yaml.load(b, Loader=Loader),
    "xml": lambda b: xmltodict.parse(b),
    "csv": lambda b: list(csv.DictReader(io.StringIO(b.decode("utf-8"), newline=""))),
    "pickle": pickle.loads,  # runs code: the reason formatlens does not call it
    "bson": lambda b: bson.decode_all(b, BSON_OPTIONS),
    "msgpack": lambda b: msgpack.unpackb(b, timestamp=3),
    "cbor": cbor2.loads,
}
DIRECT_ENCODE = {
    "json": lambda v: json.dumps(v, indent=2, ensure_ascii=False).encode(),
    "yaml": lambda v: yaml.dump(v, Dumper=Dumper, sort_keys=False, allow_unicode=True).encode(),
    "xml": lambda v: xmltodict.unparse(v, pretty=True).encode(),
    "csv": None,
    "pickle": lambda v: pickle.dumps(v, protocol=pickle.DEFAULT_PROTOCOL),
    "bson": bson.encode,
    "msgpack": lambda v: msgpack.packb(v, datetime=True),
    "cbor": cbor2.dumps,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = users(args.rows)
    print(f"{args.rows:,} user records, median of {args.repeat} alternating runs; ratio = formatlens / direct\n")
    print(
        f"{'format':<8} {'bytes':>11} {'direct load':>12} {'fl.load':>10} {'ratio':>6}   "
        f"{'direct dump':>12} {'fl.dump':>10} {'ratio':>6}"
    )
    for fmt in DIRECT_DECODE:
        value = fl.convert_value(rows, fmt).data
        native = fl.load(value, fmt).value  # what this format holds, for the dump comparison
        ours_load, direct_load = compare(
            lambda f=fmt, v=value: fl.load(v, f).value, lambda f=fmt, v=value: DIRECT_DECODE[f](v), args.repeat
        )
        encode = DIRECT_ENCODE[fmt]
        if encode is None:
            dump_cols = f"{'—':>12} {'—':>10} {'—':>6}"
        else:
            ours_dump, direct_dump = compare(
                lambda f=fmt, n=native: fl.dump(n, f), lambda e=encode, n=native: e(n), args.repeat
            )
            dump_cols = f"{direct_dump * 1e3:>10.1f}ms {ours_dump * 1e3:>8.1f}ms {ours_dump / direct_dump:>6.2f}"
        print(
            f"{fmt:<8} {len(value):>11,} {direct_load * 1e3:>10.1f}ms {ours_load * 1e3:>8.1f}ms "
            f"{ours_load / direct_load:>6.2f}   {dump_cols}"
        )
    print("\npickle: pure-data pickles rebuild with the C unpickler restricted to an allowlist (find_class);")
    print("anything else falls back to a Python stack machine that runs nothing. The direct column is")
    print("pickle.loads, which would run any code in the data.")


if __name__ == "__main__":
    main()
