"""A credit decision's limit: by the score's band, a share of what the subject can repay from
(a person's money in over a month, a merchant's sales less refunds over a month).

| band | score | a person's limit | a merchant's limit |
| --- | --- | --- | --- |
| A | 700 and up | 40% of a month's money in | 20% of a month's net sales |
| B | 640 - 699 | 30% | 15% |
| C | 580 - 639 | 20% | 10% |
| D | 520 - 579 | 10% | 5% |
| declined | below 520 | none | none |

On the scale of scorecard.py (600 at 50:1, 40 points to double), 520 stands for odds of
about 12.5:1 that a loan is repaid (a 7% chance of default), 700 for about 280:1. A limit is
rounded down to whole units of the currency (integer arithmetic on minor units).
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.credit.features import Capacity
from colony.credit.scorecard import Subject
from colony.kernel.money import scale_of

DECLINED = "declined"


@dataclass(frozen=True)
class Band:
    name: str
    score_min: int
    share_bps: dict[Subject, int]  # of the monthly capacity, in basis points


# Highest first: a score takes the first band whose floor it reaches.
BANDS = (
    Band("A", 700, {Subject.person: 4_000, Subject.merchant: 2_000}),
    Band("B", 640, {Subject.person: 3_000, Subject.merchant: 1_500}),
    Band("C", 580, {Subject.person: 2_000, Subject.merchant: 1_000}),
    Band("D", 520, {Subject.person: 1_000, Subject.merchant: 500}),
)


@dataclass(frozen=True)
class Limit:
    band: str  # A..D or "declined"
    amount_minor: int
    currency: str


def limit_for(subject: Subject, score: int, capacity: Capacity) -> Limit:
    band = next((b for b in BANDS if score >= b.score_min), None)
    if band is None:
        return Limit(DECLINED, 0, capacity.currency)
    amount = capacity.monthly_minor * band.share_bps[subject] // 10_000
    whole = 10 ** scale_of(capacity.currency)
    return Limit(band.name, amount - amount % whole, capacity.currency)
