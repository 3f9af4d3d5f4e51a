"""Stored answers looked up ahead for a gathering of payments (docs/adr/0092): one read for
the gathering's Idempotency-Keys instead of one each, and never an answer missed because of
it: a key claimed when it was looked up reads again, and so does every `begin` after the
first claim since (whoever made it). The store's contract on each backend (a no-op on
PostgreSQL), the claims' reads counted, the gate handing its gathering over, and payments
through the served app in one gathering."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from colony.api import auth as api_auth
from colony.api.app import served_app
from colony.api.gather import PaymentGate
from colony.api.rate_limit import RateLimiter
from colony.api.records import IdempotencyClaims
from colony.api.sql_store import open_api_store
from colony.bench import api_bench
from colony.cli.serve import build_context
from colony.kernel import key_claims
from colony.ledger.verify import verify
from tests.api.served_payment import answer

ANSWER = '{"ok": true}'


class _Answers:
    """Stored answers in a dict, every read counted: the database's part, for the claims."""

    def __init__(self, stored: dict[tuple[str, str], tuple[object, ...]] | None = None) -> None:
        self.stored = dict(stored or {})
        self.reads_one = 0
        self.reads_among: list[list[tuple[str, str]]] = []

    def one(self, scope: str, key: str) -> tuple[object, ...] | None:
        self.reads_one += 1
        return self.stored.get((scope, key))

    def among(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        self.reads_among.append(list(keys))
        return {k for k in keys if k in self.stored}

    def write(self, answer: tuple[str, str, str, int, str, int]) -> None:
        scope, key, request_sha256, status, body, _ = answer
        self.stored[(scope, key)] = (request_sha256, status, body)


def test_keys_looked_up_together_begin_without_a_read_each() -> None:
    answers = _Answers({("w", "done"): ("h", 201, ANSWER)})
    claims = IdempotencyClaims(answers.one)
    assert claims.begin("w", "running", "h", 1) == ("new", None, None)
    answers.reads_one = 0
    keys = [("w", "a"), ("w", "b"), ("w", "a"), ("w", "done"), ("w", "running"), ("v", "a")]
    claims.look_ahead(keys, answers.among)
    # One read, of the keys not claimed, each once.
    assert answers.reads_among == [[("w", "a"), ("w", "b"), ("w", "done"), ("v", "a")]]
    assert claims.begin("w", "a", "h", 2) == ("new", None, None)
    assert claims.begin("w", "b", "h", 2) == ("new", None, None)
    assert claims.begin("v", "a", "h", 2) == ("new", None, None)
    assert answers.reads_one == 0
    # An answer found is read again by its own begin (a replay is rare), as is a key claimed.
    assert claims.begin("w", "done", "h", 2) == ("same", 201, ANSWER)
    assert claims.begin("w", "running", "h", 2) == ("same", None, None)
    assert claims.begin("w", "new", "h", 2) == ("new", None, None)  # not looked up: read
    assert answers.reads_one == 2


def test_a_key_answered_after_its_look_ahead_is_replayed_not_run_again() -> None:
    answers = _Answers()
    claims = IdempotencyClaims(answers.one)
    claims.look_ahead([("w", "k")], answers.among)
    assert claims.begin("w", "k", "h", 1) == ("new", None, None)  # takes the finding
    claims.finish("w", "k", 201, ANSWER, answers.write)
    # The finding went with the first claim: the retry reads, and finds the answer.
    assert claims.begin("w", "k", "h", 2) == ("same", 201, ANSWER)
    assert claims.begin("w", "k", "other", 2) == ("different", None, None)
    assert answers.reads_one == 2


def test_a_key_claimed_when_looked_up_reads_once_its_claim_is_gone() -> None:
    answers = _Answers()
    claims = IdempotencyClaims(answers.one)
    assert claims.begin("w", "k", "h", 1) == ("new", None, None)
    claims.look_ahead([("w", "k")], answers.among)
    claims.finish("w", "k", 201, ANSWER, answers.write)  # answered, then released
    assert claims.begin("w", "k", "h", 2) == ("same", 201, ANSWER)


def test_findings_accumulate_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gathering's findings may still be unused when the next one reads: kept, up to
    `findings_kept_max`, past which they start again (a finding forgotten costs a read)."""
    monkeypatch.setattr(key_claims, "findings_kept_max", 3)
    answers = _Answers()
    claims = IdempotencyClaims(answers.one)
    claims.look_ahead([("w", "first")], answers.among)
    claims.look_ahead([("w", "second")], answers.among)
    answers.reads_one = 0
    assert claims.begin("w", "first", "h", 1) == ("new", None, None)
    assert claims.begin("w", "second", "h", 1) == ("new", None, None)
    assert answers.reads_one == 0  # both found unanswered: neither read
    claims.look_ahead([("w", "a"), ("w", "b")], answers.among)
    claims.look_ahead([("w", "c"), ("w", "d")], answers.among)  # past the bound: anew
    assert claims.begin("w", "a", "h", 1) == ("new", None, None)
    assert answers.reads_one == 1  # forgotten: it read
    assert claims.begin("w", "c", "h", 1) == ("new", None, None)
    assert claims.begin("w", "d", "h", 1) == ("new", None, None)
    assert answers.reads_one == 1


def test_claims_shared_across_processes_are_not_looked_up_ahead(tmp_path: Path) -> None:
    """Another process may claim and answer a key after this one looked it up: with the
    look-ahead's finding kept, this process would run the request a second time."""
    url = f"sqlite:///{tmp_path}/colony.db"
    here, there = open_api_store(url, shared_claims=True), open_api_store(url, shared_claims=True)
    assert not here.looks_ahead
    here.look_ahead([("w", "k")])
    assert there.begin("w", "k", "h", 1) == ("new", None, None)
    there.finish("w", "k", 201, ANSWER)
    assert here.begin("w", "k", "h", 2) == ("same", 201, ANSWER)
    here.close()
    there.close()


def test_the_stores_answers_looked_up_ahead(store_url: str) -> None:
    store = open_api_store(store_url)
    # Only SQLite looks ahead: PostgreSQL's read would be a round trip on the event loop.
    assert store.looks_ahead == store_url.startswith("sqlite")
    assert store.begin("w", "done", "h", 1)[0] == "new"
    store.finish("w", "done", 201, ANSWER)
    assert store.begin("w", "running", "h", 1)[0] == "new"
    store.look_ahead([("w", "done"), ("w", "running"), ("w", "fresh"), ("x", "done")])
    assert store.begin("w", "done", "h", 2) == ("same", 201, ANSWER)
    assert store.begin("w", "done", "other", 2) == ("different", None, None)
    assert store.begin("w", "running", "h", 2) == ("same", None, None)
    assert store.begin("w", "fresh", "h", 2) == ("new", None, None)
    assert store.begin("w", "fresh", "h", 2) == ("same", None, None)
    assert store.begin("x", "done", "h", 2) == ("new", None, None)  # keys are per scope
    store.finish("w", "fresh", 200, ANSWER)
    store.look_ahead([("w", "fresh")])
    assert store.begin("w", "fresh", "h", 3) == ("same", 200, ANSWER)
    store.look_ahead([])  # nothing to read
    store.close()


def test_a_gathering_is_handed_over_before_it_goes_on_and_a_payment_alone_is_not() -> None:
    async def scenario() -> tuple[list[list[Any]], list[str]]:
        seen: list[list[Any]] = []
        order: list[str] = []
        gate = PaymentGate(3600.0, gather_max=3, together_s=3600.0, on_open=seen.append)

        async def arrive(name: str) -> None:
            await gate.enter(name)
            order.append(name)

        await arrive("alone")
        await asyncio.gather(arrive("a"), arrive("b"), arrive("c"))
        return seen, order

    seen, order = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert seen == [["a", "b", "c"]]
    assert order[0] == "alone" and sorted(order[1:]) == ["a", "b", "c"]


def test_a_failed_look_ahead_is_logged_and_its_gathering_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_: Sequence[Any]) -> None:
        raise RuntimeError("the look-ahead broke")

    async def scenario() -> list[str]:
        order: list[str] = []
        gate = PaymentGate(3600.0, gather_max=2, together_s=3600.0, on_open=broken)

        async def arrive(name: str) -> None:
            await gate.enter(name)
            order.append(name)

        await arrive("alone")
        await asyncio.gather(arrive("a"), arrive("b"))
        return order

    with caplog.at_level(logging.ERROR, logger="colony.api.gather"):
        order = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert order[0] == "alone" and sorted(order[1:]) == ["a", "b"]
    assert "look-ahead for 2 gathered payments failed" in caplog.text


