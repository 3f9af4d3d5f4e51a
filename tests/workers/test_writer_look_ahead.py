"""Followers' payments that reach the ledger's writer together start together, their
Idempotency-Keys' stored answers looked up in one read (docs/adr/0093).

The findings are kept with the claims every process makes (the writer's `HeldClaims`), so
that any claim of a key, the writer's own or one a follower makes over the socket, takes
its finding away: a key claimed, answered and dropped by another process after the
look-ahead is read again, never taken for new."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from colony.api.records import IdempotencyClaims
from colony.kernel import key_claims
from colony.kernel.clock import SystemClock
from colony.kernel.key_claims import HeldClaims
from colony.workers import ElectedLedger
from tests.api.test_answer_look_ahead import ANSWER, _Answers
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import auth, open_wallet
from tests.workers.test_elected_ledger import SECRET, _eventually, address
from tests.workers.test_forwarded_payments import (
    ALICE,
    Workers,
    _available,
    _forwarding,
    served_workers,
    two_workers,
)

__all__ = ["address", "two_workers"]  # fixtures


def test_the_writers_claims_find_keys_unclaimed_and_unanswered() -> None:
    answers = _Answers({("w", "done"): ("h", 201, ANSWER)})
    claims = HeldClaims()
    assert claims.claim("w", "held", "h", 1, "follower") is None
    claims.look_ahead(
        [("w", "a"), ("w", "b"), ("w", "a"), ("w", "done"), ("w", "held")], answers.among
    )
    # One read, of the keys nobody held, each once.
    assert answers.reads_among == [[("w", "a"), ("w", "b"), ("w", "done")]]
    # Found unanswered: claimed on the finding, once.
    assert claims.take_unanswered("w", "a", "h", 2, "writer")
    assert not claims.take_unanswered("w", "a", "h", 2, "writer")
    assert claims.claim("w", "a", "h2", 3, "follower") == "h"  # the writer holds it now
    # Answered, or held at the look-ahead: no finding.
    assert not claims.take_unanswered("w", "done", "h", 2, "writer")
    assert not claims.take_unanswered("w", "held", "h", 2, "writer")
    # Claimed by another process since (over the socket): the finding is gone with it, even
    # after that claim is dropped again (its answer may be stored by then).
    assert claims.claim("w", "b", "h", 4, "follower") is None
    claims.drop("w", "b", "follower")
    assert not claims.take_unanswered("w", "b", "h", 5, "writer")
    # Findings accumulate (a gathering's may be unused when the next one reads) ...
    claims.look_ahead([("w", "c")], answers.among)
    claims.look_ahead([("w", "d")], answers.among)
    assert claims.take_unanswered("w", "c", "h", 6, "writer")
    assert claims.take_unanswered("w", "d", "h", 6, "writer")


def test_findings_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """... up to a bound, past which they start again: a finding forgotten costs a read."""
    monkeypatch.setattr(key_claims, "findings_kept_max", 3)
    answers = _Answers()
    claims = HeldClaims()
    claims.look_ahead([("w", "a"), ("w", "b")], answers.among)
    claims.look_ahead([("w", "c"), ("w", "d")], answers.among)
    assert not claims.take_unanswered("w", "a", "h", 1, "writer")
    assert claims.take_unanswered("w", "c", "h", 1, "writer")
    assert claims.take_unanswered("w", "d", "h", 1, "writer")


def test_a_claim_made_while_the_look_ahead_reads_is_not_missed() -> None:
    """The read runs outside the claims' lock (another process's claim does not wait for
    it); a key claimed while it reads, and answered and dropped before it ends, is not
    found unanswered."""
    answers = _Answers()
    claims = HeldClaims()

    def among(keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        def follower_serves_a() -> None:
            assert claims.claim("w", "a", "h", 1, "follower") is None
            answers.stored[("w", "a")] = ("h", 201, ANSWER)  # after the read saw none
            claims.drop("w", "a", "follower")

        follower = threading.Thread(target=follower_serves_a)
        follower.start()
        follower.join(10)
        assert not follower.is_alive(), "a claim waited for the look-ahead's read"
        return set()  # the read began before the answer was stored

    claims.look_ahead([("w", "a"), ("w", "b")], among)
    assert not claims.take_unanswered("w", "a", "h", 2, "writer")
    assert claims.take_unanswered("w", "b", "h", 2, "writer")


def test_a_writers_begin_claims_on_the_finding_and_a_followers_reads(
    tmp_path: Path, address: str
) -> None:
    """Two processes' claims on one database, as `colony serve --workers 2` has them: the
    writer begins a found key without reading it; a key a follower claimed after the
    look-ahead is read, and found held."""
    url = f"sqlite:///{tmp_path}/claims.db"
    writer = ElectedLedger(url, SystemClock(), address=address, authkey=SECRET)
    follower = ElectedLedger(url, SystemClock(), address=address, authkey=SECRET)
    try:
        assert writer.is_writer and not follower.is_writer
        writer_answers, follower_answers = _Answers(), _Answers()
        at_writer = IdempotencyClaims(writer_answers.one, writer.key_claims())
        at_follower = IdempotencyClaims(follower_answers.one, follower.key_claims())
        keys = [("w", "a"), ("w", "b")]
        at_writer.look_ahead(keys, writer_answers.among)
        assert writer_answers.reads_among == [keys]
        # A follower's look-ahead finds nothing: the claims are not in its memory.
        at_follower.look_ahead(keys, follower_answers.among)
        assert follower_answers.reads_among == []

        assert at_writer.begin("w", "a", "h", 1) == ("new", None, None)
        assert writer_answers.reads_one == 0
        # The follower claims "b" over the socket after the look-ahead: the writer's begin
        # reads, and finds the key held by a request with the same hash (in progress).
        assert at_follower.begin("w", "b", "h", 2) == ("new", None, None)
        assert follower_answers.reads_one == 1
        assert at_writer.begin("w", "b", "h", 3) == ("same", None, None)
        # Read before claiming, and again once the claim was refused (finished since?).
        assert writer_answers.reads_one == 2
        # And the follower's begin of the writer's key is refused as in progress.
        assert at_follower.begin("w", "a", "h", 4) == ("same", None, None)
    finally:
        follower.close()
        writer.close()


def test_a_claim_held_across_a_new_writers_claims_is_not_found(
    tmp_path: Path, address: str
) -> None:
    """A writer that stands again (its ledger reopened) starts with no claims, while a
    request of its own from before still holds its key here: a look-ahead must not find
    that key unanswered, or a retry after its answer is stored would be taken for new."""
    url = f"sqlite:///{tmp_path}/claims.db"
    writer = ElectedLedger(url, SystemClock(), address=address, authkey=SECRET)
    try:
        answers = _Answers()
        at_writer = IdempotencyClaims(answers.one, writer.key_claims())
        assert at_writer.begin("w", "k", "h", 1) == ("new", None, None)
        writer._step_down()
        assert writer._stand()
        at_writer.look_ahead([("w", "k"), ("w", "other")], answers.among)
        assert answers.reads_among == [[("w", "other")]]
        assert at_writer.begin("w", "k", "h", 2) == ("same", None, None)  # in progress
        at_writer.finish("w", "k", 402, ANSWER, answers.write)
        assert at_writer.begin("w", "k", "h", 3) == ("same", 402, ANSWER)
    finally:
        writer.close()


def test_followers_payments_arriving_together_are_looked_up_together(
    two_workers: Workers,
) -> None:
    """Payments a follower forwards while the writer's loop is busy start together when it
    is free: one look-ahead for them all (SQLite), each answered as if served alone: new
    keys made, a stored refusal replayed (not paid now that the money is there), a payment
    answered from its record, one key sent twice made once."""
    writer, writer_ctx, follower, _ = two_workers
    merchant = onboard(writer, writer_ctx)
    code = static_code(writer, merchant)
    alice = open_wallet(writer, ALICE)
    forwarding = _forwarding(writer_ctx)

    def pay(key: str, amount_minor: int = 100) -> httpx.Response:
        headers = auth(alice) | {"Idempotency-Key": key}
        return follower.post(
            "/v1/payments", json={"payload": code, "amount_minor": amount_minor}, headers=headers
        )

    refused = pay("refused", 5_000)
    assert refused.status_code == 402, refused.text
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    first = pay("before")
    assert first.status_code == 201, first.text
    before = _available(writer, alice)
    looked_ahead, served = forwarding.looked_ahead, forwarding.served

    # The writer's loop held busy while the follower's payments reach its socket.
    loop = forwarding._loop
    assert loop is not None
    free = threading.Event()
    loop.call_soon_threadsafe(free.wait, 30)
    sent = [("t-1", 100), ("t-2", 100), ("t-3", 100), ("refused", 5_000), ("before", 100)]
    sent += [("twice", 100), ("twice", 100)]
    try:
        with ThreadPoolExecutor(len(sent)) as pool:
            answers = [pool.submit(pay, key, amount) for key, amount in sent]
            _eventually(lambda: len(forwarding._arrivals) == len(sent))
            free.set()
            got = [answer.result() for answer in answers]
    finally:
        free.set()

    if writer_ctx.steps_on_loop:  # SQLite: the answers looked up together
        assert forwarding.looked_ahead == looked_ahead + 1
    assert forwarding.served == served + len(sent)
    for answer in got[:3]:
        assert answer.status_code == 201, answer.text
    assert got[3].status_code == 402 and got[3].content == refused.content
    assert got[4].status_code == 201 and got[4].json() == first.json()
    twice = sorted(answer.status_code for answer in got[5:])
    # One made; the other refused as in progress, or (on a thread of the pool, begun after
    # the first finished) answered the same.
    assert twice in ([201, 409], [201, 201]), [answer.text for answer in got[5:]]
    if twice == [201, 201]:
        assert got[5].json() == got[6].json()
    # Four payments made: three keys and one for the key sent twice.
    assert _available(writer, alice) == before - 4 * 100


@pytest.fixture
def slow_gates(store_url: str, address: str) -> Iterator[Workers]:
    """`two_workers` whose gates gather for half a second: payments that arrive while the
    writer's loop was held are gathered together however busy the machine."""
    with served_workers(store_url, address, gather_s=0.5) as workers:
        yield workers


