"""The operator's view of the platform's FX books: per currency, the treasury position and the
FX revenue (docs/adr/0016)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from colony.api import scopes
from colony.api.answers import answers, product_router
from colony.api.deps import Ctx, operator
from colony.api.wallet_views import AmountObject
from colony.fx import amount_json
from colony.payments import positions

router = product_router("treasury")


class TreasuryPositionObject(BaseModel):
    """One currency's treasury balance and the FX spread earned in it."""

    object: Literal["treasury_position"]
    currency: str
    ledger: int
    treasury: AmountObject
    fx_revenue: AmountObject


class TreasuryPositionList(BaseModel):
    """The treasury positions, one per currency."""

    object: Literal["list"]
    data: list[TreasuryPositionObject]


@router.get(
    "/v1/treasury/positions",
    dependencies=[operator(scopes.TREASURY_READ)],
    responses=answers(200, TreasuryPositionList),
)
def list_treasury_positions(ctx: Ctx) -> dict[str, object]:
    """Per currency: the treasury's balance (positive: taken in from payers; negative: paid
    out to merchants, for the liquidity provider to fund) and the FX spread earned."""
    return {
        "object": "list",
        "data": [
            {
                "object": "treasury_position",
                "currency": p.currency,
                "ledger": p.ledger,
                "treasury": amount_json(p.treasury_minor, p.currency),
                "fx_revenue": amount_json(p.fx_revenue_minor, p.currency),
            }
            for p in positions(ctx.ledger)
        ],
    }
