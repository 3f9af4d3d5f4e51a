"""A loan to a merchant written off, and what is recovered after (docs/adr/0051).

At `charge_off_days` days overdue (as for cash loans) one chain writes off what is owed: the
principal against the `sme` book's provision as far as it goes (the ledger cuts the leg to
what the provision holds; `merchant_provision.py`), the rest of it and the fee as the book's
loss (416), and the lender's allowance back, as the house bears charge-offs.
The merchant still owes it: afterwards the delinquent share of each day's sales is taken as
a recovery (417) until what was written off is recovered, by the same id a day's collection
would have had, so a day run twice recovers once.
"""

from __future__ import annotations

from colony.chart import IdPrefix, Slots, lender_available_account_id
from colony.ledger import Account, LedgerPort, Transfer, TransferFlags
from colony.loans import chains
from colony.loans.books import make_accounts
from colony.loans.model import (
    MERCHANT_BOOK,
    TRANSFER_CHARGE_OFF,
    TRANSFER_LENDING_ALLOWANCE,
    TRANSFER_RECOVERY,
    MerchantLoan,
)

# The `sme` book's accounts a charge-off and a recovery move money to, per currency.
_PREFIXES = (
    IdPrefix.charge_off,
    IdPrefix.recoveries,
    IdPrefix.loss_provision,
    IdPrefix.provision_expense,
)


def ensure_loss_books(ledger: LedgerPort, ledger_number: int) -> None:
    make_accounts(ledger, [
        Account(p.account_id(ledger_number, MERCHANT_BOOK), ledger_number, int(p.code))
        for p in _PREFIXES
    ])  # fmt: skip


def charge_off(loan: MerchantLoan, principal_minor: int, fee_minor: int) -> list[Transfer]:
    """The principal owed written off against the provision, then as a loss with the fee;
    the lender's allowance back."""
    ledger = loan.ledger
    loss = IdPrefix.charge_off.account_id(ledger, MERCHANT_BOOK)
    provision = IdPrefix.loss_provision.account_id(ledger, MERCHANT_BOOK)
    return chains.linked([
        Transfer(
            Slots.loan_charge_off_provided.of(loan.account_id), provision, loan.account_id,
            principal_minor, ledger, TRANSFER_CHARGE_OFF, int(TransferFlags.balancing_debit),
        ),
        Transfer(
            Slots.loan_charge_off_loss.of(loan.account_id), loss, loan.account_id,
            principal_minor, ledger, TRANSFER_CHARGE_OFF, int(TransferFlags.balancing_credit),
        ),
        Transfer(
            Slots.loan_charge_off_interest.of(loan.account_id), loss, loan.interest_account_id,
            fee_minor, ledger, TRANSFER_CHARGE_OFF,
        ),
        Transfer(
            Slots.loan_charge_off_allowance.of(loan.account_id), chains.control_id(ledger),
            lender_available_account_id(loan.lender, ledger), principal_minor, ledger,
            TRANSFER_LENDING_ALLOWANCE,
        ),
    ])  # fmt: skip


def recovery(loan: MerchantLoan, day: int, amount_minor: int) -> Transfer:
    """Day `day`'s share of the merchant's sales recovered on a loan written off."""
    return Transfer(
        Slots.merchant_loan_collection_of_day.of(loan.account_id, day), loan.merchant_account_id,
        IdPrefix.recoveries.account_id(loan.ledger, MERCHANT_BOOK), amount_minor, loan.ledger,
        TRANSFER_RECOVERY, user_data_32=day,
    )  # fmt: skip