def test_the_writers_own_payments_gathered_at_its_gate_are_looked_up_together(
    slow_gates: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer holds every worker's claims, so the payments its own HTTP gate gathers
    are looked up together as in a process serving alone (docs/adr/0099); a follower's
    gate does not look ahead (its payments are, at the writer). SQLite only."""
    writer, writer_ctx, _, follower_ctx = slow_gates
    sqlite = writer_ctx.steps_on_loop
    assert writer_ctx.api_store.looks_ahead == sqlite
    assert not follower_ctx.api_store.looks_ahead
    merchant = onboard(writer, writer_ctx)
    code = static_code(writer, merchant)
    alice = open_wallet(writer, ALICE)
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"

    def pay(key: str) -> httpx.Response:
        headers = auth(alice) | {"Idempotency-Key": key}
        return writer.post(
            "/v1/payments", json={"payload": code, "amount_minor": 100}, headers=headers
        )

    first = pay("before")
    assert first.status_code == 201, first.text
    looked_up: list[list[str]] = []
    store = writer_ctx.api_store
    look_ahead = store.look_ahead

    def counted(keys: Sequence[tuple[str, str]]) -> None:
        looked_up.append(sorted(key for _, key in keys))
        look_ahead(keys)

    monkeypatch.setattr(store, "look_ahead", counted)
    loop = _forwarding(writer_ctx)._loop
    assert loop is not None
    free = threading.Event()
    loop.call_soon_threadsafe(free.wait, 30)  # the writer's loop busy while they arrive
    sent = ["g-1", "g-2", "g-3", "before"]
    try:
        with ThreadPoolExecutor(len(sent)) as pool:
            answers = [pool.submit(pay, key) for key in sent]
            time.sleep(1.0)  # every request in the writer's socket by then
            free.set()
            got = [answer.result() for answer in answers]
    finally:
        free.set()
    for answer in got[:3]:
        assert answer.status_code == 201, answer.text
    assert got[3].status_code == 201 and got[3].json() == first.json()
    if sqlite:
        # The first to arrive after a pause goes on alone (api/gather.py); the others,
        # arriving within half a second of it, are gathered and looked up in one read.
        assert len(looked_up) == 1, looked_up
        assert len(looked_up[0]) == len(sent) - 1 and set(looked_up[0]) <= set(sent)
    else:
        assert looked_up == []
