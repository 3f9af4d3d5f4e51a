"""The merchant portal's staff screen, the owner's only: the shop's users, adding a cashier
(their phone number and name; they set their password at their first sign-in) and removing
one. A removed user's sessions end at once."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import CredentialService
from colony.merchants import (
    MerchantUserService,
    UserResult,
    credential_subject,
    email_chars_max,
    user_name_chars_max,
)
from colony.web.i18n import N_
from colony.web.merchant_access import (
    AUDIENCE,
    HOME,
    Portal,
    owner_portal_of,
    portal_page,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_phone

router = pages_router()

ADD_REFUSALS = {
    UserResult.invalid_phone: N_("Type the number with its country code, such as +65 8123 4567."),
    UserResult.invalid_name: N_("Type their name (up to 100 characters)."),
    UserResult.phone_taken: N_("That number is one of your staff already."),
    UserResult.invalid_email: N_(
        "Type an email address such as name@example.com, or leave it empty."
    ),
    UserResult.email_taken: N_("That email address is one of your staff's already."),
    UserResult.too_many_staff: N_("Your staff list is full: remove someone first."),
}
OTHER_REFUSAL = N_("The cashier was not added: {reason}.")


def _staff_page(
    ctx: Ctx, request: Request, portal: Portal, *, status: int = 200, error: str | None = None,
    phone: str = "", name: str = "", email: str = "",
) -> Response:  # fmt: skip
    service = ctx.service(MerchantUserService)
    users = service.of_merchant(portal.merchant.id)
    # A cashier kept as an invitation reads as a new one who has not signed in: the owner is
    # not told which numbers are other shops' (docs/adr/0115).
    credentials = ctx.service(CredentialService)
    waiting = {u.id for u in users if not credentials.is_set(credential_subject(u))}
    invited = service.invitations_of(portal.merchant.id)
    waiting |= {u.id for u in invited}
    listed = sorted([*users, *invited], key=lambda u: (u.created_at_ns, u.id))
    return portal_page(
        ctx.service(Shell), request, "merchants/staff.html", portal, status=status, users=listed,
        waiting=waiting,
        error=error, phone=phone, name=name, email=email, name_chars_max=user_name_chars_max,
        email_chars_max=email_chars_max,
    )  # fmt: skip


@router.get("/merchant/staff")
def staff(request: Request, ctx: Ctx) -> Response:
    return _staff_page(ctx, request, owner_portal_of(ctx, request))


@router.post("/merchant/staff")
def add_cashier(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = owner_portal_of(ctx, request)
    phone, name, email = form.get("phone", ""), form.get("name", ""), form.get("email", "")
    result = ctx.service(MerchantUserService).add_by_owner(
        portal.merchant.id, typed_phone(phone), name, email
    )
    if result is not UserResult.ok:
        t = shell.texts(request)
        error = t(ADD_REFUSALS.get(result, OTHER_REFUSAL), reason=result.name)
        return _staff_page(
            ctx, request, portal, status=400, error=error, phone=phone, name=name, email=email
        )
    return shell.redirect("/merchant/staff")


@router.post("/merchant/staff/{user_id}/remove")
def remove(user_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.form(request)
    portal = owner_portal_of(ctx, request)
    result = ctx.service(MerchantUserService).remove(portal.merchant.id, user_id)
    if result is UserResult.last_owner:
        raise Refused(409, shell.texts(request)("A shop keeps at least one owner."), home=HOME)
    if result is not UserResult.ok:
        raise Refused(404, "No such user of this shop.", home=HOME)
    shell.sessions.end_all(AUDIENCE, user_id)
    return shell.redirect("/merchant/staff")
