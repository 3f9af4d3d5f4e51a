"""Payments over HTTP: paying by QR code or at the till by payment code, capture, void,
refunds, reading and listing, and decoding a QR code.

Payment and refund ids come from the caller's Idempotency-Key (scoped to the caller), so the
same request retried can never move money twice. A record whose transfer the ledger does
not hold is shown to nobody. A payment is read by the wallet that paid (its token) and the
merchant paid (its key), and listed for either, newest first, a page at a time (`limit`,
`starting_after`).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from colony.api import scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import (
    WALLET_REQUEST,
    Ctx,
    Idempotent,
    PaymentParty,
    merchant,
    wallet_request,
)
from colony.api.errors import ApiError
from colony.api.idempotency import (
    Handled,
    IdempotencyKey,
    KeptElsewhere,
    key_reused,
    public_scope,
    request_hash,
)
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.payment_views import (
    PAYMENT_PARAM,
    PaymentList,
    PaymentObject,
    checkout,
    cross_border_records,
    paid_json,
    parse_payment_ref,
    pay_refusal,
    payment_json,
    payment_ref,
    records,
    risk_refusal,
)
from colony.api.step_up import PIN_MEANS, challenged, hashed_fields, pin_chars_max, stepped_up
from colony.api.wallet_views import AmountObject
from colony.fx import amount_json
from colony.kernel.steps import ON_THREAD, Steps, wait
from colony.ledger import Transfer
from colony.ledger.service import request_timeout_s
from colony.merchants import Merchant
from colony.payments import (
    TRANSFER_PAYMENT,
    Funding,
    Party,
    PaymentRecord,
    PayOutcome,
    PayResult,
    QrFormatError,
    description_chars_max,
    parse,
    reference_chars_max,
)
from colony.wallets import Wallet

# Payments per listed page: when none is asked for, and the most that may be.
payments_page_default = 10
payments_page_max = 100
# The longest payment code accepted before it is looked at, in characters (one is 18 digits).
payment_code_chars_max = 64

router = product_router("payments")

PaymentsWriter = Annotated[Merchant, merchant(scopes.PAYMENTS_WRITE)]
RefundsWriter = Annotated[Merchant, merchant(scopes.REFUNDS_WRITE)]


class PayByQr(RequestBody):
    payload: str = Field(min_length=1, max_length=512)
    amount_minor: AmountMinor | None = None
    capture: bool = True
    description: str | None = Field(default=None, max_length=description_chars_max)
    reference: str | None = Field(
        default=None, max_length=reference_chars_max, description="the merchant's order reference"
    )
    quote_id: str | None = Field(
        default=None,
        max_length=64,
        description="an FX quote (POST /v1/fx/quotes) selling the wallet's currency and buying "
        "the merchant's amount in its currency: pays a merchant in another currency",
    )
    funding_source: Literal["wallet", "credit_line"] = Field(
        default="wallet",
        description="what pays: the wallet's balance, or its credit line (captured at once, in "
        "the wallet's currency)",
    )
    pin: str | None = Field(default=None, max_length=pin_chars_max, description=PIN_MEANS)


class PayByCode(RequestBody):
    code: str = Field(max_length=payment_code_chars_max, description="as the payer's phone shows")
    amount_minor: AmountMinor
    description: str | None = Field(default=None, max_length=description_chars_max)
    reference: str | None = Field(
        default=None, max_length=reference_chars_max, description="the merchant's order reference"
    )


class Amount(RequestBody):
    amount_minor: AmountMinor | None = None


class RefundObject(BaseModel):
    """Money given back to the payer of a payment, as a new transfer."""

    object: Literal["refund"]
    id: str
    status: Literal["succeeded"]
    payment: str
    amount_minor: int
    wallet_amount: AmountObject | None = Field(
        description="what the payer got back in its wallet's currency, if it paid by FX"
    )


class DecodedQrCode(BaseModel):
    """An EMV merchant-presented QR code's fields (EMVCo's names), its CRC check and what
    looks wrong in it."""

    object: Literal["qr_code"]
    payload_format_indicator: str
    point_of_initiation: str
    merchant_account_information: dict[str, Any]
    merchant_category_code: str
    transaction_currency: str
    transaction_amount: str | None
    tip_or_convenience_indicator: str | None
    value_of_convenience_fee_fixed: str | None
    value_of_convenience_fee_percentage: str | None
    country_code: str
    merchant_name: str
    merchant_city: str
    postal_code: str | None
    additional_data: dict[str, Any]
    merchant_information_language: dict[str, str]
    unreserved_templates: dict[str, Any]
    rfu: dict[str, str]
    crc: str
    crc_valid: bool
    warnings: list[str]


class DecodeQr(RequestBody):
    payload: str = Field(min_length=1, max_length=512)


def owner_of(record: PaymentRecord, party: Party) -> str:
    return record.merchant_id if party is Party.merchant else record.wallet_id


def visible(ctx: ApiContext, found: list[PaymentRecord]) -> list[tuple[PaymentRecord, Transfer]]:
    """The records whose transfers the ledger holds, in their order."""
    transfers = {t.id: t for t in ctx.ledger.lookup_transfers([r.id for r in found])}
    return [(r, transfers[r.id]) for r in found if r.id in transfers]


def owned_payment(ctx: ApiContext, merchant: Merchant, payment_id: str) -> Transfer:
    """The payment, if it was made to this merchant; 404 for anything else."""
    try:
        pid = int(payment_id.removeprefix("pay_"), 16) if payment_id.startswith("pay_") else -1
    except ValueError:
        pid = -1
    found = ctx.ledger.lookup_transfers([pid]) if 0 < pid < 2**128 else []
    if (
        not found
        or found[0].code != TRANSFER_PAYMENT
        or found[0].credit_account_id != merchant.account_id
    ):
        raise ApiError(404, "resource_missing", f"no payment {payment_id}", param="payment_id")
    return found[0]


@router.get("/v1/payments", responses=answers(200, PaymentList))
def list_payments(
    ctx: Ctx,
    caller: PaymentParty,
    limit: Annotated[int, Query(ge=1, le=payments_page_max)] = payments_page_default,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, object]:
    """The caller's payments, newest first: a merchant's received, a wallet's made."""
    party, owner = caller
    after = None
    if starting_after is not None:
        after = parse_payment_ref(starting_after)
        cursor = records(ctx).by_id(after) if after is not None else None
        if cursor is None or owner_of(cursor, party) != owner:
            raise ApiError(
                400,
                "parameter_invalid",
                f"starting_after: no payment {starting_after} in this list",
                param="starting_after",
            )
    shown: list[tuple[PaymentRecord, Transfer]] = []
    while len(shown) <= limit:
        batch = records(ctx).page(party, owner, after, limit + 1)
        shown += visible(ctx, batch)
        if len(batch) <= limit:
            break
        after = batch[-1].id
    page, has_more = shown[:limit], len(shown) > limit
    paid = cross_border_records(ctx, [t for _, t in page])
    return {
        "object": "list",
        "data": [payment_json(ctx, t, r, paid) for r, t in page],
        "has_more": has_more,
        "next_cursor": payment_ref(page[-1][0].id) if has_more else None,
    }


