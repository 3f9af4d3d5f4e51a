"""A credit line's ledger accounts and the platform's accounts its money meets (ADR 0050):
ids from the chart, and the accounts made idempotently when a line opens."""

from __future__ import annotations

from colony.chart import AccountCode, IdPrefix, Slots, lender_capital_account_id
from colony.credit.provision import provision_accounts
from colony.ledger import Account, AccountFlags

# The credit product this package's line is, in the chart's per-product accounts.
PRODUCT = "line"
_NEVER_BELOW_ZERO_ASSET = int(AccountFlags.credits_must_not_exceed_debits)
_NEVER_BELOW_ZERO = int(AccountFlags.debits_must_not_exceed_credits)


def control_id(ledger: int) -> int:
    return IdPrefix.credit_control.account_id(ledger)


def interest_id(principal_id: int) -> int:
    return Slots.loan_interest_account.of(principal_id)


def available_id(principal_id: int) -> int:
    return Slots.line_available_account.of(principal_id)


def income_ids(ledger: int) -> tuple[int, int, int]:
    """The line's interest, fee and penalty income in a currency."""
    return (
        IdPrefix.interest_income.account_id(ledger, PRODUCT),
        IdPrefix.fee_income.account_id(ledger, PRODUCT),
        IdPrefix.penalty_income.account_id(ledger, PRODUCT),
    )


def charge_off_id(ledger: int) -> int:
    return IdPrefix.charge_off.account_id(ledger, PRODUCT)


def recoveries_id(ledger: int) -> int:
    return IdPrefix.recoveries.account_id(ledger, PRODUCT)


def line_accounts(principal_id: int, ledger: int, lender: str) -> list[Account]:
    """Every account a line's money meets, its own and the shared ones (made once, `exists`
    after). The principal may go below zero: a refund larger than what is owed is a credit
    the next purchases use (docs/adr/0052). What is owed beyond principal, and the limit
    still available, never may."""
    interest, fee, penalty = income_ids(ledger)
    return [
        Account(control_id(ledger), ledger, AccountCode.credit_control),
        Account(interest, ledger, AccountCode.interest_income),
        Account(fee, ledger, AccountCode.fee_income),
        Account(penalty, ledger, AccountCode.penalty_income),
        Account(charge_off_id(ledger), ledger, AccountCode.charge_off),
        Account(recoveries_id(ledger), ledger, AccountCode.recoveries),
        *provision_accounts(PRODUCT, ledger),
        # The lender's capital, opened as credit's cash loans open it (ADR 0050).
        Account(
            lender_capital_account_id(lender, ledger),
            ledger,
            AccountCode.lender_capital,
            _NEVER_BELOW_ZERO,
            user_data_32=ledger,
        ),
        Account(principal_id, ledger, AccountCode.loan_principal),
        Account(
            interest_id(principal_id), ledger, AccountCode.loan_interest, _NEVER_BELOW_ZERO_ASSET
        ),
        Account(available_id(principal_id), ledger, AccountCode.line_available, _NEVER_BELOW_ZERO),
    ]
