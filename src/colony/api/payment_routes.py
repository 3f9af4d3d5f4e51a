"""Merchants and payments over HTTP: onboarding, QR codes, paying, capture, void, refunds.

Payment and refund ids come from the caller's Idempotency-Key (scoped to the caller), so the
same request retried can never move money twice. A payment's status is read from the ledger:
a hold is `requires_capture`, a posted payment `succeeded`, a voided or expired hold
`canceled` (Stripe's PaymentIntent names). Who paid whom, how and what for is the payment's
record (payments/store.py); a record whose transfer the ledger does not hold is shown to nobody.

A payment is read by the wallet that paid (its token) and the merchant paid (its key), and
listed for either, newest first, a page at a time (`limit`, `starting_after`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Literal

from fastapi import FastAPI, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from colony.api import auth, idempotency, scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.fx_routes import quote_service
from colony.api.rate_limit import rate_limit_per_s_max
from colony.fx.quotes import amount_json
from colony.kernel.clock import NS_PER_S
from colony.kernel.errors import InvalidInput
from colony.ledger import Transfer, TransferPendingStatus
from colony.merchants.model import Merchant
from colony.payments.cross_border import CrossBorderPayments
from colony.payments.qr_image import render
from colony.payments.service import TRANSFER_PAYMENT, PayOutcome, PayResult
from colony.payments.store import (
    CaptureMethod,
    CrossBorderRecord,
    Party,
    PaymentRecord,
    PaymentStore,
    description_chars_max,
    reference_chars_max,
)
from colony.payments.treasury import is_treasury_account

# Payments per listed page: when none is asked for, and the most that may be.
payments_page_default = 10
payments_page_max = 100
# The longest payment code accepted before it is looked at, in characters (one is 18 digits).
payment_code_chars_max = 64

_PAYMENT_PARAM = {
    "qr": "payload", "code": "payload", "amount": "amount_minor", "capture": "amount_minor",
    "refund": "amount_minor", "currencies": "payload", "unknown_merchant": "payload",
    "insufficient": "amount_minor", "daily": "amount_minor", "balance": "amount_minor",
    "pin": "amount_minor", "quote": "quote_id",
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
}  # fmt: skip


class OnboardMerchant(BaseModel):
    legal_name: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=25)
    mcc: str
    country: str
    city: str = Field(min_length=1, max_length=15)
    currency: str
    discount_bps: int = Field(ge=0, le=10_000)
    rate_limit_per_s: int | None = Field(
        default=None,
        gt=0,
        le=rate_limit_per_s_max,
        description="the merchant key's own request rate limit; omitted: the default",
    )
    model_config = {"strict": True}


class PayByQr(BaseModel):
    payload: str = Field(min_length=1, max_length=512)
    amount_minor: int | None = Field(default=None, gt=0)
    capture: bool = True
    description: str | None = Field(default=None, max_length=description_chars_max)
    reference: str | None = Field(
        default=None, max_length=reference_chars_max, description="the merchant's order reference"
    )
    quote_id: str | None = Field(
        default=None,
        max_length=64,
        description="an FX quote (POST /v1/fx/quotes) selling the wallet's currency and buying "
        "the merchant's amount in its currency: pays a merchant in another currency",
    )
    model_config = {"strict": True}


class PayByCode(BaseModel):
    code: str = Field(max_length=payment_code_chars_max, description="as the payer's phone shows")
    amount_minor: int = Field(gt=0)
    description: str | None = Field(default=None, max_length=description_chars_max)
    reference: str | None = Field(
        default=None, max_length=reference_chars_max, description="the merchant's order reference"
    )
    model_config = {"strict": True}


class Amount(BaseModel):
    amount_minor: int | None = Field(default=None, gt=0)
    model_config = {"strict": True}


def pay_refusal(result: PayResult, params: dict[str, str] | None = None) -> ApiError:
    status = _PAYMENT_STATUS.get(result, 400)
    kind = "payment_error" if status == 402 else "invalid_request_error"
    param = next(
        (p for prefix, p in (params or _PAYMENT_PARAM).items() if result.name.startswith(prefix)),
        None,
    )
    return ApiError(status, result.name, result.name.replace("_", " "), type_=kind, param=param)


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


def paid_json(outcome: PayOutcome) -> dict[str, object] | None:
    """A payment whose money moved just now, as `payment_json` would read it back: nothing
    captured of a hold yet, nothing refunded. None when that is not known (no record kept,
    or an earlier attempt moved the money, so anything may have happened since)."""
    record, merchant = outcome.record, outcome.merchant
    if not outcome.moved_now or record is None or merchant is None:
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


def merchant_json(m: Merchant) -> dict[str, object]:
    return {
        "object": "merchant",
        "id": m.id,
        "legal_name": m.legal_name,
        "display_name": m.display_name,
        "mcc": m.mcc,
        "country": m.country,
        "city": m.city,
        "currency": m.currency,
        "discount_bps": m.discount_bps,
    }


def onboarded(
    ctx: ApiContext, body: OnboardMerchant, merchant_id: str | None = None
) -> tuple[Merchant, dict[str, object]]:
    """Onboard a merchant and make its standard key: the merchant, and the answer that shows
    the key."""
    result, merchant = ctx.merchants.onboard(
        body.legal_name,
        body.display_name,
        body.mcc,
        body.country,
        body.city,
        body.currency,
        body.discount_bps,
        merchant_id,
    )
    if merchant is None:
        param = result.name.removeprefix("invalid_").removeprefix("unknown_")
        raise ApiError(400, result.name, result.name.replace("_", " "), param=param)
    key = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
    ctx.api_store.add_key(
        auth.digest(key), "merchant", merchant.id, ctx.clock.now_ns(), body.rate_limit_per_s
    )
    return merchant, merchant_json(merchant) | {
        "api_key": key,
        "rate_limit_per_s": body.rate_limit_per_s,
    }


def register(app: FastAPI, ctx: ApiContext) -> None:
    def records() -> PaymentStore:
        if ctx.payments.records is None:
            raise RuntimeError("this Colony keeps no payment records: give PaymentService a store")
        return ctx.payments.records

    def caller(authorization: str | None) -> tuple[Party, str]:
        """A merchant (by its key) or a wallet (by its token); 401 for anything else."""
        credential = (authorization or "").removeprefix("Bearer ").strip()
        if credential.startswith(auth.MERCHANT_KEY_PREFIX):
            merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_READ)
            return Party.merchant, merchant.id
        return Party.wallet, auth.wallet(ctx, authorization).id

    def cross_border() -> CrossBorderPayments:
        fx = quote_service(ctx)
        return CrossBorderPayments(ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, fx)

    def owner_of(record: PaymentRecord, party: Party) -> str:
        return record.merchant_id if party is Party.merchant else record.wallet_id

    def visible(found: list[PaymentRecord]) -> list[tuple[PaymentRecord, Transfer]]:
        """The records whose transfers the ledger holds, in their order."""
        transfers = {t.id: t for t in ctx.ledger.lookup_transfers([r.id for r in found])}
        return [(r, transfers[r.id]) for r in found if r.id in transfers]

    def owned_payment(merchant: Merchant, payment_id: str) -> Transfer:
        """The payment, if it was made to this merchant; 404 for anything else."""
        try:
            pid = int(payment_id.removeprefix("pay_"), 16) if payment_id.startswith("pay_") else -1
        except ValueError:
            pid = -1
        found = ctx.ledger.lookup_transfers([pid]) if 0 < pid < 2**128 else []
        if (
            not found
            or found[0].code != TRANSFER_PAYMENT
            or found[0].credit_account_id != merchant.account_id
        ):
            raise ApiError(404, "resource_missing", f"no payment {payment_id}", param="payment_id")
        return found[0]

    @app.post("/v1/merchants", status_code=201, tags=["merchants"])
    def onboard(
        body: OnboardMerchant,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Onboard a merchant (operator only). The response holds its API key, shown once."""
        auth.operator(ctx, authorization, scope=scopes.MERCHANTS_WRITE)

        def handle() -> tuple[int, dict[str, object]]:
            return 201, onboarded(ctx, body)[1]

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            "operator",
            idempotency_key,
            body.model_dump(),
            handle,
            secret_fields=("api_key",),
        )

    def qr_payload(merchant: Merchant, amount_minor: int | None, reference: str | None) -> str:
        """The code, or 400 naming what does not fit in it (an amount too long, say)."""
        try:
            return ctx.payments.merchant_qr(merchant, amount_minor, reference)
        except InvalidInput as exc:
            raise ApiError(400, "parameter_invalid", str(exc)) from None

    @app.get("/v1/merchants/me/qr_code", tags=["merchants"])
    def qr_code(
        authorization: Annotated[str | None, Header()] = None,
        amount_minor: int | None = None,
        reference: str | None = None,
    ) -> dict[str, object]:
        """The merchant's EMV QR payload: static, or dynamic with an amount."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_READ)
        if amount_minor is not None and amount_minor <= 0:
            raise ApiError(
                400, "parameter_invalid", "amount_minor must be positive", param="amount_minor"
            )
        return {"object": "qr_code", "payload": qr_payload(merchant, amount_minor, reference)}

    @app.get(
        "/v1/merchants/me/qr_code.{kind}",
        tags=["merchants"],
        response_class=Response,
        responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}},
    )
    def qr_code_image(
        kind: Literal["png", "svg"],
        authorization: Annotated[str | None, Header()] = None,
        amount_minor: Annotated[int | None, Query(gt=0)] = None,
        reference: Annotated[str | None, Query(max_length=25)] = None,
    ) -> Response:
        """The same code as a picture to print or show: PNG or SVG."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_READ)
        payload = qr_payload(merchant, amount_minor, reference)
        media = {"png": "image/png", "svg": "image/svg+xml"}[kind]
        return Response(render(payload, kind), media_type=media)

    @app.get("/v1/payments", tags=["payments"])
    def list_payments(
        authorization: Annotated[str | None, Header()] = None,
        limit: Annotated[int, Query(ge=1, le=payments_page_max)] = payments_page_default,
        starting_after: Annotated[str | None, Query(max_length=64)] = None,
    ) -> dict[str, object]:
        """The caller's payments, newest first: a merchant's received, a wallet's made."""
        party, owner = caller(authorization)
        after = None
        if starting_after is not None:
            after = parse_payment_ref(starting_after)
            cursor = records().by_id(after) if after is not None else None
            if cursor is None or owner_of(cursor, party) != owner:
                raise ApiError(
                    400,
                    "parameter_invalid",
                    f"starting_after: no payment {starting_after} in this list",
                    param="starting_after",
                )
        shown: list[tuple[PaymentRecord, Transfer]] = []
        while len(shown) <= limit:
            batch = records().page(party, owner, after, limit + 1)
            shown += visible(batch)
            if len(batch) <= limit:
                break
            after = batch[-1].id
        page, has_more = shown[:limit], len(shown) > limit
        paid = cross_border_records(ctx, [t for _, t in page])
        return {
            "object": "list",
            "data": [payment_json(ctx, t, r, paid) for r, t in page],
            "has_more": has_more,
            "next_cursor": payment_ref(page[-1][0].id) if has_more else None,
        }

    @app.get("/v1/payments/{payment_id}", tags=["payments"])
    def get_payment(
        payment_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """A payment, for the wallet that paid it and the merchant it paid; 404 for anyone else."""
        party, owner = caller(authorization)
        pid = parse_payment_ref(payment_id)
        record = records().by_id(pid) if pid is not None else None
        shown = visible([record]) if record is not None and owner_of(record, party) == owner else []
        if not shown:
            raise ApiError(404, "resource_missing", f"no payment {payment_id}", param="payment_id")
        return payment_json(ctx, shown[0][1], shown[0][0])

    @app.post("/v1/payments", status_code=201, tags=["payments"])
    def pay(
        body: PayByQr,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Pay a merchant from the caller's wallet with a scanned QR code (or authorise)."""
        wallet = auth.wallet(ctx, authorization)
        pid = idempotency.transfer_id_for(wallet.id, idempotency_key or "")

        def handle() -> tuple[int, dict[str, object]]:
            if body.quote_id is not None:
                if not body.capture:
                    raise ApiError(
                        400,
                        "parameter_invalid",
                        "a payment with an FX quote is captured at once (capture: true)",
                        param="capture",
                    )
                outcome = cross_border().pay(
                    wallet,
                    body.payload,
                    body.quote_id,
                    body.amount_minor,
                    pid,
                    description=body.description,
                    reference=body.reference,
                )
            else:
                act = ctx.payments.pay_by_qr if body.capture else ctx.payments.authorise
                outcome = act(
                    wallet.phone,
                    wallet.currency,
                    body.payload,
                    amount_minor=body.amount_minor,
                    payment_id=pid,
                    description=body.description,
                    reference=body.reference,
                )
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            answer = paid_json(outcome)
            if answer is None:
                (transfer,) = ctx.ledger.lookup_transfers([pid])
                answer = payment_json(ctx, transfer)
            return 201, answer

        return idempotency.run(
            ctx.api_store, ctx.clock, wallet.id, idempotency_key, body.model_dump(), handle
        )

    @app.post("/v1/payments/{payment_id}/capture", tags=["payments"])
    def capture(
        payment_id: str,
        body: Amount,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Capture all or part of an authorisation (the merchant that was paid only)."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_WRITE)
        held = owned_payment(merchant, payment_id)

        def handle() -> tuple[int, dict[str, object]]:
            outcome = ctx.payments.capture(held.id, body.amount_minor)
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            return 200, payment_json(ctx, held)

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            merchant.id,
            idempotency_key,
            {"capture": payment_id, **body.model_dump()},
            handle,
        )

    @app.post("/v1/payments/{payment_id}/void", tags=["payments"])
    def void(
        payment_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Release an authorisation (the merchant that was paid only)."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_WRITE)
        held = owned_payment(merchant, payment_id)

        def handle() -> tuple[int, dict[str, object]]:
            outcome = ctx.payments.void(held.id)
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            return 200, payment_json(ctx, held)

        return idempotency.run(
            ctx.api_store, ctx.clock, merchant.id, idempotency_key, {"void": payment_id}, handle
        )

    @app.post("/v1/payments/{payment_id}/refunds", status_code=201, tags=["payments"])
    def refund(
        payment_id: str,
        body: Amount,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Refund part or all of a payment (the merchant that was paid only)."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.REFUNDS_WRITE)
        paid = owned_payment(merchant, payment_id)
        rid = idempotency.transfer_id_for(merchant.id, idempotency_key or "")

        def handle() -> tuple[int, dict[str, object]]:
            amount = body.amount_minor if body.amount_minor is not None else paid.amount
            wallet_amount = None
            if is_treasury_account(paid.debit_account_id):
                across = cross_border()
                outcome = across.refund(paid, amount, rid)
                if outcome.cross_border is not None and outcome.result is PayResult.ok:
                    wallet_amount = amount_json(
                        across.refunded_to_wallet_minor(rid), outcome.cross_border.wallet_currency
                    )
            else:
                outcome = ctx.payments.refund(paid.id, amount, refund_id=rid)
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            return 201, {
                "object": "refund",
                "id": f"re_{rid:032x}",
                "status": "succeeded",
                "payment": payment_id,
                "amount_minor": amount,
                "wallet_amount": wallet_amount,  # what the payer got back, if paid by FX
            }

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            merchant.id,
            idempotency_key,
            {"refund": payment_id, **body.model_dump()},
            handle,
        )

    @app.post("/v1/payments/code", status_code=201, tags=["payments"])
    def pay_by_code(
        body: PayByCode,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Charge the payment code a customer's phone shows (the merchant's terminal)."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_WRITE)
        pid = idempotency.transfer_id_for(merchant.id, idempotency_key or "")

        def handle() -> tuple[int, dict[str, object]]:
            outcome = ctx.payments.pay_by_code(
                merchant.id,
                body.code,
                body.amount_minor,
                ctx.code_verifier,
                ctx.clock.now_ns(),
                payment_id=pid,
                description=body.description,
                reference=body.reference,
            )
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result, _PAYMENT_PARAM | {"code": "code"})
            answer = paid_json(outcome)
            if answer is None:
                (transfer,) = ctx.ledger.lookup_transfers([pid])
                answer = payment_json(ctx, transfer)
            return 201, answer

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            merchant.id,
            idempotency_key,
            {"pay_by_code": body.model_dump()},
            handle,
        )
