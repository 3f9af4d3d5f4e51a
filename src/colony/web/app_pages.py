"""The wallet app's way in (`/app/signin`): a phone number, the one-time code texted to it,
then the person's 6-digit PIN (set at sign-up). Also the language switch, the app's manifest
and its service worker. The screens behind sign-in are the products' (`wallets/pages.py`).

Each step is a form (POST, then a redirect to the next step's page), and each step issues a
new session id (web/sessions.py). The PIN belongs to the number, not to one currency's
wallet: `phone:<E.164>` in the credentials table.
"""

from __future__ import annotations

from importlib import resources

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credentials import CredentialResult, CredentialService, SecretKind
from colony.phones import PhoneProofService, ProofResult, Purpose
from colony.wallets import WalletResult
from colony.web.i18n import LOCALES
from colony.web.shell import Shell, local_path, pages_router
from colony.web.signin_kit import not_sent, not_taken, set_first_secret
from colony.web.wallet_access import pin_refusal, pin_subject, typed_phone

router = pages_router()

AUDIENCE = "app"
# The currencies offered at sign-up, first the ones the demo market uses. A wallet in any
# other ISO 4217 currency can be opened over the API.
SIGNUP_CURRENCIES = ("SGD", "EUR", "CNY", "PHP", "USD", "GBP", "JPY", "THB", "MYR", "IDR")


@router.get("/app/signin")
def signin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.session(request, AUDIENCE)
    if session is not None and session.signed_in:
        return shell.redirect("/app")
    return shell.render(request, "web/signin_phone.html", phone="", error=None)


@router.post("/app/signin")
def send_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    t = shell.texts(request)
    phone = typed_phone(form.get("phone", ""))
    result, verification = ctx.service(PhoneProofService).start(phone, Purpose.sign_in)
    if verification is None:
        status, error = not_sent(t, result, phone)
        return shell.render(
            request, "web/signin_phone.html", status=status, phone=form.get("phone", ""),
            error=error,
        )  # fmt: skip
    response = shell.redirect("/app/signin/code")
    shell.step(
        request, response, AUDIENCE, "code_sent", address=phone, verification=verification.id
    )
    return response


@router.get("/app/signin/code")
def code_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    return shell.render(request, "web/signin_code.html", phone=session.address, error=None)


@router.post("/app/signin/code")
def check_code(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_sent")
    t = shell.texts(request)
    code = form.get("code", "").strip()
    proofs = ctx.service(PhoneProofService)
    proved = proofs.check(session.verification, session.address, Purpose.sign_in, code)
    if proved is not ProofResult.ok:
        return shell.render(
            request, "web/signin_code.html", status=400, phone=session.address,
            error=not_taken(t, proved),
        )  # fmt: skip
    wallets = ctx.wallet_store.of_phone(session.address)
    credentials = ctx.service(CredentialService)
    if not wallets:
        next_page = "/app/signup"
    elif credentials.is_set(pin_subject(session.address)):
        next_page = "/app/signin/pin"
    else:
        next_page = "/app/pin/new"
    response = shell.redirect(next_page)
    shell.step(request, response, AUDIENCE, "code_proved", verification="")
    return response


@router.get("/app/signup")
def signup_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    return shell.render(
        request, "web/signup.html", phone=session.address, currencies=SIGNUP_CURRENCIES,
        name="", currency=SIGNUP_CURRENCIES[0], error=None,
    )  # fmt: skip


@router.post("/app/signup")
def sign_up(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    t = shell.texts(request)
    name, currency = form.get("name", "").strip(), form.get("currency", "")
    result, wallet = ctx.wallets.open_wallet(session.address, name, currency)
    if wallet is None and result is not WalletResult.phone_taken:
        error = {
            WalletResult.invalid_name: t("Type your name (up to 100 characters)."),
            WalletResult.unknown_currency: t("Choose a currency from the list."),
        }.get(result, t("This wallet cannot be opened: {reason}.", reason=result.name))
        return shell.render(
            request, "web/signup.html", status=400, phone=session.address,
            currencies=SIGNUP_CURRENCIES, name=name, currency=currency, error=error,
        )  # fmt: skip
    return shell.redirect("/app/pin/new")


@router.get("/app/pin/new")
def new_pin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.at_stage(request, AUDIENCE, "code_proved")
    return shell.render(request, "web/pin_new.html", error=None)


@router.post("/app/pin/new")
def set_pin(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    t = shell.texts(request)
    wallets = ctx.wallet_store.of_phone(session.address)
    pin, again = form.get("pin", ""), form.get("pin_again", "")
    credentials = ctx.service(CredentialService)
    if not wallets:
        return shell.redirect("/app/signup")
    if credentials.is_set(pin_subject(session.address)):
        # A PIN is changed by proving the old one, never replaced by a texted code alone.
        return shell.redirect("/app/signin/pin")
    error = set_first_secret(
        t, credentials, pin_subject(session.address), SecretKind.pin, pin, again
    )
    if error is not None:
        return shell.render(request, "web/pin_new.html", status=400, error=error)
    response = shell.redirect("/app")
    shell.step(request, response, AUDIENCE, "signed_in", subject=wallets[0].id)
    return response


@router.get("/app/signin/pin")
def pin_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.at_stage(request, AUDIENCE, "code_proved")
    return shell.render(request, "web/signin_pin.html", error=None)


@router.post("/app/signin/pin")
def check_pin(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    session = shell.at_stage(request, AUDIENCE, "code_proved")
    wallets = ctx.wallet_store.of_phone(session.address)
    if not wallets:
        return shell.redirect("/app/signup")
    checked = ctx.service(CredentialService).check(
        pin_subject(session.address), form.get("pin", "")
    )
    if checked.result is not CredentialResult.ok:
        return shell.render(
            request, "web/signin_pin.html", status=400, error=pin_refusal(shell, request, checked)
        )
    response = shell.redirect("/app")
    shell.step(request, response, AUDIENCE, "signed_in", subject=wallets[0].id)
    return response


@router.post("/app/signout")
def sign_out(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.form(request)
    response = shell.redirect("/app/signin")
    shell.end(request, response, AUDIENCE)
    return response


@router.post("/app/language")
def switch_language(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    response = shell.redirect(local_path(form.get("next"), "/app"))
    if form.get("locale") in LOCALES:
        shell.language_cookie(response, form["locale"])
    return response


@router.get("/app/manifest.webmanifest")
def manifest(request: Request, ctx: Ctx) -> Response:
    t = ctx.service(Shell).texts(request)
    return Response(
        ctx.service(Shell).templates.get_template("web/manifest.json").render(t=t),
        media_type="application/manifest+json",
    )


@router.get("/app/sw.js")
def service_worker() -> Response:
    # Served from /app so its scope is the app; a file of the shell's static assets.
    source = resources.files("colony.web") / "static" / "web" / "sw.js"
    # Its scope is /app itself, one level above the script's folder: allowed by this header.
    return Response(
        source.read_bytes(),
        media_type="text/javascript",
        headers={"service-worker-allowed": "/app"},
    )
