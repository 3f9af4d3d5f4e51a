"""FX quotes over HTTP: a wallet locks a rate for a while, then reads the quote back.

A quote belongs to the wallet that asked for it: any other caller gets 404. The customer
fixes one side (what it sells or what it buys, in minor units); the other side is rounded in
the house's favour (docs/adr/0013). Quotes move no money: a payment consumes one.
"""

from __future__ import annotations

from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.deps import Ctx, Idempotent, WalletCaller, quote_service
from colony.api.errors import ApiError
from colony.api.input_limits import RequestBody
from colony.api.wallet_views import AmountObject
from colony.fx import QuoteResult, quote_amount_minor_max
from colony.kernel.money import UnknownCurrency, held_currency

# How each refusal is answered: (HTTP status, the parameter it names). "currency" is the one
# that is unknown; "amount" the side the request gave.
_REFUSALS = {
    QuoteResult.unknown_currency: (400, "currency"),
    QuoteResult.same_currency: (400, "buy_currency"),
    QuoteResult.amount_on_one_side: (400, "sell_amount_minor"),
    QuoteResult.amount_out_of_range: (400, "amount"),
    QuoteResult.amount_too_small: (400, "amount"),
    # Well-formed, but the rates on hand cannot price it (none, or too old).
    QuoteResult.rate_missing: (422, None),
    QuoteResult.rate_stale: (422, None),
}


router = product_router("fx")


class QuoteObject(BaseModel):
    """A rate locked for a while: what the customer sells and buys, the rate less the
    house's spread, and the reference rate it came from."""

    object: Literal["fx_quote"]
    id: str
    status: Literal["open", "expired", "used"]
    sell: AmountObject
    buy: AmountObject
    rate: str = Field(description="the customer's rate, as decimal text")
    mid_rate: str
    spread_bps: int
    rate_date: str
    rate_source: str
    created: int
    expires_at: int


class CreateQuote(RequestBody):
    sell_currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. SGD")
    buy_currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. JPY")
    sell_amount_minor: int | None = Field(
        default=None,
        ge=1,
        le=quote_amount_minor_max,
        description="What the customer sells, in minor units; or give buy_amount_minor",
    )
    buy_amount_minor: int | None = Field(
        default=None,
        ge=1,
        le=quote_amount_minor_max,
        description="What the customer buys, in minor units; or give sell_amount_minor",
    )


def _refusal(result: QuoteResult, body: CreateQuote, detail: str) -> ApiError:
    status, param = _REFUSALS[result]
    if param == "currency":
        param = "buy_currency" if _holdable(body.sell_currency) else "sell_currency"
    elif param == "amount":
        param = "buy_amount_minor" if body.sell_amount_minor is None else "sell_amount_minor"
    message = detail or result.name.replace("_", " ")
    return ApiError(status, result.name, message, param=param)


def _holdable(currency: str) -> bool:
    try:
        held_currency(currency)
    except UnknownCurrency:
        return False
    return True


@router.post("/v1/fx/quotes", status_code=201, responses=answers(201, QuoteObject, 422, 503))
def create_fx_quote(
    body: CreateQuote, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Lock today's rate, less the house's spread, for the quote's lifetime (60 s)."""
    fx = quote_service(ctx)

    def handle() -> tuple[int, dict[str, object]]:
        outcome = fx.quote(
            wallet.id,
            body.sell_currency,
            body.buy_currency,
            sell_amount_minor=body.sell_amount_minor,
            buy_amount_minor=body.buy_amount_minor,
        )
        if outcome.quote is None:
            raise _refusal(outcome.result, body, outcome.detail)
        return 201, outcome.quote.as_json(ctx.clock.now_ns())

    return key.run(wallet.id, body.model_dump(), handle)


@router.get("/v1/fx/quotes/{quote_id}", responses=answers(200, QuoteObject, 404, 503))
def get_fx_quote(quote_id: str, ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """One of the caller's quotes, with its status: open, expired or used."""
    quote = quote_service(ctx).get(quote_id, wallet.id)
    if quote is None:
        raise ApiError(404, "resource_missing", f"no quote {quote_id}", param="quote_id")
    return quote.as_json(ctx.clock.now_ns())
