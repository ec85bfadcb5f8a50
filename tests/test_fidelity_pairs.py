"""The property test over every pair: 200 documents from the type zoo x 121 source -> target pairs.

Seed-fixed (derandomize=True): the same 200 documents on every run. What each pair must satisfy is in
tests/support/fidelity.py (succeed or refuse for a listed reason, load back, name every change, keep
natively held types). ``python -m tests.support.fidelity_report`` prints the figures.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.support.fidelity import REFUSALS, Sweep, sweep_document
from tests.support.zoo_strategy import documents

DOCUMENTS = 200
SWEEP = Sweep()


@settings(
    max_examples=DOCUMENTS,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(documents)
def test_every_pair_keeps_or_names_every_value(document):
    sweep = Sweep()
    sweep_document(document, sweep)
    SWEEP.documents += sweep.documents
    SWEEP.pairs += sweep.pairs
    SWEEP.refusals.update(sweep.refusals)
    assert not sweep.problems, "\n".join(sweep.problems)


def test_the_sweep_ran_and_refused_only_for_listed_reasons():
    # Runs after the property test in this module (pytest keeps file order).
    assert SWEEP.documents >= DOCUMENTS and SWEEP.pairs == SWEEP.documents * 121
    for where in SWEEP.refusals:
        assert any(pattern in where for pattern in REFUSALS), where
