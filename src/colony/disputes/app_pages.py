"""The wallet app's complaints (`/app/complaints`): a person complains about a payment from
its receipt, sees their complaints with their clocks (when the merchant must acknowledge and
answer, in business days of the merchant's country), and may hand one to Colony's support
when it is late or rejected (docs/adr/0053). Photos are added through the API."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from colony.api.deps import Ctx
from colony.disputes import (
    Actor,
    Category,
    Complaint,
    ComplaintResult,
    ComplaintService,
    Status,
    attachment_bytes_max,
    attachments_max,
    complaints_listed_max,
    next_steps,
    text_chars_max,
)
from colony.disputes.page_parts import (
    COMPLAINT_ID,
    PAGE_TEXTS,
    merchant_name,
    photo_response,
    shown_error,
)
from colony.web.guard import CSRF_COOKIE, csrf_matches
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router, posted_body
from colony.web.wallet_access import app_page, signed_in_wallet

router = pages_router()
_HEX32 = re.compile(r"[0-9a-f]{32}")
# What the app says when a complaint is not taken, by result.
_REFUSALS = {
    ComplaintResult.invalid_category: N_("Choose what the complaint is about."),
    ComplaintResult.text_required: N_("Say what went wrong."),
    ComplaintResult.text_too_long: N_("That is longer than {max} characters."),
}
_OTHER_REFUSAL = N_("Not taken: {reason}")


@router.get("/app/complaints")
def my_complaints(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    complaints = ctx.service(ComplaintService)
    found = complaints.store.of_wallet(wallet.id, complaints_listed_max)
    names = {c.merchant_id: merchant_name(ctx.merchants, c.merchant_id) for c in found}
    return app_page(
        shell, request, "disputes/app_complaints.html", complaints=found, names=names,
        now_ns=complaints.now_ns(), **PAGE_TEXTS,
    )  # fmt: skip


def _payment_of(ctx: Ctx, wallet_id: str, payment_hex: str) -> int:
    """The wallet's own payment a form names, or 404."""
    payment_id = int(payment_hex, 16) if _HEX32.fullmatch(payment_hex) else None
    store = ctx.payments.records
    record = store.by_id(payment_id) if store is not None and payment_id is not None else None
    if record is None or record.wallet_id != wallet_id:
        raise Refused(404, "No such payment in this wallet.")
    return record.id


def _new_page(
    ctx: Ctx, request: Request, payment_hex: str, error: str = "", status: int = 200,
    typed: str = "", chosen: str = "",
) -> Response:  # fmt: skip
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    payment_id = _payment_of(ctx, wallet.id, payment_hex)
    store = ctx.payments.records
    record = store.by_id(payment_id) if store is not None else None
    assert record is not None
    return app_page(
        shell, request, "disputes/app_new.html", record=record, payment_hex=payment_hex,
        merchant_name=merchant_name(ctx.merchants, record.merchant_id), kinds=list(Category),
        error=error, typed=typed, chosen=chosen, status=status, **PAGE_TEXTS,
    )  # fmt: skip


@router.get("/app/complaints/new")
def new_complaint(request: Request, ctx: Ctx, payment: str = "") -> Response:
    return _new_page(ctx, request, payment)


