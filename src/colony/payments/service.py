"""Paying merchants from wallets: the money, the payer's limits and the merchant's fee, at once.

A QR payment is one linked chain: the wallet pays the merchant, the wallet's limit legs follow
(wallets.spend_legs: its daily allowance and its balance headroom), and the merchant's
discount fee goes to the operator's revenue as its own transfer. All or nothing; retried
with the same payment id, it moves money once.

The fee is `amount * discount_bps / 10,000` rounded half up to the minor unit, in integers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.kernel.errors import InvalidInput
from colony.kernel.ids import IdGenerator
from colony.kernel.money import Money
from colony.ledger import Account, AccountFlags, Ledger, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.merchants.model import QR_SCHEME_GUI, TRANSFER_DISCOUNT_FEE, Merchant
from colony.merchants.service import MerchantService, revenue_account_id
from colony.payments.emv_qr import MerchantQr, QrFormatError, generate, parse
from colony.wallets.model import derived_id
from colony.wallets.service import WalletService
from colony.wallets.store import WalletStore

TRANSFER_PAYMENT = 200
TRANSFER_REFUNDABLE = 202  # a payment's refundable amount, granted and drawn down
TRANSFER_REFUND = 203
ACCOUNT_REFUNDABLE = 60
ACCOUNT_PAYMENTS_CONTROL = 61
_PAYMENTS_CONTROL_BASE = 0xF3
_LINKED = int(TransferFlags.linked)


class PayResult(enum.IntEnum):
    ok = 0
    qr_malformed = 1
    qr_crc_invalid = 2  # misread or tampered: never pay it
    qr_not_ours = 3  # another scheme's code (interoperability comes with partner wallets)
    unknown_merchant = 4
    unknown_wallet = 5
    currencies_differ = 6  # cross-border payments come with FX
    amount_required = 7  # a static code: the payer types the amount
    amount_differs_from_code = 8  # a dynamic code fixes the amount
    amount_must_be_positive = 9
    insufficient_funds = 10
    daily_outflow_cap_exceeded = 11
    refused_before = 12
    id_reused_differently = 13
    unknown_payment = 14
    refund_exceeds_payment = 15  # refunds may not add up to more than was paid
    balance_cap_exceeded = 16  # the payer's wallet cannot take the money back now


@dataclass(frozen=True)
class PayOutcome:
    result: PayResult
    payment_id: int | None = None
    merchant: Merchant | None = None
    amount_minor: int = 0
    fee_minor: int = 0


def payments_control_account_id(ledger: int) -> int:
    """The other side of every payment's refundable allowance, per currency."""
    return (_PAYMENTS_CONTROL_BASE << 120) | ledger


def discount_fee(amount_minor: int, discount_bps: int) -> int:
    """The merchant's fee: half up to the minor unit, integers only."""
    return (amount_minor * discount_bps + 5_000) // 10_000


