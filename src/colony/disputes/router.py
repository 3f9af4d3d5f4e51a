"""Complaints and disputes over HTTP: a wallet files a complaint about one of its payments or
a merchant, adds photos (JPEG or PNG, by their bytes) and may hand it to support staff; the
merchant lists, reads and answers its complaints (acknowledge, holding reply, resolve with or
without a refund, reject), and sends its evidence in a dispute once. A `complaint.created`
webhook tells the merchant of each new complaint. Deadlines are in business days of the
merchant's country (docs/adr/0053).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, WalletCaller, merchant, operator
from colony.api.errors import ApiError
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.payment_views import checkout, parse_payment_ref
from colony.disputes import (
    Actor,
    Attachment,
    Category,
    Complaint,
    ComplaintResult,
    ComplaintService,
    Dispute,
    DisputeService,
    Outcomes,
    Status,
    attachment_bytes_max,
    attachments_max,
    complaint_object,
    complaints_listed_max,
    text_chars_max,
)
from colony.kernel.clock import NS_PER_S
from colony.merchants import Merchant

COMPLAINTS_READ = "complaints:read"
COMPLAINTS_WRITE = "complaints:write"
DISPUTES_WRITE = "disputes:write"
GOODWILL_WRITE = "goodwill:write"
router = product_router(
    "disputes",
    operator_scopes={
        DISPUTES_WRITE: "open disputes of payments and decide them (a lost one is charged back)",
        GOODWILL_WRITE: "credit a complaining wallet goodwill from the operator's account",
    },
    merchant_scopes={
        COMPLAINTS_READ: "read complaints and disputes about the merchant",
        COMPLAINTS_WRITE: "answer complaints (refunds among them) and send dispute evidence",
    },
)
ComplaintsReader = Annotated[Merchant, merchant(COMPLAINTS_READ)]
ComplaintsWriter = Annotated[Merchant, merchant(COMPLAINTS_WRITE)]
R = ComplaintResult

# Each refusal's status, error type, the parameter it names and what it says.
# fmt: off
_REFUSALS: dict[ComplaintResult, tuple[int, str, str | None, str]] = {
    R.unknown_payment: (404, "invalid_request_error", "payment", "no such payment of yours"),
    R.unknown_merchant: (404, "invalid_request_error", "merchant", "no such merchant"),
    R.invalid_category: (
        400,
        "invalid_request_error",
        "category",
        "category must be one of " + ", ".join(Category),
    ),
    R.text_required: (400, "invalid_request_error", "text", "text must not be blank"),
    R.text_too_long: (
        400,
        "invalid_request_error",
        "text",
        f"text is longer than {text_chars_max} characters",
    ),
    R.complaint_not_found: (404, "invalid_request_error", "complaint_id", "no such complaint"),
    R.not_allowed_now: (409, "invalid_request_error", None, "not allowed in its state now"),
    R.not_yours_to_take: (403, "invalid_request_error", None, "that step is not yours to take"),
    R.too_many_attachments: (
        409,
        "invalid_request_error",
        None,
        f"a complaint holds at most {attachments_max} photos",
    ),
    R.attachment_too_large: (
        413,
        "invalid_request_error",
        "body",
        f"a photo may be at most {attachment_bytes_max:,} bytes",
    ),
    R.attachment_type_not_allowed: (
        400,
        "invalid_request_error",
        "Content-Type",
        "a photo must be image/jpeg or image/png",
    ),
    R.attachment_not_what_it_says: (
        400,
        "invalid_request_error",
        "body",
        "the photo's bytes are not of the type its Content-Type declares",
    ),
    R.attachment_empty: (400, "invalid_request_error", "body", "the photo is empty"),
    R.amount_must_be_positive: (
        400,
        "invalid_request_error",
        "refund_minor",
        "refund_minor must be positive",
    ),
    R.refund_exceeds_payment: (
        402,
        "payment_error",
        "refund_minor",
        "refunds may not add up to more than was paid",
    ),
    R.balance_cap_exceeded: (
        402,
        "payment_error",
        "refund_minor",
        "the wallet cannot take the money now",
    ),
    R.id_reused_differently: (409, "invalid_request_error", None, "id reused differently"),
    R.refused_before: (409, "payment_error", None, "refused before: use a new key"),
    R.no_payment_to_refund: (
        400,
        "invalid_request_error",
        "refund_minor",
        "the complaint names no payment to refund",
    ),
    R.dispute_not_found: (404, "invalid_request_error", "dispute_id", "no such dispute"),
    R.evidence_already_submitted: (
        409,
        "invalid_request_error",
        "evidence",
        "evidence is submitted once",
    ),
    R.response_overdue: (409, "invalid_request_error", None, "the deadline for evidence passed"),
    R.dispute_open_already: (
        409, "invalid_request_error", "payment", "the payment has a dispute already"
    ),
}
# fmt: on


def refusal(result: ComplaintResult, param: str | None = None) -> ApiError:
    """The refusal's error; `param` names the field at fault where the route's differs."""
    status, type_, named, message = _REFUSALS[result]
    return ApiError(status, result.name, message, type_=type_, param=param or named)


class FileComplaint(RequestBody):
    payment: str | None = Field(None, max_length=40, description="pay_...: one of your payments")
    merchant: str | None = Field(None, max_length=40, description="mer_...: a merchant")
    category: str = Field(max_length=40, description=", ".join(Category))
    text: str = Field(max_length=text_chars_max, description="what went wrong")


class Escalate(RequestBody):
    reason: str = Field(max_length=text_chars_max, description="why support staff should look")


class Answer(RequestBody):
    action: Literal["acknowledge", "holding_reply", "resolve", "reject", "escalate"]
    message: str = Field("", max_length=text_chars_max, description="to the person; why")
    refund_minor: AmountMinor | None = Field(
        None, description="with resolve: refund this much of the payment (minor units)"
    )


class Evidence(RequestBody):
    evidence: str = Field(max_length=text_chars_max, description="the merchant's case, once")


class EventObject(BaseModel):
    at: int
    actor: str
    from_status: str
    to_status: str
    note: str


class ComplaintObject(BaseModel):
    """A complaint, with its deadlines (Unix seconds) and its history."""

    object: Literal["complaint"]
    id: str
    status: str
    category: str
    text: str
    payment: str | None
    merchant: str
    created: int
    due_by: int
    answer_by: int
    overdue: bool
    attachments: int
    history: list[EventObject]


class ComplaintList(BaseModel):
    """Complaints, newest first."""

    object: Literal["list"]
    data: list[ComplaintObject]


class AttachmentObject(BaseModel):
    """A photo kept with a complaint."""

    object: Literal["complaint_attachment"]
    complaint: str
    number: int
    content_type: str
    size_bytes: int
    sha256: str


class DisputeObject(BaseModel):
    """A dispute of a payment, with the merchant's deadline for evidence (Unix seconds)."""

    object: Literal["dispute"]
    id: str
    payment: str
    status: str
    amount_minor: int
    currency: str
    reason: str
    respond_by: int
    evidence: str | None


