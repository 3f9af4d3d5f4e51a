"""Followers' payments that reach the ledger's writer together start together, their
Idempotency-Keys' stored answers looked up in one read (docs/adr/0093).

The findings are kept with the claims every process makes (the writer's `HeldClaims`), so
that any claim of a key, the writer's own or one a follower makes over the socket, takes
its finding away: a key claimed, answered and dropped by another process after the
look-ahead is read again, never taken for new."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from colony.api.records import IdempotencyClaims
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
    # The next look-ahead's findings replace the last's.
    claims.look_ahead([("w", "c")], answers.among)
    claims.look_ahead([("w", "d")], answers.among)
    assert not claims.take_unanswered("w", "c", "h", 6, "writer")
    assert claims.take_unanswered("w", "d", "h", 6, "writer")


def test_no_claim_is_made_while_the_look_ahead_reads() -> None:
    """A claim made while the answers are read would be one the read could miss the answer
    of: it waits for the read, then takes the finding away."""
    claims = HeldClaims()
    claimed = threading.Event()
    waited: list[bool] = []

    def among(keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        follower = threading.Thread(
            target=lambda: (claims.claim("w", "a", "h", 1, "follower"), claimed.set())
        )
        follower.start()
        waited.append(not claimed.wait(0.2))  # still waiting for the lock
        return set()

    claims.look_ahead([("w", "a")], among)
    assert claimed.wait(10)
    assert waited == [True]
    assert not claims.take_unanswered("w", "a", "h", 2, "writer")


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


def test_followers_payments_arriving_together_are_looked_up_together(
    two_workers: Workers,
) -> None:
    """Payments a follower forwards while the writer's loop is busy start together when it
    is free: one look-ahead for them all, each answered as if served alone (new keys made,
    a stored answer replayed and not paid again, one key sent twice made once)."""
    writer, writer_ctx, follower, _ = two_workers
    merchant = onboard(writer, writer_ctx)
    code = static_code(writer, merchant)
    alice = open_wallet(writer, ALICE)
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    forwarding = _forwarding(writer_ctx)

    def pay(key: str) -> httpx.Response:
        headers = auth(alice) | {"Idempotency-Key": key}
        return follower.post(
            "/v1/payments", json={"payload": code, "amount_minor": 100}, headers=headers
        )

    first = pay("before")
    assert first.status_code == 201, first.text
    before = _available(writer, alice)
    looked_ahead, served = forwarding.looked_ahead, forwarding.served

    # The writer's loop held busy while the follower's payments reach its socket.
    loop = forwarding._loop
    assert loop is not None
    free = threading.Event()
    loop.call_soon_threadsafe(free.wait, 30)
    keys = ["t-1", "t-2", "t-3", "before", "twice", "twice"]
    with ThreadPoolExecutor(len(keys)) as pool:
        answers = [pool.submit(pay, key) for key in keys]
        _eventually(lambda: len(forwarding._arrivals) == len(keys))
        free.set()
        by_key = [(key, answer.result()) for key, answer in zip(keys, answers, strict=True)]

    assert forwarding.looked_ahead == looked_ahead + 1
    assert forwarding.served == served + len(keys)
    for key, answer in by_key[:3]:
        assert answer.status_code == 201, (key, answer.text)
    replayed = by_key[3][1]
    assert replayed.status_code == 201 and replayed.json() == first.json()
    twice = sorted(answer.status_code for _, answer in by_key[4:])
    assert twice == [201, 409], [answer.text for _, answer in by_key[4:]]
    # Four payments made: three keys and one of the two with the same key.
    assert _available(writer, alice) == before - 4 * 100
