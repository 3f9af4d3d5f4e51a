"""The linked chains that move a loan's money, built in one place so the service (a person's
repayment) and the daily run (collection, charge-off) move it the same way (docs/adr/0051).

Every chain has a fixed shape whatever its amounts (a leg may move zero), so its ids are the
same on every attempt: a retry, or a day run twice, meets them and moves nothing again."""

from __future__ import annotations

from dataclasses import dataclass

from colony.chart import IdPrefix, Slots, lender_available_account_id, lender_capital_account_id
from colony.ledger import Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult as RT
from colony.loans.model import (
    TRANSFER_CHARGE_OFF,
    TRANSFER_DISBURSEMENT,
    TRANSFER_LENDER_SHARE,
    TRANSFER_LENDING_ALLOWANCE,
    TRANSFER_RECOVERY,
    TRANSFER_REPAYMENT,
    Loan,
    LoanAccounts,
    book_account_id,
)
from colony.loans.results import LoanResult
from colony.wallets import WalletService

_LINKED = int(TransferFlags.linked)


def control_id(ledger: int) -> int:
    return IdPrefix.credit_control.account_id(ledger)


def linked(chain: list[Transfer]) -> list[Transfer]:
    """Every event linked to the next, the last closing the chain."""
    for event in chain[:-1]:
        event.flags |= _LINKED
    chain[-1].flags &= ~_LINKED
    return chain


def disbursement(loan: Loan) -> list[Transfer]:
    """The lender's available capital drawn (index 0: refused when it has not that much),
    then the principal paid into the wallet (index 1); the wallet's money-in legs follow."""
    ledger = loan.ledger
    return [
        Transfer(
            Slots.loan_allowance_draw.of(loan.account_id),
            lender_available_account_id(loan.lender, ledger), control_id(ledger),
            loan.principal_minor, ledger, TRANSFER_LENDING_ALLOWANCE, _LINKED,
        ),
        Transfer(
            Slots.loan_disbursement.of(loan.account_id), loan.account_id, loan.wallet_account_id,
            loan.principal_minor, ledger, TRANSFER_DISBURSEMENT, _LINKED,
        ),
    ]  # fmt: skip


def disbursement_id(loan: Loan) -> int:
    return Slots.loan_disbursement.of(loan.account_id)


def repayment(
    loan: LoanAccounts, tid: int, interest_minor: int, principal_minor: int, lender_share_minor: int
) -> tuple[list[Transfer], list[Transfer]]:
    """A repayment's legs out of the wallet (index 0 interest, index 1 principal: either may
    be short of the wallet's money), and the legs after the wallet's limit legs: the lender's
    allowance back for the principal, and its share of the interest."""
    income = book_account_id(IdPrefix.interest_income, loan.ledger)
    return repayment_legs(
        Debt(loan.wallet_account_id, loan.account_id, loan.interest_account_id, loan.lender,
             loan.ledger, income),
        tid, interest_minor, principal_minor, lender_share_minor,
    )  # fmt: skip


@dataclass(frozen=True)
class Debt:
    """Who repays which receivables, to which lender, and the income the lender shares."""

    payer_id: int  # the wallet's account, or the merchant's
    principal_id: int
    interest_id: int  # interest and fees owed
    lender: str
    ledger: int
    income_id: int  # the book whose income the lender takes its share of


