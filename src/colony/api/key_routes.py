"""A merchant's own API keys over HTTP: make restricted keys, list them, revoke them.

A new key's secret is shown once; the list shows each key's id (`key_` and 16 hex digits of
its hash), name and scopes, never a secret. A key can only give, and only revoke, scopes it
holds itself, and cannot revoke itself: the key that revokes survives, so a merchant never
loses its last key that manages keys through the API (docs/adr/0009).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth, idempotency, scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.records import KeyRecord
from colony.kernel.clock import NS_PER_S
from colony.merchants.model import Merchant

# The longest name a key may be given, in characters.
key_name_chars_max = 100
# The most keys a merchant may hold that are not revoked.
keys_per_merchant_max = 100
_KEY_ID = re.compile(r"key_[0-9a-f]{16}")


class CreateKey(BaseModel):
    name: str = Field(min_length=1, max_length=key_name_chars_max, description="e.g. till 3")
    scopes: list[str] = Field(
        min_length=1,
        max_length=len(scopes.MERCHANT_SCOPES),
        description="a subset of the calling key's own: " + ", ".join(scopes.MERCHANT_SCOPES),
    )
    model_config = {"strict": True}


def key_json(record: KeyRecord) -> dict[str, object]:
    return {
        "object": "api_key",
        "id": record.id,
        "name": record.name,
        "type": "standard" if record.scopes is None else "restricted",
        "scopes": list(scopes.held(record.kind, record.scopes)),
        "created": record.created_at_ns // NS_PER_S,
        "revoked": None if record.revoked_at_ns is None else record.revoked_at_ns // NS_PER_S,
    }


def register(app: FastAPI, ctx: ApiContext) -> None:
    def own_key(merchant: Merchant, key_id: str) -> KeyRecord:
        """The merchant's key with this id; 404 for anything else."""
        found = next(
            (
                k
                for k in ctx.api_store.keys_of("merchant", merchant.id)
                if _KEY_ID.fullmatch(key_id) and k.id == key_id
            ),
            None,
        )
        if found is None:
            raise ApiError(404, "resource_missing", f"no API key {key_id}", param="key_id")
        return found

    def beyond(caller: KeyRecord, wanted: tuple[str, ...]) -> str | None:
        """The first of `wanted` the caller's key does not allow, or None."""
        held = scopes.held(caller.kind, caller.scopes)
        return next((s for s in wanted if not scopes.allows(held, s)), None)

    @app.post("/v1/merchants/me/api_keys", status_code=201, tags=["merchants"])
    def create_key(
        body: CreateKey,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Make a restricted key with some of the calling key's scopes. Its secret is shown
        only once."""
        merchant, caller = auth.merchant_key(ctx, authorization, scope=scopes.KEYS_WRITE)

        def handle() -> tuple[int, dict[str, object]]:
            wanted = tuple(sorted(set(body.scopes)))
            unknown = [s for s in wanted if s not in scopes.MERCHANT_SCOPES]
            if unknown:
                raise ApiError(
                    400,
                    "scope_unknown",
                    f"no merchant scope {unknown[0]}; there are "
                    + ", ".join(scopes.MERCHANT_SCOPES),
                    param="scopes",
                )
            lacking = beyond(caller, wanted)
            if lacking is not None:
                raise auth.missing_scope(lacking, param="scopes")
            live = [
                k for k in ctx.api_store.keys_of("merchant", merchant.id) if not k.revoked_at_ns
            ]
            if len(live) >= keys_per_merchant_max:
                raise ApiError(
                    409,
                    "too_many_keys",
                    f"a merchant holds at most {keys_per_merchant_max} keys: revoke one first",
                )
            secret = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
            ctx.api_store.add_key(
                auth.digest(secret),
                "merchant",
                merchant.id,
                ctx.clock.now_ns(),
                scopes=wanted,
                name=body.name,
            )
            made = ctx.api_store.key(auth.digest(secret))
            assert made is not None
            return 201, key_json(made) | {"secret": secret}

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            merchant.id,
            idempotency_key,
            {"api_key": body.model_dump()},
            handle,
            secret_fields=("secret",),
        )

    @app.get("/v1/merchants/me/api_keys", tags=["merchants"])
    def list_keys(authorization: Annotated[str | None, Header()] = None) -> dict[str, object]:
        """The merchant's keys, oldest first, revoked ones too; never a secret."""
        merchant = auth.merchant(ctx, authorization, scope=scopes.KEYS_READ)
        keys = ctx.api_store.keys_of("merchant", merchant.id)
        return {"object": "list", "data": [key_json(k) for k in keys]}

    @app.post("/v1/merchants/me/api_keys/{key_id}/revoke", tags=["merchants"])
    def revoke_key(
        key_id: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Revoke one of the merchant's keys: from now on it is answered 401. A key cannot
        revoke itself, nor a key holding a scope it lacks."""
        merchant, caller = auth.merchant_key(ctx, authorization, scope=scopes.KEYS_WRITE)
        target = own_key(merchant, key_id)

        def handle() -> tuple[int, dict[str, object]]:
            if target.key_sha256 == caller.key_sha256:
                raise ApiError(
                    400,
                    "key_is_caller",
                    "a key cannot revoke itself: revoke it with another key",
                    param="key_id",
                )
            lacking = beyond(caller, scopes.held(target.kind, target.scopes))
            if lacking is not None:
                raise auth.missing_scope(lacking, param="key_id")
            ctx.api_store.revoke_key(target.key_sha256, ctx.clock.now_ns())
            revoked = ctx.api_store.key(target.key_sha256)
            assert revoked is not None
            return 200, key_json(revoked)

        return idempotency.run(
            ctx.api_store, ctx.clock, merchant.id, idempotency_key, {"revoke": key_id}, handle
        )
