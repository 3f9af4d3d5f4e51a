"""The assessment store's contract, on each backend: an assessment kept once, read back as
kept, listed newest first; a review decided once; rule changes appended by version."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from colony.risk import (
    Assessment,
    Channel,
    Decision,
    KeptAssessment,
    Mode,
    Place,
    Reason,
    RiskCheck,
    RiskEvent,
    Rule,
    RuleChange,
    open_assessment_store,
    sql_store,
)
from colony.risk.store import recent_page_max


def _event(at_ns: int) -> RiskEvent:
    return RiskEvent(Channel.qr, "wal_1", "mer_1", 12_345, "SGD", at_ns)


# Where and from what: kept beside the assessment, for the analyst (docs/adr/0063).
PLACED = RiskEvent(Channel.qr, "wal_1", "mer_2", 5_00, "EUR", 50, "dev-9",
                   Place(66_503_900, 25_729_400), 120)  # fmt: skip


HELD = Assessment(Decision.review, (Reason.velocity_1h,), (Reason.new_payee,), 30, 2)
BLOCKED = Assessment(Decision.block, (Reason.amount_large,), (), 60, 0, fallback=True)


def test_assessments_kept_together_without_waiting_are_each_durable_once(
    store_url: str,
) -> None:
    """Payments on the event loop keep their assessments through one group commit: every
    future is done once its row is durable, a payment kept twice keeps its first, and a
    reopened store reads them all."""
    store = open_assessment_store(store_url)
    try:
        futures = [store.keep_later(i, _event(i), HELD) for i in range(1, 41)]
        futures.append(store.keep_later(3, _event(999), BLOCKED))  # a retry: ignored
        assert [f.result(timeout=30) for f in futures] == [None] * 41
    finally:
        store.close()
    reopened = open_assessment_store(store_url)
    try:
        assert [k.payment_id for k in reopened.recent()] == list(range(40, 0, -1))
        third = reopened.by_payment(3)
        assert third is not None and (third.event, third.assessment) == (_event(3), HELD)
    finally:
        reopened.close()


ALLOWED = Assessment(Decision.allow, (), (Reason.velocity_1m,), 0, 2)  # shadow rules only


def test_assessments_written_behind_are_read_back_at_once_and_kept_by_close(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An allow that named shadow rules is written behind its payment: this process reads
    it back at once, a row the database cannot hold is dropped alone, and closing the
    store writes what waits (no tick comes in this test: only the reads and `close`
    write)."""
    monkeypatch.setattr(sql_store, "behind_every_s", 3_600)
    store = open_assessment_store(store_url)
    try:
        store.keep_behind(1, _event(1), ALLOWED)
        kept = store.by_payment(1)  # read back before any write was due
        assert kept is not None and kept.assessment == ALLOWED
        unstorable = RiskEvent(Channel.qr, "wal_1", "mer_1", 2**70, "SGD", 2)
        store.keep_behind(2, unstorable, ALLOWED)
        store.keep_behind(3, _event(3), ALLOWED)
        assert [k.payment_id for k in store.recent()] == [3, 1]
        for i in range(10, 20):
            store.keep_behind(i, _event(i), ALLOWED)
    finally:
        store.close()
    reopened = open_assessment_store(store_url)
    try:
        assert [k.payment_id for k in reopened.recent()] == [*range(19, 9, -1), 3, 1]
    finally:
        reopened.close()


