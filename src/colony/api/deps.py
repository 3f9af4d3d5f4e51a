"""What every route needs besides its own parameters, as FastAPI dependencies: the context
(services and stores), the caller with the scope the route needs, and the Idempotency-Key.

A route declares them as parameters (`wallet: WalletCaller`, `merchant: MerchantCaller[...]`,
`key: IdempotencyKey`) and does not repeat how a credential is read, checked or scoped.

The callers are resolved on the event loop (`async def`), as the rate limiter in front of
them already reads a key's own rate there: a wallet token and its wallet come from in-memory
caches, an API key from one primary-key read on a connection kept for reads. A synchronous
dependency would cost a second thread-pool hop per request (about 0.1 ms of CPU), on top of
the one the route itself takes.

Each kind of caller is its own bearer security scheme (`wallet_token`, `merchant_key`,
`partner_key`, `operator_key`), so the OpenAPI description says which credential a route
takes, and a route that takes two kinds lists both as alternatives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPBearer

from colony.api import auth, scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.idempotency import IdempotencyKey, idempotency_key_chars_max
from colony.fx.service import QuoteService
from colony.merchants.model import Merchant
from colony.partners.model import Partner
from colony.payments.store import Party
from colony.storage.api_records import KeyRecord
from colony.wallets.model import Wallet


async def context(request: Request) -> ApiContext:
    """The context `create_app` was given: every service and store a route may use."""
    ctx: ApiContext = request.app.state.colony
    return ctx


Ctx = Annotated[ApiContext, Depends(context)]


def quote_service(ctx: ApiContext) -> QuoteService:
    """The server's FX quotes; 503 when it prices none."""
    if ctx.fx is None:
        raise ApiError(503, "fx_unavailable", "FX quotes are not configured", type_="api_error")
    return ctx.fx


class Bearer(HTTPBearer):
    """One kind of caller's credential, `Authorization: Bearer <secret>`: declared in the
    OpenAPI description as its own scheme, and handed to the caller's check as sent (the
    check answers 401 in Colony's error shape, never FastAPI's 403)."""

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        return request.headers.get("authorization")


wallet_token = Bearer(
    scheme_name="wallet_token",
    bearerFormat="wtok_...",
    description="A wallet's token, shown once when the wallet is opened.",
    auto_error=False,
)
merchant_key = Bearer(
    scheme_name="merchant_key",
    bearerFormat="mk_...",
    description="A merchant's API key (standard, or restricted to some scopes).",
    auto_error=False,
)
partner_key = Bearer(
    scheme_name="partner_key",
    bearerFormat="ptk_...",
    description="A partner wallet's API key: it acts on the partner's own users only.",
    auto_error=False,
)
operator_key = Bearer(
    scheme_name="operator_key",
    bearerFormat="opk_...",
    description="The operator's API key (`colony keys create-operator`).",
    auto_error=False,
)

WalletAuthorization = Annotated[str | None, Depends(wallet_token)]
MerchantAuthorization = Annotated[str | None, Depends(merchant_key)]
PartnerAuthorization = Annotated[str | None, Depends(partner_key)]
OperatorAuthorization = Annotated[str | None, Depends(operator_key)]


