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
from colony.kernel.money import Money, amount_minor_max, scale_of
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
    """An amount as a person types it in minor units of `currency`: "12.50", "12,50",
    "1,200", "1 200,50", "1.200,50"; None unless it is a number above zero with no more
    decimals than the currency has and no more than storage holds (`amount_minor_max`).

    A decimal comma is read as one, never as a thousands separator: "12,50" is 12.50 (it
    was 1,250.00 once, a hundred times what a Finnish payer meant). Where both marks are
    typed the last is the decimal mark; a single comma before exactly three digits ("1,200")
    groups thousands in a currency of fewer than three decimals, as it does where a point is
    the decimal mark; a grouping mark must group threes ("1,20,0" is not an amount); any
    other single mark before three digits ("1.250" SGD, "1,250" or "1.250" KWD) is no
    amount: read two ways, a thousand times apart. After a 0 a mark is a decimal mark
    ("0,500" is half)."""
    if "_" in text:
        return None  # the grouping spaces' stand-in below
    decimal = _decimal_text(_GROUP_SPACES.sub("_", text.strip()), scale_of(currency))
    if decimal is None:
        return None
    try:
        minor = Money.parse(decimal, currency).amount_minor
    except (InvalidInput, ValueError, ArithmeticError):
        return None
    return minor if 0 < minor <= amount_minor_max else None


# Spaces a number may be grouped with: plain, no-break and narrow no-break (Finnish "1 200").
_GROUP_SPACES = re.compile(r"(?<=[0-9])[ \u00a0\u202f](?=[0-9])")
# Thousands grouped: a first group of one to three digits, not starting with 0 ("0,500" is
# half of something, never five hundred), then groups of three.
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:G[0-9]{3})+")


def _ungrouped(text: str, mark: str) -> str | None:
    """`text`'s digits where every `mark` in it groups threes ("1,200,000"), else None."""
    if mark not in text:
        return text
    return text.replace(mark, "") if _GROUPED.fullmatch(text.replace(mark, "G")) else None


def _decimal_text(typed: str, scale: int) -> str | None:
    """`typed` (its grouping spaces as "_") as plain decimal text ("1200.50") in a currency
    of `scale` decimals, or None when its marks make no number or two."""
    last = max(typed.rfind("."), typed.rfind(","))
    if last < 0:
        return _ungrouped(typed, "_")
    mark = typed[last]
    whole, decimals = typed[:last], typed[last + 1 :]
    if whole.isdigit() and _GROUPED.fullmatch(f"{whole}G{decimals}"):
        # One mark before three digits, "1,200" or "1.200": thousands, or three decimals.
        # Thousands for a comma where the currency has fewer decimals (as English and
        # Chinese write it); any other such number is read two ways by the world's payers,
        # a thousand times apart, so it is asked again, never guessed.
        return whole + decimals if mark == "," and scale < 3 else None
    if mark in whole:
        # Only grouping marks, of one kind: "1,200,000", "1.200.000".
        return _ungrouped(typed, mark)
    marks = {m for m in "_.," if m in whole}
    if len(marks) > 1 or not decimals.isdigit():
        return None
    grouped = _ungrouped(whole, marks.pop()) if marks else whole
    return None if grouped is None else f"{grouped or '0'}.{decimals}"
