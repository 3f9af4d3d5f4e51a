"""The operator console's access kit, shared by its pages: who is signed in (a staff member
whose session reached `signed_in` and who is still active: a deactivated one is out at their
next click), the console's frame, the refusal of what a role may not do (and a form posted by
a role that may), and the merchant a page names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from colony.merchants import Merchant, MerchantService
from colony.staff import Permission, Role, StaffMember, StaffService, may
from colony.web.i18n import N_
from colony.web.shell import Answered, Redirect, Refused, Shell

T = TypeVar("T")

AUDIENCE = "console"
ROLE_NAMES = {
    Role.operations: N_("Operations"),
    Role.risk: N_("Risk"),
    Role.finance: N_("Finance"),
    Role.support: N_("Support"),
    Role.read_only: N_("Read only"),
    Role.admin: N_("Admin"),
}


def signed_in_staff(shell: Shell, request: Request, staff: StaffService) -> StaffMember:
    """The signed-in staff member, or a redirect to the console's sign-in."""
    session = shell.signed_in(request, AUDIENCE)
    member = staff.by_id(session.subject)
    if member is None or not member.active:
        raise Redirect(f"/{AUDIENCE}/signin")
    return member


def a_page(read: Callable[[int], list[T]], rows: int) -> tuple[list[T], bool]:
    """A page of at most `rows` from `read(limit)`, and whether more follow it: one more
    than a page is read, so a "More" link shows only where there is more (a list of exactly
    one page led to an empty one)."""
    got = read(rows + 1)
    return got[:rows], len(got) > rows


def console_page(
    shell: Shell, request: Request, member: StaffMember, template: str, *, status: int = 200,
    **values: Any,
) -> Response:  # fmt: skip
    """A console screen behind sign-in: the frame shows who is signed in and the sections."""
    return shell.render(
        request, template, status=status, staff=member, role_name=ROLE_NAMES[member.role],
        may_read_sms=may(member.role, Permission.read_sms_outbox),
        may_manage_staff=may(member.role, Permission.manage_staff), **values,
    )  # fmt: skip


def forbidden(shell: Shell, request: Request, member: StaffMember) -> Response:
    """What a role may not do: 403, a page saying so, and nothing changed nor recorded."""
    return console_page(shell, request, member, "staff/forbidden.html", status=403)


def permitted(
    shell: Shell, request: Request, staff: StaffService, permission: Permission
) -> StaffMember:
    """The signed-in member, when their role holds `permission`; else the 403 page is the
    answer (`Answered`), nothing done."""
    member = signed_in_staff(shell, request, staff)
    if not may(member.role, permission):
        raise Answered(forbidden(shell, request, member))
    return member


def permitted_form(
    shell: Shell, request: Request, staff: StaffService, permission: Permission
) -> tuple[StaffMember, dict[str, str]]:
    """A console form posted by a member whose role holds `permission`: the member and the
    form's fields, its CSRF token checked first (`permitted` otherwise)."""
    form = shell.form(request)
    return permitted(shell, request, staff, permission), form


def merchant_or_404(merchants: MerchantService, merchant_id: str) -> Merchant:
    """The merchant a console page names, or 404."""
    found = merchants.by_id(merchant_id) if merchant_id.startswith("mer_") else None
    if found is None:
        raise Refused(404, "No such merchant.")
    return found
