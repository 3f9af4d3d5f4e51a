"""A simulated market is served as it is: the services that make sure of their ledger
accounts (on start, reconciling every wallet; with each payment, its currency's control
account) take the market's imported history as theirs."""

from __future__ import annotations

from pathlib import Path

from colony.cli.serve import build_context
from colony.ledger.verify import verify
from colony.payments import PayResult
from tests.simulator.market_helpers import run_market


def test_serving_a_simulated_market_reconciles_its_imported_wallets(tmp_path: Path) -> None:
    summary, _ = run_market(tmp_path / "m.db", people=40, merchants=5, days=1, seed=5)
    assert summary.people == 40
    ctx = build_context(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        assert ctx.wallets.reconcile() == 40  # every wallet again: nothing refused
        wallet = next(iter(ctx.wallet_store.all("", 1)))
        assert ctx.wallets.balance(wallet) >= 0
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def test_a_served_market_takes_payments_in_the_currencies_it_imported(tmp_path: Path) -> None:
    # Every payment makes sure of its currency's control account, which the market imported.
    run_market(tmp_path / "m.db", people=40, merchants=5, days=1, seed=5)
    ctx = build_context(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        assert ctx.payments.records is not None
        merchant = ctx.merchants.by_id(ctx.payments.records.busiest(1)[0][0])
        assert merchant is not None
        payers = [w for w in ctx.wallet_store.all("", 100) if w.currency == merchant.currency]
        code = ctx.payments.merchant_qr(merchant)
        for payer in payers[:2]:  # the second payment finds the account remembered
            ctx.wallets.cash_in(payer.phone, payer.currency, 10_000)
            paid = ctx.payments.pay_by_qr(payer.phone, payer.currency, code, 1_000)
            assert paid.result is PayResult.ok
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        ctx.ledger.close()
        ctx.close_stores()
