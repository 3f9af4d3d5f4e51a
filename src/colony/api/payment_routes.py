"""Merchants and payments over HTTP: onboarding, QR codes, paying, capture, void, refunds.

Payment and refund ids come from the caller's Idempotency-Key (scoped to the caller), so the
same request retried can never move money twice. A payment's status is read from the ledger:
a hold is `requires_capture`, a posted payment `succeeded`, a voided or expired hold
`canceled` (Stripe's PaymentIntent names).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth, idempotency
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.rate_limit import rate_limit_per_s_max
from colony.ledger import Transfer, TransferPendingStatus
from colony.merchants.model import Merchant
from colony.payments.service import TRANSFER_PAYMENT, PayOutcome, PayResult

_PAYMENT_PARAM = {
    "qr": "payload", "code": "payload", "amount": "amount_minor", "capture": "amount_minor",
    "refund": "amount_minor", "currencies": "payload", "unknown_merchant": "payload",
    "insufficient": "amount_minor", "daily": "amount_minor", "balance": "amount_minor",
    "pin": "amount_minor",
}  # fmt: skip
_PAYMENT_STATUS = {
    PayResult.insufficient_funds: 402, PayResult.daily_outflow_cap_exceeded: 402,
    PayResult.balance_cap_exceeded: 402, PayResult.pin_required: 402,
    PayResult.unknown_payment: 404, PayResult.unknown_wallet: 404,
    PayResult.refused_before: 409, PayResult.id_reused_differently: 409,
    PayResult.already_captured: 409, PayResult.already_voided: 409,
    PayResult.authorisation_expired: 409, PayResult.not_an_authorisation: 409,
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
    model_config = {"strict": True}


class Amount(BaseModel):
    amount_minor: int | None = Field(default=None, gt=0)
    model_config = {"strict": True}


def pay_refusal(result: PayResult) -> ApiError:
    status = _PAYMENT_STATUS.get(result, 400)
    kind = "payment_error" if status == 402 else "invalid_request_error"
    param = next(
        (p for prefix, p in _PAYMENT_PARAM.items() if result.name.startswith(prefix)), None
    )
    return ApiError(status, result.name, result.name.replace("_", " "), type_=kind, param=param)


def payment_json(ctx: ApiContext, t: Transfer) -> dict[str, object]:
    status = ctx.ledger.pending_status(t.id)
    name = {
        TransferPendingStatus.pending: "requires_capture",
        TransferPendingStatus.voided: "canceled",
        TransferPendingStatus.expired: "canceled",
    }.get(status or TransferPendingStatus.none, "succeeded")
    return {
        "object": "payment",
        "id": f"pay_{t.id:032x}",
        "status": name,
        "amount_minor": t.amount,
        "ledger": t.ledger,
    }


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


def register(app: FastAPI, ctx: ApiContext) -> None:
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
        auth.operator(ctx, authorization)

        def handle() -> tuple[int, dict[str, object]]:
            result, merchant = ctx.merchants.onboard(
                body.legal_name,
                body.display_name,
                body.mcc,
                body.country,
                body.city,
                body.currency,
                body.discount_bps,
            )
            if merchant is None:
                param = result.name.removeprefix("invalid_").removeprefix("unknown_")
                raise ApiError(400, result.name, result.name.replace("_", " "), param=param)
            key = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
            ctx.api_store.add_key(
                auth.digest(key),
                "merchant",
                merchant.id,
                ctx.clock.now_ns(),
                body.rate_limit_per_s,
            )
            return 201, merchant_json(merchant) | {
                "api_key": key,
                "rate_limit_per_s": body.rate_limit_per_s,
            }

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            "operator",
            idempotency_key,
            body.model_dump(),
            handle,
            secret_fields=("api_key",),
        )

    @app.get("/v1/merchants/me/qr_code", tags=["merchants"])
    def qr_code(
        authorization: Annotated[str | None, Header()] = None,
        amount_minor: int | None = None,
        reference: str | None = None,
    ) -> dict[str, object]:
        """The merchant's EMV QR payload: static, or dynamic with an amount."""
        merchant = auth.merchant(ctx, authorization)
        if amount_minor is not None and amount_minor <= 0:
            raise ApiError(
                400, "parameter_invalid", "amount_minor must be positive", param="amount_minor"
            )
        payload = ctx.payments.merchant_qr(merchant, amount_minor, reference)
        return {"object": "qr_code", "payload": payload}

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
            act = ctx.payments.pay_by_qr if body.capture else ctx.payments.authorise
            outcome: PayOutcome = act(
                wallet.phone,
                wallet.currency,
                body.payload,
                amount_minor=body.amount_minor,
                payment_id=pid,
            )
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            if not body.capture:
                (transfer,) = ctx.ledger.lookup_transfers([pid])
                return 201, payment_json(ctx, transfer) | {"currency": wallet.currency}
            # Paid at once: final, so the answer needs no read of the ledger (a read waits
            # for every write before it to be durable).
            return 201, {
                "object": "payment",
                "id": f"pay_{pid:032x}",
                "status": "succeeded",
                "amount_minor": outcome.amount_minor,
                "ledger": wallet.ledger,
                "currency": wallet.currency,
            }

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
        merchant = auth.merchant(ctx, authorization)
        held = owned_payment(merchant, payment_id)

        def handle() -> tuple[int, dict[str, object]]:
            outcome = ctx.payments.capture(held.id, body.amount_minor)
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            return 200, payment_json(ctx, held) | {"amount_captured_minor": outcome.amount_minor}

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
        merchant = auth.merchant(ctx, authorization)
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
        merchant = auth.merchant(ctx, authorization)
        paid = owned_payment(merchant, payment_id)
        rid = idempotency.transfer_id_for(merchant.id, idempotency_key or "")

        def handle() -> tuple[int, dict[str, object]]:
            amount = body.amount_minor if body.amount_minor is not None else paid.amount
            outcome = ctx.payments.refund(paid.id, amount, refund_id=rid)
            if outcome.result is not PayResult.ok:
                raise pay_refusal(outcome.result)
            return 201, {
                "object": "refund",
                "id": f"re_{rid:032x}",
                "status": "succeeded",
                "payment": payment_id,
                "amount_minor": amount,
            }

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            merchant.id,
            idempotency_key,
            {"refund": payment_id, **body.model_dump()},
            handle,
        )
