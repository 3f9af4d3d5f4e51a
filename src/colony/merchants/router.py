"""Merchants over HTTP: onboarding, the merchant's QR codes, and its own API keys.

A new key's secret is shown once; the list shows each key's id (`key_` and 16 hex digits of
its hash), name and scopes, never a secret. A key can only give, and only revoke, scopes it
holds itself, and cannot revoke itself: the key that revokes survives, so a merchant never
loses its last key that manages keys through the API (docs/adr/0009).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from colony.api import auth, scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, merchant, merchant_and_key, operator
from colony.api.errors import ApiError, errors
from colony.api.input_limits import RequestBody
from colony.api.key_views import (
    ApiKeyList,
    ApiKeyObject,
    key_json,
    key_name_chars_max,
    owned_key,
)
from colony.api.merchant_views import (
    MerchantObject,
    OnboardedMerchantObject,
    OnboardMerchant,
    merchant_json,
    onboarded,
)
from colony.api.records import KeyRecord
from colony.kernel.errors import InvalidInput
from colony.merchants import Merchant
from colony.payments import render

# The most keys a merchant may hold that are not revoked.
keys_per_merchant_max = 100

router = product_router("merchants")

QrReader = Annotated[Merchant, merchant(scopes.PAYMENTS_READ)]
KeysReader = Annotated[Merchant, merchant(scopes.KEYS_READ)]
KeysWriter = Annotated[tuple[Merchant, KeyRecord], merchant_and_key(scopes.KEYS_WRITE)]


class QrCodeObject(BaseModel):
    """The merchant's EMV QR payload, to show as a code."""

    object: Literal["qr_code"]
    payload: str


class CreateKey(RequestBody):
    name_fields = frozenset({"name"})
    name: str = Field(min_length=1, max_length=key_name_chars_max, description="e.g. till 3")
    scopes: list[str] = Field(
        min_length=1,
        max_length=len(scopes.MERCHANT_SCOPES),
        description="a subset of the calling key's own: " + ", ".join(scopes.MERCHANT_SCOPES),
    )


@router.post(
    "/v1/merchants",
    status_code=201,
    dependencies=[operator(scopes.MERCHANTS_WRITE)],
    responses=answers(201, OnboardedMerchantObject),
)
def onboard_merchant(body: OnboardMerchant, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Onboard a merchant (operator only). The response holds its API key, shown once."""
    return key.run(
        "operator",
        body.model_dump(),
        lambda: (201, onboarded(ctx, body)[1]),
        secret_fields=("api_key",),
    )


def qr_payload(
    ctx: ApiContext, merchant: Merchant, amount_minor: int | None, reference: str | None
) -> str:
    """The code, or 400 naming what does not fit in it (an amount too long, say); no dynamic
    code for a suspended merchant, which no payer could pay (409, docs/adr/0114)."""
    if amount_minor is not None and ctx.merchants.is_suspended(merchant.id):
        raise ApiError(
            409, "merchant_suspended", "the operator suspended this merchant: no payer could pay"
        )
    try:
        return ctx.payments.merchant_qr(merchant, amount_minor, reference)
    except InvalidInput as exc:
        raise ApiError(400, "parameter_invalid", str(exc)) from None


@router.get("/v1/merchants/me", responses=answers(200, MerchantObject))
def get_me(ctx: Ctx, merchant: QrReader) -> dict[str, object]:
    """The merchant the key belongs to, with its status: a suspended merchant's payments are
    refused `merchant_suspended` until the operator reinstates it."""
    return merchant_json(merchant, suspended=ctx.merchants.is_suspended(merchant.id))


@router.get("/v1/merchants/me/qr_code", responses=answers(200, QrCodeObject, 409))
def get_qr_code(
    ctx: Ctx,
    merchant: QrReader,
    amount_minor: int | None = None,
    reference: str | None = None,
) -> dict[str, object]:
    """The merchant's EMV QR payload: static, or dynamic with an amount."""
    if amount_minor is not None and amount_minor <= 0:
        raise ApiError(
            400, "parameter_invalid", "amount_minor must be positive", param="amount_minor"
        )
    return {"object": "qr_code", "payload": qr_payload(ctx, merchant, amount_minor, reference)}


@router.get(
    "/v1/merchants/me/qr_code.{kind}",
    response_class=Response,
    responses={
        **errors(409),
        200: {
            "description": "The code as a picture",
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}},
            },
        },
    },
)
def get_qr_code_image(
    kind: Literal["png", "svg"],
    ctx: Ctx,
    merchant: QrReader,
    amount_minor: Annotated[int | None, Query(gt=0)] = None,
    reference: Annotated[str | None, Query(max_length=25)] = None,
) -> Response:
    """The same code as a picture to print or show: PNG or SVG."""
    payload = qr_payload(ctx, merchant, amount_minor, reference)
    media = {"png": "image/png", "svg": "image/svg+xml"}[kind]
    return Response(render(payload, kind), media_type=media)


