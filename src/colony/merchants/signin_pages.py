"""The merchant portal's way in (`/merchant/signin`): the user's phone number or email
address, the one-time code texted or mailed to it, then their password; the first sign-in
after a user is added sets it (as the wallet app sets its PIN). A code never replaces a
password that is set.

A number or address that is no merchant user's gets no code, and its page reads the same as
one that is: which belong to a shop is not told to whoever types them. Its requests are
counted as a user's are, so the limit is reached at the same request and for the same time
(docs/adr/0112). What is typed is taken as an email address when it holds an @
(docs/adr/0043).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import CredentialResult, CredentialService, SecretKind
from colony.kernel.clock import NS_PER_S
from colony.merchants import MerchantUser, MerchantUserService, credential_subject
from colony.phones import PhoneProofService, ProofResult, Purpose, email_address, is_phone_number
from colony.web.i18n import N_
from colony.web.merchant_access import AUDIENCE, HOME, password_refusal
from colony.web.shell import Shell, pages_router
from colony.web.signin_kit import by_email, not_sent, not_taken, set_first_secret
from colony.web.wallet_access import typed_phone

router = pages_router()

# Code requests for one number or address, a user's or not, in any window of
# `code_requests_window_s` seconds; the next is refused until the oldest leaves the window.
# Short, so that five requests by someone else keep the user out for 15 minutes, not an hour.
code_requests_max = 5
code_requests_window_s = 15 * 60
_TOO_MANY_TEXTS = N_("Too many codes were asked for this number: try in 15 minutes.")
_TOO_MANY_MAILS = N_("Too many codes were asked for this address: try in 15 minutes.")


@router.get("/merchant/signin")
def signin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.session(request, AUDIENCE)
    if session is not None and session.signed_in:
        return shell.redirect(HOME)
    return shell.render(request, "merchants/signin_phone.html", login="", error=None)


@router.post("/merchant/signin")
def send_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    t = shell.texts(request)
    typed = form.get("login", "")
    address = _address(typed)
    proofs = ctx.service(PhoneProofService)
    verification_id = ""
    if address is None:
        result = ProofResult.invalid_email if by_email(typed) else ProofResult.invalid_phone
        status, error = not_sent(t, result, typed)
        return shell.render(
            request, "merchants/signin_phone.html", status=status, login=typed, error=error
        )
    if not shell.sessions.take_code_request(
        address, shell.clock.now_ns(), code_requests_window_s * NS_PER_S, code_requests_max
    ):
        error = t(_TOO_MANY_MAILS if by_email(address) else _TOO_MANY_TEXTS)
        return shell.render(
            request, "merchants/signin_phone.html", status=429, login=typed, error=error
        )
    if _user(ctx, address) is not None or _invited(ctx, address):
        # The sender's own limit, over the same window, also counts codes the wallet app
        # sent to the number: a refusal there sends nothing but answers as a sent code does,
        # or a stranger could tell a user's number by asking the app for codes first.
        if by_email(address):
            _, verification = proofs.start_email(
                address, Purpose.merchant_sign_in, window_s=code_requests_window_s
            )
        else:
            _, verification = proofs.start(
                address, Purpose.merchant_sign_in, window_s=code_requests_window_s
            )
        verification_id = "" if verification is None else verification.id
    response = shell.redirect(f"{HOME}/signin/code")
    shell.step(
        request, response, AUDIENCE, "code_sent", address=address or "",
        verification=verification_id,
    )  # fmt: skip
    return response


def _address(typed: str) -> str | None:
    """What was typed as an email address in lower case or an E.164 number, or None."""
    if by_email(typed):
        return email_address(typed)
    phone = typed_phone(typed)
    return phone if is_phone_number(phone) else None


def _user(ctx: Ctx, address: str) -> MerchantUser | None:
    users = ctx.service(MerchantUserService)
    return users.by_email(address) if by_email(address) else users.by_phone(address)


def _invited(ctx: Ctx, address: str) -> bool:
    """A shop's invitation waits for this number (a user's email address never does: an
    invitation is kept for the number that was another shop's)."""
    return not by_email(address) and ctx.service(MerchantUserService).invitation_waits(address)


@router.get("/merchant/signin/code")
def code_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    return _code_page(shell, request, session.address, None)


def _code_page(shell: Shell, request: Request, address: str, error: str | None) -> Response:
    return shell.render(
        request, "merchants/signin_code.html", status=200 if error is None else 400,
        address=address, mailed=by_email(address), error=error,
    )  # fmt: skip


@router.post("/merchant/signin/code")
def check_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    t = shell.texts(request)
    proved = ctx.service(PhoneProofService).check(
        session.verification, session.address, Purpose.merchant_sign_in,
        form.get("code", "").strip(),
    )  # fmt: skip
    user = _user(ctx, session.address)
    if user is None and proved is ProofResult.ok and not by_email(session.address):
        user = ctx.service(MerchantUserService).accept_invitation(session.address)
    if proved is not ProofResult.ok or user is None:
        # No code went to a stranger's number: any code typed for it reads as wrong.
        wrong = proved if proved is not ProofResult.verification_not_found else None
        error = not_taken(t, wrong or ProofResult.code_wrong)
        return _code_page(shell, request, session.address, error)
    has_password = ctx.service(CredentialService).is_set(credential_subject(user))
    response = shell.redirect(f"{HOME}/signin/password" if has_password else f"{HOME}/password/new")
    shell.step(request, response, AUDIENCE, "code_proved", subject=user.id, verification="")
    return response


@router.get("/merchant/password/new")
def new_password_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.at_stage(request, AUDIENCE, "code_proved")
    return shell.render(request, "merchants/password_new.html", error=None)


@router.post("/merchant/password/new")
def set_password(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    t = shell.texts(request)
    user = ctx.service(MerchantUserService).by_id(session.subject)
    credentials = ctx.service(CredentialService)
    if user is None:
        return shell.redirect(f"{HOME}/signin")
    if credentials.is_set(credential_subject(user)):
        # A password is changed by proving the old one, never replaced by a texted code alone.
        return shell.redirect(f"{HOME}/signin/password")
    error = set_first_secret(
        t, credentials, credential_subject(user), SecretKind.password,
        form.get("password", ""), form.get("password_again", ""),
    )  # fmt: skip
    if error is not None:
        return shell.render(request, "merchants/password_new.html", status=400, error=error)
    response = shell.redirect(HOME)
    shell.step(request, response, AUDIENCE, "signed_in", subject=user.id)
    return response


@router.get("/merchant/signin/password")
def password_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.at_stage(request, AUDIENCE, "code_proved")
    return shell.render(request, "merchants/signin_password.html", error=None)


@router.post("/merchant/signin/password")
def check_password(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    user = ctx.service(MerchantUserService).by_id(session.subject)
    if user is None:
        return shell.redirect(f"{HOME}/signin")
    checked = ctx.service(CredentialService).check(
        credential_subject(user), form.get("password", "")
    )
    if checked.result is not CredentialResult.ok:
        error = password_refusal(shell, request, checked)
        return shell.render(request, "merchants/signin_password.html", status=400, error=error)
    response = shell.redirect(HOME)
    shell.step(request, response, AUDIENCE, "signed_in", subject=user.id)
    return response


@router.post("/merchant/signout")
def sign_out(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.form(request)
    response = shell.redirect(f"{HOME}/signin")
    shell.end(request, response, AUDIENCE)
    return response
