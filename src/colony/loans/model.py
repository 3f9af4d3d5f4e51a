"""Lenders, loan products and cash loans: the records, and the chart's codes under the names
this package uses (docs/adr/0050, docs/adr/0051)."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from colony.chart import AccountCode, IdPrefix, Slots, TransferCode
from colony.credit import principal_minor_max

# Ledger codes: the chart's (docs/chart-of-accounts.md).
ACCOUNT_LENDER_CAPITAL: int = AccountCode.lender_capital
ACCOUNT_LENDER_AVAILABLE: int = AccountCode.lender_available
ACCOUNT_LOAN_PRINCIPAL: int = AccountCode.loan_principal
ACCOUNT_LOAN_INTEREST: int = AccountCode.loan_interest
TRANSFER_LENDER_FUNDING: int = TransferCode.lender_funding
TRANSFER_LENDING_ALLOWANCE: int = TransferCode.lending_allowance
TRANSFER_DISBURSEMENT: int = TransferCode.disbursement
TRANSFER_INTEREST_ACCRUAL: int = TransferCode.interest_accrual
TRANSFER_PENALTY_ACCRUAL: int = TransferCode.penalty_accrual
TRANSFER_FEE: int = TransferCode.fee_charge
TRANSFER_REPAYMENT: int = TransferCode.repayment
TRANSFER_LENDER_SHARE: int = TransferCode.lender_share
TRANSFER_PROVISION: int = TransferCode.provision
TRANSFER_CHARGE_OFF: int = TransferCode.charge_off
TRANSFER_RECOVERY: int = TransferCode.recovery
TRANSFER_HEADROOM: int = TransferCode.headroom
# The credit product whose per-currency books (income, provision, losses) cash loans use.
BOOK = "cash"


@functools.cache
def book_account_id(prefix: IdPrefix, ledger: int) -> int:
    """Cash loans' account of `prefix` (interest income, the provision...) on a ledger (kept:
    the daily run asks for each per loan)."""
    return prefix.account_id(ledger, BOOK)


# A lender's share of interest, in basis points of what is paid: 0 .. 10,000.
income_share_bps_max = 10_000
# The most capital one funding pays in, in minor units: a schedule's own bound on principal
# (10 trillion of a currency with two decimals), far inside what the ledger's balances hold,
# so capital funded again and again overflows no balance in practice.
funding_minor_max = principal_minor_max


class ChargeOffBearer(enum.StrEnum):
    """Who bears a loan written off. Only the house, for now (docs/adr/0051): the lender's
    allowance comes back at charge-off and its capital is untouched."""

    house = "house"


@dataclass(frozen=True)
class Lender:
    name: str  # the funding partner's name
    currency: str
    ledger: int
    income_share_bps: int  # the lender's share of interest paid; the rest is the house's
    bears_charge_offs: ChargeOffBearer
    created_at_ns: int


class InterestMethod(enum.StrEnum):
    schedule = "schedule"  # a monthly annuity schedule; each period's interest spread by day
    daily = "daily"  # interest each day on the principal outstanding; principal in equal parts


@dataclass(frozen=True)
class LoanProduct:
    code: str
    months: int
    annual_rate_bps: int

    def amount_bounds(self, scale: int) -> tuple[int, int]:
        """The least and the most one loan lends, in minor units of a currency of `scale`."""
        return loan_major_min * 10**scale, loan_major_max * 10**scale


# The loans offered: 3, 6 or 12 months, rates a year in basis points.
LOAN_PRODUCTS: tuple[LoanProduct, ...] = (
    LoanProduct("cash_3m", 3, 1_800),
    LoanProduct("cash_6m", 6, 2_000),
    LoanProduct("cash_12m", 12, 2_400),
)
# A loan's amount, in whole units of its currency.
loan_major_min = 10
loan_major_max = 5_000
# Open loans one wallet may hold at once.
open_loans_per_wallet_max = 1


def product_named(code: str) -> LoanProduct | None:
    return next((p for p in LOAN_PRODUCTS if p.code == code), None)


class LoanStatus(enum.StrEnum):
    pending = "pending"  # recorded, its disbursement not yet answered by the ledger
    refused = "refused"  # the ledger refused the disbursement: never lent
    open = "open"
    repaid = "repaid"
    charged_off = "charged_off"  # written off; still owed, repayments are recoveries


@dataclass(frozen=True)
class Loan:
    id: str  # "lon_" + the principal account's id in hex
    account_id: int  # the loan's principal receivable; its other ids derive from it
    wallet_id: str
    wallet_account_id: int
    lender: str
    product: str
    method: InterestMethod
    currency: str
    ledger: int
    principal_minor: int
    annual_rate_bps: int
    disbursed_day: int  # UTC days since 1970-01-01
    due_days: tuple[int, ...]  # each instalment's due day
    principal_parts: tuple[int, ...]  # each instalment's principal
    interest_parts: tuple[int, ...]  # each instalment's scheduled interest
    status: LoanStatus
    charged_off_day: int | None
    charged_off_minor: int  # principal and interest written off
    created_at_ns: int

    @cached_property
    def interest_account_id(self) -> int:
        return interest_account_id_of(self.account_id)


def interest_account_id_of(account_id: int) -> int:
    """A cash loan's interest receivable, derived from its principal account."""
    return Slots.loan_interest_account.of(account_id)


