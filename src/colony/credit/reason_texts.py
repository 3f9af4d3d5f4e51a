"""What each reason code tells the person (or the operator, of a merchant), in English; the
screens show it in the person's language from the catalogues (src/colony/web/locales), which
find these texts by `N_`."""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Marks a text for the catalogues (as web.i18n's N_ does; this package may not import
    the web shell)."""
    return msgid


REASON_TEXTS = {
    "P01": N_("You have no record yet of repaying credit with Colony, or it shows late payments."),
    "P02": N_("Your wallet is new: there is little history to go on."),
    "P03": N_("Your identity is not verified."),
    "P04": N_("Money comes into your wallet at irregular times."),
    "P05": N_("The amounts coming into your wallet vary a lot."),
    "P06": N_("You spend most of the money that comes in."),
    "P07": N_("Your balance is small compared with what you spend."),
    "P08": N_("Your balance often runs nearly empty."),
    "P09": N_("You often top up just before paying."),
    "P10": N_("Much of your spending is in a few large payments."),
    "P11": N_("You pay with your wallet only now and then."),
    "M01": N_("The shop is new on Colony."),
    "M02": N_("The shop makes sales on few days."),
    "M03": N_("A large share of the shop's sales is refunded."),
    "M04": N_("Many of the shop's sales are refunded."),
    "M05": N_("The shop makes few sales."),
    "M06": N_(
        "The shop has no record yet of repaying credit with Colony, or it shows late payments."
    ),
    "M07": N_("People often complain about the shop."),
}
