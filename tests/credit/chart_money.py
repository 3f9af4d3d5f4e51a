"""The credit line's money for the chart's check (tests/chart/test_ledger_keeps_to_the_chart.py):
Alice opens a line and pays a shop with it (200 from the line's principal, its limit drawn by
401), is refunded part (203 back to the line), repays some (413), splits a purchase into a
plan (its fee billed, 411), then her wallet is frozen so the due day's repayment cannot be
taken: overdue, interest and penalty accrue (410, 412, the lender's share 414), and 180 days
on the line is charged off (416); what she pays after is a recovery (417)."""

from __future__ import annotations

import datetime as dt

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.credit import CreditLineResult, CreditScores, LineService, LineState
from colony.payments import Funding, PayResult
from colony.wallets import WalletResult
from tests.credit.scorecards import hand_model


def move(ctx: ApiContext) -> None:
    lines = ctx.service(LineService)
    alice = ctx.wallet_store.by_phone(ALICE.phone, "SGD")
    assert alice is not None
    scores = ctx.service(CreditScores)
    scores.give_consent(alice)
    # After `colony demo`'s ledger story the market's Alice has none of her weeks before
    # (cli/demo_history.py goes only into an empty ledger): a day old, too new for the
    # shipped scorecard. This check is of the line's money, so a hand-made card scores her.
    shipped, scores.model = scores.model, hand_model()
    opened, line = lines.open(alice, 8)
    scores.model = shipped
    assert opened is CreditLineResult.ok and line is not None, opened
    _, shop = ctx.merchants.onboard("Line Shop Pte Ltd", "Line Shop", "5999", "SG", "Singapore",
                                    "SGD", 100)  # fmt: skip
    assert shop is not None
    code = ctx.payments.merchant_qr(shop)
    paid = ctx.payments.pay_by_qr(ALICE.phone, "SGD", code, 20_00, funding=Funding.credit_line)
    assert paid.result is PayResult.ok and paid.payment_id is not None
    assert ctx.payments.refund(paid.payment_id, 2_00).result is PayResult.ok
    assert lines.repay(alice, 3_00, 1 << 126 | 0x11E) is CreditLineResult.ok
    asked, _ = lines.ask_plan(alice, 6_00, 3, 1 << 126 | 0x11F)
    assert asked is CreditLineResult.ok
    assert ctx.wallets.freeze(alice.id, "chart check: the line's late path") is WalletResult.ok
    today = dt.datetime.now(dt.UTC).date()
    lines.run_day(today + dt.timedelta(days=45 + 200))
    stored = lines.store.by_id(line.id)
    assert stored is not None and stored.state is LineState.charged_off
    assert ctx.wallets.unfreeze(alice.id, "chart check done") is WalletResult.ok
    assert lines.repay(alice, 1_00, 1 << 126 | 0x120) is CreditLineResult.ok
