"""The operator console's merchants (`/console/merchants`): the list a page at a time, finding
one by id or name, a merchant's page (details, its static QR code, its recent payments, its
payouts of the last days) and onboarding a new one, written to the audit log.

A merchant's page also pays out a day by hand through a funding partner of its currency, as
`colony merchants payout` does for every merchant (docs/adr/0041): the operator's way when a
run missed a merchant, and the way while `colony serve` holds the ledger. The payout's id is
derived from the merchant and the day, so a form sent twice pays once; a payout made is
written to the audit log.

Onboarding is the merchants product's own call (`MerchantService.onboard`, as
`POST /v1/merchants` makes it), without the API key the API answers with: a secret shown on a
staff member's screen would be one more place it could leak, and the merchant's owner makes
its keys in the portal. The merchant's id derives from the form's `op`, so a form sent twice
onboards once.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.credit import REASON_TEXTS, CreditScores, Subject
from colony.kernel.clock import utc_from_ns
from colony.kernel.errors import InvalidInput
from colony.merchants import (
    DAY_NS,
    Merchant,
    OnboardResult,
    PaidOut,
    PayoutResult,
    PayoutService,
    SuspensionNotices,
    SuspensionResult,
    day_named,
    day_of,
    discount_bps_max,
    paid_out,
    suspension_reason_chars_max,
)
from colony.payments import Party, render
from colony.staff import AuditAction, Permission, StaffMember, StaffService, may
from colony.web.console_access import (
    a_page,
    console_page,
    merchant_or_404,
    permitted,
    permitted_form,
    signed_in_staff,
)
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router, typed_count

router = pages_router()
_log = logging.getLogger(__name__)

# Merchants per page of the list, and found by a name.
merchants_page_rows = 50
# A merchant's most recent payments shown on its page.
merchant_recent_payments = 20
# Days of payouts a merchant's page shows, the day before today first.
merchant_payout_days = 14
# A merchant's earlier credit scores its page lists, newest first.
merchant_scores_shown = 5
# The shortest name searched for, in characters: shorter ones match half the table.
name_search_chars_min = 2
# Random bytes in an onboarding form's `op` (its idempotency key).
op_bytes = 16
FIELDS = ("legal_name", "display_name", "mcc", "country", "city", "currency", "discount_bps")
# The most digits read from the discount field, in basis points: those of the largest
# allowed (10,000 bps); a longer number is refused as out of range, never read.
discount_bps_digits_max = len(str(discount_bps_max))
ONBOARD_REFUSALS = {
    OnboardResult.invalid_mcc: N_("The MCC is four digits, such as 5812."),
    OnboardResult.invalid_country: N_("The country is a two-letter ISO code, such as SG."),
    OnboardResult.unknown_currency: N_("Colony keeps no such currency."),
    OnboardResult.invalid_discount: N_("The discount is from 0 to {bps} basis points."),
    OnboardResult.invalid_name: N_(
        "Give a legal name, a display name of up to 25 characters and a city of up to 15."
    ),
}
SUSPENSION_REFUSALS = {
    SuspensionResult.invalid_reason: N_(
        "Give a reason (up to {chars} characters): the log keeps it."
    ),
    SuspensionResult.already_suspended: N_("This merchant is suspended already."),
    SuspensionResult.not_suspended: N_("This merchant is not suspended."),
}
HALF_A_PAGE_MARK = N_("A page of suspended merchants is asked for with both after and at.")
# What a payout asked for by hand came to, when it paid nothing now.
PAYOUT_NOTES = {
    PayoutResult.nothing_to_pay: N_("Nothing to pay out for that day: its balance was nothing."),
    PayoutResult.day_not_over: N_("That day is not over yet: pay out a day before today."),
    PayoutResult.day_too_old: N_("That day is too long ago to pay out by hand."),
    PayoutResult.later_day_paid: N_(
        "A later day is paid out already, and that day's money with it."
    ),
    PayoutResult.unknown_partner: N_("That funding partner keeps no account in this currency."),
}


@router.get("/console/merchants")
def merchants(
    request: Request, ctx: Ctx, q: str = "", after: str | None = None, suspended: bool = False,
    at: int | None = None,
) -> Response:  # fmt: skip
    """The merchants a page at a time, those found by an id or a name, or (`suspended`) the
    suspended ones, the newest first, a page at a time (`after` and `at`: the last of the page
    before and when it was suspended), each row saying whether it is."""
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    asked = q.strip()
    error = page_error = None
    more = None  # the next page's query
    if suspended:
        if (after is None) != (at is None):
            page_error = shell.texts(request)(HALF_A_PAGE_MARK)
        last = None if after is None or at is None else (at, after)
        listed, more_listed = (
            ([], False)
            if page_error
            else a_page(lambda n: ctx.merchants.suspensions(n, last), merchants_page_rows)
        )
        found = [m for s in listed if (m := ctx.merchants.by_id(s.merchant_id)) is not None]
        if more_listed:
            tail = listed[-1]
            more = urlencode(
                {"suspended": "true", "after": tail.merchant_id, "at": tail.suspended_at_ns}
            )
    elif asked.startswith("mer_"):
        if ctx.merchants.by_id(asked) is not None:
            return shell.redirect(f"/console/merchants/{asked}")
        found = []
    elif asked:
        found = ctx.merchants.named(asked, merchants_page_rows)
        if len(asked) < name_search_chars_min:
            found = []
    else:
        found, more_found = a_page(lambda n: ctx.merchants.page(after, n), merchants_page_rows)
        if more_found:
            more = urlencode({"after": found[-1].id})
    if asked and not found:
        error = shell.texts(request)("No merchant has that id or name.")
    return console_page(
        shell, request, member, "staff/merchants.html",
        status=400 if page_error else 404 if error else 200, q=q, found=found, error=error,
        page_error=page_error, more=more, suspended_only=suspended, paged_on=after is not None,
        may_onboard=may(member.role, Permission.onboard_merchants),
        suspended={m.id for m in found if ctx.merchants.is_suspended(m.id)},
    )  # fmt: skip


@router.get("/console/merchants/new")
def new_merchant(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = permitted(shell, request, ctx.service(StaffService), Permission.onboard_merchants)
    typed = dict.fromkeys(FIELDS, "")
    return _onboard_page(shell, request, member, typed, shell.token_bytes(op_bytes).hex())


def _onboard_page(
    shell: Shell, request: Request, member: StaffMember, typed: dict[str, str], op: str, *,
    error: str | None = None,
) -> Response:  # fmt: skip
    return console_page(
        shell, request, member, "staff/merchant_new.html", status=400 if error else 200,
        typed=typed, op=op, error=error,
    )  # fmt: skip


def _typed_bps(text: str) -> int:
    """The discount as typed; -1 (refused by onboarding, naming the range) unless digits."""
    typed = typed_count(text, discount_bps_digits_max)
    return -1 if typed is None else typed


@router.post("/console/merchants/new")
def onboard(request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.onboard_merchants)
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open it again.")
    typed = {name: form.get(name, "").strip() for name in FIELDS}
    merchant_id = f"mer_{transfer_id_for(f'console:{member.id}', op):032x}"
    if ctx.merchants.by_id(merchant_id) is not None:  # the same form again
        return shell.redirect(f"/console/merchants/{merchant_id}")
    result, made = ctx.merchants.onboard(
        typed["legal_name"], typed["display_name"], typed["mcc"], typed["country"].upper(),
        typed["city"], typed["currency"].upper(), _typed_bps(typed["discount_bps"]),
        merchant_id,
    )  # fmt: skip
    if made is None:
        error = shell.texts(request)(ONBOARD_REFUSALS[result], bps=discount_bps_max)
        return _onboard_page(shell, request, member, typed, op, error=error)
    staff.record(
        member.id, AuditAction.merchant_onboarded, made.id, "", name=made.display_name,
        currency=made.currency, discount_bps=made.discount_bps,
    )  # fmt: skip
    return shell.redirect(f"/console/merchants/{made.id}")


@router.get("/console/merchants/{merchant_id}")
def merchant_page(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    return _merchant_page(ctx, shell, request, member, merchant)


def _merchant_page(
    ctx: Ctx, shell: Shell, request: Request, member: StaffMember, merchant: Merchant, *,
    status: int = 200, payout_note: str | None = None, day: str = "",
    suspension_error: str | None = None, reason: str = "",
) -> Response:  # fmt: skip
    records = ctx.payments.records
    recent = (
        records.page(Party.merchant, merchant.id, None, merchant_recent_payments) if records else []
    )
    endpoint = ctx.webhook_store.endpoint(merchant.id)
    yesterday = day_of(ctx.clock.now_ns()) - DAY_NS
    scores = ctx.service(CreditScores).history(Subject.merchant, merchant.id)
    return console_page(
        shell, request, member, "staff/merchant.html", status=status, merchant=merchant,
        payments=recent, webhook_url=endpoint.url if endpoint else None,
        payouts=_recent_payouts(ctx, merchant, yesterday), payout_note=payout_note,
        may_pay_out=may(member.role, Permission.pay_out_merchants),
        partners=ctx.funding.partners(merchant.currency) if ctx.funding else [],
        day=day or utc_from_ns(yesterday).strftime("%Y-%m-%d"),
        credit_scores=scores[:merchant_scores_shown], credit_reason_texts=REASON_TEXTS,
        may_score=may(member.role, Permission.score_merchants),
        suspension=ctx.merchants.suspension_of(merchant.id),
        may_suspend=may(member.role, Permission.suspend_merchants),
        suspension_error=suspension_error, reason=reason,
        reason_chars_max=suspension_reason_chars_max,
    )  # fmt: skip


def _recent_payouts(ctx: Ctx, merchant: Merchant, last_day_ns: int) -> list[PaidOut]:
    """The payouts of the `merchant_payout_days` days up to `last_day_ns`, newest first."""
    first = last_day_ns - (merchant_payout_days - 1) * DAY_NS
    found = paid_out(ctx.ledger, merchant.account_id, first, merchant_payout_days)
    return sorted(found.values(), key=lambda p: p.day_ns, reverse=True)


@router.post("/console/merchants/{merchant_id}/payout")
def pay_out(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.pay_out_merchants)
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    typed, partner = form.get("day", "").strip(), form.get("partner", "")
    try:
        day_ns = day_named(typed)
    except InvalidInput:
        raise Refused(400, "day: a date as YYYY-MM-DD") from None
    made = PayoutService(ctx.ledger, ctx.clock).pay_out(merchant, day_ns, partner)
    if made.result is PayoutResult.ok:
        staff.record(
            member.id, AuditAction.merchant_paid_out, merchant.id, "", day=typed,
            partner=partner, amount_minor=made.amount_minor, currency=made.currency,
            payout=f"{made.transfer_id:032x}",
        )  # fmt: skip
    if made.result in (PayoutResult.ok, PayoutResult.already_paid):
        return shell.redirect(f"/console/merchants/{merchant.id}")
    refused = made.result is not PayoutResult.nothing_to_pay
    note = shell.texts(request)(PAYOUT_NOTES[made.result])
    return _merchant_page(
        ctx, shell, request, member, merchant, status=400 if refused else 200,
        payout_note=note, day=typed,
    )  # fmt: skip


@router.post("/console/merchants/{merchant_id}/score")
def score(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    """The merchant's credit score now, recorded in its history, as
    `POST /v1/credit/merchants/{id}/score` makes it; written to the audit log."""
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, _ = permitted_form(shell, request, staff, Permission.score_merchants)
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    scored = ctx.service(CreditScores).score_merchant(merchant)
    staff.record(
        member.id, AuditAction.merchant_scored, merchant.id, "", score=scored.score,
        band=scored.band, model=scored.model_version,
    )  # fmt: skip
    return shell.redirect(f"/console/merchants/{merchant.id}#credit-title")


@router.post("/console/merchants/{merchant_id}/suspend")
def suspend(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    return _suspension(merchant_id, request, ctx, suspended=True)


@router.post("/console/merchants/{merchant_id}/reinstate")
def reinstate(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    return _suspension(merchant_id, request, ctx, suspended=False)


def _suspension(merchant_id: str, request: Request, ctx: Ctx, *, suspended: bool) -> Response:
    """Suspend the merchant, or reinstate it, with a reason (docs/adr/0114): the role is
    checked first (403, nothing changed), the audit entry written after the change."""
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.suspend_merchants)
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    reason = form.get("reason", "")
    act = ctx.merchants.suspend if suspended else ctx.merchants.reinstate
    result = act(merchant.id, reason)
    if result is not SuspensionResult.ok:
        texts = shell.texts(request)
        error = texts(SUSPENSION_REFUSALS[result], chars=suspension_reason_chars_max)
        status = 400 if result is SuspensionResult.invalid_reason else 409
        return _merchant_page(
            ctx, shell, request, member, merchant, status=status, suspension_error=error,
            reason=reason,
        )  # fmt: skip
    action = AuditAction.merchant_suspended if suspended else AuditAction.merchant_reinstated
    staff.record(member.id, action, merchant.id, reason.strip(), name=merchant.display_name)
    try:  # done and logged: a text or an event that fails is not the change's failure
        notices = ctx.service(SuspensionNotices)
        notices.tell(merchant, suspended=suspended, at_ns=ctx.clock.now_ns())
    except Exception:
        _log.exception("merchant %s was not told of its status", merchant.id)
    return shell.redirect(f"/console/merchants/{merchant.id}#suspension-title")


@router.get("/console/merchants/{merchant_id}/qr.svg")
def merchant_qr(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    """The merchant's static code, as its poster prints it."""
    shell = ctx.service(Shell)
    signed_in_staff(shell, request, ctx.service(StaffService))
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    return Response(render(ctx.payments.merchant_qr(merchant), "svg"), media_type="image/svg+xml")
