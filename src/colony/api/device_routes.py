"""Payment-code devices over HTTP: a wallet binds a phone, which then makes codes offline.

Binding answers the device's number and its secret, shown once (never stored in the
idempotency records), with what the phone needs to compute RFC 6238 codes by itself.
Unbinding is for the wallet that bound the device; anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse

from colony.api import auth, idempotency
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.payments.payment_code import (
    CODE_PREFIX,
    device_number_digits,
    new_device,
    password_digits,
    step_s,
)

# Random device numbers tried before giving up (a number is taken once in a long while).
device_number_attempts = 8


def register(app: FastAPI, ctx: ApiContext) -> None:
    @app.post("/v1/wallets/me/devices", status_code=201, tags=["wallets"])
    def bind_device(
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Bind a phone to the caller's wallet for payment codes. The secret is shown once."""
        wallet = auth.wallet(ctx, authorization)

        def handle() -> tuple[int, dict[str, object]]:
            for _ in range(device_number_attempts):
                number = int.from_bytes(ctx.token_bytes(8), "big") % 10**device_number_digits
                device = new_device(number, wallet.id, ctx.token_bytes)
                if ctx.code_verifier.bind(device, ctx.clock.now_ns()):
                    return 201, {
                        "object": "device",
                        "number": f"{number:0{device_number_digits}d}",
                        "wallet": wallet.id,
                        "status": "active",
                        "secret": device.secret.hex(),
                        "algorithm": "HMAC-SHA256",  # RFC 6238 TOTP
                        "digits": password_digits,
                        "period": step_s,  # seconds per step, from the Unix epoch
                        "code_prefix": CODE_PREFIX,  # a code: prefix, number, password
                    }
            raise RuntimeError(f"no free device number in {device_number_attempts} attempts")

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            wallet.id,
            idempotency_key,
            {"bind_device": True},
            handle,
            secret_fields=("secret",),
        )

    @app.post("/v1/wallets/me/devices/{number}/revoke", tags=["wallets"])
    def revoke_device(
        number: str,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Unbind one of the caller's devices: its codes are refused from now on."""
        wallet = auth.wallet(ctx, authorization)

        def handle() -> tuple[int, dict[str, object]]:
            valid = len(number) == device_number_digits and number.isascii() and number.isdigit()
            if not valid or not ctx.code_verifier.store.revoke(
                int(number), wallet.id, ctx.clock.now_ns()
            ):
                raise ApiError(404, "resource_missing", f"no device {number}", param="number")
            return 200, {"object": "device", "number": number, "wallet": wallet.id,
                         "status": "revoked"}  # fmt: skip

        return idempotency.run(
            ctx.api_store, ctx.clock, wallet.id, idempotency_key, {"revoke_device": number}, handle
        )
