"""The wallet app's access kit, shared by the shell's sign-in pages and the products'
screens that ask for the PIN again: whose PIN it is, a number as people type it, and what to
say when a PIN is not taken."""

from __future__ import annotations

import re

from starlette.requests import Request

from colony.credentials import CheckOutcome, CredentialResult
from colony.kernel.clock import NS_PER_S
from colony.web.shell import Shell

# Characters people type inside a phone number that are not part of it.
_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")


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
        until_ns = checked.locked_until_ns
        minutes = max(1, -(-(until_ns - shell.clock.now_ns()) // (60 * NS_PER_S)))
        return t("Too many wrong PINs: try again in {minutes} min.", minutes=minutes)
    if result is CredentialResult.not_set:
        return t("No PIN is set for this number yet.")
    return t(
        "That PIN is wrong: {left} tries left before a 15-minute lock.",
        left=checked.attempts_left,
    )
