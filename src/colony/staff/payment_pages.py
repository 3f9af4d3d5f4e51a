"""The operator console's payments (`/console/payments`): finding one by its id, or a
merchant's (by reference too) or a wallet's, newest first; a payment's page with its refunds
and why each was made; and refunding it, in full or in part, on the merchant's behalf.

A refund takes the API's own path (`checkout(ctx).refund`), as the merchant portal's does.
Its reason is kept where the portal keeps its own (`MerchantUserService.keep_reason_by`,
naming the staff member) before the money moves, and the audit entry is written after. Its
ledger id derives from the form's `op`: a form sent twice refunds once, and is logged once.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.api.payment_views import checkout, parse_payment_ref
from colony.kernel.money import Money
from colony.merchants import MerchantUserService, refund_reason_chars_max
from colony.payments import (
    Party,
    PaymentRecord,
    PaymentSearch,
    PayResult,
    ReceivedPayment,
    received_one,
)
from colony.staff import AuditAction, Permission, StaffMember, StaffService, may
from colony.web.console_access import console_page, permitted_form, signed_in_staff
from colony.web.merchant_access import (
    PAYMENT_STATUS_NAMES,
    refund_form_error,
    refund_refusal,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_amount

router = pages_router()

# Payments per page of a search.
payments_page_rows = 25
# Random bytes in a refund form's `op` (its idempotency key).
op_bytes = 16
# The longest reference searched for, in characters (a record holds at most 64).
reference_chars_max = 64


def _ref(pid: int) -> str:
    return f"pay_{pid:032x}"


def _found(ctx: Ctx, q: str, reference: str, after: int | None) -> tuple[list[PaymentRecord], bool]:
    """A merchant's (`mer_...`, by reference too) or a wallet's (`wal_...`) payments, newest
    first, and whether more follow."""
    records = ctx.payments.records
    if records is None:
        return [], False
    want = payments_page_rows + 1
    if q.startswith("mer_"):
        search = PaymentSearch(reference=reference[:reference_chars_max] or None)
        page = records.search(q, search, after, want)
    elif q.startswith("wal_"):
        page = records.page(Party.wallet, q, after, want)
    else:
        return [], False
    return page[:payments_page_rows], len(page) > payments_page_rows


@router.get("/console/payments")
def payments(
    request: Request, ctx: Ctx, q: str = "", merchant: str = "", reference: str = "",
    after: str = "",
) -> Response:  # fmt: skip
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    asked = (q or merchant).strip()
    reference = reference.strip()
    pid = parse_payment_ref(asked)
    if pid is not None and ctx.payments.records and ctx.payments.records.by_id(pid):
        return shell.redirect(f"/console/payments/{asked}")
    cursor = parse_payment_ref(after) if after else None
    if after and cursor is None:
        raise Refused(400, "after: a payment id the previous page gave")
    found, more = _found(ctx, asked, reference, cursor)
    error = None
    if asked and not found:
        error = shell.texts(request)("No payment has that id, merchant, wallet or reference.")
    next_href = None
    if more:
        query = urlencode({"q": asked, "reference": reference, "after": _ref(found[-1].id)})
        next_href = f"/console/payments?{query}"
    return console_page(
        shell, request, member, "staff/payments.html", status=404 if error else 200, q=asked,
        reference=reference, found=found, error=error, next_href=next_href,
    )  # fmt: skip


def _payment(ctx: Ctx, ref: str) -> ReceivedPayment:
    pid = parse_payment_ref(ref)
    record = ctx.payments.records.by_id(pid) if pid and ctx.payments.records else None
    found = (
        received_one(ctx.payments, ctx.ledger, record.merchant_id, record.id) if record else None
    )
    if found is None:
        raise Refused(404, "No such payment.")
    return found


def _payment_page(
    ctx: Ctx, shell: Shell, request: Request, member: StaffMember, paid: ReceivedPayment, *,
    status: int = 200, error: str | None = None, amount: str = "", reason: str = "",
    op: str | None = None,
) -> Response:  # fmt: skip
    assert ctx.payments.records is not None
    users = ctx.service(MerchantUserService)
    reasons = {r.refund_id: r for r in users.reasons_of(paid.record.id)}
    recorded = ctx.payments.records.refunds_of(paid.record.id)
    # Who asked for each refund, by name: a staff member, or one of the shop's users.
    staff = ctx.service(StaffService)
    names = {}
    for why in reasons.values():
        member_or_user = staff.by_id(why.user_id) or users.by_id(why.user_id)
        names[why.user_id] = member_or_user.name if member_or_user else why.user_id
    # A record whose transfer the ledger refused is no refund: shown are the ledger's.
    made = {t.id for t in ctx.ledger.lookup_transfers([r.id for r in recorded])}
    left = Money(paid.refundable_minor, paid.record.currency).to_decimal()
    return console_page(
        shell, request, member, "staff/payment.html", status=status, payment=paid,
        refunds=[(r, reasons.get(r.id)) for r in recorded if r.id in made],
        status_names=PAYMENT_STATUS_NAMES, merchant=ctx.merchants.by_id(paid.record.merchant_id),
        may_refund=may(member.role, Permission.refund_payments), error=error,
        amount=amount or f"{left}", reason=reason, op=op or shell.token_bytes(op_bytes).hex(),
        reason_chars_max=refund_reason_chars_max, names=names,
    )  # fmt: skip


@router.get("/console/payments/{ref}")
def payment(ref: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    return _payment_page(ctx, shell, request, member, _payment(ctx, ref))


@router.post("/console/payments/{ref}/refund")
def refund(ref: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.refund_payments)
    paid = _payment(ctx, ref)
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open the payment again.")
    refund_id = transfer_id_for(f"console:{member.id}", op)
    if ctx.ledger.lookup_transfers([refund_id]):  # the same form again: refunded already
        return shell.redirect(f"/console/payments/{ref}")
    t = shell.texts(request)
    typed, reason = form.get("amount", ""), form.get("reason", "").strip()
    amount = typed_amount(typed, paid.record.currency)
    error = refund_form_error(t, amount, reason)
    if error is None and amount is not None:
        merchant_id = paid.record.merchant_id
        ctx.service(MerchantUserService).keep_reason_by(
            merchant_id, member.id, refund_id, paid.record.id, amount, reason
        )
        result = checkout(ctx).refund(paid.ledger_transfer, amount, refund_id).outcome.result
        if result is PayResult.ok:
            staff.record(
                member.id, AuditAction.payment_refunded, ref, reason, merchant=merchant_id,
                amount_minor=amount, currency=paid.record.currency, refund=f"{refund_id:032x}",
            )  # fmt: skip
            return shell.redirect(f"/console/payments/{ref}")
        error = refund_refusal(t, result.name)
    return _payment_page(
        ctx, shell, request, member, paid, status=400, error=error, amount=typed, reason=reason,
        op=op,
    )  # fmt: skip
