"""The no-PIN limit is one amount in US dollars, read in each payment's currency through risk
control's table of minor units a dollar (docs/adr/0113): not one count of minor units, which
meant SGD 300 but IDR 300 (under two US cents) and KRW 30,000 (about USD 22)."""

from __future__ import annotations

import pytest

from colony.payments.service import no_pin_limit_minor


@pytest.mark.parametrize(
    ("currency", "limit_minor"),
    [
        ("USD", 25_000),  # USD 250.00
        ("SGD", 32_000),  # SGD 320.00
        ("EUR", 22_500),  # EUR 225.00
        ("JPY", 39_250),  # JPY 39,250 (no minor unit)
        ("KRW", 333_750),  # KRW 333,750 (no minor unit)
        ("IDR", 453_705_000),  # IDR 4,537,050.00
    ],
)
def test_the_limit_in_each_currency(currency: str, limit_minor: int) -> None:
    assert no_pin_limit_minor(currency) == limit_minor
