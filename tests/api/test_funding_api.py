"""Funding partners over real HTTP: registering partners, top-ups and withdrawals, the partner's
answer, and expiry on the server's own clock; the ledger is checked behind every answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock
from colony.wallets.model import top_up_confirm_timeout_s, withdrawal_confirm_timeout_s
from tests.api.test_payment_api import operator_headers
from tests.api.test_wallet_api import auth, on_loopback, open_wallet

ALICE, BOB = "+6591234567", "+6598765432"
Served = tuple[httpx.Client, ApiContext, ManualClock]


@pytest.fixture
def served_at(tmp_path: Path) -> Iterator[Served]:
    """The server on a clock the test moves, with a bank registered (on SQLite)."""
    yield from _served_at(f"sqlite:///{tmp_path}/api.db")


@pytest.fixture
def served_at_each_backend(store_url: str) -> Iterator[Served]:
    """As `served_at`, on SQLite and on PostgreSQL in turn: the whole API on each backend."""
    yield from _served_at(store_url)


def _served_at(database_url: str) -> Iterator[Served]:
    clock = ManualClock()
    ctx = build_context(database_url, clock=clock)
    with on_loopback(ctx) as client:
        registered = client.post(
            "/v1/funding_partners",
            json={"name": "dbs", "kind": "bank", "currency": "SGD"},
            headers=operator_headers(ctx) | {"Idempotency-Key": "partner-dbs"},
        )
        assert registered.status_code == 201, registered.text
        yield client, ctx, clock


def books(ctx: ApiContext, phone: str, partner: str = "dbs") -> dict[str, int]:
    """The ledger behind the answers: the wallet's account and the partner's settlement
    account (a top-up debits it, a withdrawal credits it)."""
    wallet = ctx.wallet_store.by_phone(phone, "SGD")
    assert wallet is not None
    partner_id = ctx.wallets.funding_partner_account_id(partner, wallet.ledger)
    account, settlement = ctx.ledger.lookup_accounts([wallet.account_id, partner_id])
    return {
        "balance": account.credits_posted - account.debits_posted,
        "incoming": account.credits_pending,
        "held": account.debits_pending,
        "partner_debits": settlement.debits_posted,
        "partner_credits": settlement.credits_posted,
        "partner_pending": settlement.debits_pending + settlement.credits_pending,
    }


def post(
    client: httpx.Client, path: str, headers: dict[str, str], key: str, body: object = None
) -> httpx.Response:
    return client.post(path, json=body, headers=headers | {"Idempotency-Key": key})


def test_partners_are_registered_by_the_operator_and_listed_per_caller(
    served_at: Served,
) -> None:
    client, ctx, _ = served_at
    operator = operator_headers(ctx)
    visa = {"name": "visa_sg", "kind": "card_issuer", "currency": "USD"}
    created = post(client, "/v1/funding_partners", operator, "p-visa", visa)
    assert created.status_code == 201, created.text
    assert created.json() | {"created_at": None} == {
        "object": "funding_partner", "name": "visa_sg", "kind": "card_issuer",
        "currency": "USD", "created_at": None,
    }  # fmt: skip
    (account,) = ctx.ledger.lookup_accounts(
        [ctx.wallets.funding_partner_account_id("visa_sg", 840)]
    )
    assert account.debits_posted == account.credits_posted == 0  # a settlement account
    again = post(client, "/v1/funding_partners", operator, "p-visa-2", visa)
    assert again.status_code == 200 and again.json() == created.json()

    alice = open_wallet(client, ALICE)
    as_wallet = client.get("/v1/funding_partners", headers=auth(alice))
    assert [p["name"] for p in as_wallet.json()["data"]] == ["dbs"]  # its currency only
    as_operator = client.get("/v1/funding_partners", headers=operator)
    assert [p["name"] for p in as_operator.json()["data"]] == ["dbs", "visa_sg"]
    assert client.get("/v1/funding_partners").status_code == 401
    by_wallet = post(client, "/v1/funding_partners", auth(alice), "p-x", visa | {"name": "x1"})
    assert by_wallet.status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"name": "dbs", "kind": "card_issuer", "currency": "SGD"}, 409,
         "partner_registered_differently", "kind"),
        ({"name": "DBS Bank", "kind": "bank", "currency": "SGD"}, 400,
         "invalid_partner_name", "name"),
        ({"name": "ocbc", "kind": "wallet", "currency": "SGD"}, 400,
         "invalid_partner_kind", "kind"),
        ({"name": "ocbc", "kind": "bank", "currency": "XYZ"}, 400, "unknown_currency", "currency"),
        ({"name": "ocbc", "kind": "bank"}, 400, "parameter_invalid", "currency"),
    ],
    ids=["other-kind", "bad-name", "bad-kind", "bad-currency", "no-currency"],
)  # fmt: skip
def test_partner_registration_refusals(
    served_at: Served, body: dict[str, object], status: int, code: str, param: str
) -> None:
    client, ctx, _ = served_at
    response = post(client, "/v1/funding_partners", operator_headers(ctx), f"bad-{code}", body)
    assert response.status_code == status, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)


def test_a_confirmed_top_up_becomes_spendable(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, ALICE)
    asked = post(
        client,
        "/v1/wallets/me/top_ups",
        auth(alice),
        "tu-1",
        {"partner": "dbs", "amount_minor": 5_000},
    )
    assert asked.status_code == 201, asked.text
    top_up = asked.json()
    assert str(top_up["id"]).startswith("tu_") and top_up["status"] == "pending"
    assert (top_up["object"], top_up["wallet"], top_up["amount_minor"]) == (
        "top_up", alice["id"], 5_000,
    )  # fmt: skip
    assert books(ctx, ALICE) == {
        "balance": 1, "incoming": 5_000, "held": 0,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 5_000,
    }  # fmt: skip

    replay = post(
        client,
        "/v1/wallets/me/top_ups",
        auth(alice),
        "tu-1",
        {"partner": "dbs", "amount_minor": 5_000},
    )
    assert replay.json() == top_up and replay.headers["Idempotent-Replayed"] == "true"
    assert books(ctx, ALICE)["incoming"] == 5_000  # held once
    reused = post(
        client, "/v1/wallets/me/top_ups", auth(alice), "tu-1", {"partner": "dbs", "amount_minor": 6}
    )
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"

    operator = operator_headers(ctx)
    confirmed = post(client, f"/v1/top_ups/{top_up['id']}/confirm", operator, "c-1")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    assert books(ctx, ALICE) == {
        "balance": 5_001, "incoming": 0, "held": 0,
        "partner_debits": 5_000, "partner_credits": 0, "partner_pending": 0,
    }  # fmt: skip
    me = client.get("/v1/wallets/me", headers=auth(alice))
    assert me.json()["balance"]["amount_minor"] == 5_001
    read = client.get(f"/v1/wallets/me/top_ups/{top_up['id']}", headers=auth(alice))
    assert read.status_code == 200 and read.json()["status"] == "succeeded"

    # The partner saying it twice is harmless; saying the opposite afterwards is refused.
    twice = post(client, f"/v1/top_ups/{top_up['id']}/confirm", operator, "c-2")
    assert twice.status_code == 200 and twice.json()["status"] == "succeeded"
    opposite = post(client, f"/v1/top_ups/{top_up['id']}/decline", operator, "d-1")
    assert opposite.status_code == 409
    assert opposite.json()["error"]["code"] == "top_up_already_settled"
    assert books(ctx, ALICE)["balance"] == 5_001


def test_a_declined_top_up_leaves_nothing(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, ALICE)
    body = {"partner": "dbs", "amount_minor": 7_000}
    top_up = post(client, "/v1/wallets/me/top_ups", auth(alice), "tu", body).json()
    declined = post(client, f"/v1/top_ups/{top_up['id']}/decline", operator_headers(ctx), "d")
    assert declined.status_code == 200 and declined.json()["status"] == "failed"
    assert books(ctx, ALICE) == {
        "balance": 1, "incoming": 0, "held": 0,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"partner": "dbs", "amount_minor": 200_000}, 402, "balance_cap_exceeded", "amount_minor"),
        ({"partner": "nobody", "amount_minor": 5}, 400, "unknown_funding_source", "partner"),
        ({"partner": "dbs", "amount_minor": 0}, 400, "parameter_invalid", "amount_minor"),
        ({"partner": "dbs", "amount_minor": 2**64}, 400, "parameter_invalid", "amount_minor"),
        ({"partner": "dbs", "amount_minor": "5"}, 400, "parameter_invalid", "amount_minor"),
    ],
    ids=["over-tier-0-cap", "unknown-partner", "zero", "huge", "text"],
)
def test_top_up_refusals_name_the_limit(
    served_at: Served, body: dict[str, object], status: int, code: str, param: str
) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, ALICE)
    response = post(client, "/v1/wallets/me/top_ups", auth(alice), "refused", body)
    assert response.status_code == status, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (code, param)
    assert books(ctx, ALICE)["incoming"] == 0  # nothing held


def test_a_withdrawal_is_held_at_once_then_paid_out_or_failed(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice, _ = open_wallet(client, ALICE), open_wallet(client, BOB)
    assert ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"  # Alice: 10,001
    body = {"partner": "dbs", "amount_minor": 4_000}
    asked = post(client, "/v1/wallets/me/withdrawals", auth(alice), "wd-1", body)
    assert asked.status_code == 201, asked.text
    withdrawal = asked.json()
    assert str(withdrawal["id"]).startswith("wd_") and withdrawal["status"] == "pending"
    assert books(ctx, ALICE) == {
        "balance": 10_001, "incoming": 0, "held": 4_000,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 4_000,
    }  # fmt: skip
    me = client.get("/v1/wallets/me", headers=auth(alice)).json()
    assert (me["balance"]["amount_minor"], me["available"]["amount_minor"]) == (10_001, 6_001)
    # What is held cannot be sent elsewhere.
    spend = {"to_phone": BOB, "amount_minor": 6_002}
    too_much = post(client, "/v1/wallets/me/transfers", auth(alice), "p2p", spend)
    assert too_much.status_code == 402 and too_much.json()["error"]["code"] == "insufficient_funds"

    operator = operator_headers(ctx)
    paid = post(client, f"/v1/withdrawals/{withdrawal['id']}/confirm", operator, "wc-1")
    assert paid.status_code == 200 and paid.json()["status"] == "succeeded"
    assert books(ctx, ALICE) == {
        "balance": 6_001, "incoming": 0, "held": 0,
        "partner_debits": 0, "partner_credits": 4_000, "partner_pending": 0,
    }  # fmt: skip
    refail = post(client, f"/v1/withdrawals/{withdrawal['id']}/fail", operator, "wf-0")
    assert refail.status_code == 409
    assert refail.json()["error"]["code"] == "withdrawal_already_settled"

    second = post(
        client, "/v1/wallets/me/withdrawals", auth(alice), "wd-2", body | {"amount_minor": 1_000}
    ).json()
    failed = post(client, f"/v1/withdrawals/{second['id']}/fail", operator, "wf-1")
    assert failed.status_code == 200 and failed.json()["status"] == "failed"
    assert books(ctx, ALICE) == {
        "balance": 6_001, "incoming": 0, "held": 0,
        "partner_debits": 0, "partner_credits": 4_000, "partner_pending": 0,
    }  # fmt: skip
    read = client.get(f"/v1/wallets/{alice['id']}/withdrawals/{second['id']}", headers=auth(alice))
    assert read.status_code == 200 and read.json()["status"] == "failed"


@pytest.mark.parametrize(
    ("cash_in", "amount", "code"),
    [
        (10_000, 10_002, "insufficient_funds"),
        (60_000, 50_001, "daily_outflow_cap_exceeded"),
    ],
)
def test_withdrawal_refusals_name_the_limit(
    served_at: Served, cash_in: int, amount: int, code: str
) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, ALICE)
    assert ctx.wallets.cash_in(ALICE, "SGD", cash_in).result.name == "ok"
    body = {"partner": "dbs", "amount_minor": amount}
    response = post(client, "/v1/wallets/me/withdrawals", auth(alice), "wd", body)
    assert response.status_code == 402, response.text
    assert response.json()["error"] == {
        "type": "payment_error", "code": code, "message": code.replace("_", " "),
        "param": "amount_minor",
    }  # fmt: skip
    assert books(ctx, ALICE)["held"] == 0 and books(ctx, ALICE)["partner_pending"] == 0


def test_a_silent_partner_lets_both_expire_on_the_servers_clock(served_at: Served) -> None:
    client, ctx, clock = served_at
    alice = open_wallet(client, ALICE)
    assert ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    body = {"partner": "dbs", "amount_minor": 3_000}
    top_up = post(client, "/v1/wallets/me/top_ups", auth(alice), "tu", body).json()
    withdrawal = post(client, "/v1/wallets/me/withdrawals", auth(alice), "wd", body).json()
    assert books(ctx, ALICE) | {"balance": 0} == {
        "balance": 0, "incoming": 3_000, "held": 3_000,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 6_000,
    }  # fmt: skip

    clock.advance(top_up_confirm_timeout_s + 1)
    ctx.ledger.pulse()
    expired = client.get(f"/v1/wallets/me/top_ups/{top_up['id']}", headers=auth(alice))
    assert expired.json()["status"] == "expired"
    late = post(client, f"/v1/top_ups/{top_up['id']}/confirm", operator_headers(ctx), "late")
    assert late.status_code == 409 and late.json()["error"]["code"] == "top_up_expired"
    still = client.get(f"/v1/wallets/me/withdrawals/{withdrawal['id']}", headers=auth(alice))
    assert still.json()["status"] == "pending"  # a withdrawal waits longer

    clock.advance(withdrawal_confirm_timeout_s)
    ctx.ledger.pulse()
    gone = client.get(f"/v1/wallets/me/withdrawals/{withdrawal['id']}", headers=auth(alice))
    assert gone.json()["status"] == "expired"
    late_pay = post(
        client, f"/v1/withdrawals/{withdrawal['id']}/confirm", operator_headers(ctx), "late-wd"
    )
    assert late_pay.status_code == 409
    assert late_pay.json()["error"]["code"] == "withdrawal_expired"
    assert books(ctx, ALICE) == {
        "balance": 10_001, "incoming": 0, "held": 0,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 0,
    }  # fmt: skip


def test_nobody_reads_or_settles_what_is_not_theirs(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice, bob = open_wallet(client, ALICE), open_wallet(client, BOB)
    body = {"partner": "dbs", "amount_minor": 500}
    top_up = post(client, "/v1/wallets/me/top_ups", auth(alice), "tu", body).json()
    for path in (
        f"/v1/wallets/me/top_ups/{top_up['id']}",
        f"/v1/wallets/{alice['id']}/top_ups/{top_up['id']}",
        f"/v1/wallets/me/withdrawals/{top_up['id']}",
        "/v1/wallets/me/top_ups/tu_nothing",
    ):
        peek = client.get(path, headers=auth(bob))
        assert peek.status_code == 404, path  # not 403: existence is not disclosed
        assert peek.json()["error"]["code"] == "resource_missing"
    wrong_kind = client.get(f"/v1/wallets/me/withdrawals/{top_up['id']}", headers=auth(alice))
    assert wrong_kind.status_code == 404
    stolen = post(client, f"/v1/wallets/{alice['id']}/top_ups", auth(bob), "steal", body)
    assert stolen.status_code == 404
    # Only the operator's key answers for a partner; a wallet cannot confirm its own top-up.
    self_confirm = post(client, f"/v1/top_ups/{top_up['id']}/confirm", auth(alice), "self")
    assert self_confirm.status_code == 401
    unknown = post(client, "/v1/top_ups/tu_0/confirm", operator_headers(ctx), "u")
    assert unknown.status_code == 404
    wrong = post(client, f"/v1/withdrawals/{top_up['id']}/fail", operator_headers(ctx), "w")
    assert wrong.status_code == 404
    assert books(ctx, ALICE) == {
        "balance": 1, "incoming": 500, "held": 0,
        "partner_debits": 0, "partner_credits": 0, "partner_pending": 500,
    }  # fmt: skip