class PaymentService:
    def __init__(
        self,
        ledger: Ledger,
        wallets: WalletService,
        wallet_store: WalletStore,
        merchants: MerchantService,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._wallets = wallets
        self._wallet_store = wallet_store
        self._merchants = merchants
        self._ids = ids

    def merchant_qr(
        self, merchant: Merchant, amount_minor: int | None = None, reference: str | None = None
    ) -> str:
        """The merchant's code: static without an amount, dynamic (one order) with one."""
        amount = None
        if amount_minor is not None:
            amount = f"{Money(amount_minor, merchant.currency).to_decimal():f}"
        return generate(
            MerchantQr(
                QR_SCHEME_GUI,
                merchant.id,
                merchant.mcc,
                f"{merchant.ledger:03d}",
                merchant.country,
                merchant.display_name,
                merchant.city,
                amount,
                reference,
            )
        )

    def pay_by_qr(
        self,
        phone: str,
        currency: str,
        payload: str,
        amount_minor: int | None = None,
        payment_id: int | None = None,
    ) -> PayOutcome:
        try:
            qr = parse(payload)
        except QrFormatError:
            return PayOutcome(PayResult.qr_malformed)
        if not qr.crc_valid:
            return PayOutcome(PayResult.qr_crc_invalid)
        ours = qr.merchant_account_information.get("26")
        if not isinstance(ours, dict) or ours.get("globally_unique_identifier") != QR_SCHEME_GUI:
            return PayOutcome(PayResult.qr_not_ours)
        merchant = self._merchants.by_id(str(ours.get("fields", {}).get("01", "")))
        if merchant is None:
            return PayOutcome(PayResult.unknown_merchant)
        wallet = self._wallet_store.by_phone(phone, currency.upper())
        if wallet is None:
            return PayOutcome(PayResult.unknown_wallet)
        if qr.transaction_currency != f"{wallet.ledger:03d}" or merchant.ledger != wallet.ledger:
            return PayOutcome(PayResult.currencies_differ)
        amount = self._amount(qr.transaction_amount, merchant.currency, amount_minor)
        if isinstance(amount, PayResult):
            return PayOutcome(amount)
        pid = payment_id if payment_id is not None else self._ids.new_id()
        fee = discount_fee(amount, merchant.discount_bps)
        refundable = self._refundable_account(pid, wallet.ledger)
        chain = [
            Transfer(
                pid,
                wallet.account_id,
                merchant.account_id,
                amount,
                wallet.ledger,
                TRANSFER_PAYMENT,
                _LINKED,
            ),
            *self._wallets.spend_legs(wallet, amount, pid),
            # What may be refunded later: exactly what was paid, drawn down by each refund.
            Transfer(
                derived_id(pid, 5),
                payments_control_account_id(wallet.ledger),
                refundable,
                amount,
                wallet.ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
        ]
        if fee:
            chain.append(
                Transfer(
                    derived_id(pid, 4),
                    merchant.account_id,
                    revenue_account_id(merchant.ledger),
                    fee,
                    merchant.ledger,
                    TRANSFER_DISCOUNT_FEE,
                )
            )
        chain[-1].flags &= ~_LINKED  # the chain ends here
        result = WalletService.outcome(self._ledger.create_transfers(chain), receiver_at=None)
        return PayOutcome(PayResult[result.name], pid, merchant, amount, fee)

    def _refundable_account(self, pid: int, ledger: int) -> int:
        account_id = derived_id(pid, 6)
        no_overdraft = int(AccountFlags.debits_must_not_exceed_credits)
        accounts = [
            Account(payments_control_account_id(ledger), ledger, ACCOUNT_PAYMENTS_CONTROL),
            Account(account_id, ledger, ACCOUNT_REFUNDABLE, no_overdraft),
        ]
        for account, result in zip(accounts, self._ledger.create_accounts(accounts), strict=True):
            if result not in (RA.ok, RA.exists):
                raise RuntimeError(f"account {account.id} refused: {result.name}")
        return account_id

    def refund(
        self, payment_id: int, amount_minor: int, refund_id: int | None = None
    ) -> PayOutcome:
        """Give (part of) a payment back: a new transfer pointing at the payment, never an edit.
        The discount fee stays with the operator (the service was rendered)."""
        found = self._ledger.lookup_transfers([payment_id])
        if not found or found[0].code != TRANSFER_PAYMENT:
            return PayOutcome(PayResult.unknown_payment)
        payment = found[0]
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return PayOutcome(PayResult.amount_must_be_positive)
        rid = refund_id if refund_id is not None else self._ids.new_id()
        ledger = payment.ledger
        chain = [
            Transfer(
                rid,
                payment.credit_account_id,
                payment.debit_account_id,
                amount_minor,
                ledger,
                TRANSFER_REFUND,
                _LINKED,
                user_data_128=payment_id,
            ),
            Transfer(
                derived_id(rid, 1),
                derived_id(payment_id, 6),
                payments_control_account_id(ledger),
                amount_minor,
                ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
            *self._wallets.receive_legs(payment.debit_account_id, ledger, amount_minor, rid),
        ]
        result = _refund_result(self._ledger.create_transfers(chain))
        return PayOutcome(result, rid, amount_minor=amount_minor)

    @staticmethod
    def _amount(written: str | None, currency: str, given: int | None) -> int | PayResult:
        if written is not None:
            try:
                fixed = Money.parse(written, currency).amount_minor
            except InvalidInput:
                return PayResult.qr_malformed
            if given is not None and given != fixed:
                return PayResult.amount_differs_from_code
            return fixed
        if given is None:
            return PayResult.amount_required
        if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
            return PayResult.amount_must_be_positive
        return given


def _refund_result(results: list[RT]) -> PayResult:
    """Name a refund chain's outcome by the event that failed: 1 is the payment's refundable
    allowance, 2 the payer's balance headroom."""
    if results[0] is RT.exists or all(r is RT.ok for r in results):
        return PayResult.ok  # done now, or by an earlier attempt with the same id
    failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
    result = results[failing]
    if result is RT.id_already_failed:
        return PayResult.refused_before
    if result.name.startswith("exists_with_different"):
        return PayResult.id_reused_differently
    if result is RT.exceeds_credits and failing == 1:
        return PayResult.refund_exceeds_payment
    if result is RT.exceeds_credits and failing == 2:
        return PayResult.balance_cap_exceeded
    raise RuntimeError(f"refund chain refused at event {failing}: {result.name}")