def own_key(ctx: ApiContext, merchant: Merchant, key_id: str) -> KeyRecord:
    """The merchant's key with this id; 404 for anything else."""
    found = owned_key(ctx.api_store, "merchant", merchant.id, key_id)
    if found is None:
        raise ApiError(404, "resource_missing", f"no API key {key_id}", param="key_id")
    return found


def beyond(caller: KeyRecord, wanted: tuple[str, ...]) -> str | None:
    """The first of `wanted` the caller's key does not allow, or None."""
    held = scopes.held(caller.kind, caller.scopes)
    return next((s for s in wanted if not scopes.allows(held, s)), None)


@router.post("/v1/merchants/me/api_keys", status_code=201, responses=answers(201, ApiKeyObject))
def create_api_key(body: CreateKey, ctx: Ctx, caller: KeysWriter, key: Idempotent) -> JSONResponse:
    """Make a restricted key with some of the calling key's scopes. Its secret is shown
    only once."""
    merchant, own = caller

    def handle() -> tuple[int, dict[str, object]]:
        wanted = tuple(sorted(set(body.scopes)))
        unknown = [s for s in wanted if s not in scopes.MERCHANT_SCOPES]
        if unknown:
            raise ApiError(
                400,
                "scope_unknown",
                f"no merchant scope {unknown[0]}; there are " + ", ".join(scopes.MERCHANT_SCOPES),
                param="scopes",
            )
        lacking = beyond(own, wanted)
        if lacking is not None:
            raise auth.missing_scope(lacking, param="scopes")
        live = [k for k in ctx.api_store.keys_of("merchant", merchant.id) if not k.revoked_at_ns]
        if len(live) >= keys_per_merchant_max:
            raise ApiError(
                409,
                "too_many_keys",
                f"a merchant holds at most {keys_per_merchant_max} keys: revoke one first",
            )
        secret, made = auth.add_merchant_key(ctx, merchant.id, body.name, wanted)
        return 201, key_json(made) | {"secret": secret}

    return key.run(merchant.id, {"api_key": body.model_dump()}, handle, secret_fields=("secret",))


@router.get("/v1/merchants/me/api_keys", responses=answers(200, ApiKeyList))
def list_api_keys(ctx: Ctx, merchant: KeysReader) -> dict[str, object]:
    """The merchant's keys, oldest first, revoked ones too; never a secret."""
    keys = ctx.api_store.keys_of("merchant", merchant.id)
    return {"object": "list", "data": [key_json(k) for k in keys]}


@router.post("/v1/merchants/me/api_keys/{key_id}/revoke", responses=answers(200, ApiKeyObject, 404))
def revoke_api_key(key_id: str, ctx: Ctx, caller: KeysWriter, key: Idempotent) -> JSONResponse:
    """Revoke one of the merchant's keys: from now on it is answered 401. A key cannot
    revoke itself, nor a key holding a scope it lacks."""
    merchant, own = caller
    target = own_key(ctx, merchant, key_id)

    def handle() -> tuple[int, dict[str, object]]:
        if target.key_sha256 == own.key_sha256:
            raise ApiError(
                400,
                "key_is_caller",
                "a key cannot revoke itself: revoke it with another key",
                param="key_id",
            )
        lacking = beyond(own, scopes.held(target.kind, target.scopes))
        if lacking is not None:
            raise auth.missing_scope(lacking, param="key_id")
        ctx.api_store.revoke_key(target.key_sha256, ctx.clock.now_ns())
        revoked = ctx.api_store.key(target.key_sha256)
        assert revoked is not None
        return 200, key_json(revoked)

    return key.run(merchant.id, {"revoke": key_id}, handle)
