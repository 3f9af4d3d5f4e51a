"""A staff member's set-up link (`/console/setup/<token>`), made by an admin: a new member
chooses a password, and adds Colony to their authenticator app (its QR code, or its key
typed), proving it with a code; after a TOTP reset they type their own password instead.
Using the link signs them in (docs/adr/0042).

The secret is on this page only while the link works; the page is never cached (guard.py),
and its QR code is drawn into the page itself, not served at an address of its own.
"""

from __future__ import annotations

import base64
import re

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import lock_s
from colony.staff import SetUp, StaffMember, StaffResult, StaffRoster, totp
from colony.web.console_access import AUDIENCE
from colony.web.i18n import N_
from colony.web.shell import Shell, pages_router

router = pages_router()

_TOKEN = re.compile(r"[0-9a-f]{64}")
# Characters of the TOTP key shown together, as authenticator apps group them.
key_group_chars = 4
GONE = {
    StaffResult.setup_unknown: N_(
        "This set-up link does not work: it was used already, or an admin made a newer one."
    ),
    StaffResult.setup_expired: N_("This set-up link has expired."),
    StaffResult.inactive: N_("This staff account is disabled."),
}
REFUSALS = {
    StaffResult.malformed_password: N_("A password is 10 to 128 characters."),
    StaffResult.weak_password: N_(
        "That password is too easy to guess: use more different characters."
    ),
    StaffResult.wrong_password: N_("That password is wrong."),
    StaffResult.unknown_staff: N_("That password is wrong."),
    StaffResult.locked: N_("Too many wrong passwords: try again in {minutes} min."),
    StaffResult.totp_wrong: N_("That code is wrong: type the one your app shows now."),
}


def _gone(shell: Shell, request: Request, result: StaffResult) -> Response:
    status = 410 if result is StaffResult.setup_expired else 404
    return shell.render(
        request, "staff/setup_gone.html", status=status, why=shell.texts(request)(GONE[result])
    )


def _setup_page(
    shell: Shell, request: Request, member: StaffMember, token: str, *,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    svg = totp.provisioning_qr_svg(member.totp_secret, member.email)
    secret = member.totp_secret
    key = " ".join(secret[i : i + key_group_chars] for i in range(0, len(secret), key_group_chars))
    return shell.render(
        request, "staff/setup.html", status=status, member=member, token=token, key=key,
        qr=f"data:image/svg+xml;base64,{base64.b64encode(svg).decode()}",
        new_password=member.setup is SetUp.password_and_totp, error=error,
    )  # fmt: skip


@router.get("/console/setup/{token}")
def setup_page(token: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    if not _TOKEN.fullmatch(token):
        return _gone(shell, request, StaffResult.setup_unknown)
    result, member = ctx.service(StaffRoster).setup_of(token)
    if member is None:
        return _gone(shell, request, result)
    return _setup_page(shell, request, member, token)


@router.post("/console/setup/{token}")
def finish_setup(token: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    if not _TOKEN.fullmatch(token):
        return _gone(shell, request, StaffResult.setup_unknown)
    roster = ctx.service(StaffRoster)
    result, member = roster.setup_of(token)
    if member is None:
        return _gone(shell, request, result)
    t = shell.texts(request)
    password = form.get("password", "")
    if member.setup is SetUp.password_and_totp and password != form.get("password_again", ""):
        error = t("The two passwords differ: type the same password twice.")
        return _setup_page(shell, request, member, token, error=error, status=400)
    result, finished = roster.finish_setup(token, password, form.get("code", ""))
    if finished is None:
        if result in GONE:
            return _gone(shell, request, result)
        error = t(REFUSALS[result], minutes=lock_s // 60)
        status = 429 if result is StaffResult.locked else 400
        return _setup_page(shell, request, member, token, error=error, status=status)
    response = shell.redirect("/console")
    shell.step(request, response, AUDIENCE, "signed_in", subject=finished.id)
    return response
