"""Donations over HTTP: causes (charities) the operator registers, which anyone signed in may
read with what they have raised, and a wallet's donations to them.

A donation's transfer id comes from the Idempotency-Key, scoped to the wallet, so a retried
request can never give twice.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import (
    Ctx,
    Idempotent,
    MerchantAuthorization,
    OperatorAuthorization,
    PartnerAuthorization,
    WalletAuthorization,
    WalletCaller,
    operator,
)
from colony.api.errors import ApiError
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.wallet_views import AmountObject, amount_json
from colony.donations import Cause, DonationResult, DonationService, cause_name_chars_max

# Registering a cause moves no money, but it is the operator's: an operator key needs this.
CAUSES_WRITE = "causes:write"
router = product_router(
    "donations",
    operator_scopes={CAUSES_WRITE: "register causes (charities) wallets may give to"},
)

# Each refusal's status, error type and the parameter it names (ok is not one).
_REFUSALS: dict[DonationResult, tuple[int, str, str | None]] = {
    DonationResult.invalid_name: (400, "invalid_request_error", "name"),
    DonationResult.unknown_currency: (400, "invalid_request_error", "currency"),
    DonationResult.cause_not_found: (404, "invalid_request_error", "cause_id"),
    DonationResult.currencies_differ: (400, "invalid_request_error", "cause_id"),
    DonationResult.amount_must_be_positive: (400, "invalid_request_error", "amount_minor"),
    DonationResult.insufficient_funds: (402, "payment_error", "amount_minor"),
    DonationResult.daily_outflow_cap_exceeded: (402, "payment_error", "amount_minor"),
    DonationResult.id_reused_differently: (409, "invalid_request_error", None),
    DonationResult.refused_before: (409, "payment_error", None),
    DonationResult.wallet_frozen: (409, "payment_error", None),
}


def refusal(result: DonationResult) -> ApiError:
    status, type_, param = _REFUSALS[result]
    return ApiError(status, result.name, result.name.replace("_", " "), type_=type_, param=param)


async def signed_in(
    ctx: Ctx,
    wallet: WalletAuthorization,
    merchant: MerchantAuthorization,
    partner: PartnerAuthorization,
    operator: OperatorAuthorization,
) -> None:
    """Anyone signed in: a wallet's token, or any live API key; 401 for anything else."""
    authorization = wallet or merchant or partner or operator
    bearer = (authorization or "").removeprefix("Bearer ").strip()
    if bearer.startswith(auth.WALLET_TOKEN_PREFIX):
        auth.wallet(ctx, authorization)
        return
    known = bearer.startswith(tuple(auth.KEY_PREFIX_BY_KIND.values()))
    record = ctx.api_store.key(auth.digest(bearer)) if known else None
    if record is None or record.revoked_at_ns is not None:
        raise ApiError(
            401,
            "authentication_required",
            "a valid wallet token or API key is required",
            type_="authentication_error",
        )


SignedIn = Depends(signed_in)


class RegisterCause(RequestBody):
    name_fields = frozenset({"name"})
    name: str = Field(min_length=1, max_length=cause_name_chars_max, description="e.g. Food Bank")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. SGD")


class Donate(RequestBody):
    amount_minor: AmountMinor = Field(description="integer minor units: 1250 is 12.50 SGD")


class CauseObject(BaseModel):
    """A cause wallets may give to, with what it has raised (from the ledger)."""

    object: Literal["cause"]
    id: str
    name: str
    currency: str
    raised: AmountObject


class CauseList(BaseModel):
    """Every cause, oldest first."""

    object: Literal["list"]
    data: list[CauseObject]


class DonationObject(BaseModel):
    """A wallet's donation to a cause."""

    object: Literal["donation"]
    id: str
    status: Literal["succeeded"]
    cause: str
    wallet: str
    amount: AmountObject


def donations(ctx: ApiContext) -> DonationService:
    """The server's donations (build_context provides them)."""
    return ctx.service(DonationService)


def cause_json(ctx: ApiContext, cause: Cause) -> dict[str, object]:
    raised = donations(ctx).raised(cause)
    return {
        "object": "cause",
        "id": cause.id,
        "name": cause.name,
        "currency": cause.currency,
        "raised": amount_json(raised, cause.currency),
    }


@router.post(
    "/v1/causes",
    status_code=201,
    dependencies=[operator(CAUSES_WRITE)],
    responses=answers(201, CauseObject),
)
def register_cause(body: RegisterCause, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Register a cause (operator only), with its own ledger account."""

    def handle() -> tuple[int, dict[str, object]]:
        result, cause = donations(ctx).register(body.name, body.currency)
        if cause is None:
            raise refusal(result)
        return 201, cause_json(ctx, cause)

    return key.run("operator", {"cause": body.model_dump()}, handle)


@router.get("/v1/causes", dependencies=[SignedIn], responses=answers(200, CauseList))
def list_causes(ctx: Ctx) -> dict[str, object]:
    """Every cause, oldest first, with what each has raised."""
    return {"object": "list", "data": [cause_json(ctx, c) for c in donations(ctx).causes()]}


@router.get(
    "/v1/causes/{cause_id}", dependencies=[SignedIn], responses=answers(200, CauseObject, 404)
)
def get_cause(cause_id: str, ctx: Ctx) -> dict[str, object]:
    """One cause, with what it has raised."""
    cause = donations(ctx).by_id(cause_id)
    if cause is None:
        raise refusal(DonationResult.cause_not_found)
    return cause_json(ctx, cause)


@router.post(
    "/v1/causes/{cause_id}/donations",
    status_code=201,
    responses=answers(201, DonationObject, 400, 402, 404),
)
def create_donation(
    cause_id: str, body: Donate, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Give some of the calling wallet's money to a cause: one transfer, within the wallet's
    daily limit, as a payment is."""
    transfer_id = key.transfer_id(wallet.id)

    def handle() -> tuple[int, dict[str, object]]:
        result = donations(ctx).donate(wallet, cause_id, body.amount_minor, transfer_id)
        if result is not DonationResult.ok:
            raise refusal(result)
        return 201, {
            "object": "donation",
            "id": f"don_{transfer_id:032x}",
            "status": "succeeded",
            "cause": cause_id,
            "wallet": wallet.id,
            "amount": amount_json(body.amount_minor, wallet.currency),
        }

    return key.run(wallet.id, {"cause": cause_id} | body.model_dump(), handle)
