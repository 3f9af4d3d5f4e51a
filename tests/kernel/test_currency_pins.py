"""A currency table that would rescale money already held is refused; one that only changes
currencies nobody holds is not."""

from __future__ import annotations

import pytest

from colony.kernel.currency_pins import (
    CurrencyPin,
    CurrencyTableConflict,
    pins_of_table,
    scale_conflicts,
)
from tests.kernel.currency_tables import table_with

IDR, HUF, JPY = 360, 348, 392


def test_the_table_pins_every_held_currency_by_ledger_number() -> None:
    pins = pins_of_table()
    assert pins[IDR] == CurrencyPin(IDR, "IDR", 2)
    assert pins[JPY] == CurrencyPin(JPY, "JPY", 0)
    assert 959 not in pins  # gold: no minor unit, no ledger


@pytest.mark.parametrize(
    ("table_change", "held", "conflicting"),
    [
        ({}, [IDR, HUF, JPY], []),
        ({"IDR": 0}, [IDR, JPY], [IDR]),  # CLDR 48's figure, had the table followed babel
        ({"IDR": 0, "HUF": 0}, [JPY], []),  # nobody holds them: no amount changes meaning
        ({"IDR": 0, "HUF": 0}, [HUF, IDR, HUF], [HUF, IDR]),
        ({"JPY": None}, [JPY], [JPY]),  # a held currency the table no longer holds money in
    ],
)
def test_conflicts_are_held_ledgers_whose_scale_moved(
    table_change: dict[str, int | None], held: list[int], conflicting: list[int]
) -> None:
    pinned = pins_of_table()
    found = scale_conflicts(pinned, held, table_with(**table_change))
    assert [c.pin.ledger for c in found] == conflicting


def test_a_held_ledger_without_a_pin_takes_the_table() -> None:
    assert scale_conflicts({}, [IDR], table_with(IDR=0)) == []


def test_the_refusal_names_the_currency_both_scales_and_the_way_out() -> None:
    conflicts = scale_conflicts(pins_of_table(), [IDR], table_with(IDR=0))
    message = str(CurrencyTableConflict(conflicts))
    assert "ledger 360 holds IDR amounts written with 2 decimals" in message
    assert "now says IDR has 0 decimals" in message
    assert "iso_4217.csv" in message
