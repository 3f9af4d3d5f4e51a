"""Stored Idempotency-Key answers are forgotten after their retention, oldest first, in
bounded batches (api/answer_retention.py, docs/adr/0080); a retry after that meets the
ledger's own idempotency, and money moves once."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import httpx
import pytest

from colony.api import answer_retention
from colony.api.answer_retention import sweep, sweep_in_background
from colony.api.context import ApiContext
from colony.api.idempotency import transfer_id_for
from colony.api.sql_store import SqlApiStore, open_api_store
from colony.cli.serve import build_context, server_duties
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.payments.payment_code import code_for
from colony.workers.elected_ledger import ElectedLedger
from tests.api.test_payment_api import merchant_headers, static_code
from tests.api.test_payment_code_api import Shop, bind, charge, clock_of, phone, till
from tests.api.test_wallet_api import P2P_SEND, open_wallet, p2p_sent, served
from tests.api.test_wallet_api import auth as wallet_auth

__all__ = ["served", "till"]

DAY_NS = 86_400 * NS_PER_S


def _answer(store: SqlApiStore, key: str, at_ns: int, sha: str = "a" * 64) -> None:
    assert store.begin("w1", key, sha, at_ns) == ("new", None, None)
    store.finish("w1", key, 201, f'{{"key": "{key}"}}')


def test_answers_past_their_retention_are_forgotten_oldest_first(store_url: str) -> None:
    store = open_api_store(store_url)
    clock = ManualClock(100 * DAY_NS)
    for key, day in [("k1", 1), ("k2", 60), ("k3", 69), ("k4", 71), ("k5", 99)]:
        _answer(store, key, day * DAY_NS)
    # Thirty days before day 100 is day 70: k1, k2 and k3 go, k4 and k5 replay.
    assert sweep(store, clock) == 3
    assert store.begin("w1", "k4", "a" * 64, clock.now_ns())[0] == "same"
    assert store.begin("w1", "k5", "b" * 64, clock.now_ns())[0] == "different"
    # A forgotten key is free: another request with it is served as new.
    assert store.begin("w1", "k1", "b" * 64, clock.now_ns()) == ("new", None, None)
    # A claim in progress is no answer: the sweep leaves it, and it still holds the key.
    clock.advance(31 * 86_400)
    assert sweep(store, clock) == 2
    assert store.begin("w1", "k1", "b" * 64, clock.now_ns())[:2] == ("same", None)
    assert sweep(store, clock) == 0
    store.close()


def test_a_sweep_goes_in_bounded_batches_up_to_its_limit(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_api_store(store_url)
    for n in range(7):
        _answer(store, f"k{n}", (n + 1) * DAY_NS)
    monkeypatch.setattr(answer_retention, "sweep_batch_rows_max", 2)
    monkeypatch.setattr(answer_retention, "sweep_batches_max", 2)
    calls: list[int] = []
    forget = store.forget_answers_before

    def counted(before_ns: int, limit: int) -> int:
        calls.append(limit)
        return forget(before_ns, limit)

    monkeypatch.setattr(store, "forget_answers_before", counted)
    clock = ManualClock(100 * DAY_NS)
    stop = threading.Event()
    stop.set()
    assert sweep(store, clock, stop=stop) == 2  # told to stop: after its first statement
    assert calls == [2]
    assert sweep(store, clock) == 4  # two statements more: the limit of one sweep
    assert calls == [2, 2, 2]
    # Oldest first: the newest answer is the one left, and it still replays.
    assert store.begin("w1", "k6", "a" * 64, clock.now_ns())[:2] == ("same", 201)
    assert store.begin("w1", "k5", "a" * 64, clock.now_ns())[0] == "new"
    assert sweep(store, clock) == 1  # the rest, and the short batch ends the sweep
    assert calls == [2, 2, 2, 2]
    assert store.begin("w1", "k6", "b" * 64, clock.now_ns())[0] == "new"
    store.close()


def test_the_writer_sweeps_in_the_background_until_stopped(store_url: str) -> None:
    store = open_api_store(store_url)
    _answer(store, "old", DAY_NS)
    clock = ManualClock(100 * DAY_NS)
    stop = sweep_in_background(store, clock, interval_s=0.05)
    deadline = time.monotonic() + 10
    while store.begin("w1", "old", "b" * 64, clock.now_ns())[0] != "new":
        assert time.monotonic() < deadline, "the answer was never forgotten"
        store.release("w1", "old")
        time.sleep(0.05)
    stop()
    assert not _sweepers()
    store.close()


def test_a_servers_writer_sweeps_and_stops_sweeping_when_it_closes(tmp_path: Path) -> None:
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db", ManualClock(100 * DAY_NS))
    ledger = ctx.ledger
    assert isinstance(ledger, ElectedLedger)
    others = _sweepers()  # another test's, should one have failed before stopping its own
    server_duties(ctx, ledger)
    try:
        assert len(_sweepers() - others) == 1, "the writer's duties include the sweep"
    finally:
        ledger.close()
        ctx.close_stores()
    assert not _sweepers() - others


def _sweepers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "colony-answer-retention"}


def test_a_transfer_retried_after_its_answer_is_forgotten_moves_money_once(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    headers, first, balances = p2p_sent(client, ctx)
    assert sweep(ctx.api_store, ctx.clock, retention_s=0) >= 1
    # Much may change in 30 days: the sender's wallet is frozen since, say.
    sender = ctx.wallet_store.by_phone("+6591234567", "SGD")
    assert sender is not None and ctx.wallets.freeze(sender.id, "reported").name == "ok"
    retry = client.post("/v1/wallets/me/transfers", json=P2P_SEND, headers=headers)
    # Served again, not replayed: the ledger finds the key's transfer made, and says so.
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert "Idempotent-Replayed" not in retry.headers
    assert balances() == (7_501, 2_501)
    # The retry's answer is kept again; new money under a new key meets the freeze.
    again = client.post("/v1/wallets/me/transfers", json=P2P_SEND, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    fresh = headers | {"Idempotency-Key": "pay-2"}
    other = client.post("/v1/wallets/me/transfers", json=P2P_SEND, headers=fresh)
    assert other.json()["error"]["code"] == "wallet_frozen", other.text
    assert balances() == (7_501, 2_501)


def test_a_code_charge_retried_after_its_answer_is_forgotten_is_the_same_payment(
    till: Shop,
) -> None:
    client, ctx, merchant, alice = till
    bound = bind(client, alice).json()
    paid = charge(client, merchant, code_for(phone(bound), ctx.clock.now_ns()), 1_250, "t1")
    assert paid.status_code == 201, paid.text
    # Thirty days on: the code long expired (and spent), the answer forgotten.
    clock_of(ctx).advance(answer_retention.answer_retention_s + 60)
    assert sweep(ctx.api_store, ctx.clock) >= 1
    # And the payer's wallet frozen since: new money may not leave it, this payment left.
    assert ctx.wallets.freeze(str(alice["id"]), "reported").name == "ok"
    retry = client.post(
        "/v1/payments/code",
        json={"code": code_for(phone(bound), 0), "amount_minor": 1_250, "reference": "till-t1"},
        headers=merchant_headers(merchant, "t1"),
    )
    assert (retry.status_code, retry.json()) == (201, paid.json()), retry.text
    balance = client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"]
    assert balance["amount_minor"] == 20_001 - 1_250


def test_a_retry_is_answered_made_only_for_its_own_payment(till: Shop) -> None:
    """After the window, and a freeze: a QR payment whose try was refused by the ledger
    (its record written, no money moved), and one under a key that a P2P transfer used,
    are refused, not answered made; a code charge with another reference needs a good
    code (docs/adr/0081)."""
    client, ctx, merchant, alice = till
    code = static_code(client, merchant)
    headers = wallet_auth(alice) | {"Idempotency-Key": "poor"}
    poor = {"payload": code, "amount_minor": 500_000}
    assert client.post("/v1/payments", json=poor, headers=headers).status_code == 402
    bob = open_wallet(client, "+6598765432")
    sent = client.post(
        "/v1/wallets/me/transfers",
        json={"to_phone": "+6598765432", "amount_minor": 700},
        headers=wallet_auth(alice) | {"Idempotency-Key": "shared"},
    )
    assert sent.status_code == 201, sent.text
    bound = bind(client, alice).json()
    paid = charge(client, merchant, code_for(phone(bound), ctx.clock.now_ns()), 1_250, "t1")
    assert paid.status_code == 201, paid.text
    clock_of(ctx).advance(answer_retention.answer_retention_s + 60)
    assert sweep(ctx.api_store, ctx.clock) >= 3
    # The P2P's key used for a payment: its record is written, the ledger refuses the
    # chain (the id is the P2P's); the P2P's transfer is not this payment's.
    shared = wallet_auth(alice) | {"Idempotency-Key": "shared"}
    other = client.post("/v1/payments", json={"payload": code, "amount_minor": 700}, headers=shared)
    assert other.status_code != 201 and "Idempotent-Replayed" not in other.headers, other.text
    assert ctx.wallets.freeze(str(alice["id"]), "reported").name == "ok"
    retried = client.post("/v1/payments", json=poor, headers=headers)
    assert retried.json()["error"]["code"] == "wallet_frozen", retried.text
    again = client.post(
        "/v1/payments/code",
        json={"code": code_for(phone(bound), 0), "amount_minor": 1_250, "reference": "other"},
        headers=merchant_headers(merchant, "t1"),
    )
    assert again.status_code != 201, again.text  # the old code is checked, and refused
    balances = [
        client.get("/v1/wallets/me", headers=wallet_auth(w)).json()["balance"]["amount_minor"]
        for w in (alice, bob)
    ]
    assert balances == [20_001 - 700 - 1_250, 1 + 700]


def test_a_record_is_made_only_by_its_own_payment_in_the_ledger(till: Shop) -> None:
    """`PaymentService.made`: the transfer under a record's id must be a payment of its
    amount to its merchant; a P2P under the same id (a key shared by a wallet's routes)
    is not, and neither is another amount."""
    client, ctx, merchant, alice = till
    open_wallet(client, "+6598765432")
    sent = client.post(
        "/v1/wallets/me/transfers",
        json=P2P_SEND,
        headers=wallet_auth(alice) | {"Idempotency-Key": "pay-1"},
    )
    assert sent.status_code == 201, sent.text
    p2p_id = transfer_id_for(str(alice["id"]), "pay-1")
    assert ctx.ledger.lookup_transfers([p2p_id])  # the P2P's transfer is under that id
    assert ctx.payments.records is not None
    paid = client.post(
        "/v1/payments",
        json={"payload": static_code(client, merchant), "amount_minor": 900},
        headers=wallet_auth(alice) | {"Idempotency-Key": "made-1"},
    )
    assert paid.status_code == 201, paid.text
    record = ctx.payments.records.by_id(transfer_id_for(str(alice["id"]), "made-1"))
    assert record is not None
    made = ctx.payments.made(record)
    assert made is not None and (made.result.name, made.amount_minor) == ("ok", 900)
    assert ctx.payments.made(dataclasses.replace(record, id=p2p_id)) is None
    assert ctx.payments.made(dataclasses.replace(record, amount_minor=901)) is None
