"""Wallets over HTTP: opening one, reading it, P2P transfers, and payment-code devices.

Binding a device answers its number and its secret, shown once (never stored in the
idempotency records), with what the phone needs to compute RFC 6238 codes by itself.
Unbinding is for the wallet that bound the device; anyone else gets 404. A wallet lists its
devices, and reads there that one was locked after too many failed codes (docs/adr/0030).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth
from colony.api.answers import answers, product_router
from colony.api.deps import Ctx, Idempotent, WalletCaller
from colony.api.errors import ApiError
from colony.api.idempotency import Handled, KeptElsewhere, public_scope
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.step_up import PIN_MEANS, challenged, hashed_fields, pin_chars_max, stepped_up
from colony.api.wallet_views import (
    OpenedWalletObject,
    OpenWallet,
    WalletObject,
    device_json,
    opened_wallet,
    opening_param,
    refusal,
    wallet_json,
)
from colony.kernel.clock import NS_PER_S
from colony.payments import (
    device_number_digits,
)
from colony.phones import PhoneProofService, ProofResult, Purpose, code_digits
from colony.wallets import Wallet, WalletResult

router = product_router("wallets")


# How each failed proof of the number is answered: (HTTP status, the parameter at fault).
_PROOF_REFUSALS = {
    ProofResult.verification_not_found: (404, "verification"),
    ProofResult.attempts_exhausted: (400, "code"),
    ProofResult.code_expired: (400, "code"),
    ProofResult.code_wrong: (400, "code"),
}


class OpenOwnWallet(OpenWallet):
    """Opening one's own wallet: the number proved by the code sent to it."""

    verification: str = Field(
        max_length=64, description="the id `POST /v1/phone_verifications` answered"
    )
    code: str = Field(
        min_length=code_digits, max_length=code_digits, description="the code sent by SMS"
    )


class SendMoney(RequestBody):
    to_phone: str
    amount_minor: AmountMinor = Field(description="integer minor units: 1250 is 12.50 SGD")
    pin: str | None = Field(default=None, max_length=pin_chars_max, description=PIN_MEANS)


class TransferObject(BaseModel):
    """Money sent from one wallet to another (P2P)."""

    object: Literal["transfer"]
    id: str
    status: Literal["succeeded"]
    from_wallet: str
    to_phone: str
    amount_minor: int
    currency: str


class DeviceObject(BaseModel):
    """A phone bound to a wallet for payment codes; its secret and what the phone needs to
    compute codes (RFC 6238) only in the answer that bound it."""

    object: Literal["device"]
    number: str
    wallet: str
    status: Literal["active", "revoked", "locked"]
    created: int | None = Field(default=None, description="when bound, in the device list")
    locked_at: int | None = Field(default=None, description="when too many failed codes locked it")
    locked_reason: Literal["too_many_failed_codes"] | None = None
    secret: str | None = Field(default=None, description="hex; only when bound, never replayed")
    algorithm: str | None = None
    digits: int | None = None
    period: int | None = Field(default=None, description="seconds per step")
    code_prefix: str | None = None


class DeviceList(BaseModel):
    """A wallet's devices, in the order they were bound (never their secrets)."""

    object: Literal["list"]
    data: list[DeviceObject]
    has_more: bool


class RevokeTokens(RequestBody):
    all: bool = Field(default=False, description="every token of the wallet, not only this one")


class TokenRevocationObject(BaseModel):
    """How many of the wallet's tokens were revoked: from now on each is answered 401."""

    object: Literal["token_revocation"]
    wallet: str
    revoked: int


def own_wallet(wallet: Wallet, wallet_id: str) -> Wallet:
    """The caller's wallet, named by its id or `me`; 404 for any other."""
    if wallet_id not in ("me", wallet.id):
        # Not 403: whether another wallet exists is none of the caller's business.
        raise ApiError(404, "resource_missing", f"no wallet {wallet_id}", param="wallet_id")
    return wallet