def _bearer_of(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ").strip()


async def calling_wallet(ctx: Ctx, authorization: WalletAuthorization) -> Wallet:
    return auth.wallet(ctx, authorization)


WalletCaller = Annotated[Wallet, Depends(calling_wallet)]

# One dependency per kind and scope, made once: FastAPI caches a dependency's answer per
# request by its function, so a route and its own dependencies asking for the same caller
# check it once.
_callers: dict[tuple[str, str], DependsParam] = {}


def _once(scope: str, check: Callable[..., Awaitable[object]]) -> DependsParam:
    return _callers.setdefault((check.__name__, scope), DependsParam(check))


def merchant(scope: str) -> DependsParam:
    """The calling merchant, whose key holds `scope` (401 without a valid key, 403 without
    the scope)."""
    assert scope in scopes.MERCHANT_SCOPES, scope

    async def calling_merchant(ctx: Ctx, authorization: MerchantAuthorization) -> Merchant:
        return auth.merchant(ctx, authorization, scope=scope)

    return _once(scope, calling_merchant)


def merchant_and_key(scope: str) -> DependsParam:
    """As `merchant`, with the key it called with (for the routes that manage keys)."""
    assert scope in scopes.MERCHANT_SCOPES, scope

    async def calling_merchant_key(
        ctx: Ctx, authorization: MerchantAuthorization
    ) -> tuple[Merchant, KeyRecord]:
        return auth.merchant_key(ctx, authorization, scope=scope)

    return _once(scope, calling_merchant_key)


def partner(scope: str) -> DependsParam:
    """The calling partner, whose key holds `scope`."""
    assert scope in scopes.PARTNER_SCOPES, scope

    async def calling_partner(ctx: Ctx, authorization: PartnerAuthorization) -> Partner:
        return auth.partner(ctx, authorization, scope=scope)

    return _once(scope, calling_partner)


def operator(scope: str) -> DependsParam:
    """The operator, whose key holds `scope` (the operator is one, so nothing is returned)."""
    assert scope in scopes.OPERATOR_SCOPES, scope

    async def calling_operator(ctx: Ctx, authorization: OperatorAuthorization) -> None:
        auth.operator(ctx, authorization, scope=scope)

    return _once(scope, calling_operator)


async def payment_party(
    ctx: Ctx, wallet: WalletAuthorization, merchant: MerchantAuthorization
) -> tuple[Party, str]:
    """A merchant (by its key, which holds payments:read) or a wallet (by its token), and
    its id; 401 for anything else."""
    authorization = wallet or merchant
    if _bearer_of(authorization).startswith(auth.MERCHANT_KEY_PREFIX):
        found = auth.merchant(ctx, authorization, scope=scopes.PAYMENTS_READ)
        return Party.merchant, found.id
    return Party.wallet, auth.wallet(ctx, authorization).id


PaymentParty = Annotated[tuple[Party, str], Depends(payment_party)]


async def funding_reader(
    ctx: Ctx, wallet: WalletAuthorization, operator: OperatorAuthorization
) -> Wallet | None:
    """The calling wallet, or None for the operator (whose key holds funding:read)."""
    authorization = wallet or operator
    if _bearer_of(authorization).startswith(auth.OPERATOR_KEY_PREFIX):
        auth.operator(ctx, authorization, scope=scopes.FUNDING_READ)
        return None
    return auth.wallet(ctx, authorization)


FundingReader = Annotated[Wallet | None, Depends(funding_reader)]


async def settlement_reader(
    ctx: Ctx, partner: PartnerAuthorization, operator: OperatorAuthorization
) -> str | None:
    """The calling partner's id, or None for the operator; both need settlements:read."""
    authorization = partner or operator
    if _bearer_of(authorization).startswith(auth.PARTNER_KEY_PREFIX):
        return auth.partner(ctx, authorization, scope=scopes.SETTLEMENTS_READ).id
    auth.operator(ctx, authorization, scope=scopes.SETTLEMENTS_READ)
    return None


SettlementReader = Annotated[str | None, Depends(settlement_reader)]


async def idempotency_key(
    ctx: Ctx,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Your unique key for this request (at most "
            f"{idempotency_key_chars_max} characters): the same key and body replay the "
            "first answer, another body with it is refused (409). Money ids come from it.",
        ),
    ] = None,
) -> IdempotencyKey:
    """The request's Idempotency-Key. A missing or overlong key is refused when the request
    would be served (`IdempotencyKey.run`), after the caller and what it names are checked,
    so a stranger learns nothing from a bad key."""
    return IdempotencyKey(ctx.api_store, ctx.clock, idempotency_key)


Idempotent = Annotated[IdempotencyKey, Depends(idempotency_key)]
