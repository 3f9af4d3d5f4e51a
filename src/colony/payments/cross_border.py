"""Cross-border payments: a wallet pays a merchant in another currency with a locked FX quote.

The merchant gets exactly the amount it asked for, in its currency; the wallet pays the
quote's sell side. One linked chain spans both ledgers (docs/adr/0016):

    payer's ledger:     wallet -> treasury            s  (what the quote said the payer pays)
                        treasury -> FX revenue        s - s_mid  (the house's spread)
    merchant's ledger:  treasury -> merchant          b  (the payment itself, its id the pid)
                        then the refundable allowance and the discount fee, as at home

`s_mid` is what `b` costs at the mid rate, rounded up to the payer's minor unit, so the
treasury never holds less than the mid value of what it paid out, and the spread is never
negative. A refund uses the payment's own customer rate, whatever the rates are now: the
merchant gives back `x` of its currency, the wallet gets `floor(x / rate)` of its own, the
share of it that was spread from FX revenue (rounded down), the rest from the treasury.
Refunds can never give the payer more than it paid: see `wallet_refund_minor`.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from colony.chart import Slots, TransferCode
from colony.fx import Quote, QuoteResult, QuoteService, sell_for_buy
from colony.kernel.money import Money, scale_of
from colony.kernel.steps import wait
from colony.ledger import LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult as RT
from colony.ledger.service import request_timeout_s
from colony.merchants import Merchant
from colony.payments.service import (
    PAY_RESULT_OF_CHAIN,
    TRANSFER_PAYMENT,
    TRANSFER_REFUND,
    TRANSFER_REFUNDABLE,
    PaymentService,
    PayOutcome,
    PayResult,
    discount_fee,
    payments_control_account_id,
    refund_result,
    risk_refusal,
)
from colony.payments.store import CaptureMethod, CrossBorderRecord, Method
from colony.payments.treasury import (
    fx_revenue_account_id,
    treasury_account_id,
    treasury_accounts,
)
from colony.wallets import Wallet, WalletService, WalletStore

TRANSFER_FX_PAYER: int = TransferCode.fx_payer  # a payer's money into its treasury, or back
TRANSFER_FX_SPREAD: int = TransferCode.fx_spread  # the house's spread, or back on a refund
_LINKED = int(TransferFlags.linked)
# Quotients of amounts by rates are cut in their 60th digit, then down to minor units.
_WIDE_DOWN = decimal.Context(prec=60, rounding=decimal.ROUND_DOWN)
_QUOTE_REFUSALS = {
    QuoteResult.quote_unknown: PayResult.quote_unknown,
    QuoteResult.quote_already_used: PayResult.quote_already_used,
    QuoteResult.quote_expired: PayResult.quote_expired,
}


def mid_part_minor(quote: Quote) -> int:
    """What the quote's buy side costs at the mid rate, in the payer's minor units, rounded
    up: the treasury's part of the payer's money. Never more than the payer pays."""
    part = sell_for_buy(
        quote.buy_amount_minor, quote.sell_currency, quote.buy_currency, quote.mid_rate
    )
    if not 0 < part <= quote.sell_amount_minor:
        raise RuntimeError(f"quote {quote.id}: mid part {part} outside 1..sell amount")
    return part


def wallet_refund_minor(
    refund_minor: int, wallet_currency: str, merchant_currency: str, rate: Decimal
) -> int:
    """What a refund of `refund_minor` (merchant's currency) gives the payer at the payment's
    customer rate, rounded down. The payer paid `s >= b / rate` for `b`, and refunds add up
    to at most `b`, so the sum of these (each rounded down) is at most `s`."""
    value = _WIDE_DOWN.divide(Decimal(refund_minor).scaleb(-scale_of(merchant_currency)), rate)
    return Money.from_decimal(value, wallet_currency, rounding=decimal.ROUND_DOWN).amount_minor


def spread_back_minor(wallet_minor: int, paid: CrossBorderRecord) -> int:
    """The spread's share of what a refund gives the payer, rounded down (the house keeps the
    remainder): over all refunds of a payment, at most the spread it earned."""
    return wallet_minor * paid.spread_minor // paid.wallet_amount_minor


def used_by(payment_id: int) -> str:
    """How a quote names the payment that used it."""
    return f"pay_{payment_id:032x}"


class CrossBorderPayments:
    """Paying and refunding across currencies, on top of the domestic `PaymentService`."""

    def __init__(
        self,
        ledger: LedgerPort,
        payments: PaymentService,
        wallets: WalletService,
        wallet_store: WalletStore,
        fx: QuoteService,
    ) -> None:
        if payments.records is None:
            raise ValueError("cross-border payments need payment records (their rates)")
        self._ledger = ledger
        self._payments = payments
        self._records = payments.records
        self._wallets = wallets
        self._wallet_store = wallet_store
        self._fx = fx

    def pay(
        self,
        wallet: Wallet,
        payload: str,
        quote_id: str,
        amount_minor: int | None,
        payment_id: int,
        *,
        description: str | None = None,
        reference: str | None = None,
        request_sha256: str | None = None,
        stepped_up: bool = False,
    ) -> PayOutcome:
        """Pay the merchant of a scanned code its amount, the wallet paying per the quote.
        Risk control scores it first, as a payment at home (docs/adr/0062): what leaves the
        wallet, in its currency, to the merchant; refused before the quote is used or the
        record written. It cannot be held (captured at once): a review is a block.
        `request_sha256`: the HTTP request's hash, kept in the record, by which a retry
        refused before the ledger is still answered as made (docs/adr/0083).
        `stepped_up`: the payer confirmed with the PIN, which answers a challenge."""
        resolved = self._payments.resolve(
            wallet.phone, wallet.currency, payload, amount_minor, cross_border=True
        )
        if isinstance(resolved, PayResult):
            return PayOutcome(resolved)
        payer, merchant, amount, _ = resolved
        fitting = self._fitting_quote(payer, merchant.currency, amount, quote_id, payment_id)
        if isinstance(fitting, PayResult):
            return PayOutcome(fitting)
        paying = (fitting.sell_amount_minor, payer.currency)
        assessment, kept = wait(
            self._payments.assessed_steps(
                payment_id, payer, merchant, paying, Method.qr, holdable=False
            ),
            request_timeout_s,
        )
        kept.result(timeout=request_timeout_s)  # durable before the quote is used
        refused = risk_refusal(assessment, stepped_up)
        if refused is not None:
            return PayOutcome(refused, payment_id, merchant, amount, risk=assessment)
        quote = self._consumed(quote_id, payer, payment_id)
        if isinstance(quote, PayResult):
            return PayOutcome(quote)
        recorded = self._payments.intent(
            payment_id,
            resolved,
            Method.qr,
            CaptureMethod.automatic,
            description,
            reference,
            request_sha256,
        )
        mid_part = mid_part_minor(quote)
        paid = CrossBorderRecord(
            payment_id,
            quote.id,
            quote.sell_currency,
            quote.sell_amount_minor,
            mid_part,
            quote.sell_amount_minor - mid_part,
            quote.rate,
            quote.mid_rate,
        )
        if isinstance(recorded, PayResult) or self._records.add_cross_border(paid) != paid:
            return PayOutcome(PayResult.id_reused_differently)
        refundable, accounts = self._payments.submit_refundable_account(
            payment_id,
            merchant.ledger,
            also=[*treasury_accounts(payer.ledger), *treasury_accounts(merchant.ledger)],
        )
        chain = [
            *self._payer_legs(payer, paid),
            Transfer(
                payment_id,
                treasury_account_id(merchant.ledger),
                merchant.account_id,
                amount,
                merchant.ledger,
                TRANSFER_PAYMENT,
                _LINKED,
                user_data_32=merchant.discount_bps,
            ),
            *self._clearing_legs(payer, merchant, paid, amount),
            *self._payments.settlement_legs(
                payment_id,
                merchant.ledger,
                merchant.account_id,
                amount,
                merchant.discount_bps,
                refundable,
            ),
        ]
        results = self._payments.transfers_after(accounts, chain)
        result = PAY_RESULT_OF_CHAIN[WalletService.outcome(results, receiver_at=None)]
        fee = discount_fee(amount, merchant.discount_bps)
        moved_now = all(r is RT.ok for r in results)
        return self._payments.risk_counted(
            PayOutcome(
                result, payment_id, merchant, amount, fee, recorded, moved_now, cross_border=paid
            )
        )

    def refund(self, payment: Transfer, amount_minor: int, refund_id: int) -> PayOutcome:
        """Give back `amount_minor` of the merchant's currency; the payer gets its own currency
        back at the payment's rate, through the same treasury accounts."""
        paid = self._records.cross_border_of(payment.id)
        record = self._records.by_id(payment.id)
        if paid is None or record is None:
            return PayOutcome(PayResult.unknown_payment)
        wallet = self._wallet_store.by_id(record.wallet_id)
        if wallet is None:
            return PayOutcome(PayResult.unknown_wallet)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return PayOutcome(PayResult.amount_must_be_positive)
        # Checked here first so that an amount past the payment is named as such, not as too
        # small; the refundable allowance in the chain still decides when refunds race.
        if amount_minor > payment.amount - self._payments.refunded_minor(payment.id):
            return PayOutcome(PayResult.refund_exceeds_payment)
        back = wallet_refund_minor(amount_minor, wallet.currency, record.currency, paid.rate)
        if back < 1:
            return PayOutcome(PayResult.refund_too_small)
        if not self._payments.record_refund(refund_id, payment.id, amount_minor):
            return PayOutcome(PayResult.id_reused_differently)
        spread_back = spread_back_minor(back, paid)
        ledger = payment.ledger
        chain = [
            Transfer(
                refund_id,
                payment.credit_account_id,
                treasury_account_id(ledger),
                amount_minor,
                ledger,
                TRANSFER_REFUND,
                _LINKED,
                user_data_128=payment.id,
            ),
            Transfer(
                Slots.refundable_drawdown.of(refund_id),
                Slots.refundable_account.of(payment.id),
                payments_control_account_id(ledger),
                amount_minor,
                ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
            *self._wallets.receive_legs(wallet.account_id, wallet.ledger, back, refund_id),
            Transfer(
                Slots.fx_payer_leg.of(refund_id),
                treasury_account_id(wallet.ledger),
                wallet.account_id,
                back - spread_back,
                wallet.ledger,
                TRANSFER_FX_PAYER,
                user_data_128=payment.id,  # the wallet's line names its payment's receipt
            ),
        ]
        if spread_back:
            chain.append(
                Transfer(
                    Slots.fx_spread_leg.of(refund_id),
                    fx_revenue_account_id(wallet.ledger),
                    wallet.account_id,
                    spread_back,
                    wallet.ledger,
                    TRANSFER_FX_SPREAD,
                )
            )
        if self._payments.clearing is not None:
            chain += self._payments.clearing.fx_legs(
                refund_id,
                wallet.id,
                record.merchant_id,
                (wallet.ledger, back),
                (ledger, amount_minor),
                backwards=True,
            )
        for leg in chain:
            leg.flags |= _LINKED
        chain[-1].flags &= ~_LINKED  # the chain ends here
        results = self._ledger.create_transfers(chain)
        if results[0] is RT.ok:  # made now, not found made by an earlier try
            self._payments.risk_counts_refund(payment.id)
        return PayOutcome(
            refund_result(results), refund_id, amount_minor=amount_minor, cross_border=paid
        )

    def refunded_to_wallet_minor(self, refund_id: int) -> int:
        """What a refund gave the payer in its own currency, from the ledger."""
        legs = self._ledger.lookup_transfers(
            [Slots.fx_payer_leg.of(refund_id), Slots.fx_spread_leg.of(refund_id)]
        )
        return sum(t.amount for t in legs)

    def _fitting_quote(
        self, wallet: Wallet, merchant_currency: str, amount: int, quote_id: str, payment_id: int
    ) -> Quote | PayResult:
        """The wallet's quote, fit for this payment (not yet used by it); or why not."""
        quote = self._fx.get(quote_id, wallet.id)
        if quote is None:
            return PayResult.quote_unknown
        if (quote.sell_currency, quote.buy_currency) != (wallet.currency, merchant_currency):
            return PayResult.quote_currencies_differ
        if quote.buy_amount_minor != amount:
            return PayResult.quote_amount_differs
        # A quote made just before midnight on the last good day of a rate is refused after;
        # a retry of the payment that used it is not (its money may have moved already).
        age_days = (self._fx.today() - quote.rate_date).days
        if quote.used_by != used_by(payment_id) and age_days > self._fx.rates.max_age_days:
            return PayResult.rate_stale
        return quote

    def _consumed(self, quote_id: str, wallet: Wallet, payment_id: int) -> Quote | PayResult:
        """The quote, now used by this payment (again, on a retry); or why not."""
        consumed = self._fx.consume(quote_id, wallet.id, used_by(payment_id))
        if consumed.quote is None or consumed.result is not QuoteResult.ok:
            return _QUOTE_REFUSALS[consumed.result]
        return consumed.quote

    def _clearing_legs(
        self, wallet: Wallet, merchant: Merchant, paid: CrossBorderRecord, amount: int
    ) -> list[Transfer]:
        """What the payer's partner owes the merchant's, through the house's exchange
        (partners/clearing.py): none within one partner."""
        if self._payments.clearing is None:
            return []
        return self._payments.clearing.fx_legs(
            paid.payment_id,
            wallet.id,
            merchant.id,
            (wallet.ledger, paid.wallet_amount_minor),
            (merchant.ledger, amount),
        )

    def _payer_legs(self, wallet: Wallet, paid: CrossBorderRecord) -> list[Transfer]:
        """The payer's side: its money into the treasury, its limits, the house's spread."""
        pid = paid.payment_id
        treasury = treasury_account_id(wallet.ledger)
        legs = [
            Transfer(
                Slots.fx_payer_leg.of(pid),
                wallet.account_id,
                treasury,
                paid.wallet_amount_minor,
                wallet.ledger,
                TRANSFER_FX_PAYER,
                _LINKED,
                user_data_128=pid,  # the wallet's line names its payment's receipt
            ),
            *self._wallets.spend_legs(wallet, paid.wallet_amount_minor, pid),
        ]
        if paid.spread_minor:
            legs.append(
                Transfer(
                    Slots.fx_spread_leg.of(pid),
                    treasury,
                    fx_revenue_account_id(wallet.ledger),
                    paid.spread_minor,
                    wallet.ledger,
                    TRANSFER_FX_SPREAD,
                    _LINKED,
                )
            )
        return legs