def test_payments_arriving_together_are_answered_as_each_alone(tmp_path: Path) -> None:
    """Through the served app, payments sent at once, long after the last (the first goes
    through alone, the others within the gate's moment of it gather): a payment made before
    and a refusal stored before, both sent again, two payments with one new key, and two new
    ones. Each is answered as it would be alone, and the gathering was looked ahead."""
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db")
    ctx.payment_gather_s = ctx.payment_together_s = 0.2
    seeded = api_bench.seed(ctx, 1)
    token = seeded.wallet_tokens[0]
    wallet_id = ctx.api_store.wallet_for_token(api_auth.digest(token))
    paying = ctx.wallet_store.by_id(wallet_id or "")
    assert wallet_id is not None and paying is not None
    edge = served_app(ctx)
    looked_ahead: list[list[tuple[str, str]]] = []
    store_look_ahead = ctx.api_store.look_ahead

    def recorded(keys: Sequence[tuple[str, str]]) -> None:
        looked_ahead.append(list(keys))
        store_look_ahead(keys)

    ctx.api_store.look_ahead = recorded  # type: ignore[method-assign]

    async def pay(key: str, amount: int = api_bench.payment_minor) -> tuple[int, Any, bool]:
        body = json.dumps({"payload": seeded.payload, "amount_minor": amount}).encode()
        status, headers, sent = await answer(edge, body, token, key)
        return status, json.loads(sent), (b"idempotent-replayed", b"true") in headers

    too_much = 10**12
    balances = [ctx.wallets.balance(paying)]

    async def scenario() -> tuple[Any, Any, list[tuple[int, Any, bool]]]:
        made = await pay("paid-before")
        balances.append(ctx.wallets.balance(paying))
        refused = await pay("refused-before", too_much)
        await asyncio.sleep(0.5)  # the next ones come long after these
        together = await asyncio.gather(
            pay("fresh-0"),
            pay("paid-before"),
            pay("refused-before", too_much),
            pay("twice"),
            pay("twice"),
            pay("fresh-1"),
        )
        return made, refused, list(together)

    try:
        made, refused, together = asyncio.run(asyncio.wait_for(scenario(), 30))
        assert made[0] == 201 and refused[0] == 402, (made, refused)
        fresh0, made_again, refused_again, twice_a, twice_b, fresh1 = together
        assert looked_ahead[-1] == [
            (wallet_id, key)
            for key in ("paid-before", "refused-before", "twice", "twice", "fresh-1")
        ]  # fmt: skip (the first of them came alone, long after the last)
        assert fresh0[0] == fresh1[0] == 201 and fresh0[1]["id"] != fresh1[1]["id"]
        assert made_again[0] == 201 and made_again[1]["id"] == made[1]["id"]
        # The refusal's answer was stored: looked up ahead, it is replayed, not run again.
        assert refused_again == (402, refused[1], True)
        # One key sent twice at once: one payment made, the other told it is in progress.
        assert sorted([twice_a[0], twice_b[0]]) == [201, 409]
        in_progress = twice_a if twice_a[0] == 409 else twice_b
        assert in_progress[1]["error"]["code"] == "idempotency_key_in_use"
        # Three more payments made, each as the first: the replays and the refusals moved
        # nothing.
        paid = balances[0] - balances[1]
        assert paid > 0 and ctx.wallets.balance(paying) == balances[1] - 3 * paid
    finally:
        assert verify(*ctx.ledger.snapshot_for_verify()).ok
        ctx.ledger.close()
        ctx.close_stores()


def test_a_payment_the_rate_limit_refuses_is_not_held_for_a_gathering(tmp_path: Path) -> None:
    """The gate stands inside the rate limit: a refusal (429) is answered at once, while
    the payments it lets through wait for their gathering."""
    ctx = build_context(f"sqlite:///{tmp_path}/colony.db")
    ctx.payment_gather_s = ctx.payment_together_s = 5.0
    ctx.address_limiter = RateLimiter(ctx.clock, 1, 1)  # one request from the address
    seeded = api_bench.seed(ctx, 1)
    edge = served_app(ctx)
    body = json.dumps({"payload": seeded.payload, "amount_minor": 100}).encode()

    async def status(key: str) -> int:
        return (await answer(edge, body, seeded.wallet_tokens[0], key))[0]

    async def scenario() -> tuple[int, float]:
        assert await status("first") == 201  # alone: through at once, its bucket spent
        began = asyncio.get_running_loop().time()
        refused = await status("second")  # within the moment of the first: would be held
        return refused, asyncio.get_running_loop().time() - began

    try:
        refused, waited_s = asyncio.run(asyncio.wait_for(scenario(), 30))
        assert refused == 429 and waited_s < 2.5
    finally:
        ctx.ledger.close()
        ctx.close_stores()
