"""fl.diff of two 100,000-record documents against decoding both, side by side.

    python bench/diff.py [--rows 100000] [--repeat 3] [--formats json,msgpack,avro,parquet]

For each format, b is a with one record inserted at the top, one field changed in the middle and
the last record removed. Timed in alternation in one run:
  decode both   fl.load(a, f).value and fl.load(b, f).value
  diff          fl.diff(a, b, format_a=f, format_b=f): decoding both and comparing them, by position
                (the shift is found and difflib aligns the middle) and with key="id"
Target: diff / decode both at most 2.0.
Then, once: the byte spans of the changes (Change.span_a/span_b), which ask each codec to annotate
its document on first use; that cost is the codec's span annotation, printed beside the decode.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import compare  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402


def inputs(rows: int, fmt: str) -> tuple[bytes, bytes]:
    records = _users(rows)
    changed = [dict(r) for r in records]
    changed[rows // 2]["email"] = "changed@example.org"
    changed = [{**records[0], "id": -1, "name": "inserted"}, *changed[:-1]]
    return fl.convert_value(records, fmt).data, fl.convert_value(changed, fmt).data


_made: dict[int, list[dict]] = {}


def _users(rows: int) -> list[dict]:
    if rows not in _made:
        _made[rows] = users(rows)
    return _made[rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="json,msgpack,avro,parquet")
    args = parser.parse_args()
    print(f"{args.rows:,} records; medians of {args.repeat} alternated runs")
    for fmt in args.formats.split(","):
        a, b = inputs(args.rows, fmt)

        def decode_both(a=a, b=b, fmt=fmt) -> None:
            fl.load(a, fmt).value  # noqa: B018 - decoding is the work measured
            fl.load(b, fmt).value  # noqa: B018

        for key in (None, "id"):
            result = fl.diff(a, b, format_a=fmt, format_b=fmt, key=key)
            kinds = result.counts()
            ours, theirs = compare(
                lambda a=a, b=b, fmt=fmt, key=key: fl.diff(a, b, format_a=fmt, format_b=fmt, key=key),
                decode_both,
                args.repeat,
            )
            label = f"{fmt} ({'key=id' if key else 'by position'})"
            print(
                f"  {label:<24} diff {ours * 1e3:8.0f} ms   decode both {theirs * 1e3:8.0f} ms   "
                f"ratio {ours / theirs:5.2f}   changes {dict((k, v) for k, v in kinds.items() if v)}"
            )
        began = time.perf_counter()
        ranges = [(c.span_a, c.span_b) for c in result.changes]
        spent = time.perf_counter() - began
        print(f"  {fmt + ' byte spans':<24} {spent * 1e3:8.0f} ms once, {len(ranges)} changes (both annotated)")


if __name__ == "__main__":
    main()
