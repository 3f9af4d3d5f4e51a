"""The merchant portal's way in (`/merchant/signin`): the user's phone number, the one-time
code texted to it, then their password; the first sign-in after a user is added sets it
(as the wallet app sets its PIN). A texted code never replaces a password that is set.

A number that is no merchant user's gets no text, and its page reads the same as one that
is: which numbers belong to a shop is not told to whoever types them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import CredentialResult, CredentialService, SecretKind
from colony.merchants import MerchantUserService, credential_subject
from colony.phones import PhoneProofService, ProofResult, Purpose
from colony.web.merchant_access import AUDIENCE, HOME, password_refusal
from colony.web.shell import Shell
from colony.web.wallet_access import typed_phone

router = APIRouter(include_in_schema=False)


@router.get("/merchant/signin")
def signin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.session(request, AUDIENCE)
    if session is not None and session.signed_in:
        return shell.redirect(HOME)
    return shell.render(request, "merchants/signin_phone.html", phone="", error=None)


@router.post("/merchant/signin")
async def send_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
    t = shell.texts(request)
    phone = typed_phone(form.get("phone", ""))
    verification_id = ""
    if ctx.service(MerchantUserService).by_phone(phone) is not None:
        started, verification = ctx.service(PhoneProofService).start(
            phone, Purpose.merchant_sign_in
        )
        if verification is None:
            error = t("Too many codes went to this number: try in an hour.")
            if started is ProofResult.invalid_phone:
                error = t("Type the number with its country code, such as +65 8123 4567.")
            return shell.render(
                request, "merchants/signin_phone.html", status=400, phone=form.get("phone", ""),
                error=error,
            )  # fmt: skip
        verification_id = verification.id
    response = shell.redirect(f"{HOME}/signin/code")
    shell.step(request, response, AUDIENCE, "code_sent", phone=phone, verification=verification_id)
    return response


@router.get("/merchant/signin/code")
def code_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    return shell.render(request, "merchants/signin_code.html", phone=session.phone, error=None)


@router.post("/merchant/signin/code")
async def check_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    t = shell.texts(request)
    proved = ctx.service(PhoneProofService).check(
        session.verification, session.phone, Purpose.merchant_sign_in, form.get("code", "").strip()
    )
    user = ctx.service(MerchantUserService).by_phone(session.phone)
    if proved is not ProofResult.ok or user is None:
        error = {
            ProofResult.attempts_exhausted: t("Too many wrong codes: ask for a new one."),
            ProofResult.code_expired: t("That code has expired: ask for a new one."),
        }.get(proved, t("That code is wrong: check the text and try again."))
        return shell.render(
            request, "merchants/signin_code.html", status=400, phone=session.phone, error=error
        )
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
async def set_password(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    t = shell.texts(request)
    user = ctx.service(MerchantUserService).by_id(session.subject)
    credentials = ctx.service(CredentialService)
    if user is None:
        return shell.redirect(f"{HOME}/signin")
    if credentials.is_set(credential_subject(user)):
        # A password is changed by proving the old one, never replaced by a texted code alone.
        return shell.redirect(f"{HOME}/signin/password")
    password, again = form.get("password", ""), form.get("password_again", "")
    error = None
    if password != again:
        error = t("The two passwords differ: type the same password twice.")
    else:
        result = credentials.set(credential_subject(user), SecretKind.password, password)
        if result is CredentialResult.malformed_secret:
            error = t("A password is 10 to 128 characters.")
        elif result is CredentialResult.weak_secret:
            error = t("That password is too easy to guess: use more different characters.")
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
async def check_password(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = await shell.form(request)
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
async def sign_out(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    await shell.form(request)
    response = shell.redirect(f"{HOME}/signin")
    shell.end(request, response, AUDIENCE)
    return response
