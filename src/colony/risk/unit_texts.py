"""What analysts read of the rules, in English; the console shows it in the viewer's
language from the catalogues (src/colony/web/locales), which find these texts by `N_`."""

from __future__ import annotations

from colony.risk.model import Decision, Reason
from colony.risk.rules import Mode


def N_(msgid: str) -> str:
    """Marks a text for the catalogues (as web.i18n's N_ does; this package may not import
    the web shell)."""
    return msgid


# The unit of each reason's threshold, as analysts see it.
THRESHOLD_UNITS: dict[Reason, str] = {
    Reason.velocity_1m: N_("payments in 1 min"),
    Reason.velocity_1h: N_("payments in 1 h"),
    Reason.velocity_24h: N_("payments in 24 h"),
    Reason.spend_24h: N_("US dollars spent in 24 h"),
    Reason.amount_unusual: N_("tenths of a standard deviation above the mean"),
    Reason.new_payee: N_("US dollars to a new payee"),
    Reason.new_device: N_("US dollars from a new device"),
    Reason.device_velocity_1h: N_("payments by one device in 1 h"),
    Reason.impossible_travel: N_("km/h between consecutive payments"),
    Reason.merchant_velocity_1m: N_("payments to one merchant in 1 min"),
    Reason.amount_large: N_("US dollars"),
    Reason.features_unavailable: N_("US dollars without features"),
    Reason.model_score_high: N_("model score, per mille"),
    Reason.model_score_very_high: N_("model score, per mille"),
    Reason.merchant_refunds_high: N_("refunds per thousand of the merchant's payments"),
    Reason.merchant_complaints_high: N_("complaints per thousand of the merchant's payments"),
    Reason.far_from_home: N_("km from the wallet's usual place"),
    Reason.night_hour: N_("before this hour, payer's local time"),
}
DECISION_TEXTS = {
    Decision.allow: N_("allow"),
    Decision.challenge: N_("challenge"),
    Decision.review: N_("review"),
    Decision.block: N_("block"),
}
MODE_TEXTS = {Mode.active: N_("active"), Mode.shadow: N_("shadow")}
