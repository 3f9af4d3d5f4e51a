"""Risk control's counters held by the ledger's writer for every worker (docs/adr/0068), on
each backend: two workers' checks count one wallet's payments together, so a velocity rule
sees them all whichever worker takes each; what happens after the money moved reaches the
writer without waiting; a follower that takes over from a writer gone counts afresh."""

from __future__ import annotations

from concurrent.futures import Future

from colony.kernel.clock import ManualClock
from colony.kernel.steps import wait
from colony.risk import (
    Channel,
    Decision,
    FeatureStore,
    Mode,
    Reason,
    RiskCheck,
    RiskEvent,
    Rule,
    RuleSet,
    SharedCounters,
    counter_calls,
)
from colony.workers import ElectedLedger
from tests.workers.test_elected_ledger import SECRET, _eventually, address

__all__ = ["address"]  # the workers' fixture: a short private path for the writer's socket
T0 = 1_767_225_600 * 10**9
# A burst: the third payment of a wallet in a minute is challenged.
BURSTS = RuleSet(2, (Rule(Reason.velocity_1m, Decision.challenge, 2, 20, Mode.active),))


def _worker(url: str, address: str) -> tuple[ElectedLedger, RiskCheck]:
    ledger = ElectedLedger(url, ManualClock(), address=address, authkey=SECRET)
    ledger.share(counter_calls(FeatureStore()))  # as colony serve wires every worker
    counters = SharedCounters(ledger.shared_call, ledger.shared_call_later)
    return ledger, RiskCheck(counters, BURSTS)


class _Unreachable:
    """Counters whose writer cannot be reached: every read fails."""

    def read_and_observe_later(self, event: RiskEvent) -> Future[object]:
        future: Future[object] = Future()
        future.set_exception(ConnectionError("the writer is gone"))
        return future


def _payment(second: int, amount_minor: int = 5_00) -> RiskEvent:
    return RiskEvent(Channel.qr, "wal_1", "mer_1", amount_minor, "SGD", T0 + second * 10**9)


def test_two_workers_count_one_wallets_payments_together(journal_url: str, address: str) -> None:
    writer, at_writer = _worker(journal_url, address)
    follower, at_follower = _worker(journal_url, address)
    try:
        assert writer.is_writer and not follower.is_writer
        assert at_writer.check(_payment(1)).decision is Decision.allow
        assert at_follower.check(_payment(2)).decision is Decision.allow
        third = at_writer.check(_payment(3))  # the third in a minute, across both workers
        assert (third.decision, third.reasons) == (Decision.challenge, (Reason.velocity_1m,))

        # Paid through the follower: counted at the writer without the follower waiting.
        at_follower.features.observe_success(_payment(2, 12_34))
        _eventually(lambda: at_writer.features.features(_payment(4)).history_sum_minor > 0)
        seen = at_writer.features.features(_payment(4))
        assert (seen.history_count, seen.history_sum_minor, seen.payee_seen) == (1, 12_34, True)
        assert at_follower.features.features(_payment(4)) == seen  # one store, asked twice

        writer.close()  # the writer goes: the follower stands, and counts afresh
        _eventually(lambda: follower.is_writer)
        fresh = at_follower.check(_payment(70))
        assert fresh.decision is Decision.allow and not fresh.fallback
        assert at_follower.features.features(_payment(71)).history_count == 0
    finally:
        writer.close()
        follower.close()


def test_a_followers_check_as_steps_waits_on_the_writers_answer_not_on_its_loop(
    journal_url: str, address: str
) -> None:
    """On the event loop a follower's check yields the writer's answer as a future: the
    steps count with the writer's as `check` does, and one that cannot be read is decided
    by the fallback rules."""
    writer, at_writer = _worker(journal_url, address)
    follower, at_follower = _worker(journal_url, address)
    try:
        steps = at_follower.payment_steps(1, _payment(1))
        asked = next(steps)
        assert isinstance(asked, Future)  # the writer's answer, awaited by whoever runs it
        assert wait(steps, 10, asked.result(timeout=10)).decision is Decision.allow
        assert wait(at_follower.payment_steps(2, _payment(2)), 10).decision is Decision.allow
        third = wait(at_writer.payment_steps(3, _payment(3)), 10)
        assert (third.decision, third.reasons) == (Decision.challenge, (Reason.velocity_1m,))
        # The same payment asked again is answered from the check's memory, not counted.
        assert wait(at_writer.payment_steps(3, _payment(3)), 10) == third
        assert at_writer.features.features(_payment(4)).wallet_count_1m == 3

        unreachable = RiskCheck(_Unreachable(), BURSTS)  # type: ignore[arg-type]
        fallback = wait(unreachable.payment_steps(9, _payment(9)), 10)
        assert fallback.fallback and unreachable.fallbacks == 1
    finally:
        follower.close()
        writer.close()
