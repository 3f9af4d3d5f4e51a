"""The operator console's merchants (`/console/merchants`): the list a page at a time, finding
one by id or name, a merchant's page (details, its static QR code, its recent payments) and
onboarding a new one, written to the audit log.

Onboarding is the merchants product's own call (`MerchantService.onboard`, as
`POST /v1/merchants` makes it), without the API key the API answers with: a secret shown on a
staff member's screen would be one more place it could leak, and the merchant's owner makes
its keys in the portal. The merchant's id derives from the form's `op`, so a form sent twice
onboards once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.merchants import Merchant, OnboardResult, discount_bps_max
from colony.payments import Party, render
from colony.staff import AuditAction, Permission, StaffMember, StaffService, may
from colony.web.console_access import (
    console_page,
    forbidden,
    merchant_or_404,
    signed_in_staff,
)
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell

router = APIRouter(include_in_schema=False)

# Merchants per page of the list, and found by a name.
merchants_page_rows = 50
# A merchant's most recent payments shown on its page.
merchant_recent_payments = 20
# The shortest name searched for, in characters: shorter ones match half the table.
name_search_chars_min = 2
# Random bytes in an onboarding form's `op` (its idempotency key).
op_bytes = 16
FIELDS = ("legal_name", "display_name", "mcc", "country", "city", "currency", "discount_bps")
ONBOARD_REFUSALS = {
    OnboardResult.invalid_mcc: N_("The MCC is four digits, such as 5812."),
    OnboardResult.invalid_country: N_("The country is a two-letter ISO code, such as SG."),
    OnboardResult.unknown_currency: N_("Colony keeps no such currency."),
    OnboardResult.invalid_discount: N_("The discount is from 0 to {bps} basis points."),
    OnboardResult.invalid_name: N_(
        "Give a legal name, a display name of up to 25 characters and a city of up to 15."
    ),
}


@router.get("/console/merchants")
def merchants(request: Request, ctx: Ctx, q: str = "", after: str | None = None) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    asked = q.strip()
    error = None
    if asked.startswith("mer_"):
        if ctx.merchants.by_id(asked) is not None:
            return shell.redirect(f"/console/merchants/{asked}")
        found: list[Merchant] = []
    elif asked:
        found = ctx.merchants.named(asked, merchants_page_rows)
        if len(asked) < name_search_chars_min:
            found = []
    else:
        found = ctx.merchants.page(after, merchants_page_rows)
    if asked and not found:
        error = shell.texts(request)("No merchant has that id or name.")
    more = not asked and len(found) == merchants_page_rows
    return console_page(
        shell, request, member, "staff/merchants.html", status=404 if error else 200, q=q,
        found=found, error=error, next_after=found[-1].id if more else None,
        may_onboard=may(member.role, Permission.onboard_merchants),
    )  # fmt: skip


@router.get("/console/merchants/new")
def new_merchant(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    if not may(member.role, Permission.onboard_merchants):
        return forbidden(shell, request, member)
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


@router.post("/console/merchants/new")
async def onboard(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
    staff = ctx.service(StaffService)
    member = signed_in_staff(shell, request, staff)
    if not may(member.role, Permission.onboard_merchants):
        return forbidden(shell, request, member)
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open it again.")
    typed = {name: form.get(name, "").strip() for name in FIELDS}
    merchant_id = f"mer_{transfer_id_for(f'console:{member.id}', op):032x}"
    if ctx.merchants.by_id(merchant_id) is not None:  # the same form again
        return shell.redirect(f"/console/merchants/{merchant_id}")
    bps = typed["discount_bps"]
    result, made = ctx.merchants.onboard(
        typed["legal_name"], typed["display_name"], typed["mcc"], typed["country"].upper(),
        typed["city"], typed["currency"].upper(), int(bps) if bps.isdigit() else -1,
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
    records = ctx.payments.records
    recent = (
        records.page(Party.merchant, merchant.id, None, merchant_recent_payments) if records else []
    )
    endpoint = ctx.webhook_store.endpoint(merchant.id)
    return console_page(
        shell, request, member, "staff/merchant.html", merchant=merchant, payments=recent,
        webhook_url=endpoint.url if endpoint else None,
    )  # fmt: skip


@router.get("/console/merchants/{merchant_id}/qr.svg")
def merchant_qr(merchant_id: str, request: Request, ctx: Ctx) -> Response:
    """The merchant's static code, as its poster prints it."""
    shell = ctx.service(Shell)
    signed_in_staff(shell, request, ctx.service(StaffService))
    merchant = merchant_or_404(ctx.merchants, merchant_id)
    return Response(render(ctx.payments.merchant_qr(merchant), "svg"), media_type="image/svg+xml")
