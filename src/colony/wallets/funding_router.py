"""Funding partners over HTTP: registering them, top-ups and withdrawals, and the partner's answer.

A top-up (`tu_...`) or withdrawal (`wd_...`) id comes from the wallet's Idempotency-Key, so
a retried request holds money once. Its status is read from the ledger on every answer:
`pending` until the partner confirms (`succeeded`) or declines / fails it (`failed`), or
says nothing in time (`expired`). Partners answer with the operator's key for now
(docs/adr/0006).
"""

from __future__ import annotations

from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, FundingReader, Idempotent, WalletCaller, operator
from colony.api.errors import ApiError
from colony.api.idempotency import Handled, KeptElsewhere
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.step_up import PIN_MEANS, challenged, hashed_fields, pin_chars_max, stepped_up
from colony.api.wallet_views import refusal_message
from colony.kernel.clock import utc_from_ns
from colony.wallets import (
    FundingMovement,
    FundingPartner,
    FundingService,
    MovementKind,
    Wallet,
    WalletResult,
)

# How each refusal is answered: (HTTP status, error type, param).
_REFUSALS = {
    WalletResult.invalid_partner_name: (400, "invalid_request_error", "name"),
    WalletResult.invalid_partner_kind: (400, "invalid_request_error", "kind"),
    WalletResult.unknown_currency: (400, "invalid_request_error", "currency"),
    WalletResult.partner_registered_differently: (409, "invalid_request_error", "kind"),
    WalletResult.unknown_funding_source: (400, "invalid_request_error", "partner"),
    WalletResult.amount_must_be_positive: (400, "invalid_request_error", "amount_minor"),
    WalletResult.insufficient_funds: (402, "payment_error", "amount_minor"),
    WalletResult.balance_cap_exceeded: (402, "payment_error", "amount_minor"),
    WalletResult.daily_outflow_cap_exceeded: (402, "payment_error", "amount_minor"),
    WalletResult.refused_before: (409, "payment_error", None),
    WalletResult.id_reused_differently: (409, "invalid_request_error", None),
    WalletResult.top_up_expired: (409, "invalid_request_error", None),
    WalletResult.top_up_already_settled: (409, "invalid_request_error", None),
    WalletResult.withdrawal_expired: (409, "invalid_request_error", None),
    WalletResult.withdrawal_already_settled: (409, "invalid_request_error", None),
    WalletResult.wallet_frozen: (409, "payment_error", None),
    WalletResult.risk_blocked: (402, "payment_error", None),
    WalletResult.risk_challenge_required: (402, "payment_error", None),
}


router = product_router("funding")
FundingWriter = operator(scopes.FUNDING_WRITE)


class FundingPartnerObject(BaseModel):
    """A bank or card issuer that moves money into and out of wallets in one currency."""

    object: Literal["funding_partner"]
    name: str
    kind: str
    currency: str
    created_at: str


class FundingPartnerList(BaseModel):
    """Funding partners."""

    object: Literal["list"]
    data: list[FundingPartnerObject]


class FundingMovementObject(BaseModel):
    """A top-up or withdrawal: its status is read from the ledger."""

    object: Literal["top_up", "withdrawal"]
    id: str
    status: Literal["pending", "succeeded", "failed", "expired"]
    wallet: str
    partner: str
    amount_minor: int
    currency: str
    created_at: str


class RegisterPartner(RequestBody):
    name: str = Field(max_length=40, description="a-z, 0-9 and _, e.g. dbs_bank")
    kind: str = Field(max_length=20, description='"bank" or "card_issuer"')
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. SGD")


class MoveMoney(RequestBody):
    partner: str = Field(min_length=1, max_length=40, description="a funding partner's name")
    amount_minor: AmountMinor = Field(description="integer minor units")


class WithdrawMoney(MoveMoney):
    """Money out: risk control's challenge is answered with the wallet's PIN (docs/adr/0063)."""

    pin: str | None = Field(default=None, max_length=pin_chars_max, description=PIN_MEANS)


def refusal(result: WalletResult, *, reasons: tuple[str, ...] = ()) -> ApiError:
    """The API's error for `result`; risk control's reasons named in the message, as a
    payment's are (docs/adr/0055)."""
    status, type_, param = _REFUSALS[result]
    message = refusal_message(result, reasons)
    return ApiError(status, result.name, message, type_=type_, param=param)


