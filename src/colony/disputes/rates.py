"""Complaint figures for the console: rates per merchant and kind, time to resolve in
business days, and the causes that repeat. Read from the complaints' own tables (and each
merchant's payments, counted to a bound); nothing here is kept."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from colony.disputes import business_days as days
from colony.disputes.model import FINAL, Category, Complaint, utc
from colony.disputes.store import ComplaintStore
from colony.kernel.clock import NS_PER_S
from colony.payments import Party, PaymentStore

# The window the figures cover, in days, and the most complaints read for them.
figures_window_days = 30
complaints_read_max = 5_000
# Payments counted per merchant for its rate; past this, the rate is an upper bound.
payments_counted_max = 10_000
_PAGE = 500
_DAY_NS = 86_400 * NS_PER_S


@dataclass(frozen=True)
class MerchantFigures:
    merchant_id: str
    complaints: int
    payments: int  # in the window, counted up to payments_counted_max
    by_category: dict[Category, int]
    resolve_days_median: float | None  # business days from filing to the final answer
    open_now: int

    @property
    def per_thousand_payments(self) -> float | None:
        return None if not self.payments else 1000 * self.complaints / self.payments


def figures(
    store: ComplaintStore, payments: PaymentStore, now_ns: int
) -> tuple[list[MerchantFigures], list[tuple[str, Category, int]]]:
    """Each merchant with complaints in the window, most complaints first; and the repeated
    causes (merchant, kind, count) where a kind came twice or more, most first."""
    since = now_ns - figures_window_days * _DAY_NS
    complaints = store.since(since, complaints_read_max)
    of_merchant: dict[str, list[Complaint]] = {}
    for c in complaints:
        of_merchant.setdefault(c.merchant_id, []).append(c)
    found = [
        MerchantFigures(
            merchant,
            len(cs),
            _payments_since(payments, merchant, since),
            dict(Counter(c.category for c in cs)),
            _median_resolve_days(cs),
            sum(c.status not in FINAL for c in cs),
        )
        for merchant, cs in of_merchant.items()
    ]
    found.sort(key=lambda f: (-f.complaints, f.merchant_id))
    repeats = Counter((c.merchant_id, c.category) for c in complaints)
    repeated = [(m, k, n) for (m, k), n in repeats.most_common() if n >= 2]
    return found, repeated


def _payments_since(payments: PaymentStore, merchant_id: str, since_ns: int) -> int:
    counted, after = 0, None
    while counted < payments_counted_max:
        page = payments.page(Party.merchant, merchant_id, after, _PAGE)
        fresh = [p for p in page if p.created_at_ns >= since_ns]
        counted += len(fresh)
        if len(fresh) < len(page) or len(page) < _PAGE:
            break
        after = page[-1].id
    return min(counted, payments_counted_max)


def _median_resolve_days(complaints: list[Complaint]) -> float | None:
    taken = []
    for c in complaints:
        if c.status not in FINAL:
            continue
        calendar = days.calendar_for(c.country)
        # The final answer is the complaint's last change: its update time.
        taken.append(
            days.business_days_between(utc(c.received_at_ns), utc(c.updated_at_ns), calendar)
        )
    return statistics.median(taken) if taken else None
