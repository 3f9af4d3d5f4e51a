"""The operator's view of the platform's FX books: per currency, the treasury position and the
FX revenue (docs/adr/0016)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header

from colony.api import auth, scopes
from colony.api.context import ApiContext
from colony.fx.quotes import amount_json
from colony.payments.treasury import positions


def register(app: FastAPI, ctx: ApiContext) -> None:
    @app.get("/v1/treasury/positions", tags=["treasury"])
    def treasury_positions(
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, object]:
        """Per currency: the treasury's balance (positive: taken in from payers; negative: paid
        out to merchants, for the liquidity provider to fund) and the FX spread earned."""
        auth.operator(ctx, authorization, scope=scopes.TREASURY_READ)
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
