"""How lenders, loans and repayments map to table rows, the same on every backend. The
ledger's u128 ids do not fit a 64-bit column: kept as decimal text."""

from __future__ import annotations

import functools
from typing import Any

from colony.loans.model import (
    ChargeOffBearer,
    InterestMethod,
    Lender,
    Loan,
    LoanStatus,
    MerchantLoan,
    Repayment,
    RunLoan,
    interest_account_id_of,
)

_METHODS = {m.value: m for m in InterestMethod}
_STATUSES = {s.value: s for s in LoanStatus}
# Distinct schedule texts kept parsed (a few MB at most).
_PARSED_MAX = 65_536
LENDER_COLUMNS = "name, currency, ledger, income_share_bps, bears_charge_offs, created_at_ns"
LOAN_COLUMNS = (
    "id, account_id, wallet_id, wallet_account_id, lender, product, method, currency, ledger, "
    "principal_minor, annual_rate_bps, disbursed_day, due_days, principal_parts, "
    "interest_parts, status, charged_off_day, charged_off_minor, created_at_ns"
)
# What the daily run reads of each open loan (`RunLoan`), in its order.
RUN_COLUMNS = (
    "account_id, wallet_account_id, lender, currency, ledger, principal_minor, method, "
    "annual_rate_bps, disbursed_day, due_days, principal_parts, interest_parts"
)
LOAN_PLACES = ", ".join("?" * len(LOAN_COLUMNS.split(", ")))
REPAYMENT_COLUMNS = (
    "id, loan_id, transfer_id, amount_minor, interest_minor, principal_minor, recovery, "
    "automatic, created_at_ns"
)


def lender_row(x: Lender) -> tuple[object, ...]:
    return (
        x.name, x.currency, x.ledger, x.income_share_bps, x.bears_charge_offs.value,
        x.created_at_ns,
    )  # fmt: skip


def lender_of(row: tuple[object, ...]) -> Lender:
    name, currency, ledger, share, bears, created = row
    return Lender(
        str(name), str(currency), int(str(ledger)), int(str(share)), ChargeOffBearer(str(bears)),
        int(str(created)),
    )  # fmt: skip


@functools.lru_cache(maxsize=_PARSED_MAX)
def _ints(text: str) -> tuple[int, ...]:
    """A comma-separated list of integers; loans made alike share their schedules' texts,
    so the daily run parses each once."""
    return tuple(map(int, text.split(",")))


def _text(values: tuple[int, ...]) -> str:
    return ",".join(str(v) for v in values)


def loan_row(x: Loan) -> tuple[object, ...]:
    return (
        x.id, str(x.account_id), x.wallet_id, str(x.wallet_account_id), x.lender, x.product,
        x.method.value, x.currency, x.ledger, x.principal_minor, x.annual_rate_bps,
        x.disbursed_day, _text(x.due_days), _text(x.principal_parts), _text(x.interest_parts),
        x.status.value, x.charged_off_day, x.charged_off_minor, x.created_at_ns,
    )  # fmt: skip


def loan_of(row: tuple[Any, ...]) -> Loan:
    # Read for every open loan every day: no more conversion than each backend needs
    # (integers come back as int on both; ids kept as text are parsed).
    (lid, account, wallet, wallet_account, lender, product, method, currency, ledger, principal,
     rate, disbursed, due, p_parts, i_parts, status, off_day, off_minor, created) = row  # fmt: skip
    return Loan(
        lid, int(account), wallet, int(wallet_account), lender, product, _METHODS[method],
        currency, int(ledger), int(principal), int(rate), int(disbursed), _ints(due),
        _ints(p_parts), _ints(i_parts), _STATUSES[status],
        None if off_day is None else int(off_day), int(off_minor), int(created),
    )  # fmt: skip


def repayment_row(x: Repayment) -> tuple[object, ...]:
    return (
        x.id, x.loan_id, str(x.transfer_id), x.amount_minor, x.interest_minor, x.principal_minor,
        int(x.recovery), int(x.automatic), x.created_at_ns,
    )  # fmt: skip


def repayment_of(row: tuple[object, ...]) -> Repayment:
    rid, loan, transfer, amount, interest, principal, recovery, automatic, created = row
    return Repayment(
        str(rid), str(loan), int(str(transfer)), int(str(amount)), int(str(interest)),
        int(str(principal)), bool(recovery), bool(automatic), int(str(created)),
    )  # fmt: skip


MERCHANT_LOAN_COLUMNS = (
    "id, account_id, merchant_id, merchant_account_id, lender, currency, ledger, "
    "principal_minor, fee_minor, share_bps, made_day, status, created_at_ns"
)


def merchant_loan_row(x: MerchantLoan) -> tuple[object, ...]:
    return (
        x.id, str(x.account_id), x.merchant_id, str(x.merchant_account_id), x.lender, x.currency,
        x.ledger, x.principal_minor, x.fee_minor, x.share_bps, x.made_day, x.status.value,
        x.created_at_ns,
    )  # fmt: skip


def merchant_loan_of(row: tuple[Any, ...]) -> MerchantLoan:
    (lid, account, merchant, merchant_account, lender, currency, ledger, principal, fee, share,
     made, status, created) = row  # fmt: skip
    return MerchantLoan(
        lid, int(account), merchant, int(merchant_account), lender, currency, int(ledger),
        int(principal), int(fee), int(share), int(made), _STATUSES[status], int(created),
    )  # fmt: skip


def run_loan_of(row: tuple[Any, ...]) -> RunLoan:
    """An open loan as the daily run reads it (`RUN_COLUMNS`)."""
    (account, wallet_account, lender, currency, ledger, principal, method, rate, disbursed,
     due, p_parts, i_parts) = row  # fmt: skip
    account_id = int(account)
    return RunLoan(
        account_id, interest_account_id_of(account_id), int(wallet_account), lender,
        currency, int(ledger), int(principal), _METHODS[method], int(rate), int(disbursed),
        _ints(due), _ints(p_parts), _ints(i_parts),
    )  # fmt: skip