class RunLoan(NamedTuple):
    """What the daily run reads of an open loan, every day for each of up to millions: the
    columns its rules and chains use and no more, as a tuple (a `Loan` costs several times
    as much to build, docs/benchmarks.md). Its interest receivable is derived once, here."""

    account_id: int
    interest_account_id: int
    wallet_account_id: int
    lender: str
    currency: str
    ledger: int
    principal_minor: int
    method: InterestMethod
    annual_rate_bps: int
    disbursed_day: int
    due_days: tuple[int, ...]
    principal_parts: tuple[int, ...]
    interest_parts: tuple[int, ...]

    @property
    def id(self) -> str:
        return loan_id_of(self.account_id)


# A loan as the chains that move its money see it: either record names the same accounts.
LoanAccounts = Loan | RunLoan


def loan_id_of(account_id: int) -> str:
    return f"lon_{account_id:032x}"


def account_id_of(loan_id: str) -> int | None:
    """The principal account of a loan's id, or None for a malformed one."""
    hex_part = loan_id.removeprefix("lon_")
    if not loan_id.startswith("lon_") or len(hex_part) != 32:
        return None
    try:
        return int(hex_part, 16)
    except ValueError:
        return None


@dataclass(frozen=True)
class Repayment:
    id: str  # "lrp_" + the transfer id in hex
    loan_id: str
    transfer_id: int
    amount_minor: int
    interest_minor: int
    principal_minor: int
    recovery: bool  # paid after the loan was charged off
    automatic: bool  # collected by the daily run
    created_at_ns: int


@dataclass(frozen=True)
class DayRecord:
    """A day the daily run finished, written after its last event (docs/adr/0056): running
    the day again answers from it instead of walking the loans."""

    day: int  # UTC days since 1970-01-01
    loans: int  # open loans the run walked
    collected: int
    not_collected: int
    repaid: int
    charged_off: int
    made_before: int  # events an earlier, unfinished run of the day had made
    finished_at_ns: int


# Loans to merchants (docs/adr/0051): a fixed fee, repaid from a share of each day's sales.
MERCHANT_BOOK = "sme"
# Its terms: merchant_terms.py.


@dataclass(frozen=True)
class MerchantLoan:
    id: str  # "mln_" + the principal account's id in hex
    account_id: int
    merchant_id: str
    merchant_account_id: int
    lender: str
    currency: str
    ledger: int
    principal_minor: int
    fee_minor: int
    share_bps: int
    made_day: int
    status: LoanStatus
    created_at_ns: int

    @cached_property
    def interest_account_id(self) -> int:
        """What the merchant owes of the fee."""
        return Slots.loan_interest_account.of(self.account_id)
