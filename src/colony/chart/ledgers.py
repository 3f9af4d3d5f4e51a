"""Ledger numbers: one ledger per currency, numbered by the currency's ISO 4217 numeric code.

Declared as a rule rather than a row per currency: the kernel's currency table is the list
(`kernel.money.ledger_of` and `currency_of_ledger`). Only a currency with a minor unit has a
ledger (XAU, XDR... hold no money here). Every number fits 16 bits, which the per-owner id
layout relies on (`prefixes.Layout.owner_ledger`); `problems` checks both.
"""

from __future__ import annotations

from colony.chart.ids import LEDGER_FIELD_BITS
from colony.kernel.money import currency_of_ledger, iso_4217_currencies, ledger_of

RULE = (
    "A currency's money lives on one ledger, numbered by the currency's ISO 4217 numeric code "
    "(USD 840, EUR 978, SGD 702, JPY 392): `kernel.money.ledger_of(currency)`, and "
    "`currency_of_ledger(ledger)` the other way. Only currencies with a minor unit have one."
)

__all__ = ["RULE", "currency_of_ledger", "held_ledgers", "ledger_of", "problems"]


def held_ledgers() -> dict[int, str]:
    """Every ledger number money can be held on -> its currency code."""
    held = [c for c in iso_4217_currencies().values() if c.scale is not None]
    return {c.numeric: c.code for c in held}


def problems() -> list[str]:
    """Why the rule cannot hold for the kernel's table: two currencies on one number, or a
    number past 16 bits (empty when it holds)."""
    held = [c for c in iso_4217_currencies().values() if c.scale is not None]
    numbers = [c.numeric for c in held]
    found = [f"ledger {n} is two currencies" for n in sorted(set(numbers)) if numbers.count(n) > 1]
    found += [
        f"ledger {c.numeric} ({c.code}) is zero or does not fit {LEDGER_FIELD_BITS} bits"
        for c in held
        if not 0 < c.numeric < 1 << LEDGER_FIELD_BITS
    ]
    return found
