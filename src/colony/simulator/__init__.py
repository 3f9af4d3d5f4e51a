"""The seeded market simulator: people, merchants and their payments over past days, built
through the services the API uses and imported into the ledger at simulated times."""

from __future__ import annotations

from colony.simulator.behaviours import (
    Behaviour,
    PeerToPeer,
    Spending,
    TopUps,
    default_behaviours,
)
from colony.simulator.credit_truth import CreditTruth, SimulatedOutcome
from colony.simulator.engine import SimulationConfig, SimulationSummary, last_day_max, simulate
from colony.simulator.fraud_truth import FraudKind, FraudTruth
from colony.simulator.gazetteer import City, cities
from colony.simulator.importing_ledger import ImportingLedger, SimulatedClock
from colony.simulator.ledger_digest import ledger_digest
from colony.simulator.population import Person, Shop, Trip, people, shops
from colony.simulator.risk_stream import StreamConfig, market_stream
from colony.simulator.streams import stream
from colony.simulator.world import Action, Day, Market, MarketServices, World

__all__ = [
    "Action",
    "Behaviour",
    "City",
    "CreditTruth",
    "Day",
    "FraudKind",
    "FraudTruth",
    "ImportingLedger",
    "Market",
    "MarketServices",
    "PeerToPeer",
    "Person",
    "Shop",
    "SimulatedClock",
    "SimulatedOutcome",
    "SimulationConfig",
    "SimulationSummary",
    "Spending",
    "StreamConfig",
    "TopUps",
    "Trip",
    "World",
    "cities",
    "default_behaviours",
    "last_day_max",
    "ledger_digest",
    "market_stream",
    "people",
    "shops",
    "simulate",
    "stream",
]
