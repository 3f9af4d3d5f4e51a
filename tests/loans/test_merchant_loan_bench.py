"""The merchant loan benchmark runs small: every merchant applies once and is answered."""

from __future__ import annotations

from pathlib import Path

from colony.cli import merchant_loan_bench


def test_every_merchant_applies_and_is_answered(tmp_path: Path) -> None:
    figures = merchant_loan_bench.measure(tmp_path, 3, seed=1)
    assert (figures.applications, figures.granted) == (3, 3)
    assert 0 < figures.p50_ms <= figures.p99_ms <= figures.max_ms
