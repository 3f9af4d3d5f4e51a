"""Currency tables for tests: Colony's own, with some minor units changed, as a later table
(or a library followed blindly) might change them."""

from __future__ import annotations

import dataclasses

from colony.kernel.money import Currency, iso_4217_currencies


def table_with(**scales: int | None) -> dict[str, Currency]:
    """Colony's table with the named currencies' minor units replaced (None: no minor unit)."""
    table = dict(iso_4217_currencies())
    for code, scale in scales.items():
        table[code] = dataclasses.replace(table[code], scale=scale)
    return table
