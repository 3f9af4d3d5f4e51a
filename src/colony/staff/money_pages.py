"""The operator console's FX (`/console/fx`) and Treasury (`/console/treasury`) pages: read only.

FX shows today's reference rate of each currency Colony holds (one with a ledger), as EUR to
that currency: the legs every cross rate is made of (docs/adr/0013), and the quotes made,
newest first, by cursor (their ids are time-ordered). Treasury shows `payments.positions`, what
GET /v1/treasury/positions serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.fx import RateResult
from colony.kernel.money import currency_of_ledger
from colony.payments import positions
from colony.staff import StaffService
from colony.web.console_access import console_page, signed_in_staff
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router

router = pages_router()

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


# A quote's status as the FX screen shows it (`Quote.status`).
QUOTE_STATES = (N_("open"), N_("used"), N_("expired"))
# Quotes listed per page of the FX screen, newest first.
quotes_page_max = 50
_QUOTE_ID = re.compile(r"fxq_[0-9a-f]{32}")


@router.get("/console/fx")
def fx(request: Request, ctx: Ctx, before: str | None = None) -> Response:
    """Today's reference rates, and the quotes made, newest first (`before`: a page's cursor)."""
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    if before is not None and not _QUOTE_ID.fullmatch(before):
        raise Refused(400, "before: a quote id the previous page gave")
    quotes = ctx.fx.store.recent(before, quotes_page_max + 1) if ctx.fx is not None else []
    more = quotes[quotes_page_max - 1].id if len(quotes) > quotes_page_max else None
    now_ns = shell.clock.now_ns()
    return console_page(
        shell, request, member, "staff/fx.html", rates=_rates(ctx),
        quotes=[(q, q.status(now_ns), f"{q.rate:f}") for q in quotes[:quotes_page_max]],
        more=more,
    )  # fmt: skip


@router.get("/console/treasury")
def treasury(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    books = positions(ctx.ledger)
    return console_page(shell, request, member, "staff/treasury.html", positions=books)
