"""How a wallet is opened and shown over HTTP, by itself or by its partner."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from colony.api import auth
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.input_limits import RequestBody
from colony.kernel.money import Money
from colony.payments import CODE_PREFIX, Device, device_number_digits, password_digits, step_s
from colony.wallets import Wallet, WalletResult

# How each refusal is answered: (HTTP status, error type).
_REFUSALS = {
    WalletResult.invalid_phone: (400, "invalid_request_error"),
    WalletResult.invalid_name: (400, "invalid_request_error"),
    WalletResult.unknown_currency: (400, "invalid_request_error"),
    WalletResult.phone_taken: (409, "invalid_request_error"),
    WalletResult.unknown_wallet: (404, "invalid_request_error"),
    WalletResult.same_wallet: (400, "invalid_request_error"),
    WalletResult.amount_must_be_positive: (400, "invalid_request_error"),
    WalletResult.currencies_differ: (400, "invalid_request_error"),
    WalletResult.insufficient_funds: (402, "payment_error"),
    WalletResult.balance_cap_exceeded: (402, "payment_error"),
    WalletResult.daily_outflow_cap_exceeded: (402, "payment_error"),
    WalletResult.refused_before: (409, "payment_error"),
    WalletResult.id_reused_differently: (409, "invalid_request_error"),
    WalletResult.already_verified: (409, "invalid_request_error"),
    WalletResult.wallet_frozen: (409, "payment_error"),
    WalletResult.risk_blocked: (402, "payment_error"),
    WalletResult.risk_challenge_required: (402, "payment_error"),
}


class OpenWallet(RequestBody):
    name_fields = frozenset({"name"})
    phone: str = Field(description="E.164, e.g. +6591234567")
    name: str = Field(min_length=1, max_length=100)
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. SGD")


class AmountObject(BaseModel):
    """An amount of money: integer minor units, its currency, and as people read it."""

    amount_minor: int
    currency: str
    formatted: str


class WalletObject(BaseModel):
    """A wallet and its balance."""

    object: Literal["wallet"]
    id: str
    phone: str
    name: str
    currency: str
    tier: str
    balance: AmountObject
    available: AmountObject = Field(description="the balance less what is held")
    partner: str | None = Field(
        default=None, description="the partner wallet whose user this is (partner routes)"
    )


class OpenedWalletObject(WalletObject):
    """A wallet just opened, with its token (shown in the first answer only)."""

    token: str | None = Field(default=None, description="absent when the answer is replayed")


def refusal(
    result: WalletResult, param: str | None = None, reasons: tuple[str, ...] = ()
) -> ApiError:
    """The API's error for `result`; a refusal of risk control's names its reasons in the
    message, as a payment's does (docs/adr/0055)."""
    status, type_ = _REFUSALS[result]
    return ApiError(status, result.name, refusal_message(result, reasons), type_=type_, param=param)


def refusal_message(result: WalletResult, reasons: tuple[str, ...] = ()) -> str:
    """A refusal in words: the result, and risk control's reasons when it refused."""
    message = result.name.replace("_", " ")
    return f"{message}: {', '.join(reasons)}" if reasons else message


def amount_json(amount_minor: int, currency: str) -> dict[str, object]:
    return {
        "amount_minor": amount_minor,
        "currency": currency,
        "formatted": Money(amount_minor, currency).format("en_US"),
    }


def wallet_json(ctx: ApiContext, wallet: Wallet) -> dict[str, object]:
    balance, available = ctx.wallets.balances(wallet)
    return {
        "object": "wallet",
        "id": wallet.id,
        "phone": wallet.phone,
        "name": wallet.name,
        "currency": wallet.currency,
        "tier": wallet.tier.name,
        "balance": amount_json(balance, wallet.currency),
        # What can be spent now: the balance less what is held.
        "available": amount_json(available, wallet.currency),
    }


def opening_param(result: WalletResult) -> str:
    """The field of an opening request a refusal names."""
    return {"invalid_name": "name", "unknown_currency": "currency"}.get(result.name, "phone")


def opened_wallet(
    ctx: ApiContext, body: OpenWallet, wallet_id: str | None = None
) -> tuple[Wallet, dict[str, object]]:
    """Open a wallet and make its token: the wallet, and the answer that shows the token."""
    result, wallet = ctx.wallets.open_wallet(body.phone, body.name, body.currency, wallet_id)
    if wallet is None:
        raise refusal(result, opening_param(result))
    token = auth.new_secret(ctx, auth.WALLET_TOKEN_PREFIX)
    ctx.api_store.add_token(auth.digest(token), wallet.id, ctx.clock.now_ns())
    return wallet, wallet_json(ctx, wallet) | {"token": token}


def device_json(device: Device) -> dict[str, object]:
    """What a phone needs to compute its payment codes by itself (RFC 6238), shown once,
    when it is bound: its number, its secret, and the code's shape."""
    return {
        "number": f"{device.number:0{device_number_digits}d}",
        "wallet": device.wallet_id,
        "secret": device.secret.hex(),
        "algorithm": "HMAC-SHA256",  # RFC 6238 TOTP
        "digits": password_digits,
        "period": step_s,  # seconds per step, from the Unix epoch
        "code_prefix": CODE_PREFIX,  # a code: prefix, number, password
    }
