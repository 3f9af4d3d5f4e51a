"""The ledger benchmark's run in tenths: worked examples of what each tenth reports."""

from __future__ import annotations

import pytest

from colony.bench.ledger_bench import tenth_rate, tenths
from colony.ledger.service import WriteTimings


def _marks(batches: int, cpu_per_batch_s: list[float]) -> list[tuple[float, WriteTimings]]:
    """At each acknowledgement: the CPU so far, and timings where batch i applied in i ms."""
    marks = []
    cpu = 0.0
    applied = 0.0
    for i in range(batches):
        cpu += cpu_per_batch_s[i]
        applied += (i + 1) / 1000
        marks.append((cpu, WriteTimings(batches=i + 1, apply_s=applied, archive_jobs=i)))
    return marks


def test_twenty_batches_make_ten_tenths_of_two_each() -> None:
    sizes = [1000] * 20
    acked = [0.1 * (i + 1) for i in range(20)]  # one batch acknowledged every 0.1 s
    cpu = [0.05] * 18 + [0.1, 0.1]  # the last two cost twice the CPU
    found = tenths(acked, sizes, (0.0, 0.0, WriteTimings()), _marks(20, cpu))
    assert len(found) == 10
    assert [t.per_second for t in found] == [10_000] * 10  # 2,000 transfers in 0.2 s
    assert [t.cpu_ms_per_1000_transfers for t in found] == [50.0] * 9 + [100.0]
    # Batches 1 and 2 applied in 1 and 2 ms: 1.5 a batch; batches 19 and 20, 19.5.
    assert found[0].apply_ms_per_batch == 1.5 and found[9].apply_ms_per_batch == 19.5
    assert found[0].per_second == tenth_rate(acked, sizes, 0.0, first=True)


def test_the_last_tenth_takes_the_batches_ten_does_not_divide() -> None:
    sizes = [100] * 23
    acked = [float(i + 1) for i in range(23)]
    found = tenths(acked, sizes, (0.0, 0.0, WriteTimings()), _marks(23, [0.01] * 23))
    assert [round(t.per_second) for t in found] == [100] * 10
    # Nine tenths of two batches, and the last of five: 23 batches' transfers in all.
    assert sum(t.per_second * (5 if i == 9 else 2) / 100 for i, t in enumerate(found)) == 23


def test_a_run_of_fewer_than_ten_batches_has_a_tenth_each() -> None:
    found = tenths([1.0, 2.0, 4.0], [10, 10, 10], (0.0, 0.0, WriteTimings()), _marks(3, [1.0] * 3))
    assert [t.per_second for t in found] == [10, 10, 5]


@pytest.mark.parametrize(
    ("acked", "sizes", "marks"),
    [([], [], 0), ([1.0], [1, 1], 2), ([1.0, 2.0], [1, 1], 1)],
    ids=["nothing", "fewer-acknowledgements", "fewer-marks"],
)
def test_tenths_need_one_of_each_per_batch(
    acked: list[float], sizes: list[int], marks: int
) -> None:
    with pytest.raises(ValueError, match="per batch"):
        tenths(acked, sizes, (0.0, 0.0, WriteTimings()), _marks(marks, [0.0] * marks))