@router.get("/v1/payments/{payment_id}", responses=answers(200, PaymentObject, 404))
def get_payment(payment_id: str, ctx: Ctx, caller: PaymentParty) -> dict[str, object]:
    """A payment, for the wallet that paid it and the merchant it paid; 404 for anyone else."""
    party, owner = caller
    pid = parse_payment_ref(payment_id)
    record = records(ctx).by_id(pid) if pid is not None else None
    mine = record is not None and owner_of(record, party) == owner
    shown = visible(ctx, [record]) if record is not None and mine else []
    if not shown:
        raise ApiError(404, "resource_missing", f"no payment {payment_id}", param="payment_id")
    return payment_json(ctx, shown[0][1], shown[0][0])


@router.post(
    "/v1/payments",
    status_code=201,
    responses=answers(201, PaymentObject, 402, 404, 422),
    openapi_extra=WALLET_REQUEST,
)
async def create_payment(body: PayByQr, request: Request) -> Response:
    """Pay a merchant from the caller's wallet with a scanned QR code (or authorise)."""
    # The hottest route: its caller and key are found here, not by FastAPI (`wallet_request`),
    # and it runs on the event loop, awaiting its commits (docs/adr/0033).
    if not request.app.state.colony.steps_on_loop:
        return await run_in_threadpool(_create_payment_on_thread, body, request)
    ctx, wallet, key = wallet_request(request)
    sha256 = request_hash(hashed_fields(body))
    forwarding = ctx.forwarding
    if forwarding is not None and forwarding.follows:
        # A follower: the writer serves the payment whole, in one call (docs/adr/0078).
        return await forwarding.pay(wallet, key.key, body, sha256)
    return await _pay_on_loop(ctx, wallet, key, body, sha256)


