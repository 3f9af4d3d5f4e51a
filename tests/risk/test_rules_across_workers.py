"""Rules changed in one worker reach the others (docs/adr/0067), on each backend: two checks
over one store, as two `colony serve` workers hold them; the second takes up the first's
change within `rules_look_every_s`, not before; a change made there follows it (the next
version, not a conflict); a store that cannot be read leaves the rules in force."""

from __future__ import annotations

from colony.risk import (
    DEFAULT_RULES,
    Channel,
    Decision,
    Mode,
    Reason,
    RiskCheck,
    RiskEvent,
    Rule,
    open_assessment_store,
)
from colony.risk.check import rules_look_every_s

EVENT = RiskEvent(Channel.qr, "wal_1", "mer_1", 50_000, "USD", 1_767_225_600 * 10**9)


class Ticks:
    """A monotonic clock the test moves by hand, in seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_rule_changed_in_one_worker_is_in_force_in_another(store_url: str) -> None:
    ticks = Ticks()
    first_store, second_store = open_assessment_store(store_url), open_assessment_store(store_url)
    try:
        first = RiskCheck.with_store(first_store, monotonic=ticks)
        second = RiskCheck.with_store(second_store, monotonic=ticks)
        blocking = Rule(Reason.amount_large, Decision.block, 100, 60, Mode.active)
        assert second.check(EVENT).decision is Decision.allow
        assert first.change_rule(blocking, "stf_1", "too large", 1)
        assert first.check(EVENT).decision is Decision.block
        ticks.now += rules_look_every_s / 2
        assert second.check(EVENT).decision is Decision.allow  # not looked yet
        ticks.now += rules_look_every_s
        assert second.check(EVENT).decision is Decision.block
        assert second.rules.version == DEFAULT_RULES.version + 1

        # A change made in the second worker comes after the first's, not in its place.
        watching = Rule(Reason.velocity_1m, Decision.challenge, 3, 20, Mode.active)
        assert second.change_rule(watching, "stf_2", "bursts", 2)
        assert second.rules.version == DEFAULT_RULES.version + 2
        assert second.rules.rule(Reason.amount_large) == blocking
        assert [c.version for c in first_store.rule_changes()] == [2, 3]
        first.look_for_rule_changes(now=True)
        assert first.rules == second.rules
    finally:
        first_store.close()
        second_store.close()


class Unreadable:
    """A store whose reads fail (the database gone)."""

    def newest_rule_version(self) -> int:
        raise RuntimeError("the database went away")


def test_a_store_that_cannot_be_read_leaves_the_rules_in_force(store_url: str) -> None:
    ticks = Ticks()
    store = open_assessment_store(store_url)
    try:
        check = RiskCheck.with_store(store, monotonic=ticks)
        check.store = Unreadable()  # type: ignore[assignment]
        ticks.now += 2 * rules_look_every_s
        assert check.check(EVENT).decision is Decision.allow
        assert check.rules == DEFAULT_RULES
    finally:
        store.close()
