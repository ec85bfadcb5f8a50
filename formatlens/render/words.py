"""Numbers as a room reads them: sizes in human units, findings counted in words."""

from __future__ import annotations

from collections.abc import Iterable

from formatlens.core.document import Finding

_UNITS = ("kB", "MB", "GB", "TB")
NOUNS = {"danger": ("danger", "dangers"), "warning": ("warning", "warnings"), "info": ("note", "notes")}


def human_size(size: int) -> str:
    """``14.0 MB`` for 14,021,544 bytes (decimal units, as file managers show them); bytes below 1 kB."""
    if size < 1000:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    value = float(size)
    for unit in _UNITS:
        value /= 1000
        if value < 999.95 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def exact_size(size: int) -> str:
    return "1 byte" if size == 1 else f"{size:,} bytes"


def count(number: int, severity: str) -> str:
    singular, plural = NOUNS[severity]
    return f"{number} {singular if number == 1 else plural}"


def findings_in_words(findings: Iterable[Finding]) -> str:
    """``2 dangers``, ``1 warning, 3 notes`` or ``no findings``: the most severe first."""
    counts = {severity: 0 for severity in NOUNS}
    for finding in findings:
        counts[finding.severity] += 1
    parts = [count(n, severity) for severity, n in counts.items() if n]
    return ", ".join(parts) if parts else "no findings"
