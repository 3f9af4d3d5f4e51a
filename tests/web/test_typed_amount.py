"""Amounts as people type them into the app, the portal and the console (`typed_amount`):
a decimal comma is a decimal mark, grouping marks group threes, and what could be read two
ways is asked again rather than guessed: a misread mark is a payment a hundred or a
thousand times too large or too small."""

from __future__ import annotations

import pytest

from colony.kernel.money import amount_minor_max
from colony.web.wallet_access import typed_amount


@pytest.mark.parametrize(
    ("typed", "sgd", "jpy", "kwd"),
    [
        ("12.50", 1250, None, 12500),
        ("12,50", 1250, None, 12500),  # Finnish: 12.50, not 1,250.00
        ("12,5", 1250, None, 12500),
        ("0,5", 50, None, 500),
        (",50", 50, None, 500),
        (" 7 ", 700, 7, 7000),
        ("1,200", 120000, 1200, None),  # a single comma before three digits groups
        ("1,250,000", 125000000, 1250000, 1250000000),
        ("1.250.000", 125000000, 1250000, 1250000000),
        ("1,200.50", 120050, None, 1200500),
        ("1.200,50", 120050, None, 1200500),
        ("1 200,50", 120050, None, 1200500),
        ("1\u00a0250,75", 125075, None, 1250750),  # a no-break space
        ("1\u202f250", 125000, 1250, 1250000),  # a narrow no-break space
        ("1 200 300", 120030000, 1200300, 1200300000),
        ("1.250", None, None, None),  # 1.25 or 1,250: asked again
        ("1,250", 125000, 1250, None),  # thousands, but in KWD 1.250 to some: asked again
        ("12,345", 1234500, 12345, None),
        ("1234,567", None, None, 1234567),  # no thousands group of four: decimals only
        ("0.250", 25, None, 250),
        ("0,500", 50, None, 500),  # after a 0, a decimal mark: half, never five hundred
        ("0,050", 5, None, 50),
        ("00,500", 50, None, 500),
        (",500", 50, None, 500),
        ("1,20,0", None, None, None),  # grouping marks group threes
        ("1,2,3", None, None, None),
        ("1,200,50", None, None, None),
        ("12,50,5", None, None, None),
        ("12.5.0", None, None, None),
        ("1.200.50", None, None, None),
        ("1 2", None, None, None),
        ("12 ,50", None, None, None),
        ("1_200", None, None, None),
        ("12.", None, None, None),
        ("1e3", None, None, None),
        ("\u0661\u0662", None, None, None),  # Arabic-Indic digits
        ("abc", None, None, None),
        ("", None, None, None),
        ("-5", None, None, None),
        ("0", None, None, None),
        ("0,00", None, None, None),
        ("99999999999999999999999", None, None, None),  # past what storage holds
    ],
)
def test_typed_amounts(typed: str, sgd: int | None, jpy: int | None, kwd: int | None) -> None:
    assert (typed_amount(typed, "SGD"), typed_amount(typed, "JPY"), typed_amount(typed, "KWD")) == (
        sgd,
        jpy,
        kwd,
    )


def test_the_largest_amount_storage_holds_and_one_more() -> None:
    largest = f"{amount_minor_max // 100}.{amount_minor_max % 100:02d}"
    assert typed_amount(largest, "SGD") == amount_minor_max
    assert (
        typed_amount(f"{amount_minor_max // 100}.{amount_minor_max % 100 + 1:02d}", "SGD") is None
    )