def repayment_legs(
    debt: Debt,
    tid: int,
    interest_minor: int,
    principal_minor: int,
    lender_share_minor: int,
    sales_day: int = 0,
) -> tuple[list[Transfer], list[Transfer]]:
    """The legs of a repayment of `debt`: out of the payer (interest, then principal), and
    after: the lender's allowance back for the principal, and its share of the income. A
    merchant's legs carry the day whose sales they were taken from (`user_data_32`), which
    its daily report shows them against."""
    ledger = debt.ledger
    out = [
        Transfer(tid, debt.payer_id, debt.interest_id, interest_minor, ledger, TRANSFER_REPAYMENT,
                 user_data_32=sales_day),
        Transfer(
            Slots.repayment_principal_leg.of(tid), debt.payer_id, debt.principal_id,
            principal_minor, ledger, TRANSFER_REPAYMENT, user_data_32=sales_day,
        ),
    ]  # fmt: skip
    after = [
        Transfer(
            Slots.repayment_allowance_leg.of(tid), control_id(ledger),
            lender_available_account_id(debt.lender, ledger), principal_minor, ledger,
            TRANSFER_LENDING_ALLOWANCE,
        ),
        Transfer(
            Slots.repayment_lender_share.of(tid), debt.income_id,
            lender_capital_account_id(debt.lender, ledger), lender_share_minor, ledger,
            TRANSFER_LENDER_SHARE,
        ),
    ]  # fmt: skip
    return out, after


def headroom_back(
    loan: LoanAccounts, tid: int, limit_control_id: int, amount_minor: int
) -> Transfer:
    """The collection's one limit leg, by the wallets' rule for what Colony collects on a due
    day (`WalletService.collection_legs`, docs/adr/0058): the wallet's balance headroom given
    back, no daily outflow allowance used."""
    (leg,) = WalletService.collection_legs(loan.wallet_account_id, loan.ledger, amount_minor, tid)
    assert leg.debit_account_id == limit_control_id, "the wallets' limit control account"
    return leg


def recovery(loan: LoanAccounts, tid: int, amount_minor: int) -> Transfer:
    """Money paid on a loan written off: the house's recovery (the wallet's limit legs follow)."""
    return Transfer(
        tid, loan.wallet_account_id, book_account_id(IdPrefix.recoveries, loan.ledger),
        amount_minor, loan.ledger, TRANSFER_RECOVERY,
    )  # fmt: skip


def charge_off(loan: LoanAccounts, principal_minor: int, interest_minor: int) -> list[Transfer]:
    """A loan written off: its principal against the provision as far as it goes (the ledger
    cuts the leg to what the provision holds), the rest as a loss (cut to what is still owed),
    the interest owed as a loss; and the lender's allowance back, as the house bears it."""
    ledger = loan.ledger
    provision = book_account_id(IdPrefix.loss_provision, ledger)
    loss = book_account_id(IdPrefix.charge_off, ledger)
    return linked([
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
            interest_minor, ledger, TRANSFER_CHARGE_OFF,
        ),
        Transfer(
            Slots.loan_charge_off_allowance.of(loan.account_id), control_id(ledger),
            lender_available_account_id(loan.lender, ledger), principal_minor, ledger,
            TRANSFER_LENDING_ALLOWANCE,
        ),
    ])  # fmt: skip


def done_before(results: list[RT]) -> bool:
    """Whether a chain's results say an earlier attempt with the same ids moved it: its events
    exist (with these amounts or, on a day run again after repayments, others)."""
    first = next((r for r in results if r is not RT.linked_event_failed), RT.ok)
    return first is RT.exists or first.name.startswith("exists_with_different")


def chain_outcome(
    results: list[RT], *, wallet_legs: tuple[int, ...], daily_cap_at: int | None
) -> LoanResult:
    """Name a chain's outcome from the event that failed. An event made before stops a chain
    like any failure (the rest are `linked_event_failed`): the chain is the one made then."""
    if all(r is RT.ok for r in results):
        return LoanResult.ok
    failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
    result = results[failing]
    if result is RT.exists:
        return LoanResult.ok
    if result.name.startswith("exists_with_different"):
        return LoanResult.id_reused_differently
    if result is RT.id_already_failed:
        return LoanResult.refused_before
    if result is RT.exceeds_credits and failing in wallet_legs:
        return LoanResult.insufficient_funds
    if result is RT.exceeds_credits and failing == daily_cap_at:
        return LoanResult.daily_outflow_cap_exceeded
    raise ChainRefused(f"chain refused at event {failing}: {result.name}")


class ChainRefused(RuntimeError):
    """The ledger refused a chain in a way this package does not expect: a bug."""
