"""Risk decisions survive a restart: a payment held for review before Colony stops is
still in the console's queue when it starts again on the same database, a retry of it
keeps its decision (the counters that made it are gone with the process), and approving
it captures the money (docs/adr/0055, 0060)."""

from __future__ import annotations

from pathlib import Path

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock
from colony.payments import PayResult
from colony.risk import Decision, Reason, RiskCheck
from colony.staff import Role
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import on_loopback, open_wallet
from tests.risk.test_risk_api import PHONE, _balance, _pay
from tests.web.test_console_pages import _signed_in, _staff

PAGE = "/console/risk"


def _held_ids(ctx: ApiContext, since_ns: int) -> list[int]:
    store = ctx.service(RiskCheck).store
    assert store is not None
    return [k.payment_id for k in store.held(since_ns)]


def test_a_review_outlives_a_restart_and_approving_it_captures(tmp_path: Path) -> None:
    url, clock = f"sqlite:///{tmp_path}/colony.db", ManualClock()
    started_ns = clock.now_ns()
    ctx = build_context(url, clock=clock)
    with on_loopback(ctx) as client:
        member = _staff(ctx, Role.risk)
        analyst = _signed_in(client, clock, member)
        # Review from the second payment within an hour: a decision the counters make.
        made = analyst.post(f"{PAGE}/rules/{Reason.velocity_1h.name}",
                            {"threshold": "1", "mode": "active"}, form_at=PAGE)  # fmt: skip
        assert made.headers["location"] == PAGE, made.text[:300]
        merchant = onboard(client, ctx)
        alice = open_wallet(client, PHONE)
        assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
        code = static_code(client, merchant)
        assert _pay(client, alice, code, 1_000, "first").json()["status"] == "succeeded"
        held = _pay(client, alice, code, 20_000, "second").json()
        assert held["status"] == "requires_capture", held
        pid = int(held["id"].removeprefix("pay_"), 16)
        assert _held_ids(ctx, started_ns) == [pid]
        start = _balance(client, alice)

    ctx = build_context(url, clock=clock)  # a new process on the same database
    with on_loopback(ctx) as client:
        check = ctx.service(RiskCheck)
        assert check.rules.rule(Reason.velocity_1h).threshold == 1  # type: ignore[union-attr]
        assert _held_ids(ctx, started_ns) == [pid]
        # The same payment again (its id, as a retry without the answer would send it): the
        # decision kept, not a new one from empty counters that would pay it at once.
        assert ctx.payments.records is not None
        record = ctx.payments.records.by_id(pid)
        assert record is not None
        again = ctx.payments.pay_by_qr(
            PHONE, "SGD", code, 20_000, payment_id=pid, request_sha256=record.request_sha256
        )
        assert again.result is PayResult.ok, again.result
        assert again.risk is not None and again.risk.decision is Decision.review
        analyst = _signed_in(client, clock, member)
        assert "velocity_1h" in analyst.text(PAGE)
        approved = analyst.post(f"{PAGE}/reviews/{pid}", {"action": "approve"}, form_at=PAGE)
        assert approved.headers["location"] == PAGE, approved.text[:300]
        shown = client.get(f"/v1/payments/{held['id']}", headers=wallet_auth(alice)).json()
        assert shown["status"] == "succeeded"
        assert _balance(client, alice) == start
        assert _held_ids(ctx, started_ns) == []
        assert "No payment is held for review." in analyst.text(PAGE)
