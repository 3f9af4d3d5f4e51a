"""The merchant portal's home (`/merchant`): today's takings (UTC day) and the latest
payments, kept live by a stream of server-sent events (`/merchant/events`) that the page's
script (`web/static/web/takings.js`) reads; without script the page is right when loaded.

The stream polls the merchant's account in the ledger (through the `TakingsBook`, which
reads only the lines written since it last looked) and sends an event only when it has
changed. It closes after `events_stream_s_max`, and the browser's EventSource opens it again
after `events_retry_ms`: no connection is held for a whole day, and each new one checks the
session again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from colony.api.deps import Ctx
from colony.merchants import Takings, TakingsBook
from colony.payments import PaymentSearch, ReceivedPayment, received
from colony.web.i18n import Texts
from colony.web.merchant_access import (
    PAYMENT_STATUS_NAMES,
    Portal,
    portal_of,
    portal_page,
)
from colony.web.shell import Shell, pages_router

router = pages_router()

# The latest payments the home screen lists (and each live event carries).
latest_payments_max = 10
# How often the stream looks at the merchant's account, in seconds.
events_poll_s = 1.5
# How long one stream stays open, in seconds, before the browser opens a new one.
events_stream_s_max = 300
# How long the browser waits before opening the stream again, in milliseconds.
events_retry_ms = 2_000


def _today(ctx: Ctx, portal: Portal) -> tuple[Takings, list[ReceivedPayment]]:
    merchant = portal.merchant
    today = ctx.service(TakingsBook).since(merchant.account_id, ctx.clock.now_ns())
    latest, _ = received(
        ctx.payments, ctx.ledger, merchant.id, PaymentSearch(), None, latest_payments_max
    )
    return today, latest


@router.get("/merchant")
def home(request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    today, latest = _today(ctx, portal)
    return portal_page(
        ctx.service(Shell), request, "merchants/home.html", portal, today=today, payments=latest,
        status_names=PAYMENT_STATUS_NAMES,
    )  # fmt: skip


def event_of(t: Texts, portal: Portal, today: Takings, latest: list[ReceivedPayment]) -> str:
    """One `takings` event: the day's figures and the latest payments, written as the page
    shows them (the script only places them)."""
    currency = portal.merchant.currency
    data = {
        "payments": str(today.payments),
        "gross": t.money(today.gross_minor, currency),
        "refunds": str(today.refunds),
        "refunded": t.money(today.refunded_minor, currency),
        "fees": t.money(today.fees_minor, currency),
        "net": t.money(today.net_minor, currency),
        "rows": [
            {
                "id": f"pay_{p.record.id:032x}",
                "when": t.time(p.record.created_at_ns),
                "what": p.record.reference or p.record.description or "",
                "amount": t.money(p.captured_minor or p.record.amount_minor, currency),
                "status": t(PAYMENT_STATUS_NAMES[p.status]),
            }
            for p in latest
        ],
    }
    return f"event: takings\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/merchant/events")
async def events(request: Request, ctx: Ctx) -> Response:
    portal = await run_in_threadpool(portal_of, ctx, request)
    t = ctx.service(Shell).texts(request)

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {events_retry_ms}\n\n"
        loop = asyncio.get_running_loop()
        closes_at = loop.time() + events_stream_s_max
        seen: tuple[int, int] | None = None
        while loop.time() < closes_at:
            today, latest = await run_in_threadpool(_today, ctx, portal)
            if (today.day_ns, today.last_timestamp) != seen:
                seen = (today.day_ns, today.last_timestamp)
                yield event_of(t, portal, today, latest)
            await asyncio.sleep(events_poll_s)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )
