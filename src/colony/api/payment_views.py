"""How a payment is shown over HTTP: its record, with status and amounts from the ledger.

A payment's status is read from the ledger: a hold is `requires_capture`, a posted payment
`succeeded`, a voided or expired hold `canceled` (Stripe's PaymentIntent names). Who paid
whom, how and what for is the payment's record (payments/store.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, Field

from colony.api.context import ApiContext
from colony.api.deps import quote_service
from colony.api.errors import ApiError
from colony.api.wallet_views import AmountObject
from colony.fx import amount_json
from colony.kernel.clock import NS_PER_S
from colony.ledger import Transfer, TransferPendingStatus
from colony.payments import (
    CaptureMethod,
    Checkout,
    CrossBorderPayments,
    CrossBorderRecord,
    PaymentRecord,
    PaymentStore,
    PayOutcome,
    PayResult,
    code_failure_window_s,
    is_treasury_account,
)

PAYMENT_PARAM = {
    "qr": "payload", "code": "payload", "amount": "amount_minor", "capture": "amount_minor",
    "refund": "amount_minor", "currencies": "payload", "unknown_merchant": "payload",
    "insufficient": "amount_minor", "daily": "amount_minor", "balance": "amount_minor",
    "pin": "amount_minor", "quote": "quote_id", "credit": "funding_source",
    "no_credit": "funding_source",
}  # fmt: skip
_PAYMENT_STATUS = {
    PayResult.insufficient_funds: 402, PayResult.daily_outflow_cap_exceeded: 402,
    PayResult.balance_cap_exceeded: 402, PayResult.pin_required: 402,
    PayResult.unknown_payment: 404, PayResult.unknown_wallet: 404,
    PayResult.refused_before: 409, PayResult.id_reused_differently: 409,
    PayResult.already_captured: 409, PayResult.already_voided: 409,
    PayResult.authorisation_expired: 409, PayResult.not_an_authorisation: 409,
    PayResult.quote_unknown: 404, PayResult.quote_already_used: 409,
    PayResult.quote_expired: 409, PayResult.rate_stale: 422,
    PayResult.code_attempts_exceeded: 429, PayResult.wallet_frozen: 409,
    PayResult.no_credit_line: 404, PayResult.credit_line_frozen: 409,
    PayResult.credit_limit_exceeded: 402,
    PayResult.risk_blocked: 402, PayResult.risk_challenge_required: 402,
    PayResult.merchant_suspended: 409,
}  # fmt: skip


class PaymentFx(BaseModel):
    """A cross-border payment's payer side: the quote it consumed and what the wallet paid."""

    quote: str
    wallet_amount: AmountObject
    rate: str = Field(description="the customer's rate, as decimal text")
    mid_rate: str
    spread_minor: int


class PaymentObject(BaseModel):
    """A payment: its record, with its status and amounts from the ledger."""

    object: Literal["payment"]
    id: str
    status: Literal["requires_capture", "succeeded", "canceled"]
    amount_minor: int
    amount_captured_minor: int
    amount_refunded_minor: int
    currency: str | None
    ledger: int
    merchant: str | None
    wallet: str | None
    method: str | None
    capture_method: str | None
    description: str | None
    reference: str | None
    fx: PaymentFx | None
    created: int


class PaymentList(BaseModel):
    """A page of payments, newest first."""

    object: Literal["list"]
    data: list[PaymentObject]
    has_more: bool
    next_cursor: str | None = Field(description="`starting_after` for the next page")


def risk_refusal(outcome: PayOutcome) -> ApiError:
    """A payment refused by risk control: the result code, and its reasons by name in the
    message (docs/adr/0055)."""
    refusal = pay_refusal(outcome.result)
    if outcome.result.name.startswith("risk_") and outcome.risk and outcome.risk.reasons:
        reasons = ", ".join(r.name for r in outcome.risk.reasons)
        refusal = ApiError(
            refusal.status,
            refusal.code,
            f"{outcome.result.name.replace('_', ' ')}: {reasons}",
            type_="payment_error",
        )
    return refusal


def pay_refusal(result: PayResult, params: dict[str, str] | None = None) -> ApiError:
    status = _PAYMENT_STATUS.get(result, 400)
    kind = {402: "payment_error", 429: "rate_limit_error"}.get(status, "invalid_request_error")
    param = next(
        (p for prefix, p in (params or PAYMENT_PARAM).items() if result.name.startswith(prefix)),
        None,
    )
    # Too many failed codes lately: one more may be tried when the oldest leaves the window.
    wait = code_failure_window_s if status == 429 else None
    return ApiError(
        status,
        result.name,
        result.name.replace("_", " "),
        type_=kind,
        param=param,
        retry_after_s=wait,
    )


