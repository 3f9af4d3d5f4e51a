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
from colony.ledger import Ledger, Transfer, TransferFlags
from colony.merchants.model import QR_SCHEME_GUI, TRANSFER_DISCOUNT_FEE, Merchant
from colony.merchants.service import MerchantService, revenue_account_id
from colony.payments.emv_qr import MerchantQr, QrFormatError, generate, parse
from colony.wallets.model import derived_id
from colony.wallets.service import WalletService
from colony.wallets.store import WalletStore

TRANSFER_PAYMENT = 200
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


@dataclass(frozen=True)
class PayOutcome:
    result: PayResult
    payment_id: int | None = None
    merchant: Merchant | None = None
    amount_minor: int = 0
    fee_minor: int = 0


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
