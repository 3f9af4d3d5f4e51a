"""What each category and state is called on the screens, in English; the screens show them
in the viewer's language from the catalogues (src/colony/web/locales), which find these texts
by `N_`."""

from __future__ import annotations

from colony.disputes.model import Actor, Category, DisputeStatus, Status


def N_(msgid: str) -> str:
    """Marks a text for the catalogues (as web.i18n's N_ does; this package may not import
    the web shell)."""
    return msgid


CATEGORY_TEXTS = {
    Category.not_received: N_("Goods or service not received"),
    Category.not_as_described: N_("Not as described"),
    Category.charged_wrongly: N_("Charged the wrong amount"),
    Category.refund_not_received: N_("Refund not received"),
    Category.unauthorised: N_("A payment I did not make"),
    Category.service: N_("How I was treated"),
    Category.other: N_("Something else"),
}
STATUS_TEXTS = {
    Status.open: N_("Waiting for the merchant"),
    Status.acknowledged: N_("Acknowledged"),
    Status.holding: N_("Needs more time"),
    Status.escalated: N_("With Colony support"),
    Status.resolved: N_("Resolved"),
    Status.rejected: N_("Rejected"),
}
DISPUTE_STATUS_TEXTS = {
    DisputeStatus.needs_response: N_("Needs your response"),
    DisputeStatus.under_review: N_("Under review"),
    DisputeStatus.won: N_("Won"),
    DisputeStatus.lost: N_("Lost"),
}
ACTOR_TEXTS = {
    Actor.person: N_("The customer"),
    Actor.merchant: N_("The merchant"),
    Actor.staff: N_("Colony support"),
    Actor.rule: N_("A rule"),
}
