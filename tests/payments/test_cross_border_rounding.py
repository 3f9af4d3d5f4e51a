"""The cross-border roundings, for every scale from 0 to 3 (docs/adr/0016): the mid part never
exceeds what the payer pays, and refunds at the payment's rate, however split, never give the
payer more than it paid nor take more out of FX revenue than the payment earned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from colony.fx.quotes import Quote, buy_for_sell, customer_rate, sell_for_buy
from colony.payments.cross_border import mid_part_minor, spread_back_minor, wallet_refund_minor
from colony.payments.store import CrossBorderRecord

# Pairs of currencies whose scales cover 0, 2 and 3 on either side.
PAIRS = [("CNY", "EUR"), ("JPY", "EUR"), ("EUR", "JPY"), ("KWD", "EUR"), ("CNY", "BHD"),
         ("JPY", "KWD"), ("BHD", "JPY")]  # fmt: skip
# Mid rates from tiny to large: 1 JPY in KWD to 1 KWD in JPY, and in between.
MIDS = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("2000"), places=6).filter(
    lambda d: d > 0
)


def quoted(sell: str, buy: str, mid: Decimal, spread_bps: int, amount: int, on_buy: bool) -> Quote:
    rate = customer_rate(mid, spread_bps)
    if on_buy:
        b, s = amount, sell_for_buy(amount, sell, buy, rate)
    else:
        s, b = amount, buy_for_sell(amount, sell, buy, rate)
    return Quote("fxq_1", "w", sell, buy, s, b, mid, rate, spread_bps, dt.date(2026, 12, 14),
                 "test", 0, 1)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    pair=st.sampled_from(PAIRS),
    mid=MIDS,
    spread_bps=st.integers(0, 1_000),
    amount=st.integers(1, 10**9),
    on_buy=st.booleans(),
    cuts=st.lists(st.integers(1, 10**9), max_size=6),
)
def test_refunds_never_give_back_more_than_was_paid(
    pair: tuple[str, str],
    mid: Decimal,
    spread_bps: int,
    amount: int,
    on_buy: bool,
    cuts: list[int],
) -> None:
    sell, buy = pair
    quote = quoted(sell, buy, mid, spread_bps, amount, on_buy)
    if quote.buy_amount_minor < 1:
        return  # the quote service refuses it (amount_too_small)
    mid_part = mid_part_minor(quote)
    assert 0 < mid_part <= quote.sell_amount_minor
    paid = CrossBorderRecord(
        1, quote.id, sell, quote.sell_amount_minor, mid_part,
        quote.sell_amount_minor - mid_part, quote.rate, quote.mid_rate,
    )  # fmt: skip
    # Partial refunds up to the payment, the last one taking the rest.
    left, refunds = quote.buy_amount_minor, []
    for cut in cuts:
        part = min(left, 1 + cut % quote.buy_amount_minor)
        if part:
            refunds.append(part)
            left -= part
    if left:
        refunds.append(left)
    backs = [wallet_refund_minor(x, sell, buy, quote.rate) for x in refunds]
    assert sum(backs) <= quote.sell_amount_minor
    spread_backs = [spread_back_minor(back, paid) for back in backs]
    assert sum(spread_backs) <= paid.spread_minor
    assert all(0 <= sb <= back for sb, back in zip(spread_backs, backs, strict=True))


def test_a_full_refund_gives_back_what_the_rate_says_rounded_down() -> None:
    # The worked example's quote: CNY 270.09 for EUR 34.90 at 0.1292207792.
    rate = Decimal("0.1292207792")
    assert wallet_refund_minor(3_490, "CNY", "EUR", rate) == 27_008  # 270.0804..., down
    assert wallet_refund_minor(1, "JPY", "EUR", Decimal("0.006123")) == 1  # 1.633 yen, down
    assert wallet_refund_minor(1, "KWD", "EUR", Decimal("3.1")) == 3  # 3.2258 fils, down
    assert wallet_refund_minor(1, "EUR", "JPY", Decimal("162")) == 0  # too small to refund
