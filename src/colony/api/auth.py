"""Who is calling: a wallet (its token), a merchant, a partner or the operator (their keys).

Every secret is shown once, when it is made, and stored only as its SHA-256. A request that
names something its caller does not own is answered 404, never 403: whether another wallet
or payment exists is none of the caller's business.

A partner's key acts on the wallets, merchants and payments that are the partner's own, and
anything of another partner's is answered 404 like anything else the caller does not own.

A merchant, partner or operator key also holds scopes (api/scopes.py): a route names the scope it
needs, and a valid key without it is answered 403 `missing_scope`, since the caller is known
and the thing is its own. A revoked key or token authenticates nothing: 401. A wallet token
holds no scopes; it may do everything a wallet may, to its own wallet, revoking its tokens
too. The operator revokes partners' keys, and `colony keys revoke-operator` operators' keys.
"""

from __future__ import annotations

import hashlib

from colony.api import scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.records import KeyRecord
from colony.merchants import Merchant
from colony.partners import Partner
from colony.wallets import Wallet

WALLET_TOKEN_PREFIX = "wtok_"
MERCHANT_KEY_PREFIX = "mk_"
OPERATOR_KEY_PREFIX = "opk_"
PARTNER_KEY_PREFIX = "ptk_"
KEY_PREFIX_BY_KIND = {
    "merchant": MERCHANT_KEY_PREFIX,
    "operator": OPERATOR_KEY_PREFIX,
    "partner": PARTNER_KEY_PREFIX,
}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(ctx: ApiContext, prefix: str) -> str:
    return prefix + ctx.token_bytes(32).hex()


def add_merchant_key(
    ctx: ApiContext, merchant_id: str, name: str, wanted: tuple[str, ...]
) -> tuple[str, KeyRecord]:
    """A new restricted key of the merchant's with the `wanted` scopes (checked by the
    caller): its secret, shown once, and its record."""
    secret = new_secret(ctx, MERCHANT_KEY_PREFIX)
    ctx.api_store.add_key(
        digest(secret), "merchant", merchant_id, ctx.clock.now_ns(), scopes=wanted, name=name
    )
    made = ctx.api_store.key(digest(secret))
    assert made is not None
    return secret, made


def _bearer(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ").strip()


# Where a request's scope keeps its Authorization header and that header's
# `presented_digest`, once taken: hashed once a request, not by its rate limit and again by
# its route.
PRESENTED_DIGEST = "colony.presented_digest"


def presented_digest(authorization: str | None) -> str:
    """The hash of the credential in an Authorization header, as its record is keyed."""
    return digest(_bearer(authorization))


def _unauthenticated(what: str) -> ApiError:
    return ApiError(
        401, "authentication_required", f"a valid {what} is required", type_="authentication_error"
    )


def own_rate_limit(ctx: ApiContext, authorization: str | None) -> int | None:
    """The rate an operator gave this API key, in requests a second; None for the default."""
    key = _bearer(authorization)
    if not key.startswith(tuple(KEY_PREFIX_BY_KIND.values())):
        return None
    return ctx.api_store.key_rate_limit(digest(key))


def wallet(
    ctx: ApiContext, authorization: str | None, presented: tuple[str, str] | None = None
) -> Wallet:
    """The wallet whose token is in the Authorization header. `presented`: the header and its
    hash as the request's rate limit took them (`PRESENTED_DIGEST`), used only for the very
    header given."""
    wallet_id = wallet_id_of(ctx, authorization, presented)
    found = ctx.wallet_store.by_id(wallet_id) if wallet_id else None
    if found is None:
        raise _unauthenticated("wallet token")
    return found


def wallet_id_of(
    ctx: ApiContext, authorization: str | None, presented: tuple[str, str] | None = None
) -> str | None:
    """The id of the wallet whose token is in the Authorization header, or None (`wallet`
    says what `presented` is)."""
    token = _bearer(authorization)
    if not token.startswith(WALLET_TOKEN_PREFIX):
        return None
    hashed = presented[1] if presented is not None and presented[0] == authorization else None
    return ctx.api_store.wallet_for_token(hashed or digest(token))


def missing_scope(scope: str, param: str | None = None) -> ApiError:
    return ApiError(
        403,
        "missing_scope",
        f"this key lacks the scope {scope}",
        type_="permission_error",
        param=param,
    )


def _key(ctx: ApiContext, authorization: str | None, kind: str, scope: str) -> KeyRecord:
    """The caller's key of this kind, if it is valid (401 if not) and holds `scope` (403)."""
    assert scope in scopes.SCOPES_BY_KIND[kind], f"no {kind} scope {scope}"
    key = _bearer(authorization)
    prefix = KEY_PREFIX_BY_KIND[kind]
    record = ctx.api_store.key(digest(key)) if key.startswith(prefix) else None
    if record is None or record.kind != kind or record.revoked_at_ns is not None:
        raise _unauthenticated(f"{kind} API key")
    if not scopes.allows(scopes.held(kind, record.scopes), scope):
        raise missing_scope(scope)
    return record


def merchant_key(
    ctx: ApiContext, authorization: str | None, *, scope: str
) -> tuple[Merchant, KeyRecord]:
    """The calling merchant and the key it called with, which holds `scope`."""
    record = _key(ctx, authorization, "merchant", scope)
    found = ctx.merchants.by_id(record.owner_id)
    if found is None:
        raise _unauthenticated("merchant API key")
    return found, record


def merchant(ctx: ApiContext, authorization: str | None, *, scope: str) -> Merchant:
    return merchant_key(ctx, authorization, scope=scope)[0]


def partner(ctx: ApiContext, authorization: str | None, *, scope: str) -> Partner:
    """The calling partner, whose key holds `scope`."""
    record = _key(ctx, authorization, "partner", scope)
    found = ctx.partners.by_id(record.owner_id) if ctx.partners is not None else None
    if found is None:
        raise _unauthenticated("partner API key")
    return found


def operator(ctx: ApiContext, authorization: str | None, *, scope: str) -> None:
    _key(ctx, authorization, "operator", scope)
