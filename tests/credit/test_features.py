"""A person's characteristics from their wallet's real ledger history, worked out by hand:
money in and out, the balance, regularity; nothing after the decision's moment is read, so a
decision made again later, after more money moved, is the same decision."""

from __future__ import annotations

import pytest

from colony.credit import decide_person, default_model
from colony.credit.account_history import read_history
from colony.kernel.clock import NS_PER_S
from tests.api.test_funding_api import Served

DAY_S = 86_400
ALICE, BOB = "+6591110003", "+6591110004"


def test_characteristics_read_only_the_past(served_at: Served) -> None:
    _, ctx, clock = served_at
    wallets = ctx.wallets
    _, alice = wallets.open_wallet(ALICE, "Alice Tan", "SGD")
    _, bob = wallets.open_wallet(BOB, "Bob Lim", "SGD")
    assert alice is not None and bob is not None
    opened = alice.created_at_ns
    for day in (1, 8):
        clock.set_ns(opened + day * DAY_S * NS_PER_S)
        assert wallets.cash_in(ALICE, "SGD", 40_000).result.name == "ok"
    clock.set_ns(opened + 9 * DAY_S * NS_PER_S)
    assert wallets.p2p(ALICE, BOB, "SGD", 30_000).result.name == "ok"
    clock.set_ns(opened + 15 * DAY_S * NS_PER_S)
    assert wallets.cash_in(ALICE, "SGD", 40_000).result.name == "ok"
    model, ledger = default_model(), ctx.ledger
    as_of = opened + 10 * DAY_S * NS_PER_S  # after the second cash-in and the P2P

    before = decide_person(model, ledger, alice, as_of)
    f = before.features
    assert f["account_age_days"] == pytest.approx(10.0)
    assert f["kyc_tier"] == 0.0 and f["repayment_record"] is None
    # Money in: the opening coin (1) and two cash-ins; out: the P2P.
    assert f["spend_to_income"] == pytest.approx(30_000 / 80_001)
    # Gaps between money in: the coin to day 1, day 1 to day 8.
    assert f["income_gap_cv"] == pytest.approx(abs(1 - 7) / (1 + 7))
    assert f["income_amount_cv"] is not None and f["income_amount_cv"] > 0
    assert f["payments_per_week"] == 0.0 and f["till_top_ups_share"] is None
    # A month's money in: 80,001 over 10 days, in whole dollars of the band's share.
    assert before.limit.currency == "SGD" and before.limit.amount_minor % 100 == 0

    clock.set_ns(opened + 20 * DAY_S * NS_PER_S)
    assert wallets.cash_in(ALICE, "SGD", 90_000).result.name == "ok"
    assert wallets.p2p(ALICE, BOB, "SGD", 45_000).result.name == "ok"
    again = decide_person(model, ledger, alice, as_of)
    assert again == before  # later money moved, the decision as of then is unchanged
    later = decide_person(model, ledger, alice, clock.now_ns() + NS_PER_S)
    assert later.features["spend_to_income"] == pytest.approx(75_000 / 210_001)
    assert later.features["income_gap_cv"] is not None
    assert later.features["account_age_days"] == pytest.approx(20.0, abs=1e-3)


def test_a_long_history_is_cut_to_its_newest_lines(served_at: Served) -> None:
    _, ctx, clock = served_at
    _, carol = ctx.wallets.open_wallet("+6591110005", "Carol Ong", "SGD")
    assert carol is not None
    for day in range(1, 6):
        clock.set_ns(carol.created_at_ns + day * DAY_S * NS_PER_S)
        assert ctx.wallets.cash_in("+6591110005", "SGD", 1_000 * day).result.name == "ok"
    as_of = clock.now_ns() + NS_PER_S
    whole = read_history(ctx.ledger, carol.account_id, as_of, opened_at_ns=carol.created_at_ns)
    assert [m.in_minor for m in whole.movements] == [1, 1_000, 2_000, 3_000, 4_000, 5_000]
    assert whole.opening_balance_minor == 0 and whole.start_ns == carol.created_at_ns
    cut = read_history(ctx.ledger, carol.account_id, as_of, lines_max=2)
    assert [m.in_minor for m in cut.movements] == [4_000, 5_000]
    assert cut.opening_balance_minor == 1 + 1_000 + 2_000 + 3_000  # from the line before
    assert cut.start_ns == cut.movements[0].timestamp
    assert cut.movements[-1].balance_minor == whole.movements[-1].balance_minor == 15_001
