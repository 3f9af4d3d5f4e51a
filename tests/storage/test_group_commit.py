"""Group commit with forced interleavings: a batch that fails on one item's data commits the
others alone, and only that item gets the error; a batch that fails for any other reason
(storage unavailable) fails whole, without a retry per item."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from colony.kernel.errors import StorageUnavailable, UnstorableInput
from colony.storage.group_commit import GroupCommit

# How long a test waits for its threads to queue, in seconds.
queue_timeout_s = 10.0


def batches_after_a_held_lead(
    failure: Exception,
) -> tuple[list[list[str]], dict[str, object]]:
    """Submit "lead" and hold its commit until "a", "bad" and "b" have queued behind it, so
    they share the next batch; a batch holding "bad" raises `failure`. The batches committed
    and each item's outcome (its result, or the exception it got)."""
    calls: list[list[str]] = []
    release = threading.Event()

    def commit(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        if items == ["lead"]:
            release.wait(queue_timeout_s)
        if "bad" in items:
            raise failure
        return [f"stored {item}" for item in items]

    group: GroupCommit[str, str] = GroupCommit(commit)
    outcomes: dict[str, object] = {}

    def submit(item: str) -> None:
        try:
            outcomes[item] = group.submit(item)
        except Exception as exc:
            outcomes[item] = exc

    lead = threading.Thread(target=submit, args=("lead",))
    lead.start()
    while not calls:
        time.sleep(0.001)
    others = [threading.Thread(target=submit, args=(item,)) for item in ("a", "bad", "b")]
    for thread in others:
        thread.start()
        # One at a time, so the batch's order is known.
        deadline = time.monotonic() + queue_timeout_s
        while len(group._queued) < others.index(thread) + 1:
            assert time.monotonic() < deadline, "the submitter never queued"
            time.sleep(0.001)
    release.set()
    for thread in [lead, *others]:
        thread.join()
    return calls, outcomes


def test_one_items_bad_data_fails_that_item_alone() -> None:
    calls, outcomes = batches_after_a_held_lead(UnstorableInput("past BIGINT"))
    assert calls == [["lead"], ["a", "bad", "b"], ["a"], ["bad"], ["b"]]
    assert outcomes["a"] == "stored a" and outcomes["b"] == "stored b"
    assert isinstance(outcomes["bad"], UnstorableInput)


@pytest.mark.parametrize("failure", [StorageUnavailable("connection lost"), RuntimeError("bug")])
def test_any_other_failure_fails_the_whole_batch_once(failure: Exception) -> None:
    calls, outcomes = batches_after_a_held_lead(failure)
    assert calls == [["lead"], ["a", "bad", "b"]]
    assert all(outcomes[item] is failure for item in ("a", "bad", "b"))
    assert outcomes["lead"] == "stored lead"


def test_awaiting_and_blocking_callers_share_commits_and_isolate_bad_data() -> None:
    """`submit_later` queues beside blocking callers: a lead no blocking caller takes is made
    on the group's own thread, and a bad item still fails alone."""
    calls: list[list[str]] = []
    release = threading.Event()

    def commit(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        if items == ["lead"]:
            release.wait(queue_timeout_s)
        if "bad" in items:
            raise UnstorableInput("past BIGINT")
        return [f"stored {item}" for item in items]

    group: GroupCommit[str, str] = GroupCommit(commit)
    lead = group.submit_later("lead")  # led on the group's own thread, held there
    while not calls:
        time.sleep(0.001)
    later_a = group.submit_later("a")
    blocking: dict[str, object] = {}
    waiter = threading.Thread(target=lambda: blocking.update(b=group.submit("b")))
    waiter.start()
    deadline = time.monotonic() + queue_timeout_s
    while len(group._queued) < 2:
        assert time.monotonic() < deadline, "the blocking caller never queued"
        time.sleep(0.001)
    bad = group.submit_later("bad")
    release.set()
    waiter.join(queue_timeout_s)
    assert lead.result(queue_timeout_s) == "stored lead"
    assert later_a.result(queue_timeout_s) == "stored a"
    assert blocking == {"b": "stored b"}
    assert isinstance(bad.exception(queue_timeout_s), UnstorableInput)
    assert calls == [["lead"], ["a", "b", "bad"], ["a"], ["b"], ["bad"]]
    assert group.submit_later("after").result(queue_timeout_s) == "stored after"


def test_the_groups_own_thread_writes_what_is_queued_when_it_wakes() -> None:
    """Items an event loop submits apart are each written at once, alone: the group's own
    thread does not wait for company (ADR 0098)."""
    calls: list[list[str]] = []

    def commit(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        return [f"stored {item}" for item in items]

    group: GroupCommit[str, str] = GroupCommit(commit)
    first = group.submit_later("first")
    time.sleep(0.2)
    second = group.submit_later("second")
    assert first.result(queue_timeout_s) == "stored first"
    assert second.result(queue_timeout_s) == "stored second"
    assert calls == [["first"], ["second"]]
