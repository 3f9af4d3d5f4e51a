"""A credit market's complaints (docs/adr/0065): people complain about their own payments,
through the complaints service, more about the shops whose hidden creditworthiness is low;
the complaints draw from streams of their own, so the ledger is the one built without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from colony.cli.simulate_commands import market_services, rates_age_days_for
from colony.disputes import open_complaint_store
from colony.simulator import SimulationConfig, credit_truth, ledger_digest, simulate
from colony.simulator.credit_truth import CreditTruth
from colony.simulator.population import people, shops
from colony.simulator.streams import stream
from colony.simulator.world import Market
from tests.simulator.market_helpers import LAST_DAY


def _market(db: Path) -> tuple[dict[str, int], str, int]:
    url = f"sqlite:///{db}"
    config = SimulationConfig(80, 30, 4, 3, LAST_DAY, credit=True)
    with market_services(url, config.seed) as services:
        services.quotes.rates.max_age_days = rates_age_days_for(LAST_DAY)
        summary = simulate(services, config)
        digest = ledger_digest(services.ledger)
    store = open_complaint_store(url)
    try:
        filed = len(store.since(0, 10_000))
    finally:
        store.close()
    return summary.stats, digest, filed


def test_people_complain_about_their_payments_without_moving_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, quiet_digest, none_filed = _market(tmp_path / "quiet.db")
    monkeypatch.setattr(credit_truth, "merchant_complaint_per_mille_min", 400)
    outcomes, digest, filed = _market(tmp_path / "loud.db")
    assert filed > none_filed
    assert outcomes["complaints: ok"] == filed  # each about the person's own payment
    assert not [k for k in outcomes if k.startswith("complaints:") and k != "complaints: ok"]
    assert digest == quiet_digest  # complaints move no money and draw no market id


def test_the_less_creditworthy_shops_draw_more_complaints() -> None:
    market = Market(people(10, 30, stream(5, "people")), shops(400, stream(5, "shops")))
    truth = CreditTruth.draw(market.people, market.shops, 30, 5)
    rates = truth.complaint_per_mille()
    by_z = sorted(truth.merchants, key=lambda i: truth.merchants[i].z)
    worst, best = by_z[:100], by_z[-100:]
    assert sum(rates[i] for i in worst) > 3 * sum(rates[i] for i in best)
    assert min(rates.values()) >= credit_truth.merchant_complaint_per_mille_min
    assert truth.complaint_per_mille() == rates  # from its own stream, the same each time
