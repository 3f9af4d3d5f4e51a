"""The merchant portal's complaints (`/merchant/complaints`): the shop's complaints with their
deadlines, the late first among those waiting; a complaint's page, where the shop
acknowledges it, sends a holding reply, resolves it (the owner may refund as it does) or
rejects it with a reason; and its disputes, where it sends its evidence once
(docs/adr/0053)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.api.payment_views import checkout
from colony.disputes import (
    Actor,
    Complaint,
    ComplaintResult,
    ComplaintService,
    DisputeService,
    Outcomes,
    Status,
    complaints_listed_max,
    next_steps,
)
from colony.disputes.page_parts import (
    COMPLAINT_ID,
    DISPUTE_ID,
    PAGE_TEXTS,
    photo_response,
    shown_error,
)
from colony.web.merchant_access import Portal, portal_of, portal_page
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_amount

router = pages_router()
# Random bytes in an answer form's `op`: the idempotency key of the refund it may make.
op_bytes = 16
_ACTIONS = {
    "acknowledge": Status.acknowledged,
    "holding": Status.holding,
    "resolve": Status.resolved,
    "reject": Status.rejected,
}


@router.get("/merchant/complaints")
def complaints_page(request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    complaints = ctx.service(ComplaintService)
    now_ns = complaints.now_ns()
    found = complaints.store.of_merchant(portal.merchant.id, complaints_listed_max)
    # Waiting ones first, the soonest due (the late) on top; answered ones after, newest first.
    found.sort(key=lambda c: (c.status in (Status.resolved, Status.rejected), c.due_ns))
    disputes = complaints.store.disputes_of_merchant(portal.merchant.id, complaints_listed_max)
    return portal_page(
        ctx.service(Shell), request, "disputes/portal_complaints.html", portal,
        complaints=found, disputes=disputes, now_ns=now_ns, **PAGE_TEXTS,
    )  # fmt: skip


def _theirs(ctx: Ctx, portal: Portal, complaint_id: str) -> Complaint:
    complaints = ctx.service(ComplaintService)
    found = (
        complaints.of_merchant(portal.merchant.id, complaint_id)
        if COMPLAINT_ID.fullmatch(complaint_id)
        else None
    )
    if found is None:
        raise Refused(404, "No such complaint.", home="/merchant/complaints")
    return found


@router.get("/merchant/complaints/{complaint_id}")
def complaint_page(complaint_id: str, request: Request, ctx: Ctx, error: str = "") -> Response:
    portal = portal_of(ctx, request)
    c = _theirs(ctx, portal, complaint_id)
    complaints = ctx.service(ComplaintService)
    steps = [s.value for s in next_steps(c.status, Actor.merchant)]
    return portal_page(
        ctx.service(Shell), request, "disputes/portal_complaint.html", portal, complaint=c,
        events=complaints.store.events_of(c.id), now_ns=complaints.now_ns(), steps=steps,
        photos=complaints.store.attachments_of(c.id), error=shown_error(error),
        op=ctx.service(Shell).token_bytes(op_bytes).hex(), **PAGE_TEXTS,
    )  # fmt: skip


@router.get("/merchant/complaints/{complaint_id}/photos/{number}")
def photo(complaint_id: str, number: int, request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    c = _theirs(ctx, portal, complaint_id)
    found = ctx.service(ComplaintService).photo(c, number)
    if found is None:
        raise Refused(404, "No such photo.", home="/merchant/complaints")
    return photo_response(found)


@router.post("/merchant/complaints/{complaint_id}/answer")
def answer(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = portal_of(ctx, request)
    c = _theirs(ctx, portal, complaint_id)
    to = _ACTIONS.get(form.get("action", ""))
    where = f"/merchant/complaints/{complaint_id}"
    if to is None:
        raise Refused(400, "action: acknowledge, holding, resolve or reject", home=where)
    message = form.get("message", "")
    detail: dict[str, object] = {}
    typed = form.get("refund", "").strip()
    if typed and to is Status.resolved:
        if not portal.user.is_owner:
            t = shell.texts(request)
            raise Refused(403, t("Only the shop's owner can do this."), home=where)
        amount = typed_amount(typed, portal.merchant.currency)
        if amount is None:
            return shell.redirect(f"{where}?error=amount_must_be_positive")
        # The form's `op` fixes the refund's ledger id: a form sent twice refunds once.
        if len(form.get("op", "")) != op_bytes * 2:
            raise Refused(400, "op: the form's own", home=where)
        refund_id = _refund_id(form.get("op", ""), complaint_id)
        result, _ = ctx.service(Outcomes).refund(
            c, checkout(ctx), amount, refund_id, portal.user.id, message
        )
        if result is not ComplaintResult.ok:
            return shell.redirect(f"{where}?error={result.name}")
        detail = {"refund": f"re_{refund_id:032x}", "amount_minor": amount}
    result, _ = ctx.service(ComplaintService).step(
        c, Actor.merchant, portal.user.id, to, message, detail
    )
    return shell.redirect(where if result is ComplaintResult.ok else f"{where}?error={result.name}")


def _refund_id(op: str, complaint_id: str) -> int:
    return transfer_id_for(f"complaint-refund:{complaint_id}", op)


@router.post("/merchant/disputes/{dispute_id}/evidence")
def evidence(dispute_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = portal_of(ctx, request)
    disputes = ctx.service(DisputeService)
    found = disputes.by_id(dispute_id) if DISPUTE_ID.fullmatch(dispute_id) else None
    if found is None or found.merchant_id != portal.merchant.id:
        raise Refused(404, "No such dispute.", home="/merchant/complaints")
    result, _ = disputes.submit_evidence(found, portal.user.id, form.get("evidence", ""))
    where = "/merchant/complaints"
    return shell.redirect(where if result is ComplaintResult.ok else f"{where}?error={result.name}")
