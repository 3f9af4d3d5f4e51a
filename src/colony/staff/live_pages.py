"""The operator console's Live page (`/console/live`): payments per second and their value per
currency over the last `live_window_s` seconds, and the ledger's trial balance per currency.

The figures come from the ledger (`payments.PaymentsWindow`: the payments control accounts'
statements; the trial balance from the totals the ledger keeps). The page is right when
loaded and works without script: a table gives the same figures per minute, a row for each
minute and currency that had payments. With script (`web/static/web/live.js`), a chart
(uPlot) is drawn and kept live by server-sent events (`/console/live/events`). The stream
polls every `events_poll_s`, sends an event only when a second has passed or a payment
arrived, and closes after `events_stream_s_max`; the browser's EventSource opens it again
after `events_retry_ms`, so each new stream checks the session again (a deactivated staff
member stops receiving).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from colony.api.deps import Ctx
from colony.kernel.clock import NS_PER_S
from colony.kernel.money import currency_of_ledger
from colony.payments import PaymentsWindow, Window, live_window_s
from colony.staff import StaffService
from colony.web.console_access import console_page, signed_in_staff
from colony.web.i18n import Texts
from colony.web.shell import Shell, pages_router

router = pages_router()

# How often the stream reads the ledger, in seconds.
events_poll_s = 1.0
# How long one stream stays open, in seconds, before the browser opens a new one.
events_stream_s_max = 300
# How long the browser waits before opening the stream again, in milliseconds.
events_retry_ms = 2_000
# The table's rows: the window in whole minutes, in seconds each.
table_step_s = 60


@dataclass(frozen=True)
class Trial:
    """One currency's trial balance, in minor units."""

    currency: str
    accounts: int
    debits_posted: int
    credits_posted: int
    balanced: bool


def _trial(ctx: Ctx) -> list[Trial]:
    # The ledger's totals are kept as balances change: no pass over its millions of accounts.
    return sorted([
        Trial(str(currency_of_ledger(c.ledger)), c.accounts, c.debits_posted, c.credits_posted,
              c.debits_posted == c.credits_posted and c.debits_pending == c.credits_pending)
        for c in ctx.ledger.totals()
        if currency_of_ledger(c.ledger) is not None
    ], key=lambda row: row.currency)  # fmt: skip


def figures(t: Texts, window: Window) -> dict[str, object]:
    """The window as the page and its events show it: the chart's series, and each currency's
    figures written as the page writes them (the script only places them)."""
    rows = []
    for c in window.currencies:
        per_s = f"{c.payments / window.seconds:.2f}"
        rows.append({
            "currency": c.currency, "payments": str(c.payments), "per_s": per_s,
            "value": t.money(c.amount_minor, c.currency),
        })  # fmt: skip
    minutes = []
    for start in reversed(range(0, window.seconds, table_step_s)):  # newest first
        part = slice(start, start + table_step_s)
        for c in window.currencies:
            count = sum(c.counts[part])
            if not count:  # a quiet minute is no row: the table lists what was paid
                continue
            minutes.append({
                "from": t.time((window.start_s + start) * NS_PER_S), "currency": c.currency,
                "payments": str(count), "value": t.money(sum(c.amounts_minor[part]), c.currency),
            })  # fmt: skip
    return {
        "start_s": window.start_s,
        "series": {c.currency: c.counts for c in window.currencies},
        "rows": rows,
        "minutes": minutes,
    }


@router.get("/console/live")
def live(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    window = PaymentsWindow(ctx.ledger).refresh(ctx.clock.now_ns())
    shown = figures(shell.texts(request), window)
    return console_page(
        shell, request, member, "staff/live.html", live=shown, trial=_trial(ctx),
        window_s=live_window_s, load=ctx.payments_in_flight,
    )  # fmt: skip


@router.get("/console/live/events")
async def events(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    await run_in_threadpool(signed_in_staff, shell, request, ctx.service(StaffService))
    t = shell.texts(request)
    window = PaymentsWindow(ctx.ledger)

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {events_retry_ms}\n\n"
        loop = asyncio.get_running_loop()
        closes_at = loop.time() + events_stream_s_max
        sent: tuple[int, int] | None = None
        while loop.time() < closes_at:
            now = await run_in_threadpool(window.refresh, ctx.clock.now_ns())
            state = (now.start_s, sum(c.payments for c in now.currencies))
            if state != sent:
                sent = state
                data = json.dumps(figures(t, now), ensure_ascii=False)
                yield f"event: payments\ndata: {data}\n\n"
            await asyncio.sleep(events_poll_s)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )
