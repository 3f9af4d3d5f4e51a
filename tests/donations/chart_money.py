"""Donations' money for the chart's check (tests/chart/test_ledger_keeps_to_the_chart.py):
a cause registered and a wallet giving to it meet the cause account and the donation transfer."""

from __future__ import annotations

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.donations import DonationResult, DonationService


def move(ctx: ApiContext) -> None:
    donations = ctx.service(DonationService)
    _, cause = donations.register("Chart Food Bank", "SGD")
    alice = ctx.wallet_store.by_phone(ALICE.phone, "SGD")
    assert cause is not None and alice is not None
    assert donations.donate(alice, cause.id, 1_00, 1 << 126 | 1) is DonationResult.ok