async def _pay_on_loop(
    ctx: ApiContext, wallet: Wallet, key: IdempotencyKey, body: PayByQr, sha256: str
) -> JSONResponse:
    steps = partial(_payment_steps, ctx, wallet, key.transfer_id(wallet.id), body, sha256)
    return await key.run_awaited(wallet.id, sha256, steps)


def _create_payment_on_thread(body: PayByQr, request: Request) -> Response:
    """`create_payment` on a thread of the pool, each commit waited for: where a step may
    block outside a future (PostgreSQL's reads are round trips), the event loop must not
    make it."""
    ctx, wallet, key = wallet_request(request)
    sha256 = request_hash(hashed_fields(body))
    forwarding = ctx.forwarding
    if forwarding is not None and forwarding.follows:
        return forwarding.pay_waiting(wallet, key.key, body, sha256)
    return _pay_on_thread(ctx, wallet, key, body, sha256)


def _pay_on_thread(
    ctx: ApiContext, wallet: Wallet, key: IdempotencyKey, body: PayByQr, sha256: str
) -> JSONResponse:
    steps = partial(_payment_steps, ctx, wallet, key.transfer_id(wallet.id), body, sha256)
    # The request is hashed already: `run` needs no request of its own to hash.
    return key.run(wallet.id, None, lambda: wait(steps(), request_timeout_s), request_sha256=sha256)


async def serve_forwarded(
    ctx: ApiContext, wallet: Wallet, key: str | None, body: PayByQr, sha256: str
) -> JSONResponse:
    """A follower's payment, served here, at the writer, as this process serves its own:
    the follower found the wallet, validated the body and hashed it (docs/adr/0078)."""
    idempotency_key = IdempotencyKey(ctx.api_store, ctx.clock, key)
    if ctx.steps_on_loop:
        return await _pay_on_loop(ctx, wallet, idempotency_key, body, sha256)
    return await run_in_threadpool(_pay_on_thread, ctx, wallet, idempotency_key, body, sha256)


