"""A follower's calls made on an event loop go to the writer once a turn of the loop
(docs/adr/0095): the calls of one turn in one message, in the order they were made, and a
caller that blocks on one on the loop itself does not wait for the turn to end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from colony.ledger import Account, CreateAccountResult, CreateTransferResult, Transfer
from colony.workers import ElectedLedger, RemoteLedger
from tests.workers.test_elected_ledger import SECRET, _elected, address

__all__ = ["address"]  # the workers' fixture

Pair = tuple[ElectedLedger, RemoteLedger]


@pytest.fixture
def pair(journal_url: str, address: str) -> Iterator[Pair]:
    """The writer, and a follower's link to it."""
    writer = _elected(journal_url, address)
    follower = RemoteLedger(address, SECRET)
    try:
        assert follower.reachable()
        yield writer, follower
    finally:
        follower.close()
        writer.close()


def test_the_calls_of_one_turn_cross_in_one_message(pair: Pair) -> None:
    writer, follower = pair
    assert not any(follower.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))

    async def pay_in_one_turn() -> list[list[int]]:
        sent = [follower.submit_transfers([Transfer(100 + i, 1, 2, 1, 1, 1)]) for i in range(20)]
        return list(await asyncio.gather(*(asyncio.wrap_future(f) for f in sent)))

    before = follower.messages_sent
    answers = asyncio.run(pay_in_one_turn())
    assert answers == [[int(CreateTransferResult.ok)]] * 20
    assert follower.messages_sent - before == 1
    assert writer.lookup_accounts([2])[0].credits_posted == 20


def test_a_call_made_at_once_goes_after_the_turns_calls_so_far(pair: Pair) -> None:
    """Accounts submitted on the loop, then a transfer between them made with a call that
    waits (on the loop): the transfer goes after the accounts, and finds them."""
    writer, follower = pair

    async def accounts_then_transfer() -> list[CreateTransferResult]:
        follower.submit_accounts([Account(7, 1, 1), Account(8, 1, 1)])
        return follower.create_transfers([Transfer(70, 7, 8, 5, 1, 1)])  # waits

    assert asyncio.run(accounts_then_transfer()) == [CreateTransferResult.ok]
    assert writer.lookup_accounts([8])[0].credits_posted == 5


def test_blocking_on_a_call_of_the_turn_sends_it_at_once(pair: Pair) -> None:
    writer, follower = pair

    async def block_on_the_loop() -> float:
        started = time.monotonic()
        made = follower.submit_accounts([Account(9, 1, 1)])
        assert made.result(timeout=10) == [CreateAccountResult.ok]  # sent as it blocked
        return time.monotonic() - started

    assert asyncio.run(block_on_the_loop()) < 5
    assert writer.lookup_accounts([9])[0].id == 9


def test_a_call_from_a_thread_goes_after_the_loops_open_turn(pair: Pair) -> None:
    """Steps that submitted accounts on the loop, then went on on a thread of the pool and
    submitted a transfer between them while the loop's turn was still open: the transfer
    goes after the accounts."""
    _, follower = pair

    async def accounts_then_transfer_on_a_thread() -> list[int]:
        loop = asyncio.get_running_loop()
        loop.call_soon(time.sleep, 0.2)  # other requests' work keeps the turn open
        follower.submit_accounts([Account(7, 1, 1), Account(8, 1, 1)])

        def on_thread() -> list[int]:
            return follower.submit_transfers([Transfer(70, 7, 8, 5, 1, 1)]).result(10)

        return await loop.run_in_executor(None, on_thread)

    assert asyncio.run(accounts_then_transfer_on_a_thread()) == [CreateTransferResult.ok]


def test_a_claim_dropped_on_the_loop_goes_at_once(journal_url: str, address: str) -> None:
    """A request's claim released on the loop, waited for there (a route run on the loop):
    the drop is not held for the turn's end, which cannot come while the loop waits."""
    writer = _elected(journal_url, address)
    follower = _elected(journal_url, address)
    try:
        assert writer.is_writer and not follower.is_writer
        claims = follower.key_claims()

        async def claim_and_drop() -> float:
            started = time.monotonic()
            assert claims.claim("w", "k", "h", 1) is None
            claims.drop("w", "k")  # waits for the writer, on the loop
            return time.monotonic() - started

        assert asyncio.run(claim_and_drop()) < 5
        assert writer.key_claims().claim("w", "k", "h2", 2) is None  # dropped at the writer
    finally:
        follower.close()
        writer.close()


def test_a_turn_left_by_a_closed_loop_goes_with_the_next_call(pair: Pair) -> None:
    _, follower = pair
    loop = asyncio.new_event_loop()
    made: list[Future[list[int]]] = []

    def submit_then_stop() -> None:
        made.append(follower.submit_accounts([Account(5, 1, 1)]))
        loop.stop()  # the turn's hand-over is queued after this: it never runs

    loop.call_soon(submit_then_stop)
    loop.run_forever()
    loop.close()
    assert not made[0].done()
    assert follower.lookup_accounts([6]) == []  # the next call, from this thread
    assert made[0].result(timeout=10) == [CreateAccountResult.ok]
