"""The characteristics a score is computed from: a person's or a merchant's own history in
Colony, as it stood at one moment, never after it (account_history.py reads it).

They are ratios and counts, never amounts, so one scorecard reads SGD, JPY and KWD wallets
alike; only the capacity a limit is cut from (`Capacity`) is money, in integer minor units.
Never used: protected attributes (Colony holds none: a wallet is a number, a name and a
tier), and whom a person pays or is paid by (a P2P transfer counts as money in or out, never
as a relationship).
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from dataclasses import dataclass

from colony.chart import TransferCode
from colony.credit.account_history import History
from colony.kernel.clock import NS_PER_DAY, NS_PER_S

# A top-up within this many seconds before a payment was made at the till, short of money.
till_top_up_s = 900
# A payment this many times the person's median payment is a large one.
large_payment_times_median = 4
# Days in the month a capacity is counted over.
month_days = 30

# Money a person earns or is given: from a bank (a top-up), at a cash agent, from a person.
INCOME_CODES = frozenset({TransferCode.top_up, TransferCode.opening_deposit, TransferCode.p2p})
TOP_UP_CODES = frozenset({TransferCode.top_up, TransferCode.opening_deposit})
# Paying a merchant: in the wallet's currency, or into its currency's treasury abroad.
PAYMENT_CODES = frozenset({TransferCode.payment, TransferCode.fx_payer})
# What a merchant's account is credited with for a sale, and debited with for a refund.
SALE_CODES = frozenset({TransferCode.payment})
REFUND_CODES = frozenset({TransferCode.refund})

# A subject's characteristics by name: a number, or None where it cannot be told (no income
# to compare spending with); the scorecard gives "missing" its own bin.
Features = dict[str, float | None]


@dataclass(frozen=True)
class Capacity:
    """What a limit is cut from: money in over a month, in minor units of `currency`."""

    monthly_minor: int
    currency: str


@dataclass(frozen=True)
class RepaymentRecord:
    """How a subject has repaid credit with Colony: loans repaid and loans that went overdue.
    None yet (no loans exist): the record says "no history"."""

    repaid: int = 0
    overdue: int = 0


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _cv(values: list[int]) -> float | None:
    """The coefficient of variation (how much amounts vary around their mean)."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.pstdev(values) / mean if mean > 0 else None


def _day_end_balances(history: History) -> list[int]:
    """The posted balance at the end of each day of the window."""
    ends = [0] * history.days
    balance, moves, at = history.opening_balance_minor, history.movements, 0
    for day in range(history.days):
        day_end = history.start_ns + (day + 1) * NS_PER_DAY
        while at < len(moves) and moves[at].timestamp < day_end:
            balance = moves[at].balance_minor
            at += 1
        ends[day] = balance
    return ends


def _repayment(record: RepaymentRecord | None) -> float | None:
    """The share of loans repaid without going overdue; None: no history."""
    if record is None or record.repaid + record.overdue == 0:
        return None
    return record.repaid / (record.repaid + record.overdue)


def person_features(
    history: History,
    *,
    tier: int,
    created_at_ns: int,
    repayment: RepaymentRecord | None = None,
) -> Features:
    """A person's characteristics from their wallet's history (scorecard.PERSON names them)."""
    moves = history.movements
    income = [m for m in moves if m.in_minor > 0 and m.code in INCOME_CODES]
    payments = [m for m in moves if m.out_minor > 0 and m.code in PAYMENT_CODES]
    spent = sum(m.out_minor for m in moves)
    earned = sum(m.in_minor for m in income)
    ends = _day_end_balances(history)
    daily_out = spent / history.days
    low_days = sum(1 for e in ends if e < daily_out) if spent else 0
    top_ups = [m.timestamp for m in moves if m.in_minor > 0 and m.code in TOP_UP_CODES]
    at_till = sum(1 for p in payments if _topped_up_before(top_ups, p.timestamp))
    amounts = sorted(p.out_minor for p in payments)
    median = amounts[len(amounts) // 2] if amounts else 0
    large = sum(a for a in amounts if a > large_payment_times_median * median)
    return {
        "repayment_record": _repayment(repayment),
        "account_age_days": max(0, history.as_of_ns - created_at_ns) / NS_PER_DAY,
        "kyc_tier": float(tier),
        "income_gap_cv": _cv([b.timestamp - a.timestamp for a, b in itertools.pairwise(income)]),
        "income_amount_cv": _cv([m.in_minor for m in income]),
        "spend_to_income": _ratio(spent, earned),
        "buffer_days": _ratio(statistics.fmean(ends), daily_out),
        "low_balance_days_share": low_days / history.days if spent else None,
        "till_top_ups_share": _ratio(at_till, len(payments)),
        "large_payments_share": _ratio(large, sum(amounts)),
        "payments_per_week": len(payments) / history.days * 7,
    }


def _topped_up_before(top_ups: list[int], paid_at: int) -> bool:
    """Whether a top-up came in the `till_top_up_s` before a payment (top_ups sorted)."""
    at = bisect.bisect_right(top_ups, paid_at)
    return at > 0 and top_ups[at - 1] >= paid_at - till_top_up_s * NS_PER_S


def person_capacity(history: History, currency: str) -> Capacity:
    """Income over the window, as a month's worth (integer minor units, rounded down)."""
    earned = sum(m.in_minor for m in history.movements if m.code in INCOME_CODES)
    return Capacity(earned * month_days // history.days, currency)


def merchant_features(
    history: History,
    *,
    created_at_ns: int,
    repayment: RepaymentRecord | None = None,
    complaints: int | None = None,
) -> Features:
    """A merchant's characteristics from its account's history (scorecard.MERCHANT), its
    record of repaying loans from its sales, and the complaints people filed about it in the
    history's window (None where nobody counts them: the characteristic reads as missing)."""
    moves = history.movements
    sales = [m for m in moves if m.in_minor > 0 and m.code in SALE_CODES]
    refunds = [m for m in moves if m.out_minor > 0 and m.code in REFUND_CODES]
    sold = sum(m.in_minor for m in sales)
    sale_days = {history.day_of(m.timestamp) for m in sales}
    return {
        "account_age_days": max(0, history.as_of_ns - created_at_ns) / NS_PER_DAY,
        "sales_days_share": len(sale_days) / history.days,
        "refund_rate": _ratio(sum(m.out_minor for m in refunds), sold),
        "refunds_per_sale": _ratio(len(refunds), len(sales)),
        "sales_per_day": len(sales) / history.days,
        "repayment_record": _repayment(repayment),
        "complaints_per_sale": None if complaints is None else _ratio(complaints, len(sales)),
    }


def merchant_capacity(history: History, currency: str) -> Capacity:
    """Sales less refunds over the window, as a month's worth (never below zero)."""
    sold = sum(m.in_minor for m in history.movements if m.code in SALE_CODES)
    refunded = sum(m.out_minor for m in history.movements if m.code in REFUND_CODES)
    return Capacity(max(0, sold - refunded) * month_days // history.days, currency)