@router.post("/app/complaints")
def file_complaint(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    payment_hex = form.get("payment", "")
    payment_id = _payment_of(ctx, wallet.id, payment_hex)
    category, text = form.get("category", ""), form.get("text", "")
    result, complaint = ctx.service(ComplaintService).file(
        wallet, category, text, payment_id=payment_id
    )
    if complaint is None:
        t = shell.texts(request)
        error = t(_REFUSALS.get(result, _OTHER_REFUSAL), max=text_chars_max,
                  reason=result.name)  # fmt: skip
        return _new_page(ctx, request, payment_hex, error, 400, text[:text_chars_max], category)
    return shell.redirect(f"/app/complaints/{complaint.id}")


def _mine(ctx: Ctx, request: Request) -> tuple[Shell, ComplaintService, str]:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    return shell, ctx.service(ComplaintService), wallet.id


def _complaint(complaints: ComplaintService, wallet_id: str, complaint_id: str) -> Complaint:
    found = (
        complaints.of_wallet(wallet_id, complaint_id)
        if COMPLAINT_ID.fullmatch(complaint_id)
        else None
    )
    if found is None:
        raise Refused(404, "No such complaint in this wallet.")
    return found


@router.get("/app/complaints/{complaint_id}")
def my_complaint(complaint_id: str, request: Request, ctx: Ctx, error: str = "") -> Response:
    shell, complaints, wallet_id = _mine(ctx, request)
    c = _complaint(complaints, wallet_id, complaint_id)
    # The steps table says when the person may hand it to support.
    escalable = Status.escalated in next_steps(c.status, Actor.person)
    return app_page(
        shell, request, "disputes/app_complaint.html", complaint=c,
        merchant_name=merchant_name(ctx.merchants, c.merchant_id),
        events=complaints.store.events_of(c.id),
        now_ns=complaints.now_ns(), escalable=escalable, error=shown_error(error),
        photos=complaints.store.attachments_of(c.id), photos_max=attachments_max,
        photo_kib=attachment_bytes_max // 1024, **PAGE_TEXTS,
    )  # fmt: skip


# What the app says when a photo is not taken, by result.
_PHOTO_REFUSALS = {
    ComplaintResult.attachment_type_not_allowed: N_("A photo must be a JPEG or PNG picture."),
    ComplaintResult.attachment_not_what_it_says: N_("That file is not the picture it says it is."),
    ComplaintResult.attachment_too_large: N_("A photo may be at most {kib} KiB."),
    ComplaintResult.attachment_empty: N_("That photo is empty."),
    ComplaintResult.too_many_attachments: N_("A complaint holds at most {most} photos."),
    ComplaintResult.not_allowed_now: N_("This complaint is closed: no more photos."),
}


@router.post("/app/complaints/{complaint_id}/photos")
def add_photo(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    """A photo's own bytes, sent by the page's script with the form's CSRF token."""
    shell, complaints, wallet_id = _mine(ctx, request)
    c = _complaint(complaints, wallet_id, complaint_id)
    token = request.headers.get("x-csrf-token")
    if not csrf_matches(shell.csrf_key, request.cookies.get(CSRF_COOKIE), token):
        raise Refused(403, "This form has expired or did not come from Colony.")
    data = posted_body(request)
    result, _ = complaints.add_attachment(c, request.headers.get("content-type", ""), data)
    if result is ComplaintResult.ok:
        return JSONResponse({"number": len(complaints.store.attachments_of(c.id))}, 201)
    t = shell.texts(request)
    said = t(_PHOTO_REFUSALS.get(result, _OTHER_REFUSAL), kib=attachment_bytes_max // 1024,
             most=attachments_max, reason=result.name)  # fmt: skip
    return JSONResponse(
        {"error": said}, 413 if result is ComplaintResult.attachment_too_large else 400
    )


@router.get("/app/complaints/{complaint_id}/photos/{number}")
def photo(complaint_id: str, number: int, request: Request, ctx: Ctx) -> Response:
    _, complaints, wallet_id = _mine(ctx, request)
    found = complaints.photo(_complaint(complaints, wallet_id, complaint_id), number)
    if found is None:
        raise Refused(404, "No such photo.")
    return photo_response(found)


@router.post("/app/complaints/{complaint_id}/escalate")
def escalate(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    _, complaints, wallet_id = _mine(ctx, request)
    c = _complaint(complaints, wallet_id, complaint_id)
    result, _ = complaints.step(
        c, Actor.person, wallet_id, Status.escalated, form.get("reason", "")
    )
    where = f"/app/complaints/{complaint_id}"
    return shell.redirect(where if result is ComplaintResult.ok else f"{where}?error={result.name}")
