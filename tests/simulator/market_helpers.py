"""A small simulated market on a real SQLite file, for the simulator's tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from colony.cli.simulate_commands import market_services, rates_age_days_for
from colony.simulator import (
    Behaviour,
    SimulationConfig,
    SimulationSummary,
    ledger_digest,
    simulate,
)

LAST_DAY = dt.date(2026, 10, 30)  # the newest day of the ECB rates the lock installs


def run_market(
    db: Path,
    *,
    people: int,
    merchants: int,
    days: int,
    seed: int,
    behaviours: Sequence[Behaviour] | None = None,
) -> tuple[SimulationSummary, str]:
    """Simulate on a new SQLite file: the summary and the ledger's digest."""
    url = f"sqlite:///{db}"
    config = SimulationConfig(people, merchants, days, seed, LAST_DAY)
    with market_services(url, seed) as services:
        services.quotes.rates.max_age_days = rates_age_days_for(LAST_DAY)
        summary = simulate(services, config, behaviours)
        return summary, ledger_digest(services.ledger)