def _iso(ns: int) -> str:
    return utc_from_ns(ns).isoformat().replace("+00:00", "Z")


def partner_json(p: FundingPartner) -> dict[str, object]:
    return {
        "object": "funding_partner",
        "name": p.name,
        "kind": str(p.kind),
        "currency": p.currency,
        "created_at": _iso(p.created_at_ns),
    }


def movement_json(funding: FundingService, m: FundingMovement) -> dict[str, object]:
    return {
        "object": str(m.kind),
        "id": m.id,
        "status": str(funding.status(m)),
        "wallet": m.wallet_id,
        "partner": m.partner,
        "amount_minor": m.amount_minor,
        "currency": m.currency,
        "created_at": _iso(m.created_at_ns),
    }


def funding_of(ctx: ApiContext) -> FundingService:
    assert ctx.funding is not None, "build_context sets ctx.funding"
    return ctx.funding


def own_wallet(wallet: Wallet, wallet_id: str) -> Wallet:
    if wallet_id not in ("me", wallet.id):
        raise ApiError(404, "resource_missing", f"no wallet {wallet_id}", param="wallet_id")
    return wallet


def find(
    ctx: ApiContext, kind: MovementKind, movement_id: str, wallet: Wallet | None
) -> FundingMovement:
    """The movement, if it is of this kind (and the wallet's); 404 for anything else."""
    found = funding_of(ctx).movement(movement_id)
    if found is None or found.kind is not kind or (wallet and found.wallet_id != wallet.id):
        param = f"{kind}_id"
        raise ApiError(404, "resource_missing", f"no {kind} {movement_id}", param=param)
    return found


