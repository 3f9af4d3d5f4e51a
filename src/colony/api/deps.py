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

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Header, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPBearer

from colony.api import auth, scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.idempotency import IdempotencyKey, idempotency_key_chars_max
from colony.fx import QuoteService
from colony.payments import Party
from colony.wallets import Wallet


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


class Caller(HTTPBearer):
    """One kind of caller, by its credential `Authorization: Bearer <secret>`: declared in
    the OpenAPI description as that kind's scheme, and, as a dependency, the caller that
    `check` finds for the credential (which answers 401 or 403 in Colony's error shape,
    never FastAPI's own 403). Being the scheme and the check at once, it costs a request
    one dependency, not two."""

    def __init__(
        self,
        scheme_name: str,
        bearer_format: str,
        description: str,
        check: Callable[[ApiContext, str | None], object],
    ) -> None:
        super().__init__(
            bearerFormat=bearer_format,
            scheme_name=scheme_name,
            description=description,
            auto_error=False,
        )
        self._check = check

    async def __call__(self, request: Request) -> Any:  # type: ignore[override]
        return self._check(request.app.state.colony, request.headers.get("authorization"))


def _as_sent(_: ApiContext, authorization: str | None) -> str | None:
    return authorization


_WALLET = ("wallet_token", "wtok_...", "A wallet's token, shown once when the wallet is opened.")
_MERCHANT = (
    "merchant_key",
    "mk_...",
    "A merchant's API key (standard, or restricted to some scopes).",
)
_PARTNER = (
    "partner_key",
    "ptk_...",
    "A partner wallet's API key: it acts on the partner's own users only.",
)
_OPERATOR = ("operator_key", "opk_...", "The operator's API key (`colony keys create-operator`).")

# The credential as sent, for the routes that take two kinds of caller and tell them apart.
WalletAuthorization = Annotated[str | None, Depends(Caller(*_WALLET, _as_sent))]
MerchantAuthorization = Annotated[str | None, Depends(Caller(*_MERCHANT, _as_sent))]
PartnerAuthorization = Annotated[str | None, Depends(Caller(*_PARTNER, _as_sent))]
OperatorAuthorization = Annotated[str | None, Depends(Caller(*_OPERATOR, _as_sent))]


def _bearer_of(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ").strip()


WalletCaller = Annotated[Wallet, Depends(Caller(*_WALLET, auth.wallet))]

# One dependency per kind and scope, made once, so that FastAPI's per-request cache checks a
# route's caller once however many of its dependencies ask for it.
_callers: dict[tuple[str, str], DependsParam] = {}


def _once(kind: tuple[str, str, str], check: partial[Any]) -> DependsParam:
    """The dependency for `check` (an `auth` function given its scope), made once."""
    made = (check.func.__name__, str(check.keywords["scope"]))
    return _callers.setdefault(made, DependsParam(Caller(*kind, check)))


def merchant(scope: str) -> DependsParam:
    """The calling merchant, whose key holds `scope` (401 without a valid key, 403 without
    the scope)."""
    assert scope in scopes.MERCHANT_SCOPES, scope
    return _once(_MERCHANT, partial(auth.merchant, scope=scope))


def merchant_and_key(scope: str) -> DependsParam:
    """As `merchant`, with the key it called with (for the routes that manage keys)."""
    assert scope in scopes.MERCHANT_SCOPES, scope
    return _once(_MERCHANT, partial(auth.merchant_key, scope=scope))


def partner(scope: str) -> DependsParam:
    """The calling partner, whose key holds `scope`."""
    assert scope in scopes.PARTNER_SCOPES, scope
    return _once(_PARTNER, partial(auth.partner, scope=scope))


def operator(scope: str) -> DependsParam:
    """The operator, whose key holds `scope` (the operator is one, so nothing is returned)."""
    assert scope in scopes.OPERATOR_SCOPES, scope
    return _once(_OPERATOR, partial(auth.operator, scope=scope))


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


_IDEMPOTENCY_KEY_MEANS = (
    f"Your unique key for this request (at most {idempotency_key_chars_max} characters): the "
    "same key and body replay the first answer, another body with it is refused (409). Money "
    "ids come from it."
)


async def idempotency_key(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(description=_IDEMPOTENCY_KEY_MEANS),
    ] = None,
) -> IdempotencyKey:
    """The request's Idempotency-Key. A missing or overlong key is refused when the request
    would be served (`IdempotencyKey.run`), after the caller and what it names are checked,
    so a stranger learns nothing from a bad key."""
    ctx: ApiContext = request.app.state.colony
    return IdempotencyKey(ctx.api_store, ctx.clock, idempotency_key)


Idempotent = Annotated[IdempotencyKey, Depends(idempotency_key)]


class WalletRequest(NamedTuple):
    """What a wallet's POST needs: the context, the calling wallet and its Idempotency-Key."""

    ctx: ApiContext
    wallet: Wallet
    key: IdempotencyKey


def wallet_request(request: Request) -> WalletRequest:
    """The context, wallet and Idempotency-Key of a wallet's POST, found by the route itself.

    For the routes every payment takes (`WALLET_REQUEST` says which), and only those: FastAPI
    resolves each dependency with a walk of its own (its cache key, four parameter passes,
    the kind of callable), about 0.1 ms of CPU apiece at this size, a fifth of what a
    payment costs the API; three of them made a payment 25 % dearer in-process than the
    routes before them (docs/benchmarks.md). Called in the route (on the event loop, or on
    its worker thread where the route runs there: docs/adr/0033), before the body is used,
    it answers exactly what `WalletCaller`, `Ctx` and `Idempotent` would; a malformed body is
    answered before the credential is read, as FastAPI validates the body before the route
    runs.
    """
    ctx: ApiContext = request.app.state.colony
    headers = request.headers
    wallet = auth.wallet(
        ctx, headers.get("authorization"), request.scope.get(auth.PRESENTED_DIGEST)
    )
    return WalletRequest(
        ctx, wallet, IdempotencyKey(ctx.api_store, ctx.clock, headers.get("idempotency-key"))
    )


# What a route that calls `wallet_request` declares in the OpenAPI description itself, since
# FastAPI sees no dependency to describe: the wallet token's scheme and the Idempotency-Key
# (`openapi.finished` gives the header its schema and marks it required, as for every route).
WALLET_REQUEST: dict[str, Any] = {
    "security": [{_WALLET[0]: []}],
    "parameters": [
        {"name": "idempotency-key", "in": "header", "description": _IDEMPOTENCY_KEY_MEANS}
    ],
}
