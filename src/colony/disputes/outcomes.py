"""The money a complaint or dispute may end in, moved only through the ledger:

- a **refund** by the merchant, through payments' own refund path (`Checkout.refund`);
- a **goodwill credit** from the operator, with its reason: its goodwill account (an expense,
  per currency) pays the wallet, with the wallet's money-in limit leg linked behind it;
- a **chargeback** of a lost dispute: the merchant's account pays the wallet back, drawing
  on the payment's refundable amount as a refund does (so nothing is returned twice), with
  the wallet's limit leg. The merchant's account may go below zero: the daily payout pays
  nothing while it is not positive, so later takings recover it (docs/adr/0053).

Each outcome's intent is written first (ADR 0003), its transfer id derived from the case, so
a retry moves money once.
"""

from __future__ import annotations

from colony.chart import IdPrefix, Slots, name_hash
from colony.disputes.model import (
    ACCOUNT_GOODWILL,
    TRANSFER_CHARGEBACK,
    TRANSFER_GOODWILL,
    TRANSFER_REFUNDABLE,
    Complaint,
    Dispute,
)
from colony.disputes.results import ComplaintResult
from colony.disputes.store import ComplaintStore
from colony.kernel.clock import Clock
from colony.ledger import Account, AccountFlags, LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.merchants import MerchantService
from colony.payments import (
    Checkout,
    PaymentService,
    PayResult,
    headroom_at,
    is_treasury_account,
    refund_result,
)
from colony.wallets import WalletResult, WalletService, WalletStore

R = ComplaintResult
_LINKED = int(TransferFlags.linked)
# The base of the operator's goodwill accounts, one per currency: a name of its own, hashed.
GOODWILL_BOOK = name_hash("colony.disputes:goodwill", 64)

# How a refund's outcome, in payments' terms, reads for a complaint.
_OF_REFUND = {
    PayResult.ok: R.ok,
    PayResult.unknown_payment: R.unknown_payment,
    PayResult.amount_must_be_positive: R.amount_must_be_positive,
    PayResult.refund_exceeds_payment: R.refund_exceeds_payment,
    PayResult.balance_cap_exceeded: R.balance_cap_exceeded,
    PayResult.id_reused_differently: R.id_reused_differently,
    PayResult.refused_before: R.refused_before,
    PayResult.refund_too_small: R.amount_must_be_positive,
}
# How a wallet's money-in chain reads (the goodwill credit's).
_OF_CHAIN = {
    WalletResult.ok: R.ok,
    WalletResult.balance_cap_exceeded: R.balance_cap_exceeded,
    WalletResult.id_reused_differently: R.id_reused_differently,
    WalletResult.refused_before: R.refused_before,
}


def goodwill_account_id(ledger: int) -> int:
    """The operator's goodwill account on a currency's ledger."""
    return Slots.goodwill_account.of(GOODWILL_BOOK, ledger)


