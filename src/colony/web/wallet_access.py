"""The wallet app's access kit, shared by the shell's sign-in pages and the products'
screens that ask for the PIN again: whose PIN it is, a number as people type it, and what to
say when a PIN is not taken."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from colony.credentials import CheckOutcome, CredentialResult, lock_s
from colony.kernel.clock import NS_PER_S
from colony.kernel.errors import InvalidInput
from colony.kernel.money import Money
from colony.wallets import Wallet, WalletStore
from colony.web.i18n import N_
from colony.web.shell import Redirect, Shell

# Characters people type inside a phone number that are not part of it.
_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")


# What the app says when risk control blocks money leaving a wallet: never which rule fired
# (that would teach whoever took the phone how to get round it), only what to do.
RISK_STOPPED = N_(
    "Stopped for your safety: it did not look like you. If it was you, ask Colony's support."
)


def pin_subject(phone: str) -> str:
    return f"phone:{phone}"


def typed_phone(text: str) -> str:
    """A number as typed ("+65 8123-4567") as E.164 ("+6581234567"); "00" for "+"."""
    bare = _PHONE_PUNCTUATION.sub("", text.strip())
    return "+" + bare[2:] if bare.startswith("00") else bare


def pin_refusal(shell: Shell, request: Request, checked: CheckOutcome) -> str:
    """What to tell a person whose PIN was not taken."""
    t = shell.texts(request)
    result = checked.result
    if result is CredentialResult.locked:
        minutes = locked_minutes(shell, checked)
        return t("Too many wrong PINs: try again in {minutes} min.", minutes=minutes)
    if result is CredentialResult.not_set:
        return t("No PIN is set for this number yet.")
    return t(
        "That PIN is wrong: {left} tries left before a {minutes}-minute lock.",
        left=checked.attempts_left,
        minutes=lock_s // 60,
    )


def locked_minutes(shell: Shell, checked: CheckOutcome) -> int:
    """Whole minutes, rounded up, until a locked PIN or password may be tried again."""
    return max(1, -(-(checked.locked_until_ns - shell.clock.now_ns()) // (60 * NS_PER_S)))


def signed_in_wallet(shell: Shell, request: Request, wallets: WalletStore) -> Wallet:
    """The wallet of the app's signed-in visitor, or a redirect to sign in."""
    session = shell.signed_in(request, "app")
    wallet = wallets.by_id(session.subject)
    if wallet is None:
        raise Redirect("/app/signin")
    return wallet


def app_page(shell: Shell, request: Request, template: str, **values: Any) -> Response:
    """A screen behind the app's sign-in: the tab bar shows."""
    return shell.render(request, template, signed_in=True, **values)


def typed_amount(text: str, currency: str) -> int | None:
    """An amount as a person types it ("12.50", "1,200") in minor units of `currency`;
    None unless it is a number above zero with no more digits than the currency has."""
    try:
        minor = Money.parse(text.strip().replace(",", ""), currency).amount_minor
    except (InvalidInput, ValueError, ArithmeticError):
        return None
    return minor if minor > 0 else None
