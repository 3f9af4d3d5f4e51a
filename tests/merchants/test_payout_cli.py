"""`colony merchants payout` on each backend: yesterday's balances paid out through the bank
named for their currency, a rerun that pays nothing twice, and what the command refuses.
The command's clock is the system's, so the stalls take their money yesterday, in UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from colony.chart import funding_partner_account_id
from colony.cli.main import app as cli
from colony.kernel.clock import NS_PER_S
from colony.merchants import DAY_NS, day_of, payout_id, payout_reference
from colony.storage.open import open_ledger
from tests.merchants.test_payouts import Stall, stall_at

runner = CliRunner()


def _take_money_yesterday(stall: Stall) -> None:
    yesterday = day_of(time.time_ns()) - DAY_NS
    stall.at(yesterday, 10)
    stall.pay(50_00)  # 49.25 after the 1.5% fee
    stall.at(yesterday, 11)
    _, idle = stall.ctx.merchants.onboard("Idle Pte Ltd", "Idle", "5812", "SG", "Singapore",
                                          "SGD", 150)  # fmt: skip
    assert idle is not None


def test_yesterdays_payouts_from_the_command_line(store_url: str) -> None:
    yesterday = datetime.fromtimestamp(time.time() - 86_400, UTC).strftime("%Y-%m-%d")
    with stall_at(store_url) as stall:
        _take_money_yesterday(stall)
        args = ["merchants", "payout", "--day", yesterday, "--partner", "dbs"]
        busy = runner.invoke(cli, [*args, "--database", store_url])
        assert busy.exit_code == 2, busy.output  # the server writes this ledger
        assert "another process (colony serve) writes this ledger" in busy.output
    merchant = stall.merchant
    reference = payout_reference(payout_id(merchant.account_id, day_of(time.time_ns()) - DAY_NS))
    paid = runner.invoke(cli, [*args, "--database", store_url])
    assert paid.exit_code == 0, paid.output
    assert f"{merchant.id} {yesterday} ok SGD amount_minor=4925 {reference}" in paid.output
    assert f"payouts {yesterday}: 1 nothing_to_pay, 1 ok" in paid.output
    assert "nothing_to_pay SGD amount_minor=0 -\n" in paid.output  # no payout, no reference
    again = runner.invoke(cli, [*args, "--merchant", merchant.id, "--database", store_url])
    assert again.exit_code == 0, again.output
    assert f"{merchant.id} {yesterday} already_paid SGD amount_minor=4925" in again.output
    ledger = open_ledger(store_url)
    try:
        bank = funding_partner_account_id("dbs", merchant.ledger)
        shop, dbs = ledger.lookup_accounts([merchant.account_id, bank])
    finally:
        ledger.close()
    assert (shop.credits_posted - shop.debits_posted, dbs.credits_posted) == (0, 49_25)


def test_the_command_refuses_what_it_cannot_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/payouts.db"
    with stall_at(url):
        pass
    today = datetime.fromtimestamp(time.time_ns() // NS_PER_S, UTC).strftime("%Y-%m-%d")
    for args, said in (
        (["--day", "2026-13-01", "--partner", "dbs"], "a day is YYYY-MM-DD"),
        (["--day", "2026-11-01", "--partner", "nobank"], "no funding partner nobank"),
        (["--day", "2026-11-01", "--partner", "dbs", "--merchant", "mer_0"], "no merchant mer_0"),
    ):
        refused = runner.invoke(cli, ["merchants", "payout", *args, "--database", url])
        assert refused.exit_code == 2 and said in refused.output, refused.output
    early = runner.invoke(cli, ["merchants", "payout", "--day", today, "--partner", "dbs",
                                "--database", url])  # fmt: skip
    assert early.exit_code == 1, early.output
    assert f"{today} day_not_over" in early.output
