"""Phones over HTTP: proving a number with a one-time code, and the operator's SMS outbox.

`POST /v1/phone_verifications` sends a code to a number and answers 202 with the
verification's id, the same for every well-formed number, whether it has a wallet or not
(docs/adr/0032). The code is in no answer but the outbox's, which only an operator key with
`sms:read` reads: the default sender writes texts there instead of to a gateway.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, operator
from colony.api.errors import ApiError
from colony.api.idempotency import public_scope
from colony.api.input_limits import RequestBody
from colony.kernel.clock import NS_PER_S
from colony.phones import (
    PhoneProofService,
    ProofResult,
    Purpose,
    codes_per_phone_max,
    codes_per_phone_window_s,
)

SMS_READ = "sms:read"
router = product_router(
    "phones",
    operator_scopes={SMS_READ: "read the SMS outbox: every text the default sender queued"},
)

# Messages per outbox page: by default, and the most.
outbox_page_default = 20
outbox_page_max = 100
# The longest message id accepted as a cursor, in characters.
outbox_cursor_chars_max = 64
# Seconds a number over its codes' budget is asked to wait: the window shared by the budget.
too_many_codes_retry_after_s = codes_per_phone_window_s // codes_per_phone_max


class StartVerification(RequestBody):
    phone: str = Field(max_length=16, description="E.164, e.g. +6591234567")
    purpose: Literal["open_wallet"] = Field(description="what the proved number is for")


class VerificationObject(BaseModel):
    """A code was sent to the number (if it can receive texts): type it with this id."""

    object: Literal["phone_verification"]
    id: str
    phone: str
    purpose: Literal["open_wallet"]
    expires_at: int = Field(description="Unix seconds after which the code is refused")


class SmsObject(BaseModel):
    """A text the default sender queued, as the operator's console shows it."""

    object: Literal["sms"]
    id: str
    phone: str
    text: str
    created: int


class SmsList(BaseModel):
    """A page of the outbox, newest first; `next_cursor` reads the older ones."""

    object: Literal["list"]
    data: list[SmsObject]
    has_more: bool
    next_cursor: str | None


def phone_proofs(ctx: ApiContext) -> PhoneProofService:
    """The server's phone proofs (build_context provides them)."""
    return ctx.service(PhoneProofService)


@router.post(
    "/v1/phone_verifications",
    status_code=202,
    responses=answers(202, VerificationObject),
)
def start_phone_verification(body: StartVerification, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Send a one-time code to a number, to prove it: the answer is the same whether or not
    the number has a wallet. The code expires at `expires_at`."""

    def handle() -> tuple[int, dict[str, object]]:
        result, verification = phone_proofs(ctx).start(body.phone, Purpose(body.purpose))
        if result is ProofResult.invalid_phone:
            raise ApiError(400, "invalid_phone", "phone must be E.164, e.g. +6591234567",
                           param="phone")  # fmt: skip
        if result is ProofResult.too_many_codes:
            raise ApiError(
                429,
                "too_many_codes",
                f"at most {codes_per_phone_max} codes per number in "
                f"{codes_per_phone_window_s // 60} minutes",
                type_="rate_limit_error",
                param="phone",
                retry_after_s=too_many_codes_retry_after_s,
            )
        assert result is ProofResult.ok and verification is not None, result
        return 202, {
            "object": "phone_verification",
            "id": verification.id,
            "phone": verification.address,
            "purpose": verification.purpose.value,
            "expires_at": verification.expires_at_ns // NS_PER_S,
        }

    return key.run(public_scope("phone_verification", body.phone), body.model_dump(), handle)


@router.get(
    "/v1/sms_outbox",
    dependencies=[operator(SMS_READ)],
    responses=answers(200, SmsList, 400),
)
def list_sms_outbox(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=outbox_page_max)] = outbox_page_default,
    starting_after: Annotated[str | None, Query(max_length=outbox_cursor_chars_max)] = None,
    phone: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, object]:
    """The texts the default sender queued, newest first (operator, `sms:read`); `phone`
    keeps one number's."""
    page = phone_proofs(ctx).outbox(starting_after, limit + 1, phone)
    more = len(page) > limit
    data = [
        {"object": "sms", "id": m.id, "phone": m.phone, "text": m.text,
         "created": m.created_at_ns // NS_PER_S}
        for m in page[:limit]
    ]  # fmt: skip
    return {
        "object": "list",
        "data": data,
        "has_more": more,
        "next_cursor": data[-1]["id"] if more else None,
    }
