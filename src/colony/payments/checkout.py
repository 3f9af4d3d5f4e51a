"""The payment and the refund a merchant's customer or the merchant asks for, in one call
each: which kind it is, at home or across currencies, captured at once or held, is decided
here, with the payments, and not by whoever serves the request (the HTTP API, a CLI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from colony.kernel.steps import ON_THREAD, Steps, blocking
from colony.ledger import Transfer
from colony.ledger.service import request_timeout_s
from colony.payments.credit_line import Funding
from colony.payments.cross_border import CrossBorderPayments
from colony.payments.service import PaymentService, PayOutcome, PayResult
from colony.payments.treasury import is_treasury_account
from colony.wallets import Wallet


@dataclass(frozen=True)
class Refunded:
    """A refund's outcome, the amount given back of the merchant's currency, and, when the
    payment was paid by FX, what the payer got back in its own currency."""

    outcome: PayOutcome
    amount_minor: int
    wallet_amount_minor: int | None = None
    wallet_currency: str | None = None


class Checkout:
    """`cross_border` is called only for a payment or refund across currencies (an operator
    may run Colony without FX quotes)."""

    def __init__(
        self, payments: PaymentService, cross_border: Callable[[], CrossBorderPayments]
    ) -> None:
        self._payments = payments
        self._cross_border = cross_border

    def pay_steps(
        self,
        wallet: Wallet,
        payload: str,
        payment_id: int,
        *,
        amount_minor: int | None = None,
        capture: bool = True,
        quote_id: str | None = None,
        description: str | None = None,
        reference: str | None = None,
        request_sha256: str | None = None,
        funding: Funding = Funding.wallet,
        stepped_up: bool = False,
    ) -> Steps[PayOutcome]:
        """Pay the merchant of a scanned code: with an FX quote, in the merchant's currency
        (always captured at once); else in the wallet's, captured at once or held for a
        later capture (`capture=False`). As steps (kernel/steps.py): a payment across
        currencies runs as a whole on a thread; one in the wallet's currency waits only for
        its commits. `pay` waits for them on this thread. `stepped_up`: the payer confirmed
        with the PIN, which answers risk control's challenge."""
        if quote_id is not None:
            assert capture, "a payment with an FX quote is captured at once"
            yield ON_THREAD
            return self._cross_border().pay(
                wallet,
                payload,
                quote_id,
                amount_minor,
                payment_id,
                description=description,
                reference=reference,
                request_sha256=request_sha256,
                stepped_up=stepped_up,
            )
        act = self._payments.pay_by_qr_steps if capture else self._payments.authorise_steps
        if funding is Funding.credit_line:
            # The line lends at once: no hold, and in the wallet's currency only.
            assert capture, "a payment with the credit line is captured at once"
            act = partial(self._payments.pay_by_qr_steps, funding=funding)
        return (
            yield from act(
                wallet.phone,
                wallet.currency,
                payload,
                amount_minor=amount_minor,
                payment_id=payment_id,
                description=description,
                reference=reference,
                request_sha256=request_sha256,
                stepped_up=stepped_up,
            )
        )

    pay = blocking(request_timeout_s)(pay_steps)

    def refund(self, payment: Transfer, amount_minor: int | None, refund_id: int) -> Refunded:
        """Give back `amount_minor` of the payment (all of it when None), the way it was
        paid: a payment across currencies at its own rate."""
        amount = payment.amount if amount_minor is None else amount_minor
        if not is_treasury_account(payment.debit_account_id):
            return Refunded(self._payments.refund(payment.id, amount, refund_id=refund_id), amount)
        across = self._cross_border()
        outcome = across.refund(payment, amount, refund_id)
        paid = outcome.cross_border
        if paid is None or outcome.result is not PayResult.ok:
            return Refunded(outcome, amount)
        back = across.refunded_to_wallet_minor(refund_id)
        return Refunded(outcome, amount, back, paid.wallet_currency)
