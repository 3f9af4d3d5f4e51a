"""A ledger that Colony's products wrote holds only what the chart declares.

`colony demo` tells the ledger story and seeds the market (top-ups, cash-ins, QR and code
payments, an authorisation captured in part, refunds, two cross-border payments, one across
partners and currencies); a P2P transfer, withdrawals and a voided authorisation are added, and
each product's own kinds of money from its tests folder (`move` in `tests/<product>/
chart_money.py`, tests/contributions.py), so a new product's codes are met without a line here.
Then every account code, transfer code, prefixed id and the kinds of account each transfer
moves money between must be the chart's, and every declared code must have been met, so the
check covered the whole chart.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from colony.api.context import ApiContext
from colony.chart import AccountCode, IdPrefix, TransferCode, undeclared
from colony.chart.check import legacy_counts
from colony.cli.demo_data import ALICE, BALA
from colony.cli.main import app
from colony.cli.serve import build_context
from colony.ledger import Account, Transfer
from colony.payments.service import PayResult
from colony.wallets.results import WalletResult
from tests.contributions import contributed

runner = CliRunner()


def _more_kinds_of_money(ctx: ApiContext) -> None:
    """What the demo does not do: P2P, withdrawals (paid out, and failed), a void, and what
    the products contribute."""
    assert ctx.wallets.p2p(ALICE.phone, BALA.phone, "SGD", 1_00).result is WalletResult.ok
    for confirmed in (True, False):
        held = ctx.wallets.request_withdrawal(ALICE.phone, "SGD", "lion_city_bank", 2_00)
        assert held.result is WalletResult.ok and held.transfer_id is not None
        assert ctx.wallets.settle_withdrawal(held.transfer_id, confirmed=confirmed) is (
            WalletResult.ok
        )
    _, shop = ctx.merchants.onboard("Chart Shop Pte Ltd", "Chart Shop", "5999", "SG", "Singapore",
                                    "SGD", 100)  # fmt: skip
    assert shop is not None
    code = ctx.payments.merchant_qr(shop, 3_00)
    held_payment = ctx.payments.authorise(ALICE.phone, "SGD", code)
    assert held_payment.result is PayResult.ok and held_payment.payment_id is not None
    assert ctx.payments.void(held_payment.payment_id).result is PayResult.ok
    for product in contributed("chart_money"):
        product.move(ctx)


def test_the_demo_market_holds_only_declared_codes_and_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    told = runner.invoke(app, ["demo", "--database", url, "--expiry-wait", "1.0"])
    assert told.exit_code == 0, told.output
    ctx = build_context(url)
    try:
        _more_kinds_of_money(ctx)
        accounts = list(ctx.ledger.all_accounts())
        transfers = list(ctx.ledger.all_transfers())
    finally:
        ctx.ledger.close()
        ctx.close_stores()
    assert undeclared(accounts, transfers) == []
    assert {a.code for a in accounts} == set(AccountCode)
    assert {t.code for t in transfers} == set(TransferCode)
    assert legacy_counts(accounts) == {"partner_clearing_0xf4": 0}
    checked = runner.invoke(app, ["chart", "check", "--database", url])
    assert checked.exit_code == 0 and "chart check: ok" in checked.stdout, checked.output


def test_the_check_names_what_the_chart_does_not_declare() -> None:
    sgd = 702
    wallet, merchant = Account(1, sgd, AccountCode.wallet), Account(2, sgd, AccountCode.merchant)
    accounts = [
        wallet,
        merchant,
        Account(3, sgd, 999),  # a code nobody declared
        Account(4, 1, AccountCode.wallet),  # ledger 1 is no currency's
        Account(IdPrefix.treasury.account_id(sgd), sgd, AccountCode.wallet),  # wrong code
        Account(5, sgd, AccountCode.fx_revenue),  # not under its prefix
    ]
    transfers = [
        Transfer(10, 1, 2, 100, sgd, TransferCode.payment),  # as declared
        Transfer(11, 1, 2, 100, sgd, 9_999),  # a code nobody declared
        Transfer(12, 2, 1, 100, sgd, TransferCode.payment),  # merchant -> wallet is no payment
        Transfer(13, 1, 77, 100, sgd, TransferCode.p2p),  # to an account that does not exist
    ]
    found = undeclared(accounts, transfers)
    assert found == [
        "account 0x3 has undeclared account code 999",
        "account 0x4 is on ledger 1: no currency's",
        f"account {IdPrefix.treasury.account_id(sgd):#x} (wallet) is under prefix treasury",
        "account 0x5 (fx_revenue) is not under prefix fx_revenue",
        "transfer 0xb has undeclared transfer code 9999",
        "transfer 0xc (payment) debits account code 40",
        "transfer 0xc (payment) credits account code 30",
        "transfer 0xd (p2p) credits an unknown account",
    ]


def test_colony_chart_check_refuses_a_ledger_with_codes_of_its_own(
    tmp_path: Path, journal_url: str
) -> None:
    """On each backend: accounts and a transfer imported with codes no product declares."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                json.dumps({"type": "account", "id": 1, "ledger": 840, "code": 1}),
                json.dumps({"type": "account", "id": 2, "ledger": 840, "code": 30}),
                json.dumps(
                    {
                        "type": "transfer",
                        "id": 10,
                        "debit_account_id": 1,
                        "credit_account_id": 2,
                        "amount": 5,
                        "ledger": 840,
                        "code": 2,
                    }
                ),
            ]
        )
        + "\n"
    )
    imported = runner.invoke(app, ["ledger", "import", str(events), "--database", journal_url])
    assert imported.exit_code == 0, imported.output
    checked = runner.invoke(app, ["chart", "check", "--database", journal_url])
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[1:] == [
        "account 0x1 has undeclared account code 1",
        "transfer 0xa has undeclared transfer code 2",
        "chart check: 2 undeclared",
    ]
