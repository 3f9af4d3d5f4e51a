"""The wallet app's Pay screen (`/app/pay`): scan a merchant's QR code (the camera, a photo,
or the code pasted), see who is paid, where and how much, and, when the merchant's
currency is not the wallet's, the FX quote with its countdown; then confirm, with the PIN
above the no-PIN limit.

Scanning happens on the phone (jsQR, vendored): the server only ever sees the payload text,
as the API does. Confirming is one form whose `op` fixes the payment id, so a confirmation
sent twice pays once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from anyio import from_thread
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.api.payment_views import checkout
from colony.api.wallet_views import device_json
from colony.credentials import CredentialResult, CredentialService
from colony.fx import Quote
from colony.kernel.clock import NS_PER_S
from colony.kernel.money import scale_of
from colony.kernel.steps import wait
from colony.ledger.service import request_timeout_s
from colony.merchants import Merchant
from colony.payments import Funding, LineStanding, PayResult, device_number_digits
from colony.payments.emv_qr import scanned
from colony.payments.service import no_pin_limit_minor
from colony.wallets import Wallet
from colony.web.i18n import N_, Texts
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import (
    RISK_STOPPED,
    app_page,
    pin_refusal,
    pin_subject,
    signed_in_wallet,
    typed_amount,
)

router = pages_router()

# The longest payload the screen takes, in characters (an EMV code holds at most 512).
payload_chars_max = 512
# Random bytes in a confirmation's `op` (its idempotency key).
op_bytes = 16

# A payment confirmed while the server serves as many as it can (docs/adr/0108).
BUSY = N_("Colony is busy with many payments: nothing was paid. Confirm again in a moment.")
# What to tell the payer for each refusal; the rest read "The payment was refused: ...".
PAY_REFUSALS = {
    PayResult.qr_malformed: N_("That is not a payment code: scan the merchant's QR code."),
    PayResult.qr_crc_invalid: N_("The code was misread or changed: scan it again."),
    PayResult.qr_not_ours: N_("This code is another payment scheme's: Colony cannot pay it yet."),
    PayResult.unknown_merchant: N_("Colony does not know this merchant."),
    PayResult.merchant_suspended: N_(
        "This merchant cannot take payments now: nothing was paid. Pay another way."
    ),
    PayResult.amount_required: N_("Type the amount to pay."),
    PayResult.amount_must_be_positive: N_("Type an amount above zero, such as 12.50."),
    PayResult.amount_differs_from_code: N_("The code fixes the amount: scan it again."),
    PayResult.insufficient_funds: N_("Not enough money in your wallet."),
    PayResult.daily_outflow_cap_exceeded: N_("That is over today's limit for your tier."),
    PayResult.quote_expired: N_("The exchange rate expired: review the payment again."),
    PayResult.quote_already_used: N_("This review was used already: review the payment again."),
    PayResult.rate_stale: N_("The exchange rate is out of date: try again later."),
    PayResult.wallet_frozen: N_(
        "This wallet is frozen: money cannot leave it. Ask Colony's support why."
    ),
    PayResult.no_credit_line: N_("You have no credit line: open one on the Credit screen."),
    PayResult.credit_line_frozen: N_(
        "Your credit line is frozen while a bill is overdue: repay it to use the line again."
    ),
    PayResult.credit_limit_exceeded: N_("That is more than your credit line has available."),
    PayResult.risk_blocked: RISK_STOPPED,
}
OTHER_REFUSAL = N_("The payment was refused: {reason}.")
_HEX32 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Review:
    """What the payer sees before confirming."""

    payload: str
    merchant: Merchant
    amount_minor: int | None  # in the merchant's currency; None until typed
    fixed: bool  # a dynamic code's amount, which the payer cannot change
    quote: Quote | None  # across currencies
    wallet_amount_minor: int | None  # what leaves the wallet
    pin_needed: bool


@router.get("/app/pay")
def scan_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    return app_page(shell, request, "payments/scan.html", wallet=wallet, payload="", error=None)


def _review(
    ctx: Ctx, t: Texts, wallet: Wallet, payload: str, typed: str, quote_id: str | None = None
) -> tuple[Review | None, str | None]:
    """The payment a payload and a typed amount make, or what is wrong with them. Across
    currencies it is priced by a new quote, or by `quote_id`, the one the payer saw."""
    code = scanned(payload) if 0 < len(payload) <= payload_chars_max else None
    if code is None:
        return None, t(PAY_REFUSALS[PayResult.qr_malformed])
    if not code.crc_valid:
        return None, t(PAY_REFUSALS[PayResult.qr_crc_invalid])
    merchant = ctx.merchants.by_id(code.merchant_id) if code.merchant_id else None
    if merchant is None:
        return None, t(PAY_REFUSALS[PayResult.unknown_merchant])
    if ctx.merchants.is_suspended(merchant.id):  # said before a quote is made for it
        return None, t(PAY_REFUSALS[PayResult.merchant_suspended])
    fixed = code.transaction_amount is not None
    amount = typed_amount(code.transaction_amount or typed, merchant.currency)
    if amount is None:
        review = Review(payload, merchant, None, fixed, None, None, False)
        return review, (t(PAY_REFUSALS[PayResult.amount_required]) if typed else None)
    quote = None
    wallet_amount = amount
    if merchant.currency != wallet.currency:
        if ctx.fx is None:
            return None, t(N_("Payments across currencies are not offered here."))
        if quote_id is not None:
            quote = ctx.fx.get(quote_id, wallet.id)
            if quote is None:
                return None, t(PAY_REFUSALS[PayResult.quote_expired])
        else:
            outcome = ctx.fx.quote(
                wallet.id, wallet.currency, merchant.currency, buy_amount_minor=amount
            )
            if outcome.quote is None:
                return None, t(OTHER_REFUSAL, reason=outcome.result.name)
            quote = outcome.quote
        wallet_amount = quote.sell_amount_minor
    pin_needed = wallet_amount > no_pin_limit_minor(wallet.currency)
    return Review(payload, merchant, amount, fixed, quote, wallet_amount, pin_needed), None


def _review_page(
    ctx: Ctx, shell: Shell, request: Request, wallet: Wallet, review: Review, error: str | None,
    *, status: int = 200, op: str | None = None, funding: str = "wallet",
    challenged: bool = False,
) -> Response:  # fmt: skip
    quote = review.quote
    lines = ctx.payments.credit_lines
    # The choice to pay with the credit line, for a payment in the wallet's own currency.
    line = (
        lines.standing(wallet)
        if lines is not None and review.quote is None
        else LineStanding.no_line
    )
    return app_page(
        shell, request, "payments/review.html", status=status, wallet=wallet, review=review,
        line_offered=line is not LineStanding.no_line, line_frozen=line is LineStanding.frozen,
        funding=funding, challenged=challenged, pin_asked=review.pin_needed or challenged,
        error=error, op=op or shell.token_bytes(op_bytes).hex(),
        amount_text=_decimal_text(review.amount_minor, review.merchant.currency),
        seconds_left=(
            max(0, (quote.expires_at_ns - shell.clock.now_ns()) // NS_PER_S) if quote else 0
        ),
        rate=f"{quote.rate:f}" if quote else "",
    )  # fmt: skip


def _decimal_text(amount_minor: int | None, currency: str) -> str:
    if amount_minor is None:
        return ""
    return f"{Decimal(amount_minor).scaleb(-scale_of(currency)):f}"


@router.post("/app/pay")
def review(request: Request, ctx: Ctx) -> Response:
    """The scanned (or pasted) code, and the amount when the code has none: the review."""
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    payload = form.get("payload", "").strip()
    made, error = _review(ctx, t, wallet, payload, form.get("amount", ""))
    if made is None:
        return app_page(
            shell, request, "payments/scan.html", status=400, wallet=wallet, payload=payload,
            error=error,
        )  # fmt: skip
    return _review_page(ctx, shell, request, wallet, made, error, status=400 if error else 200)


@router.post("/app/pay/confirm")
def confirm(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    op = form.get("op", "")
    funding = form.get("funding", "wallet")
    if funding not in tuple(Funding):
        raise Refused(400, "Choose how to pay: your balance or your credit line.")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: scan the code again.")
    payload = form.get("payload", "").strip()
    # The quote confirmed is the one the payer saw (its id in the form), never a new one.
    quote_id = form.get("quote_id") or ""
    made, error = _review(ctx, t, wallet, payload, form.get("amount", ""), quote_id)
    if made is None or made.amount_minor is None:
        return app_page(
            shell, request, "payments/scan.html", status=400, wallet=wallet, payload=payload,
            error=error or t(PAY_REFUSALS[PayResult.amount_required]),
        )  # fmt: skip
    # Risk control asked for the PIN (a challenge) on an earlier try of this payment: the
    # form says so, and the same `op` keeps the payment's id, so its assessment is the same.
    challenged = form.get("challenged") == "1"
    # A place among the payments in flight, as the API's payments take (docs/adr/0108), or
    # the same review again, nothing begun: confirming again is the same payment (its `op`).
    in_flight = ctx.payments_in_flight
    if not from_thread.run_sync(in_flight.enter):  # the count is the event loop's own
        return _review_page(
            ctx, shell, request, wallet, made, t(BUSY), status=503, op=op, funding=funding,
            challenged=challenged,
        )  # fmt: skip
    try:
        return _confirmed(ctx, shell, request, wallet, made, op, funding, challenged)
    finally:
        from_thread.run_sync(in_flight.leave)


def _confirmed(
    ctx: Ctx, shell: Shell, request: Request, wallet: Wallet, made: Review, op: str,
    funding: str, challenged: bool,
) -> Response:  # fmt: skip
    """The payment confirmed on the review (`confirm`): the PIN where it is asked, then paid."""
    t = shell.texts(request)
    form = shell.form(request)
    payload = form.get("payload", "").strip()
    if made.pin_needed or challenged:
        pin = form.get("pin", "")
        checked = ctx.service(CredentialService).check(pin_subject(wallet.phone), pin)
        if checked.result is not CredentialResult.ok:
            error = pin_refusal(shell, request, checked)
            return _review_page(
                ctx, shell, request, wallet, made, error, status=400, op=op, funding=funding,
                challenged=challenged,
            )  # fmt: skip
    payment_id = transfer_id_for(f"web:{wallet.id}", op)
    paying_with = Funding(funding)
    outcome = wait(
        checkout(ctx).pay_steps(
            wallet, payload, payment_id,
            amount_minor=None if made.fixed else made.amount_minor,
            quote_id=made.quote.id if made.quote is not None else None,
            funding=paying_with, stepped_up=made.pin_needed or challenged,
        ),
        request_timeout_s,
    )  # fmt: skip
    if outcome.result is PayResult.ok:
        return shell.redirect(f"/app/payments/{payment_id:032x}")
    if outcome.result is PayResult.risk_challenge_required:
        return _review_page(
            ctx, shell, request, wallet, made, t(N_("Confirm this payment with your PIN.")),
            op=op, funding=funding, challenged=True,
        )  # fmt: skip
    message = PAY_REFUSALS.get(outcome.result)
    error = t(message) if message else t(OTHER_REFUSAL, reason=outcome.result.name)
    return _review_page(ctx, shell, request, wallet, made, error, status=400, funding=funding)


@router.get("/app/payments/{payment_hex}")
def receipt(payment_hex: str, request: Request, ctx: Ctx) -> Response:
    """A payment's receipt: who was paid, where, how much; across currencies what the wallet
    paid, at what rate from which source; and what was refunded."""
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    payment_id = int(payment_hex, 16) if _HEX32.fullmatch(payment_hex) else None
    store = ctx.payments.records
    record = store.by_id(payment_id) if store is not None and payment_id is not None else None
    if store is None or record is None or record.wallet_id != wallet.id:
        raise Refused(404, "No such receipt in this wallet.")
    merchant = ctx.merchants.by_id(record.merchant_id)
    across = store.cross_border_of(record.id)
    quote = ctx.fx.get(across.quote_id, wallet.id) if across and ctx.fx else None
    refunds = store.refunds_of(record.id)
    return app_page(
        shell, request, "payments/receipt.html", wallet=wallet, record=record,
        merchant=merchant, across=across, refunds=refunds, quote=quote,
        rate=f"{across.rate:f}" if across else "",
    )  # fmt: skip


@router.get("/app/code")
def code_page(request: Request, ctx: Ctx) -> Response:
    """The payment code: computed on the phone from its device key (static/web/code.js)."""
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    devices = ctx.code_verifier.store.devices_of(wallet.id)
    return app_page(
        shell, request, "payments/code.html", wallet=wallet, devices=devices,
        number_digits=device_number_digits,
    )  # fmt: skip


@router.post("/app/code/device")
def bind_device(request: Request, ctx: Ctx) -> Response:
    """Bind this phone to the wallet for payment codes: the answer (JSON, to the page's
    script, never in a page) holds the device's secret, which the phone keeps as a key its
    scripts cannot read back, and which is never shown again."""
    shell = ctx.service(Shell)
    shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    device = ctx.code_verifier.bind_new(wallet.id, shell.token_bytes, shell.clock.now_ns())
    return JSONResponse(device_json(device), status_code=201)


@router.post("/app/code/device/{number}/revoke")
def revoke_device(number: str, request: Request, ctx: Ctx) -> Response:
    """Turn the payment code off on one of the wallet's phones (this one, or one lost): its
    codes are refused from now on, even while the phone still computes them offline."""
    shell = ctx.service(Shell)
    shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    valid = len(number) == device_number_digits and number.isascii() and number.isdigit()
    if not valid or not ctx.code_verifier.store.revoke(
        int(number), wallet.id, shell.clock.now_ns()
    ):
        # Another wallet's device, or one revoked already: nothing to turn off.
        t = shell.texts(request)
        raise Refused(404, t("No such phone shows this wallet's code."))
    return shell.redirect("/app/code")
