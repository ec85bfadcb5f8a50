"""Print the figures of the pair sweep: ``python -m tests.support.fidelity_report [N]`` (default 200 documents)."""

from __future__ import annotations

import sys
import time

from hypothesis import HealthCheck, given, settings

from tests.support.fidelity import REFUSALS, Sweep, sweep_document
from tests.support.zoo_strategy import documents


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    sweep = Sweep()
    start = time.perf_counter()

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(documents)
    def run(document):
        sweep_document(document, sweep)

    run()
    print(f"{sweep.documents} documents x 121 pairs = {sweep.pairs} conversions in {time.perf_counter() - start:.1f} s")
    print(f"{sum(sweep.refusals.values())} refusals:")
    for where, n in sorted(sweep.refusals.items()):
        print(f"  {n:4} {where}")
    for pattern, why in REFUSALS.items():
        print(f"  reason for {pattern!r}: {why}")
    print(f"{len(sweep.problems)} problems")
    for problem in sweep.problems:
        print("  " + problem[:400])


if __name__ == "__main__":
    main()
