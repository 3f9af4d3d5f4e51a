"""The FastAPI application: wallets, QR decoding, and the page that shows Colony is alive."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from colony import __version__
from colony.api import (
    auth,
    device_routes,
    errors,
    funding_routes,
    fx_routes,
    idempotency,
    key_routes,
    ledger_routes,
    partner_routes,
    payment_routes,
    settlement_routes,
    treasury_routes,
    web_page,
    webhook_routes,
)
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.rate_limit import RateLimiter, address_share, rate_limit_burst, rate_limit_per_s
from colony.api.wallet_views import OpenWallet, opened_wallet, refusal, wallet_json
from colony.payments.emv_qr import QrFormatError, parse
from colony.wallets.model import Wallet
from colony.wallets.results import WalletResult


class SendMoney(BaseModel):
    to_phone: str
    amount_minor: int = Field(gt=0, description="integer minor units: 1250 is 12.50 SGD")
    model_config = {"strict": True}


class DecodeQr(BaseModel):
    payload: str = Field(min_length=1, max_length=512)


class RateLimited:
    """Every request draws on its address's bucket, and a credentialed one on the
    credential's too: made-up tokens sprayed from one place are still throttled there. A key
    the operator gave its own rate is vouched for: it draws on its own bucket only.

    Plain ASGI rather than `@app.middleware("http")`, whose wrapping of every request in
    streams and a task group was a tenth of the server's time per payment."""

    def __init__(self, app: ASGIApp, ctx: ApiContext) -> None:
        self._app, self._ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = self._ctx
        if scope["type"] != "http" or ctx.limiter is None or ctx.address_limiter is None:
            await self._app(scope, receive, send)
            return
        client = scope.get("client")
        address = f"addr:{client[0] if client else '?'}"
        credential = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        own_rate = auth.own_rate_limit(ctx, credential)
        wait_s = 0 if own_rate else ctx.address_limiter.take(address)
        if not wait_s and credential:
            wait_s = ctx.limiter.take(auth.digest(credential), own_rate)
        if not wait_s:
            await self._app(scope, receive, send)
            return
        error = ApiError(
            429, "rate_limited", f"too many requests: retry in {wait_s} s", type_="rate_limit_error"
        )
        refused = JSONResponse(error.body(), status_code=429, headers={"Retry-After": str(wait_s)})
        await refused(scope, receive, send)


def create_app(ctx: ApiContext) -> FastAPI:
    # Swagger UI and ReDoc served from the package itself, not a CDN: /docs works offline.
    app = FastAPIOffline(
        title="Colony",
        version=__version__,
        description="Payments on a durable double-entry ledger.",
    )
    errors.install(app)
    if ctx.limiter is None:
        ctx.limiter = RateLimiter(ctx.clock)
    if ctx.address_limiter is None:
        ctx.address_limiter = RateLimiter(
            ctx.clock, rate_limit_per_s * address_share, rate_limit_burst * address_share
        )

    app.add_middleware(RateLimited, ctx=ctx)

    def authenticated(authorization: str | None) -> Wallet:
        return auth.wallet(ctx, authorization)

    @app.post("/v1/wallets", status_code=201, tags=["wallets"])
    def open_wallet(
        body: OpenWallet, idempotency_key: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        """Open a wallet for one minor unit. The response holds its token, shown only once."""

        def handle() -> tuple[int, dict[str, object]]:
            return 201, opened_wallet(ctx, body)[1]

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            "public",
            idempotency_key,
            body.model_dump(),
            handle,
            secret_fields=("token",),
        )

    @app.get("/v1/wallets/{wallet_id}", tags=["wallets"])
    def get_wallet(
        wallet_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """A wallet and its balance. Only its own token can read it."""
        wallet = authenticated(authorization)
        if wallet_id not in ("me", wallet.id):
            # Not 403: whether another wallet exists is none of the caller's business.
            raise ApiError(404, "resource_missing", f"no wallet {wallet_id}", param="wallet_id")
        return wallet_json(ctx, wallet)

    @app.post("/v1/wallets/{wallet_id}/transfers", status_code=201, tags=["wallets"])
    def send(
        wallet_id: str,
        body: SendMoney,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Send money to another wallet by phone number (P2P)."""
        wallet = authenticated(authorization)
        if wallet_id not in ("me", wallet.id):
            raise ApiError(404, "resource_missing", f"no wallet {wallet_id}", param="wallet_id")
        scope = wallet.id
        transfer_id = idempotency.transfer_id_for(scope, idempotency_key or "")

        def handle() -> tuple[int, dict[str, object]]:
            outcome = ctx.wallets.p2p(
                wallet.phone,
                body.to_phone,
                wallet.currency,
                body.amount_minor,
                transfer_id=transfer_id,
            )
            if outcome.result is not WalletResult.ok:
                raise refusal(
                    outcome.result,
                    "to_phone" if outcome.result is WalletResult.unknown_wallet else "amount_minor",
                )
            return 201, {
                "object": "transfer",
                "id": f"tr_{transfer_id:032x}",
                "status": "succeeded",
                "from_wallet": wallet.id,
                "to_phone": body.to_phone,
                "amount_minor": body.amount_minor,
                "currency": wallet.currency,
            }

        return idempotency.run(
            ctx.api_store, ctx.clock, scope, idempotency_key, body.model_dump(), handle
        )

    @app.post("/v1/qr/decode", tags=["payments"])
    def decode_qr(
        body: DecodeQr, idempotency_key: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        """Decode an EMV merchant-presented QR payload (fields, CRC check, warnings)."""

        def handle() -> tuple[int, dict[str, object]]:
            try:
                return 200, {"object": "qr_code", **parse(body.payload).as_dict()}
            except QrFormatError as exc:
                raise ApiError(400, "qr_malformed", str(exc), param="payload") from None

        return idempotency.run(
            ctx.api_store, ctx.clock, "public", idempotency_key, body.model_dump(), handle
        )

    payment_routes.register(app, ctx)
    webhook_routes.register(app, ctx)
    device_routes.register(app, ctx)
    funding_routes.register(app, ctx)
    ledger_routes.register(app, ctx)
    key_routes.register(app, ctx)
    fx_routes.register(app, ctx)
    partner_routes.register(app, ctx)
    treasury_routes.register(app, ctx)
    settlement_routes.register(app, ctx)

    web_page.register(app, ctx)

    return app