def payment_json(
    ctx: ApiContext,
    t: Transfer,
    record: PaymentRecord | None = None,
    cross_border: Mapping[int, CrossBorderRecord] | None = None,
) -> dict[str, object]:
    """A payment as the API shows it: its record, with status and amounts from the ledger.
    `cross_border`: a listed page's cross-border records, read at once (`cross_border_records`);
    without it, the payment's own is read."""
    if record is None and ctx.payments.records is not None:
        record = ctx.payments.records.by_id(t.id)
    paid = cross_border.get(t.id) if cross_border is not None else cross_border_record(ctx, t)
    status = ctx.ledger.pending_status(t.id)
    name = {
        TransferPendingStatus.pending: "requires_capture",
        TransferPendingStatus.voided: "canceled",
        TransferPendingStatus.expired: "canceled",
    }.get(status or TransferPendingStatus.none, "succeeded")
    created_ns = record.created_at_ns if record is not None else t.timestamp
    return {
        "object": "payment",
        "id": payment_ref(t.id),
        "status": name,
        "amount_minor": t.amount,
        "amount_captured_minor": ctx.payments.captured_minor(t),
        "amount_refunded_minor": ctx.payments.refunded_minor(t.id),
        "currency": record.currency if record is not None else None,
        "ledger": t.ledger,
        "merchant": record.merchant_id if record is not None else None,
        "wallet": record.wallet_id if record is not None else None,
        "method": record.method.value if record is not None else None,
        "capture_method": record.capture_method.value if record is not None else None,
        "description": record.description if record is not None else None,
        "reference": record.reference if record is not None else None,
        "fx": fx_json(paid),
        "created": created_ns // NS_PER_S,
    }


def cross_border_record(ctx: ApiContext, t: Transfer) -> CrossBorderRecord | None:
    """The payer's side of a payment paid out of a treasury account (a cross-border one)."""
    if not is_treasury_account(t.debit_account_id) or ctx.payments.records is None:
        return None
    return ctx.payments.records.cross_border_of(t.id)


def cross_border_records(ctx: ApiContext, page: Iterable[Transfer]) -> dict[int, CrossBorderRecord]:
    """`cross_border_record` of each payment of a listed page, in one read of the store."""
    ids = [t.id for t in page if is_treasury_account(t.debit_account_id)]
    if not ids or ctx.payments.records is None:
        return {}
    return ctx.payments.records.cross_border_of_many(ids)


def fx_json(paid: CrossBorderRecord | None) -> dict[str, object] | None:
    """A cross-border payment's payer side (None for a payment in the payer's currency)."""
    if paid is None:
        return None
    return {
        "quote": paid.quote_id,
        "wallet_amount": amount_json(paid.wallet_amount_minor, paid.wallet_currency),
        "rate": f"{paid.rate:f}",
        "mid_rate": f"{paid.mid_rate:f}",
        "spread_minor": paid.spread_minor,
    }


def paid_json(outcome: PayOutcome, *, as_made: bool = False) -> dict[str, object] | None:
    """A payment whose money moved just now, as `payment_json` would read it back: nothing
    captured of a hold yet, nothing refunded. None when that is not known (no record kept,
    or an earlier attempt moved the money, so anything may have happened since). `as_made`:
    the answer it had when its money moved, whenever that was (its first answer, replayed)."""
    record, merchant = outcome.record, outcome.merchant
    if not (outcome.moved_now or as_made) or record is None or merchant is None:
        return None
    held = record.capture_method is CaptureMethod.manual
    return {
        "object": "payment",
        "id": payment_ref(record.id),
        "status": "requires_capture" if held else "succeeded",
        "amount_minor": record.amount_minor,
        "amount_captured_minor": 0 if held else record.amount_minor,
        "amount_refunded_minor": 0,
        "currency": record.currency,
        "ledger": merchant.ledger,
        "merchant": record.merchant_id,
        "wallet": record.wallet_id,
        "method": record.method.value,
        "capture_method": record.capture_method.value,
        "description": record.description,
        "reference": record.reference,
        "fx": fx_json(outcome.cross_border),
        "created": record.created_at_ns // NS_PER_S,
    }


def payment_ref(payment_id: int) -> str:
    return f"pay_{payment_id:032x}"


def parse_payment_ref(ref: str) -> int | None:
    """The transfer id in `pay_<32 hex digits>`, or None."""
    digits = ref.removeprefix("pay_")
    if not ref.startswith("pay_") or len(digits) != 32:
        return None
    try:
        pid = int(digits, 16)
    except ValueError:
        return None
    return pid if 0 < pid < 2**128 - 1 else None


def records(ctx: ApiContext) -> PaymentStore:
    if ctx.payments.records is None:
        raise RuntimeError("this Colony keeps no payment records: give PaymentService a store")
    return ctx.payments.records


def checkout(ctx: ApiContext) -> Checkout:
    """Payments and refunds, at home or across currencies (503 for one across currencies
    when this Colony prices no FX quotes)."""

    def cross_border() -> CrossBorderPayments:
        fx = quote_service(ctx)
        return CrossBorderPayments(ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, fx)

    return Checkout(ctx.payments, cross_border)