@router.post("/v1/wallets", status_code=201, responses=answers(201, OpenedWalletObject, 404, 409))
def open_wallet(body: OpenOwnWallet, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Open a wallet for one minor unit on a number proved by the code sent to it
    (`POST /v1/phone_verifications`). The response holds its token, shown only once.
    A number that already has a wallet in the currency is answered 409 `phone_taken`,
    naming it: only the number's holder, who typed the code, learns that."""

    proofs = ctx.service(PhoneProofService)

    def handle() -> tuple[int, dict[str, object]]:
        malformed = ctx.wallets.refusal_to_open(body.phone, body.name, body.currency)
        if malformed is not WalletResult.ok:  # answered before a try at the code is spent
            raise refusal(malformed, opening_param(malformed))
        proved = proofs.check(body.verification, body.phone, Purpose.open_wallet, body.code)
        if proved is not ProofResult.ok:
            status, param = _PROOF_REFUSALS[proved]
            raise ApiError(status, proved.name, proved.name.replace("_", " "), param=param)
        existing = ctx.wallet_store.by_phone(body.phone, body.currency.upper())
        if existing is not None:
            raise ApiError(
                409,
                "phone_taken",
                f"this number already has a {existing.currency} wallet: {existing.id}",
                param="phone",
            )
        return 201, opened_wallet(ctx, body)[1]

    # The request is kept (hashed) with its answer: the code in it only as a keyed digest.
    request = body.model_dump() | {"code": proofs.code_fingerprint(body.code)}
    return key.run(
        public_scope("wallet", body.phone, body.currency),
        request,
        handle,
        secret_fields=("token",),
    )


@router.get("/v1/wallets/{wallet_id}", responses=answers(200, WalletObject, 404))
def get_wallet(wallet_id: str, ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """A wallet and its balance. Only its own token can read it."""
    return wallet_json(ctx, own_wallet(wallet, wallet_id))


@router.post(
    "/v1/wallets/{wallet_id}/transfers",
    status_code=201,
    responses=answers(201, TransferObject, 402, 404),
)
def create_transfer(
    wallet_id: str, body: SendMoney, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Send money to another wallet by phone number (P2P). Risk control's challenge is
    answered by the same request again with the wallet's PIN (`pin`, docs/adr/0062)."""
    own_wallet(wallet, wallet_id)
    transfer_id = key.transfer_id(wallet.id)

    def handle() -> Handled:
        confirmed = stepped_up(ctx, wallet, body.pin)
        if isinstance(confirmed, KeptElsewhere):
            return confirmed
        outcome = ctx.wallets.p2p(
            wallet.phone, body.to_phone, wallet.currency, body.amount_minor,
            transfer_id=transfer_id, stepped_up=confirmed,
        )  # fmt: skip
        if outcome.result is WalletResult.risk_challenge_required:
            return challenged(refusal(outcome.result, reasons=outcome.risk_reasons))
        if outcome.result is not WalletResult.ok:
            params = {
                WalletResult.unknown_wallet: "to_phone",
                WalletResult.wallet_frozen: None,
                WalletResult.risk_blocked: None,
                WalletResult.risk_challenge_required: None,
            }
            raise refusal(
                outcome.result,
                params.get(outcome.result, "amount_minor"),
                outcome.risk_reasons,
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

    return key.run(wallet.id, hashed_fields(body), handle)


@router.post("/v1/wallets/me/devices", status_code=201, responses=answers(201, DeviceObject))
def bind_device(ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Bind a phone to the caller's wallet for payment codes. The secret is shown once."""

    def handle() -> tuple[int, dict[str, object]]:
        device = ctx.code_verifier.bind_new(wallet.id, ctx.token_bytes, ctx.clock.now_ns())
        return 201, {"object": "device", "status": "active"} | device_json(device)

    return key.run(wallet.id, {"bind_device": True}, handle, secret_fields=("secret",))


@router.post("/v1/wallets/me/tokens/revoke", responses=answers(200, TokenRevocationObject))
def revoke_tokens(
    body: RevokeTokens,
    ctx: Ctx,
    wallet: WalletCaller,
    key: Idempotent,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> JSONResponse:
    """Sign out: revoke the token this call is made with, or with `all` every token of the
    wallet (a lost phone). A revoked token is answered 401 from the next request on."""
    only = None if body.all else auth.presented_digest(authorization)

    def handle() -> tuple[int, dict[str, object]]:
        revoked = ctx.api_store.revoke_tokens(wallet.id, ctx.clock.now_ns(), only)
        return 200, {"object": "token_revocation", "wallet": wallet.id, "revoked": revoked}

    return key.run(wallet.id, {"revoke_tokens": body.model_dump()}, handle)


@router.get("/v1/wallets/me/devices", responses=answers(200, DeviceList))
def list_devices(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The caller's devices: active, revoked, or locked after too many failed codes."""
    data = []
    for record in ctx.code_verifier.store.devices_of(wallet.id):
        locked_at_ns = record.locked_at_ns
        data.append({
            "object": "device",
            "number": f"{record.number:0{device_number_digits}d}",
            "wallet": wallet.id,
            "status": record.status.value,
            "created": record.created_at_ns // NS_PER_S,
            "locked_at": None if locked_at_ns is None else locked_at_ns // NS_PER_S,
            "locked_reason": None if locked_at_ns is None else "too_many_failed_codes",
        })  # fmt: skip
    return {"object": "list", "data": data, "has_more": False}


@router.post("/v1/wallets/me/devices/{number}/revoke", responses=answers(200, DeviceObject, 404))
def revoke_device(number: str, ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Unbind one of the caller's devices: its codes are refused from now on."""

    def handle() -> tuple[int, dict[str, object]]:
        valid = len(number) == device_number_digits and number.isascii() and number.isdigit()
        if not valid or not ctx.code_verifier.store.revoke(
            int(number), wallet.id, ctx.clock.now_ns()
        ):
            raise ApiError(404, "resource_missing", f"no device {number}", param="number")
        return 200, {"object": "device", "number": number, "wallet": wallet.id,
                     "status": "revoked"}  # fmt: skip

    return key.run(wallet.id, {"revoke_device": number}, handle)
