"""How a merchant is onboarded and shown over HTTP, by the operator or by its partner."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from colony.api import auth
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.input_limits import RequestBody
from colony.api.rate_limit import rate_limit_per_s_max
from colony.merchants import Merchant


class OnboardMerchant(RequestBody):
    name_fields = frozenset({"legal_name", "display_name", "city"})
    legal_name: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=25)
    mcc: str
    country: str
    city: str = Field(min_length=1, max_length=15)
    currency: str
    discount_bps: int = Field(ge=0, le=10_000)
    rate_limit_per_s: int | None = Field(
        default=None,
        gt=0,
        le=rate_limit_per_s_max,
        description="the merchant key's own request rate limit; omitted: the default",
    )


class MerchantObject(BaseModel):
    """A merchant."""

    object: Literal["merchant"]
    id: str
    legal_name: str
    display_name: str
    mcc: str
    country: str
    city: str
    currency: str
    discount_bps: int
    status: Literal["active", "suspended"] = Field(
        default="active",
        description="suspended: the operator stopped it taking payments (refunds and voids "
        "still go back to payers) until it is reinstated",
    )
    partner: str | None = Field(
        default=None, description="the partner wallet that acquired it (partner routes)"
    )


class OnboardedMerchantObject(MerchantObject):
    """A merchant just onboarded, with its standard API key (shown in the first answer only)."""

    api_key: str | None = Field(default=None, description="absent when the answer is replayed")
    rate_limit_per_s: int | None


def merchant_json(m: Merchant, *, suspended: bool = False) -> dict[str, object]:
    """The merchant as the API shows it; `suspended` as the merchants service says."""
    return {
        "object": "merchant",
        "id": m.id,
        "legal_name": m.legal_name,
        "display_name": m.display_name,
        "mcc": m.mcc,
        "country": m.country,
        "city": m.city,
        "currency": m.currency,
        "discount_bps": m.discount_bps,
        "status": "suspended" if suspended else "active",
    }


def onboarded(
    ctx: ApiContext, body: OnboardMerchant, merchant_id: str | None = None
) -> tuple[Merchant, dict[str, object]]:
    """Onboard a merchant and make its standard key: the merchant, and the answer that shows
    the key."""
    result, merchant = ctx.merchants.onboard(
        body.legal_name,
        body.display_name,
        body.mcc,
        body.country,
        body.city,
        body.currency,
        body.discount_bps,
        merchant_id,
    )
    if merchant is None:
        param = result.name.removeprefix("invalid_").removeprefix("unknown_")
        raise ApiError(400, result.name, result.name.replace("_", " "), param=param)
    key = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
    ctx.api_store.add_key(
        auth.digest(key), "merchant", merchant.id, ctx.clock.now_ns(), body.rate_limit_per_s
    )
    return merchant, merchant_json(merchant) | {
        "api_key": key,
        "rate_limit_per_s": body.rate_limit_per_s,
    }
