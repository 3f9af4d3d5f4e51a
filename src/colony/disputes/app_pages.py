"""The wallet app's complaints (`/app/complaints`): a person complains about a payment from
its receipt, sees their complaints with their clocks (when the merchant must acknowledge and
answer, in business days of the merchant's country), and may hand one to Colony's support
when it is late or rejected (docs/adr/0053). Photos are added through the API."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.disputes import (
    CATEGORY_TEXTS,
    STATUS_TEXTS,
    Actor,
    Category,
    Complaint,
    ComplaintResult,
    ComplaintService,
    Status,
    complaints_listed_max,
    text_chars_max,
)
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell
from colony.web.wallet_access import app_page, signed_in_wallet

router = APIRouter(include_in_schema=False)
_HEX32 = re.compile(r"[0-9a-f]{32}")
_COMPLAINT_ID = re.compile(r"cmp_[0-9a-f]{32}")
_TEXTS: dict[str, Any] = {
    "categories": CATEGORY_TEXTS,
    "statuses": STATUS_TEXTS,
    "text_max": text_chars_max,
}
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
    names = {c.merchant_id: _name(ctx, c.merchant_id) for c in found}
    return app_page(
        shell, request, "disputes/app_complaints.html", complaints=found, names=names,
        now_ns=complaints.now_ns(), **_TEXTS,
    )  # fmt: skip


def _name(ctx: Ctx, merchant_id: str) -> str:
    found = ctx.merchants.by_id(merchant_id)
    return merchant_id if found is None else found.display_name


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
        merchant_name=_name(ctx, record.merchant_id), kinds=list(Category), error=error,
        typed=typed, chosen=chosen, status=status, **_TEXTS,
    )  # fmt: skip


@router.get("/app/complaints/new")
def new_complaint(request: Request, ctx: Ctx, payment: str = "") -> Response:
    return _new_page(ctx, request, payment)


@router.post("/app/complaints")
async def file_complaint(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
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
        if _COMPLAINT_ID.fullmatch(complaint_id)
        else None
    )
    if found is None:
        raise Refused(404, "No such complaint in this wallet.")
    return found


@router.get("/app/complaints/{complaint_id}")
def my_complaint(complaint_id: str, request: Request, ctx: Ctx, error: str = "") -> Response:
    shell, complaints, wallet_id = _mine(ctx, request)
    c = _complaint(complaints, wallet_id, complaint_id)
    escalable = c.status in (Status.open, Status.acknowledged, Status.holding, Status.rejected)
    return app_page(
        shell, request, "disputes/app_complaint.html", complaint=c,
        merchant_name=_name(ctx, c.merchant_id), events=complaints.store.events_of(c.id),
        now_ns=complaints.now_ns(), escalable=escalable, error=error[:200], **_TEXTS,
    )  # fmt: skip


@router.post("/app/complaints/{complaint_id}/escalate")
async def escalate(complaint_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
    _, complaints, wallet_id = _mine(ctx, request)
    c = _complaint(complaints, wallet_id, complaint_id)
    result, _ = complaints.step(
        c, Actor.person, wallet_id, Status.escalated, form.get("reason", "")
    )
    where = f"/app/complaints/{complaint_id}"
    return shell.redirect(where if result is ComplaintResult.ok else f"{where}?error={result.name}")
