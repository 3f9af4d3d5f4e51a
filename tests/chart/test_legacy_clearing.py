"""A ledger written before ADR 0023 keeps its clearing: accounts under the old layout (the
treasury's byte 0xF4, a hashed partner in the middle) are read forever, new ones open under
the clearing's own prefix, and a partner's position and settlement count both.

The old version is the same code with the old derivation put back for the first half: it
runs `colony demo`, whose Manila-to-Singapore payment books clearing legs between two
partners; the current code then refunds part of that payment, across currencies, which
opens the new accounts.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.chart import LEGACY, IdPrefix, undeclared
from colony.chart.check import legacy_counts
from colony.cli import demo_data
from colony.cli.main import app
from colony.cli.serve import build_context
from colony.kernel.money import ledger_of
from colony.ledger.verify import verify
from colony.partners import clearing
from colony.partners.clearing import ACCOUNT_PARTNER_CLEARING, Clearing, clearing_account_id
from colony.partners.model import HOUSE_PARTNER_ID
from colony.payments.cross_border import CrossBorderPayments
from colony.payments.service import PayResult
from colony.settlement.movements import MovementKind
from colony.settlement.service import SettlementService
from colony.settlement.windows import window_of

runner = CliRunner()
(OLD,) = LEGACY
REFUND_SGD_MINOR = 1_00


def test_clearing_written_under_the_old_layout_is_still_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/before.db"
    with monkeypatch.context() as before:
        before.setattr(clearing, "clearing_account_id", lambda p, ledger: OLD.account_id(ledger, p))
        before.setattr(clearing, "_LEGACY", [])
        told = runner.invoke(app, ["demo", "--database", url, "--expiry-wait", "1.0"])
    assert told.exit_code == 0, told.output
    assert "Merlion Pay SGD: net 1227" in told.stdout  # the demo's figure, under the old layout

    ctx = build_context(url)
    try:
        assert ctx.partners is not None and ctx.fx is not None
        brands = {p.brand: p.id for p in ctx.partners.store.page(None, 100)}
        merlion, bayanihan = brands["Merlion Pay"], brands["Bayanihan Pay"]
        partners = (merlion, bayanihan, HOUSE_PARTNER_ID)
        sgd, php = ledger_of("SGD"), ledger_of("PHP")
        old_accounts = [a for a in ctx.ledger.all_accounts() if a.code == ACCOUNT_PARTNER_CLEARING]
        assert old_accounts and all(OLD.holds(a.id) for a in old_accounts)
        book = Clearing(ctx.ledger, ctx.partners.store)
        before_nets = {
            (p, ledger): book.net_minor(p, ledger) for p in partners for ledger in (sgd, php)
        }
        assert before_nets[(merlion, sgd)] == 12_50  # the 12.50 the satay stall was paid

        (paid,) = ctx.ledger.lookup_transfers([demo_data.ledger_id("pay:maria:satay:php")])
        cross = CrossBorderPayments(ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, ctx.fx)
        rid = demo_data.ledger_id("refund:maria:satay:after-the-move")
        assert cross.refund(paid, REFUND_SGD_MINOR, rid).result is PayResult.ok

        (new_merlion,) = ctx.ledger.lookup_accounts([clearing_account_id(merlion, sgd)])
        assert IdPrefix.partner_clearing.holds(new_merlion.id)
        assert new_merlion.debits_posted == REFUND_SGD_MINOR  # the refund, on the new account
        after_nets = {
            (p, ledger): book.net_minor(p, ledger) for p in partners for ledger in (sgd, php)
        }
        assert after_nets[(merlion, sgd)] == 12_50 - REFUND_SGD_MINOR  # both accounts count
        per_currency: dict[int, int] = defaultdict(int)
        for (_, ledger), net in after_nets.items():
            per_currency[ledger] += net
        assert per_currency == {sgd: 0, php: 0}

        (refunded,) = ctx.ledger.lookup_transfers([rid])
        service = SettlementService(ctx.ledger, ctx.partners.store, ctx.clock)
        seen = {
            (m.kind, m.id, m.amount_minor)
            for stamp in (paid.timestamp, refunded.timestamp)
            for m in service.movements_of(merlion, window_of(stamp))
        }
        assert (MovementKind.payment, paid.id, 12_50) in seen  # on the old accounts
        assert (MovementKind.refund, rid, REFUND_SGD_MINOR) in seen  # on the new ones

        accounts = list(ctx.ledger.all_accounts())
        assert undeclared(accounts, ctx.ledger.all_transfers()) == []
        assert legacy_counts(accounts) == {OLD.name: len(old_accounts)}
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        ctx.ledger.close()
        ctx.close_stores()