class DisputeList(BaseModel):
    """A merchant's disputes, newest first."""

    object: Literal["list"]
    data: list[DisputeObject]


def complaints(ctx: ApiContext) -> ComplaintService:
    return ctx.service(ComplaintService)


def complaint_json(ctx: ApiContext, c: Complaint) -> dict[str, object]:
    store = complaints(ctx).store
    history = [
        {"at": e.at_ns // NS_PER_S, "actor": e.actor.value, "from_status": e.from_status,
         "to_status": e.to_status, "note": e.note}
        for e in store.events_of(c.id)
    ]  # fmt: skip
    return complaint_object(c) | {
        "overdue": c.overdue(complaints(ctx).now_ns()),
        "attachments": len(store.attachments_of(c.id)),
        "history": history,
    }


def dispute_json(d: Dispute) -> dict[str, object]:
    return {
        "object": "dispute", "id": d.id, "payment": f"pay_{d.payment_id:032x}",
        "status": d.status.value, "amount_minor": d.amount_minor, "currency": d.currency,
        "reason": d.reason, "respond_by": d.respond_by_ns // NS_PER_S, "evidence": d.evidence,
    }  # fmt: skip


def _listed(ctx: ApiContext, found: list[Complaint]) -> dict[str, object]:
    return {"object": "list", "data": [complaint_json(ctx, c) for c in found]}


