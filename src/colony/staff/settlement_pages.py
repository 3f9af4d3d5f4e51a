"""The operator console's settlement (`/console/settlement`): a day's report, per partner and
currency, as `colony settlement` and `GET /v1/settlements` compute it from the ledger's
clearing legs (docs/adr/0018), and the same report as CSV. The day shown first is
yesterday's, in UTC: the latest whose window has closed, so whose figures are final."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.kernel.clock import utc_from_ns
from colony.kernel.errors import InvalidInput
from colony.merchants import DAY_NS
from colony.settlement import SettlementReport, SettlementService, Window, report_csv
from colony.staff import StaffService
from colony.web.console_access import console_page, signed_in_staff
from colony.web.shell import Refused, Shell, pages_router

router = pages_router()

# The longest day name accepted, in characters (`YYYY-MM-DD`).
day_chars_max = 10


def _service(ctx: Ctx) -> SettlementService:
    if ctx.partners is None:
        raise Refused(404, "This Colony keeps no partners, so settles nothing.")
    return SettlementService(ctx.ledger, ctx.partners.store, ctx.clock)


def _window(ctx: Ctx, day: str) -> Window:
    """The day's window: yesterday's in UTC when none is named."""
    named = day.strip() or utc_from_ns(ctx.clock.now_ns() - DAY_NS).strftime("%Y-%m-%d")
    try:
        if len(named) > day_chars_max or "T" in named:
            raise InvalidInput("a day as YYYY-MM-DD")
        return _service(ctx).window(named)
    except InvalidInput:
        raise Refused(400, "day: a date as YYYY-MM-DD") from None


def _report(ctx: Ctx, day: str) -> SettlementReport:
    return _service(ctx).report(_window(ctx, day))


@router.get("/console/settlement")
def settlement(request: Request, ctx: Ctx, day: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    report = _report(ctx, day)
    return console_page(shell, request, member, "staff/settlement.html", report=report)


@router.get("/console/settlement/{day}.csv")
def settlement_csv(day: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    signed_in_staff(shell, request, ctx.service(StaffService))
    report = _report(ctx, day)
    name = f"settlement-{report.window.name}.csv"
    return Response(
        report_csv(report), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