class Outcomes:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        wallet_store: WalletStore,
        merchants: MerchantService,
        payments: PaymentService,
        store: ComplaintStore,
        clock: Clock,
    ) -> None:
        self._ledger = ledger
        self._payments = payments
        self._wallets = wallets
        self._wallet_store = wallet_store
        self._merchants = merchants
        self._store = store
        self._clock = clock

    def _intent(
        self, tid: int, subject: str, kind: str, amount: int, currency: str, reason: str,
        actor_id: str,
    ) -> bool:  # fmt: skip
        """Write what is about to move; False when the id was used for something else."""
        now = self._clock.now_ns()
        stored = self._store.record_outcome(
            tid, subject, kind, amount, currency, reason, actor_id, now
        )
        return stored == (subject, amount)

    def refund(
        self, complaint: Complaint, checkout: Checkout, amount_minor: int | None, refund_id: int,
        actor_id: str, reason: str,
    ) -> tuple[ComplaintResult, int]:  # fmt: skip
        """The merchant gives (part of) the payment back by payments' own refund path;
        returns the result and the amount refunded."""
        if complaint.payment_id is None:
            return R.no_payment_to_refund, 0
        found = self._ledger.lookup_transfers([complaint.payment_id])
        if not found:
            return R.unknown_payment, 0
        payment = found[0]
        amount = payment.amount if amount_minor is None else amount_minor
        if amount <= 0:
            return R.amount_must_be_positive, 0
        merchant = self._merchants.by_id(complaint.merchant_id)
        currency = "" if merchant is None else merchant.currency
        if not self._intent(refund_id, complaint.id, "refund", amount, currency, reason, actor_id):
            return R.id_reused_differently, 0
        refunded = checkout.refund(payment, amount, refund_id)
        return _OF_REFUND[refunded.outcome.result], amount

    def goodwill(
        self, complaint: Complaint, amount_minor: int, reason: str, staff_id: str
    ) -> ComplaintResult:
        """The operator credits the complaining wallet `amount_minor` of its currency, once
        per complaint, from its goodwill account."""
        if isinstance(amount_minor, bool) or amount_minor <= 0:
            return R.amount_must_be_positive
        if not reason.strip():
            return R.text_required
        wallet = self._wallet_store.by_id(complaint.wallet_id)
        if wallet is None:
            raise RuntimeError(f"complaint {complaint.id} names no wallet")
        tid = Slots.goodwill_credit.of(complaint.number)
        if not self._intent(
            tid, complaint.id, "goodwill", amount_minor, wallet.currency, reason, staff_id
        ):
            return R.id_reused_differently
        source = self._open_goodwill_account(wallet.ledger)
        chain = [
            Transfer(
                tid,
                source,
                wallet.account_id,
                amount_minor,
                wallet.ledger,
                TRANSFER_GOODWILL,
                _LINKED,
                user_data_128=complaint.number,
            ),
            *self._wallets.receive_legs(wallet.account_id, wallet.ledger, amount_minor, tid),
        ]
        chain[-1].flags &= ~_LINKED
        results: list[RT] = self._ledger.create_transfers(chain)
        return _OF_CHAIN[WalletService.outcome(results, receiver_at=1)]

    def _open_goodwill_account(self, ledger: int) -> int:
        account_id = goodwill_account_id(ledger)
        # An expense: only ever debited, so credits never exceed its debits.
        flags = int(AccountFlags.credits_must_not_exceed_debits)
        account = Account(account_id, ledger, ACCOUNT_GOODWILL, flags=flags)
        result = self._ledger.create_accounts([account])[0]
        if result not in (RA.ok, RA.exists):
            raise RuntimeError(f"goodwill account {account_id} refused: {result.name}")
        return account_id

    def chargeback(self, dispute: Dispute, staff_id: str) -> ComplaintResult:
        """The lost dispute's amount back from the merchant to the wallet that paid."""
        found = self._ledger.lookup_transfers([dispute.payment_id])
        if not found:
            return R.unknown_payment
        payment = found[0]
        if is_treasury_account(payment.debit_account_id):
            return R.cross_border_not_supported
        tid = dispute.number  # the dispute's own time-ordered id: one chargeback per dispute
        if not self._intent(
            tid, dispute.id, "chargeback", dispute.amount_minor, dispute.currency,
            dispute.reason, staff_id,
        ):  # fmt: skip
            return R.id_reused_differently
        ledger, amount = payment.ledger, dispute.amount_minor
        chain = [
            Transfer(
                tid,
                payment.credit_account_id,  # the merchant's account: it may go below zero
                payment.debit_account_id,
                amount,
                ledger,
                TRANSFER_CHARGEBACK,
                _LINKED,
                user_data_128=payment.id,
            ),
            Transfer(
                Slots.chargeback_drawdown.of(tid),
                Slots.refundable_account.of(payment.id),
                IdPrefix.payments_control.account_id(ledger),
                amount,
                ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
            # Back the way it was paid, as a refund goes: to the wallet, or to the credit line
            # that paid (the rest on into the wallet); the partners' clearing booked back.
            *self._payments.money_back_legs(payment, amount, tid),
        ]
        chain[-1].flags &= ~_LINKED
        # The chain has a refund's shape (the drawdown at 1, then the payer's legs), so
        # payments name its outcome.
        results = self._ledger.create_transfers(chain)
        return _OF_REFUND[refund_result(results, headroom_at=headroom_at(chain, tid))]
