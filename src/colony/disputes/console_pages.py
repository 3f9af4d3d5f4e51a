"""The operator console's complaints (`/console/complaints`): the queue of every complaint
not answered for good, the longest overdue first, with the open disputes; a complaint's page
with its history, photos and outcomes, where support staff answer an escalated complaint,
credit goodwill with a reason and open a dispute of its payment; a dispute's page, where they
decide it (a lost dispute is charged back); and the figures: complaint rates per merchant
and kind, time to resolve, repeat causes and the reviews the rule opened. Every action is in
the audit log (docs/adr/0053)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.disputes import (
    Actor,
    Complaint,
    ComplaintResult,
    ComplaintService,
    Dispute,
    DisputeService,
    Outcomes,
    Status,
    figures,
    figures_window_days,
    repeat_threshold,
    repeat_window_days,
)
from colony.disputes.page_parts import (
    COMPLAINT_ID,
    DISPUTE_ID,
    PAGE_TEXTS,
    merchant_name,
    photo_response,
    shown_error,
)
from colony.staff import AuditAction, Permission, StaffService, may
from colony.web.console_access import console_page, permitted_form, signed_in_staff
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_amount

router = pages_router()
# Reviews the figures page lists, newest first.
reviews_listed_max = 50
# Open disputes the queue lists.
disputes_listed_max = 50


@router.get("/console/complaints")
def queue(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    complaints = ctx.service(ComplaintService)
    waiting = complaints.queue()
    names = {m: merchant_name(ctx.merchants, m) for m in {c.merchant_id for c in waiting}}
    return console_page(
        shell, request, member, "disputes/console_queue.html", complaints=waiting, names=names,
        now_ns=complaints.now_ns(), overdue=complaints.overdue_count(),
        disputes=complaints.store.open_disputes(disputes_listed_max), **PAGE_TEXTS,
    )  # fmt: skip


@router.get("/console/complaints/figures")
def complaint_figures(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    complaints = ctx.service(ComplaintService)
    records = ctx.payments.records
    assert records is not None
    merchants, repeated = figures(complaints.store, records, complaints.now_ns())
    names = {m.merchant_id: merchant_name(ctx.merchants, m.merchant_id) for m in merchants}
    names |= {m: merchant_name(ctx.merchants, m) for m, _, _ in repeated}
    return console_page(
        shell, request, member, "disputes/console_figures.html", merchants=merchants,
        repeated=repeated, names=names, reviews=complaints.store.reviews(reviews_listed_max),
        window_days=figures_window_days, threshold=repeat_threshold,
        rule_days=repeat_window_days, **PAGE_TEXTS,
    )  # fmt: skip


def _complaint(ctx: Ctx, complaint_id: str) -> tuple[ComplaintService, Complaint]:
    complaints = ctx.service(ComplaintService)
    found = complaints.by_id(complaint_id) if COMPLAINT_ID.fullmatch(complaint_id) else None
    if found is None:
        raise Refused(404, "No such complaint.", home="/console/complaints")
    return complaints, found


@router.get("/console/complaints/{complaint_id}")
def complaint_page(complaint_id: str, request: Request, ctx: Ctx, error: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    complaints, c = _complaint(ctx, complaint_id)
    store = complaints.store
    # A person's words and name: a read of their data, in the audit log (docs/adr/0049).
    ctx.service(StaffService).record(
        member.id, AuditAction.personal_data_viewed, c.wallet_id, "", page="complaint",
        complaint=c.id,
    )  # fmt: skip
    wallet = ctx.wallet_store.by_id(c.wallet_id)
    return console_page(
        shell, request, member, "disputes/console_complaint.html", complaint=c,
        merchant_name=merchant_name(ctx.merchants, c.merchant_id), wallet=wallet,
        events=store.events_of(c.id), photos=store.attachments_of(c.id),
        outcomes=store.outcomes_of(c.id), now_ns=complaints.now_ns(), error=shown_error(error),
        may_handle=may(member.role, Permission.handle_complaints), **PAGE_TEXTS,
    )  # fmt: skip


@router.get("/console/complaints/{complaint_id}/photos/{number}")
def photo(complaint_id: str, number: int, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    signed_in_staff(shell, request, ctx.service(StaffService))
    complaints, c = _complaint(ctx, complaint_id)
    found = complaints.photo(c, number)
    if found is None:
        raise Refused(404, "No such photo.", home="/console/complaints")
    return photo_response(found)


def _back(complaint_id: str, error: str = "") -> str:
    where = f"/console/complaints/{complaint_id}"
    return f"{where}?error={error}" if error else where


@router.post("/console/complaints/{complaint_id}/answer")
def answer(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.handle_complaints)
    complaints, c = _complaint(ctx, complaint_id)
    to = {"resolve": Status.resolved, "reject": Status.rejected}.get(form.get("action", ""))
    if to is None:
        raise Refused(400, "action: resolve or reject", home="/console/complaints")
    note = form.get("note", "")
    result, _ = complaints.step(c, Actor.staff, member.id, to, note)
    if result is not ComplaintResult.ok:
        return shell.redirect(_back(complaint_id, result.name))
    staff.record(member.id, AuditAction.complaint_answered, complaint_id, note, status=to.value)
    return shell.redirect(_back(complaint_id))


@router.post("/console/complaints/{complaint_id}/goodwill")
def goodwill(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.handle_complaints)
    _, c = _complaint(ctx, complaint_id)
    wallet = ctx.wallet_store.by_id(c.wallet_id)
    assert wallet is not None
    amount = typed_amount(form.get("amount", ""), wallet.currency)
    if amount is None:
        return shell.redirect(_back(complaint_id, "amount_must_be_positive"))
    reason = form.get("reason", "")
    store = ctx.service(ComplaintService).store
    # One credit per complaint: a form sent again completes it, and is logged once.
    credited_before = any(kind == "goodwill" for kind, *_ in store.outcomes_of(c.id))
    result = ctx.service(Outcomes).goodwill(c, amount, reason, member.id)
    if result is not ComplaintResult.ok:
        return shell.redirect(_back(complaint_id, result.name))
    if not credited_before:
        staff.record(
            member.id, AuditAction.goodwill_credited, complaint_id, reason,
            amount_minor=amount, currency=wallet.currency,
        )  # fmt: skip
    return shell.redirect(_back(complaint_id))


@router.post("/console/complaints/{complaint_id}/dispute")
def open_dispute(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.handle_complaints)
    _, c = _complaint(ctx, complaint_id)
    payment_id = c.payment_id
    if payment_id is None:
        return shell.redirect(_back(complaint_id, "no_payment_to_refund"))
    reason = form.get("reason", "")
    result, dispute = ctx.service(DisputeService).open(
        payment_id, reason, member.id, complaint_id=complaint_id
    )
    if dispute is None:
        return shell.redirect(_back(complaint_id, result.name))
    staff.record(member.id, AuditAction.dispute_opened, dispute.id, reason, complaint=complaint_id)
    return shell.redirect(f"/console/disputes/{dispute.id}")


def _dispute(ctx: Ctx, dispute_id: str) -> Dispute:
    disputes = ctx.service(DisputeService)
    found = disputes.by_id(dispute_id) if DISPUTE_ID.fullmatch(dispute_id) else None
    if found is None:
        raise Refused(404, "No such dispute.", home="/console/complaints")
    return found


@router.get("/console/disputes/{dispute_id}")
def dispute_page(dispute_id: str, request: Request, ctx: Ctx, error: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    d = _dispute(ctx, dispute_id)
    complaints = ctx.service(ComplaintService)
    return console_page(
        shell, request, member, "disputes/console_dispute.html", dispute=d,
        merchant_name=merchant_name(ctx.merchants, d.merchant_id),
        events=complaints.store.events_of(dispute_id), now_ns=complaints.now_ns(),
        outcomes=complaints.store.outcomes_of(dispute_id), error=shown_error(error),
        may_handle=may(member.role, Permission.handle_complaints), **PAGE_TEXTS,
    )  # fmt: skip


@router.post("/console/disputes/{dispute_id}/decision")
def decide(dispute_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.handle_complaints)
    d = _dispute(ctx, dispute_id)
    won = {"won": True, "lost": False}.get(form.get("outcome", ""))
    if won is None:
        raise Refused(400, "outcome: won or lost", home="/console/complaints")
    note = form.get("note", "")
    result, _ = ctx.service(DisputeService).decide(d, won, member.id, note)
    where = f"/console/disputes/{dispute_id}"
    if result is not ComplaintResult.ok:
        return shell.redirect(f"{where}?error={result.name}")
    outcome = "won" if won else "lost"
    staff.record(member.id, AuditAction.dispute_decided, dispute_id, note, outcome=outcome)
    return shell.redirect(where)
