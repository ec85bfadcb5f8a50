"""formatlens's pickle analysis against fickling on the same pickles: verdicts and time, side by side.

    python bench/pickle_analysis.py [--repeat 50]

Benign pickles (dicts, datetimes, Decimals, OrderedDict, sets, a big list of records) must raise no
alarm; malicious ones (os.system, eval, subprocess, nested reduce, INST, OBJ) must all be caught.
fickling is run statically (fickle.Pickled.load + analysis.check_safety); nothing is unpickled.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from fickling.analysis import Severity, check_safety
from fickling.fickle import Pickled

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import compare  # noqa: E402

import formatlens as fl  # noqa: E402
from formatlens.analysis.samples import users  # noqa: E402


class _Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def corpus() -> tuple[dict[str, bytes], dict[str, bytes]]:
    import os

    benign = {
        "dict": pickle.dumps({"a": 1, "b": [1.5, "x", None]}),
        "datetimes": pickle.dumps([dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.date(2020, 2, 29)]),
        "decimals": pickle.dumps({"price": Decimal("9.99"), "tax": Decimal("0.20")}),
        "OrderedDict": pickle.dumps(collections.OrderedDict(a=1, b=2)),
        "sets": pickle.dumps({"s": {1, 2, 3}, "f": frozenset("ab")}),
        "1,000 users": pickle.dumps(users(1000)),
        "protocol 0 datetimes": pickle.dumps([dt.datetime(2024, 1, 1)], protocol=0),
    }
    malicious = {
        "os.system": pickle.dumps(_Reduce(os.system, ("id",))),
        "eval": pickle.dumps(_Reduce(eval, ("1+1",))),
        "subprocess.Popen": pickle.dumps(_Reduce(subprocess.Popen, (["id"],))),
        "nested reduce": pickle.dumps(_Reduce(getattr, (_Reduce(__import__, ("os",)), "system"))),
        "INST (protocol 0)": b"(S'id'\nios\nsystem\n.",
        "OBJ (protocol 1)": b"(cos\nsystem\nX\x02\x00\x00\x00ido.",
        "list holding a payload": pickle.dumps([1, 2, _Reduce(os.system, ("id",))]),
    }
    return benign, malicious


def ours_alarm(data: bytes) -> bool:
    return any(f.severity == "danger" for f in fl.load(data, "pickle").findings)


def fickling_alarm(data: bytes) -> bool:
    return check_safety(Pickled.load(data)).severity > Severity.LIKELY_SAFE


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    benign, malicious = corpus()
    print(
        f"{'pickle':<26}{'kind':<11}{'formatlens':>11}{'fickling':>10}{'formatlens ms':>15}{'fickling ms':>13}"
        f"{'ratio':>7}"
    )
    totals = {"ours_caught": 0, "fickling_caught": 0, "ours_false": 0, "fickling_false": 0}
    ratios = []
    for kind, group in (("benign", benign), ("malicious", malicious)):
        for name, data in group.items():
            ours, theirs = ours_alarm(data), fickling_alarm(data)
            repeat = max(3, args.repeat // (20 if len(data) > 10_000 else 1))
            t_ours, t_theirs = compare(
                lambda d=data: fl.load(d, "pickle").findings, lambda d=data: check_safety(Pickled.load(d)), repeat
            )
            ratios.append(t_ours / t_theirs)
            if kind == "malicious":
                totals["ours_caught"] += ours
                totals["fickling_caught"] += theirs
            else:
                totals["ours_false"] += ours
                totals["fickling_false"] += theirs
            print(
                f"{name:<26}{kind:<11}{'ALARM' if ours else 'ok':>11}{'ALARM' if theirs else 'ok':>10}"
                f"{t_ours * 1e3:>15.3f}{t_theirs * 1e3:>13.3f}{t_ours / t_theirs:>7.2f}"
            )
    print(
        f"\nmalicious caught: formatlens {totals['ours_caught']}/{len(malicious)}, "
        f"fickling {totals['fickling_caught']}/{len(malicious)}"
    )
    print(
        f"false alarms on benign: formatlens {totals['ours_false']}/{len(benign)}, "
        f"fickling {totals['fickling_false']}/{len(benign)}"
    )
    print(f"time per pickle, formatlens / fickling: median ratio {sorted(ratios)[len(ratios) // 2]:.2f}")


if __name__ == "__main__":
    main()
