"""The operator console's way in (`/console/signin`): an email and a password, then the
6-digit code of the staff member's authenticator app; and signing out.

Each step is a form (POST, then a redirect to the next step's page) and issues a new session
id (web/sessions.py). Every try is written to the audit log by `StaffService`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import lock_s
from colony.kernel.clock import NS_PER_S
from colony.staff import AuditAction, StaffResult, StaffService
from colony.web.console_access import AUDIENCE
from colony.web.shell import Shell, pages_router

router = pages_router()


@router.get("/console/signin")
def signin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.session(request, AUDIENCE)
    if session is not None and session.signed_in:
        return shell.redirect("/console")
    return shell.render(request, "staff/signin.html", email="", error=None)


@router.post("/console/signin")
def check_password(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    t = shell.texts(request)
    email = form.get("email", "")
    checked = ctx.service(StaffService).check_password(email, form.get("password", ""))
    if checked.member is None:
        # An unknown email reads as a wrong password: the page tells nobody who is staff.
        error = t("That email and password do not match.")
        if checked.result is StaffResult.setup_pending:  # told only after the right password
            error = t("Your set-up link is not used yet: open the link an admin gave you.")
        if checked.result is StaffResult.locked:
            minutes = max(
                1, -(-(checked.locked_until_ns - shell.clock.now_ns()) // (60 * NS_PER_S))
            )
            error = t("Too many wrong tries: try again in {minutes} min.", minutes=minutes)
        status = 429 if checked.result is StaffResult.locked else 400
        return shell.render(request, "staff/signin.html", status=status, email=email, error=error)
    response = shell.redirect("/console/signin/totp")
    shell.step(request, response, AUDIENCE, "password_proved", subject=checked.member.id)
    return response


@router.get("/console/signin/totp")
def totp_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.at_stage(request, AUDIENCE, "password_proved")
    return shell.render(request, "staff/signin_totp.html", error=None)


@router.post("/console/signin/totp")
def check_totp(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "password_proved")
    t = shell.texts(request)
    result = ctx.service(StaffService).check_totp(session.subject, form.get("code", ""))
    if result in (StaffResult.unknown_staff, StaffResult.inactive):
        response = shell.redirect("/console/signin")
        shell.end(request, response, AUDIENCE)
        return response
    if result is not StaffResult.ok:
        error = {
            StaffResult.totp_wrong: t("That code is wrong: type the one your app shows now."),
            StaffResult.totp_reused: t("That code was used already: wait for the next one."),
            StaffResult.totp_locked: t(
                "Too many wrong codes: try again in {minutes} min.", minutes=lock_s // 60
            ),
        }[result]
        status = 429 if result is StaffResult.totp_locked else 400
        return shell.render(request, "staff/signin_totp.html", status=status, error=error)
    response = shell.redirect("/console")
    shell.step(request, response, AUDIENCE, "signed_in")
    return response


@router.post("/console/signout")
def sign_out(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.form(request)
    session = shell.session(request, AUDIENCE)
    if session is not None and session.signed_in:
        ctx.service(StaffService).record(session.subject, AuditAction.sign_out, session.subject, "")
    response = shell.redirect("/console/signin")
    shell.end(request, response, AUDIENCE)
    return response
