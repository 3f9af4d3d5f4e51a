"""The operator console's staff (`/console/staff`), an admin's alone (`manage_staff`): the
list a page at a time, adding a member, a member's page, changing their role, disabling and
enabling them and resetting their TOTP (docs/adr/0042).

A member added, or whose TOTP is reset, gets a one-time set-up link (`setup_pages.py`),
shown here once to the admin to hand over: the admin never sees the member's password nor
their TOTP secret. A new member's id derives from the form's `op`, so a form sent twice
adds one member. Every change but adding takes a reason, which the audit log keeps.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.staff import (
    Permission,
    Role,
    SetUpLink,
    StaffMember,
    StaffResult,
    StaffRoster,
    StaffService,
    staff_page_rows,
    staff_reason_chars_max,
)
from colony.web.console_access import (
    ROLE_NAMES,
    a_page,
    console_page,
    permitted,
)
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router

router = pages_router()

# Random bytes in an add form's `op` (its idempotency key).
op_bytes = 16
_STAFF_ID = re.compile(r"stf_[0-9a-f]{32}")
# The roles as the forms offer them, day-to-day ones first.
ROLES = list(Role)
REFUSALS = {
    StaffResult.invalid_email: N_("Type an email address, such as ada@colony.example."),
    StaffResult.invalid_name: N_("Type their name (up to 100 characters)."),
    StaffResult.email_taken: N_("A staff member has that email already."),
    StaffResult.invalid_reason: N_("Give a reason (up to {chars} characters): the log keeps it."),
    StaffResult.same_role: N_("They have that role already."),
    StaffResult.already_disabled: N_("This account is disabled already."),
    StaffResult.already_active: N_("This account is active already."),
    StaffResult.last_admin: N_(
        "That would leave no active admin: make another staff member an admin first."
    ),
    StaffResult.inactive: N_("Enable this account before resetting its TOTP."),
}
# The changes to a member, each with the form it is refused on ("access": disable, enable).
ACTIONS = {"role": "role", "disable": "access", "enable": "access", "totp": "totp"}
OWN_ACCOUNT = {
    "access": N_("You cannot disable your own account: ask another admin."),
    "totp": N_("You cannot reset your own TOTP: ask another admin."),
}


def _cursor(after: str | None) -> str | None:
    if after is not None and not _STAFF_ID.fullmatch(after):
        raise Refused(400, "after: a staff id the previous page gave", home="/console/staff")
    return after


def _member(ctx: Ctx, staff_id: str) -> StaffMember:
    found = ctx.service(StaffService).by_id(staff_id) if _STAFF_ID.fullmatch(staff_id) else None
    if found is None:
        raise Refused(404, "No such staff member.", home="/console/staff")
    return found


def _role(typed: str) -> Role:
    try:
        return Role(typed)
    except ValueError:
        raise Refused(400, "role: one of the roles the form offers", "/console/staff") from None


@router.get("/console/staff")
def staff_list(request: Request, ctx: Ctx, after: str | None = None) -> Response:
    shell = ctx.service(Shell)
    admin = permitted(shell, request, ctx.service(StaffService), Permission.manage_staff)
    roster = ctx.service(StaffRoster)
    members, more = a_page(lambda n: roster.page(_cursor(after), n), staff_page_rows)
    return console_page(
        shell, request, admin, "staff/staff.html", members=members, role_names=ROLE_NAMES,
        next_after=members[-1].id if more else None, now_ns=shell.clock.now_ns(),
    )  # fmt: skip


@router.get("/console/staff/new")
def new_member(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    admin = permitted(shell, request, ctx.service(StaffService), Permission.manage_staff)
    typed = {"email": "", "name": "", "role": Role.read_only.value}
    return _add_page(shell, request, admin, typed, shell.token_bytes(op_bytes).hex())


def _add_page(
    shell: Shell, request: Request, admin: StaffMember, typed: dict[str, str], op: str, *,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    return console_page(
        shell, request, admin, "staff/staff_new.html", status=status, typed=typed, op=op,
        error=error, roles=ROLES, role_names=ROLE_NAMES,
    )  # fmt: skip


@router.post("/console/staff/new")
def add_member(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    admin = permitted(shell, request, ctx.service(StaffService), Permission.manage_staff)
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open it again.", home="/console/staff")
    typed = {name: form.get(name, "").strip() for name in ("email", "name", "role")}
    staff_id = f"stf_{transfer_id_for(f'console:{admin.id}', op):032x}"
    if ctx.service(StaffService).by_id(staff_id) is not None:  # the same form again
        return shell.redirect(f"/console/staff/{staff_id}")
    made = ctx.service(StaffRoster).add(
        typed["email"], typed["name"], _role(typed["role"]), by=admin, staff_id=staff_id
    )
    if made.member is None:
        error = shell.texts(request)(REFUSALS[made.result])
        status = 409 if made.result is StaffResult.email_taken else 400
        return _add_page(shell, request, admin, typed, op, error=error, status=status)
    return _link_page(shell, request, admin, made)


def _link_page(shell: Shell, request: Request, admin: StaffMember, made: SetUpLink) -> Response:
    """The set-up link, shown this once (pages are never cached: guard.py)."""
    assert made.member is not None and made.token
    link = f"{str(request.base_url).rstrip('/')}/console/setup/{made.token}"
    return console_page(
        shell, request, admin, "staff/setup_link.html", shown=made.member, link=link,
        expires_at_ns=made.expires_at_ns,
    )  # fmt: skip


@router.get("/console/staff/{staff_id}")
def member_page(staff_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    admin = permitted(shell, request, ctx.service(StaffService), Permission.manage_staff)
    return _member_page(shell, request, admin, _member(ctx, staff_id))


def _member_page(
    shell: Shell, request: Request, admin: StaffMember, member: StaffMember, *,
    failed: str = "", error: str | None = None, reason: str = "", status: int = 200,
) -> Response:  # fmt: skip
    """The member's page; `failed` names the form refused ("role", "access", "totp")."""
    return console_page(
        shell, request, admin, "staff/member.html", status=status, shown=member, roles=ROLES,
        role_names=ROLE_NAMES, failed=failed, error=error, reason=reason,
        reason_chars_max=staff_reason_chars_max, now_ns=shell.clock.now_ns(),
    )  # fmt: skip


