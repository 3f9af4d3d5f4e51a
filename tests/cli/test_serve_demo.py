"""`colony serve --demo`: the seed, its idempotency, and the credentials it prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from colony.api.auth import digest
from colony.api.context import ApiContext
from colony.cli import demo_data, demo_history
from colony.cli.serve import build_context
from colony.credit import DECLINED, CreditScores, ScoreResult
from colony.kernel.money import ledger_of
from colony.ledger import TransferPendingStatus
from colony.ledger.verify import verify
from colony.merchants.model import ACCOUNT_MERCHANT
from colony.partners.clearing import Clearing
from colony.wallets.store import every_wallet
from tests.cli.demo_server import colony_command, demo_server


def _counts(ctx: ApiContext) -> dict[str, int]:
    accounts = list(ctx.ledger.all_accounts())
    return {
        "wallets": sum(1 for _ in every_wallet(ctx.wallet_store)),
        "merchant accounts": sum(1 for a in accounts if a.code == ACCOUNT_MERCHANT),
        "accounts": len(accounts),
        "transfers": sum(1 for _ in ctx.ledger.all_transfers()),
    }


def _closed(ctx: ApiContext) -> None:
    ctx.ledger.close()
    ctx.close_stores()


def test_seed_is_idempotent_across_restarts(store_url: str) -> None:
    url = store_url
    ctx = build_context(url)
    first = demo_data.seed(ctx)
    counts = _counts(ctx)
    _closed(ctx)
    ctx = build_context(url)  # a restart on the same database
    try:
        second = demo_data.seed(ctx)
        assert _counts(ctx) == counts
        assert counts == {
            "wallets": 5,
            "merchant accounts": 4,
            "accounts": counts["accounts"],
            "transfers": counts["transfers"],
        }
        assert first.wallet.id == second.wallet.id and first.merchant.id == second.merchant.id
        # Credentials are new on every start; the earlier ones still work.
        assert first.wallet_token != second.wallet_token
        assert ctx.api_store.wallet_for_token(digest(first.wallet_token)) == first.wallet.id
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        _closed(ctx)


def test_seeded_money_is_what_the_story_says(tmp_path: Path) -> None:
    ctx = build_context(f"sqlite:///{tmp_path}/demo.db")
    try:
        seeded = demo_data.seed(ctx)
        # Alice: her eight weeks before today (wages in, shares sent to Bala), then 500.00
        # topped up, 15.00 sent to Bala, 5.50 and 2.60 paid by QR; the 18.80 catering order
        # is only held, so not yet posted.
        weeks = demo_history.alice_history_net_minor()
        assert ctx.wallets.balance(seeded.wallet) == 1 + weeks + 50_000 - 1_500 - 550 - 260
        # Hawker Chan: 5.50 + 4.80 paid in, less 1.5% each, rounded half up (8 + 7).
        (hawker,) = ctx.ledger.lookup_accounts([seeded.merchant.account_id])
        assert hawker.credits_posted - hawker.debits_posted == 550 + 480 - 8 - 7
        assert hawker.credits_pending == 1_880
        held = demo_data.ledger_id("authorise:alice:hawker")
        assert seeded.open_authorisation == f"pay_{held:032x}"
        assert ctx.ledger.pending_status(held) is TransferPendingStatus.pending
        refund = ctx.ledger.lookup_transfers([demo_data.ledger_id("refund:aino:gifts")])
        assert refund and refund[0].amount == 500
        # Maria (Bayanihan Pay) paid SGD 12.50 in pesos at Merlion Pay's satay stall: Merlion
        # is owed the dollars by the house, which is owed the pesos by Bayanihan.
        assert ctx.partners is not None and ctx.payments.records is not None
        by_brand = {p.brand: p.id for p in ctx.partners.store.page(None, 10)}
        clearing = Clearing(ctx.ledger, ctx.partners.store)
        satay = ctx.payments.records.cross_border_of(demo_data.ledger_id("pay:maria:satay:php"))
        assert satay is not None and satay.wallet_currency == "PHP"
        bayanihan, merlion = by_brand["Bayanihan Pay"], by_brand["Merlion Pay"]
        assert clearing.net_minor(bayanihan, ledger_of("PHP")) == -satay.wallet_amount_minor
        assert clearing.net_minor(bayanihan, ledger_of("SGD")) == 0
        assert clearing.net_minor(merlion, ledger_of("SGD")) == 1_250
        # Li Wei paid Aurora Gifts EUR 34.90 from CNY, and got EUR 10.00 back at that rate.
        mug = ctx.payments.records.cross_border_of(demo_data.ledger_id("pay:liwei:gifts"))
        assert mug is not None and mug.wallet_currency == "CNY"
        (li_wei,) = [w for w in every_wallet(ctx.wallet_store) if w.currency == "CNY"]
        refunded = ctx.ledger.lookup_transfers([demo_data.ledger_id("refund:liwei:gifts")])
        assert refunded and refunded[0].amount == 1_000
        back = ctx.wallets.balance(li_wei) - (100_001 - mug.wallet_amount_minor)
        assert 0 < back <= mug.wallet_amount_minor * 1_000 // 3_490  # at most its share
    finally:
        _closed(ctx)


def test_printed_credentials_work_over_http(store_url: str) -> None:
    """On each backend: `colony serve --database postgresql://...` serves the whole API."""
    with demo_server(store_url) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        wallet = {"Authorization": f"Bearer {server.secret('wtok_')}"}
        merchant = {"Authorization": f"Bearer {server.secret('mk_')}"}
        operator = {"Authorization": f"Bearer {server.secret('opk_')}"}
        me = http.get("/v1/wallets/me", headers=wallet)
        assert me.status_code == 200 and me.json()["name"] == "Alice Tan"
        code = http.get("/v1/merchants/me/qr_code", headers=merchant)
        assert code.status_code == 200
        paid = http.post(
            "/v1/payments",
            json={"payload": code.json()["payload"], "amount_minor": 120},
            headers=wallet | {"Idempotency-Key": "test-pay"},
        )
        assert paid.status_code == 201 and paid.json()["status"] == "succeeded", paid.text
        onboarded = http.post(
            "/v1/merchants",
            json={
                "legal_name": "Test Kiosk",
                "display_name": "Test Kiosk",
                "mcc": "5499",
                "country": "SG",
                "city": "Singapore",
                "currency": "SGD",
                "discount_bps": 0,
            },
            headers=operator | {"Idempotency-Key": "test-onboard"},
        )
        assert onboarded.status_code == 201, onboarded.text
        # A made-up key of the right shape is refused: the printed ones are real.
        forged = {"Authorization": "Bearer wtok_" + "0" * 64}
        assert http.get("/v1/wallets/me", headers=forged).status_code == 401
        assert f"{server.url}/" in server.output and "/docs" in server.output
    verified = subprocess.run(
        [colony_command(), "ledger", "verify", "--database", server.database_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_printed_curl_commands_run(tmp_path: Path) -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl (and bash) are needed to run the printed commands: apt-get install curl")
    with demo_server(tmp_path / "demo.db") as server:
        commands = server.curl_commands()
        # the portal owner's code in the outbox; wallet, QR, pay, capture, onboard, quote, a
        # code to a number, the outbox holding it
        assert len(commands) == 9, server.output
        answers = {command: _run(command) for command in commands}
        for command, answer in answers.items():
            assert "error" not in answer, f"{command}\n{answer}"
        # Run again: the fixed Idempotency-Key replays the payment, nothing moves twice.
        pay = next(c for c in commands if "try-pay-1" in c)
        assert _run(pay) == answers[pay]


def _run(command: str) -> dict[str, object]:
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, command + "\n" + ran.stderr
    answer = json.loads(ran.stdout)
    assert isinstance(answer, dict)
    return answer


def test_alice_has_weeks_of_history_and_the_shipped_scorecard_lends_to_her(
    tmp_path: Path,
) -> None:
    """Her wallet opened weeks before the seeded day, with wages in and money out since, so
    the shipped scorecard (nothing in it knows her) gives her a limit: the app can offer her
    the credit line and a cash loan."""
    ctx = build_context(f"sqlite:///{tmp_path}/demo.db")
    try:
        seeded = demo_data.seed(ctx)
        alice = ctx.wallet_store.by_id(seeded.wallet.id)
        assert alice is not None
        age_ns = ctx.clock.now_ns() - alice.created_at_ns
        assert age_ns > demo_history.history_span_ns()  # older than the score's window
        scores = ctx.service(CreditScores)
        scores.give_consent(alice)
        result, record = scores.score_wallet(alice)
        assert result is ScoreResult.ok and record is not None
        assert record.band != DECLINED and record.limit_minor > 0, record
        # What came in over the window is what the weeks and the seed paid in.
        wages = demo_history.history_weeks * demo_history.ALICE_WAGE_MINOR
        assert record.limit_minor <= (wages + 50_000) * 4_000 // 10_000
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        _closed(ctx)


@pytest.mark.parametrize("days_ago", range(1, 8))
def test_the_weeks_before_are_seeded_whatever_the_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days_ago: int
) -> None:
    """Seeded on any day of the week, at any hour, Alice's weeks lie wholly in the past: the
    ledger imports nothing later than its own time. Her weeks once began on the first Friday
    after eight weeks and a day ago, which put the last week's events in the future from a
    Sunday to a Wednesday, and the seed failed."""
    ctx = build_context(f"sqlite:///{tmp_path}/demo.db")
    try:
        # Seven moments of the past week, three hours apart in the day from one to the next.
        at = ctx.clock.now_ns() - days_ago * 27 * 3_600 * 10**9
        monkeypatch.setattr(ctx.clock, "now_ns", lambda: at)
        seeded = demo_data.seed(ctx)
        alice = ctx.wallet_store.by_id(seeded.wallet.id)
        assert alice is not None
        assert at - alice.created_at_ns > demo_history.history_span_ns()
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
    finally:
        _closed(ctx)


def test_no_history_goes_into_a_ledger_in_use(tmp_path: Path) -> None:
    """Imported events must come before every live one: a database already in use keeps the
    seed without the weeks before."""
    ctx = build_context(f"sqlite:///{tmp_path}/demo.db")
    try:
        assert ctx.wallets.open_wallet("+6591110009", "Someone Else", "SGD")[0].name == "ok"
        seeded = demo_data.seed(ctx)
        assert ctx.wallets.balance(seeded.wallet) == 1 + 50_000 - 1_500 - 550 - 260
    finally:
        _closed(ctx)
