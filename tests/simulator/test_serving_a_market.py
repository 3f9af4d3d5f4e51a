"""A simulated market is served as it is: the services that make sure of their ledger
accounts on start (reconciling every wallet) take the market's imported history as theirs."""

from __future__ import annotations

from pathlib import Path

from colony.cli.serve import build_context
from colony.ledger.verify import verify
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