@router.post("/console/staff/{staff_id}/{action}")
def change(staff_id: str, action: str, request: Request, ctx: Ctx) -> Response:
    """`action`: role, disable, enable or totp (a reset)."""
    if action not in ACTIONS:
        raise Refused(404, "No such change to a staff member.", home="/console/staff")
    return _change(staff_id, request, ctx, action)


def _change(staff_id: str, request: Request, ctx: Ctx, action: str) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    admin = permitted(shell, request, ctx.service(StaffService), Permission.manage_staff)
    member = _member(ctx, staff_id)
    roster = ctx.service(StaffRoster)
    reason = form.get("reason", "")
    if action == "totp":
        made = roster.reset_totp(member.id, reason, by=admin)
        if made.member is not None:
            return _link_page(shell, request, admin, made)
        result = made.result
    elif action == "role":
        result = roster.change_role(member.id, _role(form.get("role", "")), reason, by=admin)
    elif action == "disable":
        result = roster.disable(member.id, reason, by=admin)
    else:
        result = roster.enable(member.id, reason, by=admin)
    if result is StaffResult.ok:
        return shell.redirect(f"/console/staff/{member.id}")
    failed = ACTIONS[action]
    text = OWN_ACCOUNT[failed] if result is StaffResult.own_account else REFUSALS[result]
    error = shell.texts(request)(text, chars=staff_reason_chars_max)
    status = 400 if result is StaffResult.invalid_reason else 409
    return _member_page(
        shell, request, admin, _member(ctx, member.id), failed=failed, error=error,
        reason=reason, status=status,
    )  # fmt: skip