def _payment_steps(
    ctx: ApiContext, wallet: Wallet, pid: int, body: PayByQr, request_sha256: str
) -> Steps[Handled]:
    """A payment's answer, as steps (kernel/steps.py): run on the event loop or a thread.

    A payment is answered from its record, which keeps the request's hash (and, paid with
    an FX quote, beside its payer's side, docs/adr/0083): its answer needs no commit of its
    own, and the same request again (the record and the money found made) is answered from
    the record as it was made; another request with the key is refused as
    `IdempotencyKey.run` refuses it (docs/adr/0033).
    Risk control's challenge is kept nowhere under the key: the same request with the
    wallet's PIN (`pin`) answers it (api/step_up.py, docs/adr/0062)."""
    if body.quote_id is not None and not body.capture:
        raise ApiError(
            400,
            "parameter_invalid",
            "a payment with an FX quote is captured at once (capture: true)",
            param="capture",
        )
    funding = Funding(body.funding_source)
    if funding is Funding.credit_line and (body.quote_id or not body.capture):
        raise ApiError(
            400,
            "parameter_invalid",
            "a payment with the credit line is in the wallet's currency, captured at once",
            param="funding_source",
        )
    confirmed = False
    if body.pin is not None:
        yield ON_THREAD  # argon2, and the try counted in the database
        checked = stepped_up(ctx, wallet, body.pin)
        if isinstance(checked, KeptElsewhere):
            return checked
        confirmed = checked
    outcome = yield from checkout(ctx).pay_steps(
        wallet,
        body.payload,
        pid,
        amount_minor=body.amount_minor,
        capture=body.capture,
        quote_id=body.quote_id,
        description=body.description,
        reference=body.reference,
        request_sha256=request_sha256,
        funding=funding,
        stepped_up=confirmed,
    )
    record = outcome.record
    kept = record is not None and record.request_sha256 == request_sha256
    if outcome.result is PayResult.id_reused_differently:
        yield ON_THREAD
        earlier = records(ctx).by_id(pid)
        if earlier is not None and earlier.request_sha256 not in (None, request_sha256):
            return KeptElsewhere(409, key_reused().body())  # kept nowhere, as `run` does
    if outcome.result is not PayResult.ok:
        if outcome.record is None:
            # Refused before this try reached the ledger, but this request may have paid
            # before and lost its answer: what refuses it now (a freeze since, risk
            # control's view of one more try, a challenge the first try answered with the
            # PIN) does not undo money that moved. A refusal by the ledger itself says the
            # money is not there (the same transfer found is answered ok). Asked only of
            # such a refusal: a lookup waits for the ledger to be durable (docs/adr/0081).
            yield ON_THREAD
            before = _made_before(ctx, wallet, pid, request_sha256)
            if before is not None:
                return before
        if outcome.result is PayResult.risk_challenge_required:
            return challenged(risk_refusal(outcome))
        raise risk_refusal(outcome) if outcome.risk is not None else pay_refusal(outcome.result)
    if kept:
        # Made just now, or by this request before (its money found moved): the first answer,
        # from its record (and, paid by FX, its payer's side): no answer of its own to keep.
        return KeptElsewhere(201, _first_answer(outcome), replayed=not outcome.moved_now)
    answer = paid_json(outcome)
    if answer is None:
        yield ON_THREAD  # reads of the ledger wait for it to be durable
        (transfer,) = ctx.ledger.lookup_transfers([pid])
        answer = payment_json(ctx, transfer)
    return 201, answer


def _made_before(ctx: ApiContext, wallet: Wallet, pid: int, request_sha256: str) -> Handled | None:
    """The first answer of a payment this request made before, given again; else None:
    the key's record holds this request's hash and the caller's wallet, and its money moved
    (`PaymentService.made`)."""
    record = records(ctx).by_id(pid)
    if record is None or (record.request_sha256, record.wallet_id) != (request_sha256, wallet.id):
        return None
    made = ctx.payments.made(record)
    return None if made is None else KeptElsewhere(201, _first_answer(made), replayed=True)


def _first_answer(outcome: PayOutcome) -> dict[str, object]:
    """A payment's first answer, from its record: as it was made, whatever happened since."""
    answer = paid_json(outcome, as_made=True)
    assert answer is not None, "a recorded payment of a known merchant"
    return answer


@router.post("/v1/payments/{payment_id}/capture", responses=answers(200, PaymentObject, 404))
def capture_payment(
    payment_id: str, body: Amount, ctx: Ctx, merchant: PaymentsWriter, key: Idempotent
) -> JSONResponse:
    """Capture all or part of an authorisation (the merchant that was paid only)."""
    held = owned_payment(ctx, merchant, payment_id)

    def handle() -> tuple[int, dict[str, object]]:
        outcome = ctx.payments.capture(held.id, body.amount_minor)
        if outcome.result is not PayResult.ok:
            raise pay_refusal(outcome.result)
        return 200, payment_json(ctx, held)

    return key.run(merchant.id, {"capture": payment_id, **body.model_dump()}, handle)


