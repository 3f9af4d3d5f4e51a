"""Who is calling: a wallet (its token), a merchant (its API key) or the operator (its key).

Every secret is shown once, when it is made, and stored only as its SHA-256. A request that
names something its caller does not own is answered 404, never 403: whether another wallet
or payment exists is none of the caller's business.
"""

from __future__ import annotations

import hashlib

from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.merchants.model import Merchant
from colony.wallets.model import Wallet

WALLET_TOKEN_PREFIX = "wtok_"
MERCHANT_KEY_PREFIX = "mk_"
OPERATOR_KEY_PREFIX = "opk_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(ctx: ApiContext, prefix: str) -> str:
    return prefix + ctx.token_bytes(32).hex()


def _bearer(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ").strip()


def _unauthenticated(what: str) -> ApiError:
    return ApiError(
        401, "authentication_required", f"a valid {what} is required", type_="authentication_error"
    )


def own_rate_limit(ctx: ApiContext, authorization: str | None) -> int | None:
    """The rate an operator gave this API key, in requests a second; None for the default."""
    key = _bearer(authorization)
    if not key.startswith((MERCHANT_KEY_PREFIX, OPERATOR_KEY_PREFIX)):
        return None
    return ctx.api_store.key_rate_limit(digest(key))


def wallet(ctx: ApiContext, authorization: str | None) -> Wallet:
    token = _bearer(authorization)
    wallet_id = (
        ctx.api_store.wallet_for_token(digest(token))
        if token.startswith(WALLET_TOKEN_PREFIX)
        else None
    )
    found = ctx.wallet_store.by_id(wallet_id) if wallet_id else None
    if found is None:
        raise _unauthenticated("wallet token")
    return found


def merchant(ctx: ApiContext, authorization: str | None) -> Merchant:
    key = _bearer(authorization)
    owner = ctx.api_store.key_owner(digest(key)) if key.startswith(MERCHANT_KEY_PREFIX) else None
    found = ctx.merchants.by_id(owner[1]) if owner and owner[0] == "merchant" else None
    if found is None:
        raise _unauthenticated("merchant API key")
    return found


def operator(ctx: ApiContext, authorization: str | None) -> None:
    key = _bearer(authorization)
    owner = ctx.api_store.key_owner(digest(key)) if key.startswith(OPERATOR_KEY_PREFIX) else None
    if owner is None or owner[0] != "operator":
        raise _unauthenticated("operator API key")