@router.post(
    "/v1/funding_partners",
    status_code=201,
    dependencies=[FundingWriter],
    responses=answers(201, FundingPartnerObject, 409) | answers(200, FundingPartnerObject),
)
def register_funding_partner(body: RegisterPartner, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Register a bank or card issuer for one currency (operator only). Registering the
    same partner again answers 200 with the record."""
    funding = funding_of(ctx)

    def handle() -> tuple[int, dict[str, object]]:
        existed = funding.partner(body.name, body.currency) is not None
        result, partner = funding.register_partner(body.name, body.kind, body.currency)
        if partner is None or result is not WalletResult.ok:
            raise refusal(result)
        return (200 if existed else 201), partner_json(partner)

    return key.run("operator", {"funding_partner": body.model_dump()}, handle)


@router.get("/v1/funding_partners", responses=answers(200, FundingPartnerList))
def list_funding_partners(ctx: Ctx, caller: FundingReader) -> dict[str, object]:
    """The operator sees every partner; a wallet sees those it can use (its currency)."""
    funding = funding_of(ctx)
    partners = funding.partners() if caller is None else funding.partners(caller.currency)
    return {"object": "list", "data": [partner_json(p) for p in partners]}


def move(
    ctx: ApiContext, kind: MovementKind, wallet: Wallet, body: MoveMoney, key: Idempotent
) -> JSONResponse:
    """A top-up, or a withdrawal whose `pin` (never part of the request's hash, never kept)
    answers risk control's challenge, as a payment's does (api/step_up.py)."""
    funding = funding_of(ctx)
    tid = key.transfer_id(wallet.id)

    def handle() -> Handled:
        if kind is MovementKind.top_up:
            outcome = funding.top_up(wallet, body.partner, body.amount_minor, transfer_id=tid)
        else:
            # The PIN is checked first, whatever else the request holds (docs/adr/0062).
            pin = body.pin if isinstance(body, WithdrawMoney) else None
            confirmed = stepped_up(ctx, wallet, pin)
            if isinstance(confirmed, KeptElsewhere):
                return confirmed
            outcome = funding.withdraw(
                wallet, body.partner, body.amount_minor, transfer_id=tid, stepped_up=confirmed
            )
        if outcome.result is WalletResult.risk_challenge_required:
            return challenged(refusal(outcome.result, reasons=outcome.risk_reasons))
        if outcome.movement is None:
            raise refusal(outcome.result, reasons=outcome.risk_reasons)
        return 201, movement_json(funding, outcome.movement)

    return key.run(wallet.id, {str(kind): hashed_fields(body)}, handle)


def settle(
    ctx: ApiContext, kind: MovementKind, movement_id: str, confirmed: bool, key: Idempotent
) -> JSONResponse:
    funding = funding_of(ctx)
    movement = find(ctx, kind, movement_id, None)

    def handle() -> tuple[int, dict[str, object]]:
        result = funding.settle(movement, confirmed=confirmed)
        if result is not WalletResult.ok:
            raise refusal(result)
        return 200, movement_json(funding, movement)

    return key.run("operator", {"settle": movement_id, "confirmed": confirmed}, handle)


@router.post(
    "/v1/wallets/{wallet_id}/top_ups",
    status_code=201,
    responses=answers(201, FundingMovementObject, 402, 404),
)
def create_top_up(
    wallet_id: str, body: MoveMoney, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Ask a funding partner for money into the caller's wallet: pending until the
    partner confirms, within the wallet's balance cap counting what is already held."""
    return move(ctx, MovementKind.top_up, own_wallet(wallet, wallet_id), body, key)


@router.get(
    "/v1/wallets/{wallet_id}/top_ups/{top_up_id}",
    responses=answers(200, FundingMovementObject, 404),
)
def get_top_up(wallet_id: str, top_up_id: str, ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """One of the caller's top-ups, its status read from the ledger."""
    found = find(ctx, MovementKind.top_up, top_up_id, own_wallet(wallet, wallet_id))
    return movement_json(funding_of(ctx), found)


@router.post(
    "/v1/wallets/{wallet_id}/withdrawals",
    status_code=201,
    responses=answers(201, FundingMovementObject, 402, 404),
)
def create_withdrawal(
    wallet_id: str, body: WithdrawMoney, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Send money from the caller's wallet to a funding partner: held at once (and counted
    against today's outflow cap), paid out when the partner confirms. Risk control's
    challenge is answered by the same request again with the wallet's PIN (`pin`,
    docs/adr/0063)."""
    return move(ctx, MovementKind.withdrawal, own_wallet(wallet, wallet_id), body, key)


@router.get(
    "/v1/wallets/{wallet_id}/withdrawals/{withdrawal_id}",
    responses=answers(200, FundingMovementObject, 404),
)
def get_withdrawal(
    wallet_id: str, withdrawal_id: str, ctx: Ctx, wallet: WalletCaller
) -> dict[str, object]:
    """One of the caller's withdrawals, its status read from the ledger."""
    found = find(ctx, MovementKind.withdrawal, withdrawal_id, own_wallet(wallet, wallet_id))
    return movement_json(funding_of(ctx), found)


@router.post(
    "/v1/top_ups/{top_up_id}/confirm",
    dependencies=[FundingWriter],
    responses=answers(200, FundingMovementObject, 404),
)
def confirm_top_up(top_up_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """The partner received the money: the top-up is posted and spendable."""
    return settle(ctx, MovementKind.top_up, top_up_id, True, key)


@router.post(
    "/v1/top_ups/{top_up_id}/decline",
    dependencies=[FundingWriter],
    responses=answers(200, FundingMovementObject, 404),
)
def decline_top_up(top_up_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """The partner refused: the hold is voided, nothing reaches the wallet."""
    return settle(ctx, MovementKind.top_up, top_up_id, False, key)


@router.post(
    "/v1/withdrawals/{withdrawal_id}/confirm",
    dependencies=[FundingWriter],
    responses=answers(200, FundingMovementObject, 404),
)
def confirm_withdrawal(withdrawal_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """The partner paid the money out: the withdrawal is posted."""
    return settle(ctx, MovementKind.withdrawal, withdrawal_id, True, key)


@router.post(
    "/v1/withdrawals/{withdrawal_id}/fail",
    dependencies=[FundingWriter],
    responses=answers(200, FundingMovementObject, 404),
)
def fail_withdrawal(withdrawal_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """The partner could not pay out: the money and the day's allowance go back."""
    return settle(ctx, MovementKind.withdrawal, withdrawal_id, False, key)
