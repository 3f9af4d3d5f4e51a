"""The operator console's webhooks (`/console/webhooks?merchant=...`): a merchant's delivery
log, newest first, each event with every attempt to deliver it, and one more try of an event
that failed (`WebhookStore.requeue`: the relay delivers it on its next pass), audited.

A retry only makes the event due again: the relay's own pass delivers it, signed as ever, so
a click in the console never waits on a merchant's server.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.staff import AuditAction, Permission, StaffService, may
from colony.web.console_access import (
    console_page,
    merchant_or_404,
    permitted_form,
    signed_in_staff,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.webhooks import Attempt, Event

router = pages_router()

# Events per page of the delivery log.
webhook_events_page_rows = 25
_EVENT_ID = re.compile(r"evt_[0-9a-f]{1,64}")


@router.get("/console/webhooks")
def deliveries(request: Request, ctx: Ctx, merchant: str = "", after: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    if after and not _EVENT_ID.fullmatch(after):
        raise Refused(400, "after: an event id the previous page gave")
    shown = merchant_or_404(ctx.merchants, merchant.strip()) if merchant.strip() else None
    events: list[Event] = []
    attempts: dict[str, list[Attempt]] = {}
    more = False
    if shown is not None:
        store = ctx.webhook_store
        events, more = store.events(shown.id, webhook_events_page_rows, after or None)
        attempts = store.attempts_of([e.id for e in events])
    return console_page(
        shell, request, member, "staff/webhooks.html", merchant=shown, typed=merchant,
        endpoint=ctx.webhook_store.endpoint(shown.id) if shown else None, events=events,
        attempts=attempts, next_after=events[-1].id if more else None,
        may_retry=may(member.role, Permission.retry_webhooks),
    )  # fmt: skip


@router.post("/console/webhooks/{event_id}/retry")
def retry(event_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, _ = permitted_form(shell, request, staff, Permission.retry_webhooks)
    event = ctx.webhook_store.event(event_id) if _EVENT_ID.fullmatch(event_id) else None
    if event is None:
        raise Refused(404, "No such webhook event.")
    if ctx.webhook_store.requeue(event.id, ctx.clock.now_ns()):
        staff.record(
            member.id, AuditAction.webhook_retried, event.id, "", merchant=event.merchant_id,
            type=event.type, attempts=event.attempts,
        )  # fmt: skip
    # An event not failed (delivered, or already due again) is left as it is.
    return shell.redirect(f"/console/webhooks?merchant={event.merchant_id}")