@router.post("/v1/payments/{payment_id}/void", responses=answers(200, PaymentObject, 404))
def void_payment(
    payment_id: str, ctx: Ctx, merchant: PaymentsWriter, key: Idempotent
) -> JSONResponse:
    """Release an authorisation (the merchant that was paid only)."""
    held = owned_payment(ctx, merchant, payment_id)

    def handle() -> tuple[int, dict[str, object]]:
        outcome = ctx.payments.void(held.id)
        if outcome.result is not PayResult.ok:
            raise pay_refusal(outcome.result)
        return 200, payment_json(ctx, held)

    return key.run(merchant.id, {"void": payment_id}, handle)


@router.post(
    "/v1/payments/{payment_id}/refunds",
    status_code=201,
    responses=answers(201, RefundObject, 402, 404),
)
def create_refund(
    payment_id: str, body: Amount, ctx: Ctx, merchant: RefundsWriter, key: Idempotent
) -> JSONResponse:
    """Refund part or all of a payment (the merchant that was paid only)."""
    paid = owned_payment(ctx, merchant, payment_id)
    rid = key.transfer_id(merchant.id)

    def handle() -> tuple[int, dict[str, object]]:
        refunded = checkout(ctx).refund(paid, body.amount_minor, rid)
        if refunded.outcome.result is not PayResult.ok:
            raise pay_refusal(refunded.outcome.result)
        back, currency = refunded.wallet_amount_minor, refunded.wallet_currency
        return 201, {
            "object": "refund",
            "id": f"re_{rid:032x}",
            "status": "succeeded",
            "payment": payment_id,
            "amount_minor": refunded.amount_minor,
            # What the payer got back in its own currency, if it paid by FX.
            "wallet_amount": None
            if back is None or currency is None
            else amount_json(back, currency),
        }

    return key.run(merchant.id, {"refund": payment_id, **body.model_dump()}, handle)


@router.post("/v1/payments/code", status_code=201, responses=answers(201, PaymentObject, 402, 404))
def charge_payment_code(
    body: PayByCode, ctx: Ctx, merchant: PaymentsWriter, key: Idempotent
) -> JSONResponse:
    """Charge the payment code a customer's phone shows (the merchant's terminal)."""
    pid = key.transfer_id(merchant.id)

    def handle() -> tuple[int, dict[str, object]]:
        outcome = ctx.payments.pay_by_code(
            merchant.id,
            body.code,
            body.amount_minor,
            ctx.code_verifier,
            ctx.clock.now_ns(),
            payment_id=pid,
            description=body.description,
            reference=body.reference,
        )
        if outcome.result is not PayResult.ok:
            raise pay_refusal(outcome.result, PAYMENT_PARAM | {"code": "code"})
        answer = paid_json(outcome)
        if answer is None:
            (transfer,) = ctx.ledger.lookup_transfers([pid])
            answer = payment_json(ctx, transfer)
        return 201, answer

    return key.run(merchant.id, {"pay_by_code": body.model_dump()}, handle)


@router.post("/v1/qr/decode", responses=answers(200, DecodedQrCode))
def decode_qr_code(body: DecodeQr, key: Idempotent) -> JSONResponse:
    """Decode an EMV merchant-presented QR payload (fields, CRC check, warnings)."""

    def handle() -> tuple[int, dict[str, object]]:
        try:
            return 200, {"object": "qr_code", **parse(body.payload).as_dict()}
        except QrFormatError as exc:
            raise ApiError(400, "qr_malformed", str(exc), param="payload") from None

    return key.run(public_scope("qr", body.payload), body.model_dump(), handle)
