"""The merchant portal's access kit, shared by its sign-in and its screens
(`merchants/*_pages.py`): the signed-in user and their merchant, a screen behind sign-in,
what only an owner may do, and what to say when a password is not taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from colony.credentials import CheckOutcome, CredentialResult, lock_s
from colony.merchants import (
    Merchant,
    MerchantService,
    MerchantUser,
    MerchantUserService,
    refund_reason_chars_max,
)
from colony.web.i18n import N_, Texts
from colony.web.shell import Redirect, Refused, Shell
from colony.web.wallet_access import locked_minutes

AUDIENCE = "merchant"
HOME = "/merchant"
# How a payment's status reads (payments' PaymentStatus, by its value).
PAYMENT_STATUS_NAMES = {
    "held": N_("Held"),
    "succeeded": N_("Paid"),
    "refunded": N_("Refunded"),
    "partly_refunded": N_("Partly refunded"),
    "canceled": N_("Canceled"),
}
# Why a refund was refused (payments' PayResult, by its name), in the portal and the console.
REFUND_REFUSALS = {
    "refund_exceeds_payment": N_("That is more than is left to refund."),
    "balance_cap_exceeded": N_("The payer's wallet cannot take that much back."),
}
OTHER_REFUSAL = N_("The refund was refused: {reason}.")


def refund_form_error(t: Texts, amount_minor: int | None, reason: str) -> str | None:
    """What is wrong with a refund form as typed (an amount above zero and a reason), or
    None: the same rules wherever a refund is asked for."""
    if amount_minor is None:
        return t("Type an amount above zero, such as 12.50.")
    if not reason or len(reason) > refund_reason_chars_max or not reason.isprintable():
        return t("Say why you refund, in up to {chars} characters.", chars=refund_reason_chars_max)
    return None


def refund_refusal(t: Texts, result_name: str) -> str:
    return t(REFUND_REFUSALS.get(result_name, OTHER_REFUSAL), reason=result_name)


@dataclass(frozen=True)
class Portal:
    """Who is signed in, for which merchant; whether the operator suspended it (ADR 0114)."""

    user: MerchantUser
    merchant: Merchant
    suspended: bool = False


def signed_in(
    shell: Shell, request: Request, users: MerchantUserService, merchants: MerchantService
) -> Portal:
    """The portal's signed-in user and merchant, or a redirect to sign in (a user removed
    since is signed out at their next request)."""
    session = shell.signed_in(request, AUDIENCE)
    user = users.by_id(session.subject)
    merchant = merchants.by_id(user.merchant_id) if user is not None else None
    if user is None or merchant is None:
        raise Redirect(f"{HOME}/signin")
    return Portal(user, merchant, merchants.is_suspended(merchant.id))


S = TypeVar("S")


class Served(Protocol):
    """What the portal's pages read from the server's context (the API's `ApiContext`)."""

    merchants: MerchantService

    def service(self, kind: type[S]) -> S: ...


def portal_of(ctx: Served, request: Request) -> Portal:
    """`signed_in`, with the server's own shell and stores."""
    return signed_in(ctx.service(Shell), request, ctx.service(MerchantUserService), ctx.merchants)


def owner_portal_of(ctx: Served, request: Request) -> Portal:
    """The signed-in owner's portal: a redirect to sign in, or 403 for a cashier."""
    portal = portal_of(ctx, request)
    owner_only(ctx.service(Shell), request, portal)
    return portal


def owner_only(shell: Shell, request: Request, portal: Portal) -> None:
    """Refuse (403, nothing done) what only the merchant's owner may do."""
    if not portal.user.is_owner:
        t = shell.texts(request)
        raise Refused(403, t("Only the shop's owner can do this."), home=HOME)


def portal_page(
    shell: Shell, request: Request, template: str, portal: Portal, **values: Any
) -> Response:
    """A screen behind the portal's sign-in: the menu shows, owners' items to owners."""
    return shell.render(request, template, portal=portal, signed_in=True, **values)


def password_refusal(shell: Shell, request: Request, checked: CheckOutcome) -> str:
    """What to tell a merchant user whose password was not taken."""
    t = shell.texts(request)
    if checked.result is CredentialResult.locked:
        minutes = locked_minutes(shell, checked)
        return t("Too many wrong passwords: try again in {minutes} min.", minutes=minutes)
    if checked.result is CredentialResult.not_set:
        return t("No password is set for this user yet.")
    return t(
        "That password is wrong: {left} tries left before a {minutes}-minute lock.",
        left=checked.attempts_left,
        minutes=lock_s // 60,
    )
