"""The operator console's FX (`/console/fx`) and Treasury (`/console/treasury`) pages: read only.

FX shows today's reference rate of each currency Colony holds (one with a ledger), as EUR to
that currency: the legs every cross rate is made of (docs/adr/0013). Quotes are not listed:
the quote store reads one by id and has no list. Treasury shows `payments.positions`, what
GET /v1/treasury/positions serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.fx import RateResult
from colony.kernel.money import currency_of_ledger
from colony.payments import positions
from colony.staff import StaffService
from colony.web.console_access import console_page, signed_in_staff
from colony.web.shell import Shell

router = APIRouter(include_in_schema=False)

# The currency the reference rates are published against (the ECB's).
RATES_BASE = "EUR"


@dataclass(frozen=True)
class RateRow:
    currency: str
    rate: str | None  # None: no rate on or before today
    date: str = ""
    source: str = ""
    age_days: int = 0
    stale: bool = False  # older than quotes may use


def _rates(ctx: Ctx) -> list[RateRow]:
    if ctx.fx is None:
        return []
    held = sorted({str(currency_of_ledger(t.ledger)) for t in ctx.ledger.totals()} - {"None"})
    today = ctx.fx.today()
    rows = []
    for currency in held:
        if currency == RATES_BASE:
            continue
        answer = ctx.fx.rate(RATES_BASE, currency, today)
        if answer.rate is None:
            rows.append(RateRow(currency, None))
            continue
        rate = answer.rate
        stale = answer.result is RateResult.rate_stale
        age = (today - rate.date).days
        rows.append(RateRow(currency, f"{rate.rate:f}", rate.date.isoformat(), rate.source, age,
                            stale))  # fmt: skip
    return rows


@router.get("/console/fx")
def fx(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    return console_page(shell, request, member, "staff/fx.html", rates=_rates(ctx))


@router.get("/console/treasury")
def treasury(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    books = positions(ctx.ledger)
    return console_page(shell, request, member, "staff/treasury.html", positions=books)