class _Recording:
    """An assessment store that says which way each assessment was kept."""

    def __init__(self) -> None:
        self.ways: list[tuple[str, int]] = []

    def keep_later(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> object:
        self.ways.append(("durable", payment_id))
        return "the commit's future"

    def keep_behind(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        self.ways.append(("behind", payment_id))


def test_a_payment_waits_only_for_assessments_that_changed_something() -> None:
    """A block, a review, a challenge or a fallback is durable before the payment goes on;
    an allow that named shadow rules is written behind it; a plain allow is not kept."""
    store = _Recording()
    check = RiskCheck(store=store)  # type: ignore[arg-type]
    assert check.keep_later(1, _event(1), HELD) == "the commit's future"
    assert check.keep_later(2, _event(2), BLOCKED) == "the commit's future"
    challenged = Assessment(Decision.challenge, (Reason.velocity_1m,), (), 20, 2)
    assert check.keep_later(3, _event(3), challenged) == "the commit's future"
    assert check.keep_later(4, _event(4), ALLOWED).result() is None  # done at once
    assert check.keep_later(5, _event(5), Assessment(Decision.allow, (), (), 0, 2)).done()
    assert store.ways == [("durable", 1), ("durable", 2), ("durable", 3), ("behind", 4)]


def _held_write(
    store: sql_store.SqlAssessmentStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[threading.Event, threading.Thread]:
    """Rows 1-3 written behind, their write held until `release` is set: (release, the
    flushing thread)."""
    writing, release = threading.Event(), threading.Event()
    write = store._write

    def slow(rows: Sequence[tuple[object, ...]]) -> Sequence[None]:
        writing.set()
        release.wait(10)
        return write(rows)

    monkeypatch.setattr(store, "_write", slow)
    for i in (1, 2, 3):
        store.keep_behind(i, _event(i), ALLOWED)
    flushing = threading.Thread(target=store.flush)
    flushing.start()
    assert writing.wait(10)
    return release, flushing


def test_a_read_waits_for_the_write_behind_in_progress(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read made while the rows written behind are being written waits for that write,
    never reading past rows taken off the list but not yet in the table."""
    store = open_assessment_store(store_url)
    try:
        release, flushing = _held_write(store, monkeypatch)
        found: list[KeptAssessment | None] = []
        reader = threading.Thread(target=lambda: found.append(store.by_payment(1)))
        reader.start()
        reader.join(0.3)
        assert reader.is_alive()  # waiting for the write, not reading before it
        release.set()
        flushing.join(10)
        reader.join(10)
        assert found and found[0] is not None and found[0].assessment == ALLOWED
    finally:
        store.close()


def test_a_store_closed_during_a_slow_write_keeps_every_row(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing waits for the write in progress and writes what was queued meanwhile; after
    it is closed, nothing more is queued."""
    store = open_assessment_store(store_url)
    release, flushing = _held_write(store, monkeypatch)
    closer = threading.Thread(target=store.close)
    store.keep_behind(4, _event(4), ALLOWED)  # queued: the store is not closed yet
    closer.start()
    release.set()
    flushing.join(10)
    closer.join(10)
    assert not closer.is_alive()
    store.keep_behind(5, _event(5), ALLOWED)  # closed: not queued, and no error
    reopened = open_assessment_store(store_url)
    try:
        assert [k.payment_id for k in reopened.recent()] == [4, 3, 2, 1]
    finally:
        reopened.close()


def test_assessments_are_kept_once_and_decided_once(store_url: str) -> None:
    store = open_assessment_store(store_url)
    try:
        store.keep(2**100, _event(10), HELD)
        store.keep(2**100, _event(99), BLOCKED)  # the same payment again: ignored
        store.keep(7, _event(20), BLOCKED)
        assert [k.payment_id for k in store.recent()] == [7, 2**100]
        kept = store.by_payment(2**100)
        assert kept is not None
        assert (kept.event, kept.assessment) == (_event(10), HELD)
        assert store.by_payment(7).assessment == BLOCKED  # type: ignore[union-attr]
        assert store.decide(7, "approved", "stf_1", 30) is False  # not a review
        assert store.decide(2**100, "declined", "stf_1", 30) is True
        assert store.decide(2**100, "approved", "stf_2", 31) is False  # decided before
        after = store.by_payment(2**100)
        assert after is not None
        assert (after.review_outcome, after.reviewed_by, after.reviewed_at_ns) == (
            "declined", "stf_1", 30,
        )  # fmt: skip
        rule = Rule(Reason.velocity_1m, Decision.challenge, 5, 20, Mode.active)
        change = RuleChange(2, rule, "stf_1", "busy stalls", 40)
        assert store.add_rule_change(change) is True
        assert store.add_rule_change(RuleChange(2, rule, "stf_2", "", 41)) is False
        assert store.rule_changes() == [change]
        store.keep(8, PLACED, BLOCKED)
        placed = store.by_payment(8)
        assert placed is not None and placed.event == PLACED
    finally:
        store.close()


def test_the_review_queue_is_asked_of_the_store_past_the_recent_page(store_url: str) -> None:
    store = open_assessment_store(store_url)
    try:
        store.keep(1, _event(5), HELD)  # before `since`: gone back to the payer
        store.keep(2, _event(20), HELD)
        store.keep(3, _event(21), HELD)
        store.keep(4, _event(22), BLOCKED)  # not a review
        assert store.decide(3, "approved", "stf_1", 30) is True
        for i in range(100, 100 + recent_page_max):  # newer assessments fill the page
            store.keep(i, _event(i), BLOCKED)
        assert 2 not in [k.payment_id for k in store.recent()]
        assert [k.payment_id for k in store.held(since_ns=10)] == [2]
    finally:
        store.close()
