"""The accounts cash loans keep per currency and per loan, made idempotently: the lender's
capital and allowance, the currency's credit control, cash loans' income, provision and
losses (docs/adr/0050), and each loan's two receivables."""

from __future__ import annotations

from collections.abc import Sequence

from colony.chart import (
    AccountCode,
    IdPrefix,
    lender_available_account_id,
    lender_capital_account_id,
)
from colony.ledger import Account, AccountFlags, LedgerPort
from colony.ledger.results import CreateAccountResult as RA
from colony.loans.model import (
    ACCOUNT_LENDER_AVAILABLE,
    ACCOUNT_LENDER_CAPITAL,
    ACCOUNT_LOAN_INTEREST,
    ACCOUNT_LOAN_PRINCIPAL,
    Loan,
    book_account_id,
)

_NO_OVERDRAFT = int(AccountFlags.debits_must_not_exceed_credits)
_NEVER_BELOW_ZERO = int(AccountFlags.credits_must_not_exceed_debits)
# Per-currency accounts of cash loans' books, each with its chart code (no flags: income and
# expense run either way; the provision may be released).
BOOK_PREFIXES: tuple[IdPrefix, ...] = (
    IdPrefix.interest_income,
    IdPrefix.penalty_income,
    IdPrefix.loss_provision,
    IdPrefix.provision_expense,
    IdPrefix.charge_off,
    IdPrefix.recoveries,
)


class BooksRefused(RuntimeError):
    """The ledger refused an account this package built itself: a bug, never an outcome."""


def make_accounts(ledger: LedgerPort, accounts: Sequence[Account], *, shared: bool = False) -> None:
    """Create `accounts`; made already is fine. `shared`: accounts another credit product may
    have made first with its own flags (the currency's credit control), which stand."""
    for account, result in zip(accounts, ledger.create_accounts(accounts), strict=True):
        taken = result is RA.exists or (shared and result.name.startswith("exists"))
        if result is not RA.ok and not taken:
            raise BooksRefused(f"account {account.id} refused: {result.name}")


def ensure_currency_books(ledger: LedgerPort, ledger_number: int) -> None:
    """The currency's credit control and cash loans' income, provision and loss accounts."""
    control = Account(
        IdPrefix.credit_control.account_id(ledger_number), ledger_number, AccountCode.credit_control
    )
    make_accounts(ledger, [control], shared=True)
    make_accounts(
        ledger,
        [
            Account(book_account_id(p, ledger_number), ledger_number, int(p.code))
            for p in BOOK_PREFIXES
        ],
    )


def lender_accounts(name: str, ledger_number: int) -> list[Account]:
    """A lender's capital (what Colony owes it) and available capital (never below zero)."""
    return [
        Account(
            lender_capital_account_id(name, ledger_number), ledger_number, ACCOUNT_LENDER_CAPITAL,
            _NO_OVERDRAFT,
        ),
        Account(
            lender_available_account_id(name, ledger_number), ledger_number,
            ACCOUNT_LENDER_AVAILABLE, _NO_OVERDRAFT,
        ),
    ]  # fmt: skip


def loan_accounts(loan: Loan) -> list[Account]:
    """What the borrower owes of principal and of interest: neither ever below zero."""
    return [
        Account(loan.account_id, loan.ledger, ACCOUNT_LOAN_PRINCIPAL, _NEVER_BELOW_ZERO),
        Account(loan.interest_account_id, loan.ledger, ACCOUNT_LOAN_INTEREST, _NEVER_BELOW_ZERO),
    ]


def owed(account: Account) -> int:
    """What a receivable (principal, interest) holds: debits less credits, posted."""
    return account.debits_posted - account.credits_posted


def held(account: Account) -> int:
    """What a liability or income account holds: credits less debits, posted."""
    return account.credits_posted - account.debits_posted