@router.post("/v1/complaints", status_code=201, responses=answers(201, ComplaintObject, 400, 404))
def file_complaint(
    body: FileComplaint, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """File a complaint about one of the calling wallet's payments, or about a merchant."""
    if (body.payment is None) == (body.merchant is None):
        raise ApiError(400, "parameter_invalid", "give exactly one of payment and merchant",
                       param="payment")  # fmt: skip
    payment_id = None if body.payment is None else parse_payment_ref(body.payment)
    if body.payment is not None and payment_id is None:
        raise refusal(R.unknown_payment)

    def handle() -> tuple[int, dict[str, object]]:
        result, complaint = complaints(ctx).file(
            wallet, body.category, body.text, payment_id=payment_id, merchant_id=body.merchant
        )
        if complaint is None:
            raise refusal(result)
        return 201, complaint_json(ctx, complaint)

    return key.run(wallet.id, {"complaint": body.model_dump()}, handle)


@router.get("/v1/complaints", responses=answers(200, ComplaintList))
def list_my_complaints(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The calling wallet's complaints, newest first."""
    return _listed(ctx, complaints(ctx).store.of_wallet(wallet.id, complaints_listed_max))


def _mine(ctx: ApiContext, wallet_id: str, complaint_id: str) -> Complaint:
    found = complaints(ctx).of_wallet(wallet_id, complaint_id)
    if found is None:
        raise refusal(R.complaint_not_found)
    return found


@router.get("/v1/complaints/{complaint_id}", responses=answers(200, ComplaintObject, 404))
def get_my_complaint(complaint_id: str, ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """One of the calling wallet's complaints, with its history."""
    return complaint_json(ctx, _mine(ctx, wallet.id, complaint_id))


@router.post(
    "/v1/complaints/{complaint_id}/attachments",
    status_code=201,
    responses=answers(201, AttachmentObject, 400, 404, 409, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The photo's bytes: a JPEG or PNG. Send Content-Type image/jpeg or"
            " image/png (checked against the bytes), or application/octet-stream.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def add_photo(
    complaint_id: str, request: Request, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Add a photo (the body: JPEG or PNG bytes, named by Content-Type) to one of the calling
    wallet's complaints."""
    complaint = _mine(ctx, wallet.id, complaint_id)
    data = await request.body()
    content_type = request.headers.get("content-type", "")
    digest = hashlib.sha256(data).hexdigest()

    def handle() -> tuple[int, dict[str, object]]:
        result, kept = complaints(ctx).add_attachment(complaint, content_type, data)
        if kept is None:
            raise refusal(result)
        return 201, attachment_json(kept)

    return key.run(wallet.id, {"photo": complaint_id, "sha256": digest}, handle)


def attachment_json(a: Attachment) -> dict[str, object]:
    return {
        "object": "complaint_attachment", "complaint": a.complaint_id, "number": a.number,
        "content_type": a.content_type, "size_bytes": a.size_bytes, "sha256": a.sha256,
    }  # fmt: skip


@router.post(
    "/v1/complaints/{complaint_id}/escalations",
    responses=answers(200, ComplaintObject, 400, 403, 404, 409),
)
def escalate_my_complaint(
    complaint_id: str, body: Escalate, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Hand one of the calling wallet's complaints to support staff (unanswered, or
    rejected), saying why."""
    complaint = _mine(ctx, wallet.id, complaint_id)

    def handle() -> tuple[int, dict[str, object]]:
        result, moved = complaints(ctx).step(
            complaint, Actor.person, wallet.id, Status.escalated, body.reason
        )
        if result is not R.ok:
            raise refusal(result)
        return 200, complaint_json(ctx, moved)

    return key.run(wallet.id, {"escalate": complaint_id} | body.model_dump(), handle)


@router.get("/v1/merchants/me/complaints", responses=answers(200, ComplaintList))
def list_merchant_complaints(ctx: Ctx, shop: ComplaintsReader) -> dict[str, object]:
    """The calling merchant's complaints, newest first."""
    return _listed(ctx, complaints(ctx).store.of_merchant(shop.id, complaints_listed_max))


def _theirs(ctx: ApiContext, merchant_id: str, complaint_id: str) -> Complaint:
    found = complaints(ctx).of_merchant(merchant_id, complaint_id)
    if found is None:
        raise refusal(R.complaint_not_found)
    return found


@router.get(
    "/v1/merchants/me/complaints/{complaint_id}", responses=answers(200, ComplaintObject, 404)
)
def get_merchant_complaint(
    complaint_id: str, ctx: Ctx, shop: ComplaintsReader
) -> dict[str, object]:
    """One of the calling merchant's complaints, with its history."""
    return complaint_json(ctx, _theirs(ctx, shop.id, complaint_id))


_ACTION_TO = {
    "acknowledge": Status.acknowledged,
    "holding_reply": Status.holding,
    "resolve": Status.resolved,
    "reject": Status.rejected,
    "escalate": Status.escalated,
}


@router.post(
    "/v1/merchants/me/complaints/{complaint_id}/answers",
    responses=answers(200, ComplaintObject, 400, 402, 403, 404, 409),
)
def answer_complaint(
    complaint_id: str, body: Answer, ctx: Ctx, shop: ComplaintsWriter, key: Idempotent
) -> JSONResponse:
    """Answer a complaint: acknowledge it, send a holding reply (the answer is then due in 35
    business days), resolve it (with `refund_minor`, refunding that much of the payment
    first), reject it or hand it to support staff."""
    complaint = _theirs(ctx, shop.id, complaint_id)
    if body.refund_minor is not None and body.action != "resolve":
        raise ApiError(400, "parameter_invalid", "refund_minor goes only with resolve",
                       param="refund_minor")  # fmt: skip
    refund_id = key.transfer_id(shop.id)

    def handle() -> tuple[int, dict[str, object]]:
        detail: dict[str, object] = {}
        if body.refund_minor is not None:
            result, amount = ctx.service(Outcomes).refund(
                complaint, checkout(ctx), body.refund_minor, refund_id, shop.id, body.message
            )
            if result is not R.ok:
                raise refusal(result)
            detail = {"refund": f"re_{refund_id:032x}", "amount_minor": amount}
        to = _ACTION_TO[body.action]
        result, moved = complaints(ctx).step(
            complaint, Actor.merchant, shop.id, to, body.message, detail
        )
        if result is not R.ok:
            raise refusal(result)
        return 200, complaint_json(ctx, moved)

    return key.run(shop.id, {"answer": complaint_id} | body.model_dump(), handle)


@router.get("/v1/merchants/me/disputes", responses=answers(200, DisputeList))
def list_merchant_disputes(ctx: Ctx, shop: ComplaintsReader) -> dict[str, object]:
    """The calling merchant's disputes, newest first."""
    found = complaints(ctx).store.disputes_of_merchant(shop.id, complaints_listed_max)
    return {"object": "list", "data": [dispute_json(d) for d in found]}


@router.post(
    "/v1/merchants/me/disputes/{dispute_id}/evidence",
    responses=answers(200, DisputeObject, 400, 404, 409),
)
def submit_evidence(
    dispute_id: str, body: Evidence, ctx: Ctx, shop: ComplaintsWriter, key: Idempotent
) -> JSONResponse:
    """Send the merchant's evidence in a dispute: once, before its deadline."""
    disputes = ctx.service(DisputeService)
    dispute = disputes.by_id(dispute_id)
    if dispute is None or dispute.merchant_id != shop.id:
        raise refusal(R.dispute_not_found)

    def handle() -> tuple[int, dict[str, object]]:
        result, moved = disputes.submit_evidence(dispute, shop.id, body.evidence)
        if result is not R.ok:
            raise refusal(result)
        return 200, dispute_json(moved)

    return key.run(shop.id, {"evidence": dispute_id} | body.model_dump(), handle)


class OpenDispute(RequestBody):
    payment: str = Field(max_length=40, description="pay_...: the payment disputed")
    reason: str = Field(max_length=text_chars_max, description="why, as the merchant will read it")
    amount_minor: AmountMinor | None = Field(None, description="part of it; all when left out")
    complaint: str | None = Field(None, max_length=40, description="cmp_...: where it came from")


class Decision(RequestBody):
    outcome: Literal["won", "lost"] = Field(description="won: the merchant keeps the money")
    note: str = Field(max_length=text_chars_max, description="why")


class Goodwill(RequestBody):
    amount_minor: AmountMinor = Field(description="in the wallet's currency's minor units")
    reason: str = Field(max_length=text_chars_max, description="why the operator pays it")


@router.post(
    "/v1/disputes",
    status_code=201,
    dependencies=[operator(DISPUTES_WRITE)],
    responses=answers(201, DisputeObject, 400, 404, 409),
)
def open_dispute(body: OpenDispute, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Open a dispute of a payment: the merchant must send its evidence within 10 business
    days of its country."""
    payment_id = parse_payment_ref(body.payment)
    if payment_id is None:
        raise refusal(R.unknown_payment)

    def handle() -> tuple[int, dict[str, object]]:
        result, dispute = ctx.service(DisputeService).open(
            payment_id, body.reason, "operator", amount_minor=body.amount_minor,
            complaint_id=body.complaint,
        )  # fmt: skip
        if dispute is None:
            raise refusal(result, "reason" if result.name.startswith("text_") else None)
        return 201, dispute_json(dispute)

    return key.run("operator", {"dispute": body.model_dump()}, handle)


@router.post(
    "/v1/disputes/{dispute_id}/decision",
    dependencies=[operator(DISPUTES_WRITE)],
    responses=answers(200, DisputeObject, 400, 402, 404, 409),
)
def decide_dispute(dispute_id: str, body: Decision, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Decide a dispute under review (or past its deadline without evidence): lost charges
    the amount back from the merchant to the wallet, even below the merchant's zero."""
    disputes = ctx.service(DisputeService)
    dispute = disputes.by_id(dispute_id)
    if dispute is None:
        raise refusal(R.dispute_not_found)

    def handle() -> tuple[int, dict[str, object]]:
        result, decided = disputes.decide(dispute, body.outcome == "won", "operator", body.note)
        if result is not R.ok:
            raise refusal(result, "note" if result.name.startswith("text_") else None)
        return 200, dispute_json(decided)

    return key.run("operator", {"decide": dispute_id} | body.model_dump(), handle)


@router.post(
    "/v1/complaints/{complaint_id}/goodwill_credits",
    status_code=201,
    dependencies=[operator(GOODWILL_WRITE)],
    responses=answers(201, ComplaintObject, 400, 402, 404, 409),
)
def credit_goodwill(complaint_id: str, body: Goodwill, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Credit the complaining wallet goodwill from the operator's account, with the reason:
    once per complaint."""
    complaint = complaints(ctx).by_id(complaint_id)
    if complaint is None:
        raise refusal(R.complaint_not_found)

    def handle() -> tuple[int, dict[str, object]]:
        outcomes = ctx.service(Outcomes)
        result = outcomes.goodwill(complaint, body.amount_minor, body.reason, "operator")
        if result is not R.ok:
            at_fault = "reason" if result.name.startswith("text_") else "amount_minor"
            raise refusal(result, at_fault if result is not R.id_reused_differently else None)
        return 201, complaint_json(ctx, complaint)

    return key.run("operator", {"goodwill": complaint_id} | body.model_dump(), handle)
