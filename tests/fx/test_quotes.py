"""Quote pricing: the spread off the mid, and every rounding in the house's favour."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colony.fx.quotes import (
    buy_for_sell,
    customer_rate,
    quote_amount_minor_max,
    sell_for_buy,
    spread_bps_max,
)
from colony.kernel.money import scale_of


@pytest.mark.parametrize(
    ("mid", "spread_bps", "rate"),
    [
        ("150.25", 50, "149.49875"),
        ("0.00205", 100, "0.0020295"),
        ("485.5", 25, "484.28625"),
        ("1.5", 0, "1.5"),
        ("102.405698089", 50, "101.8936695"),  # 101.893669598... rounded down to 10 digits
        ("0.0000257", 30, "0.0000256229"),
    ],
)
def test_customer_rate_is_the_mid_less_the_spread_rounded_down(
    mid: str, spread_bps: int, rate: str
) -> None:
    assert f"{customer_rate(Decimal(mid), spread_bps):f}" == rate


@pytest.mark.parametrize("spread_bps", [-1, spread_bps_max + 1])
def test_spread_out_of_range_is_a_bug(spread_bps: int) -> None:
    with pytest.raises(ValueError, match="spread_bps"):
        customer_rate(Decimal(1), spread_bps)


# (sell, buy, amount given on one side, customer rate, the other side), worked by hand.
SELLS = [
    ("USD", "JPY", 10_000, "149.49875", 14_949),  # 14,949.875 yen: the customer gets 14,949
    ("JPY", "KWD", 1_000, "0.0020295", 2_029),  # 2.0295 KWD: 2.029 (3 decimals)
    ("JPY", "BHD", 1, "0.0024", 2),  # 0.0024 BHD: 2 fils
    ("IDR", "USD", 1, "0.0000612", 0),  # less than a cent: nothing (refused by the service)
    ("CLF", "USD", 12_345, "45.123", 5_570),  # 1.2345 CLF (4 decimals) = 55.7043... USD
    ("KWD", "TND", 1_001, "10.1", 10_110),  # 1.001 KWD = 10.1101 TND: 10.110
]
BUYS = [
    ("USD", "BHD", 1_000, "0.37412", 268),  # 1 BHD costs 2.6729... USD: 2.68
    ("KWD", "JPY", 10_000, "484.28625", 20_649),  # 20.64894... KWD: 20.649
    ("USD", "CLF", 1, "0.0221616", 1),  # 0.0001 CLF costs 0.0045 USD: a cent
    ("CLF", "USD", 100, "45.123", 222),  # 1 USD costs 0.02216... CLF: 0.0222
    ("EUR", "USD", 150, "1.5", 100),  # exact: no rounding at all
]


@pytest.mark.parametrize(("sell", "buy", "sell_minor", "rate", "buy_minor"), SELLS)
def test_sell_amount_given_rounds_the_buy_down(
    sell: str, buy: str, sell_minor: int, rate: str, buy_minor: int
) -> None:
    assert buy_for_sell(sell_minor, sell, buy, Decimal(rate)) == buy_minor


@pytest.mark.parametrize(("sell", "buy", "buy_minor", "rate", "sell_minor"), BUYS)
def test_buy_amount_given_rounds_the_sell_up(
    sell: str, buy: str, buy_minor: int, rate: str, sell_minor: int
) -> None:
    assert sell_for_buy(buy_minor, sell, buy, Decimal(rate)) == sell_minor


currencies = st.sampled_from(["USD", "JPY", "KWD", "BHD", "CLF", "IDR", "EUR"])
rates = st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("50000"), places=6)
amounts = st.integers(min_value=1, max_value=quote_amount_minor_max)


def _value(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-scale_of(currency))


@given(sell=currencies, buy=currencies, rate=rates, sell_minor=amounts)
def test_the_customer_never_receives_more_than_it_paid_for(
    sell: str, buy: str, rate: Decimal, sell_minor: int
) -> None:
    bought = buy_for_sell(sell_minor, sell, buy, rate)
    worth = _value(sell_minor, sell) * rate
    # The most whole minor units the sold amount is worth: not one more, not one fewer.
    assert _value(bought, buy) <= worth < _value(bought + 1, buy)


@given(sell=currencies, buy=currencies, rate=rates, buy_minor=amounts)
def test_the_customer_never_pays_less_than_it_owes(
    sell: str, buy: str, rate: Decimal, buy_minor: int
) -> None:
    paid = sell_for_buy(buy_minor, sell, buy, rate)
    owed = _value(buy_minor, buy)
    # The fewest whole minor units that buy it: one fewer would not.
    assert _value(paid, sell) * rate >= owed > _value(paid - 1, sell) * rate
