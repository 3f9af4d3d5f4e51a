"""The console's queue against a reference model (hypothesis): whatever complaints arrive
with whatever deadlines and however they move, the queue is every complaint not answered
for good, soonest due (so the longest overdue) first, and the overdue count is how many of
them are past their deadline."""

from __future__ import annotations

import tempfile
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from colony.disputes import FINAL, Actor, Category, Complaint, Event, Status, open_complaint_store

_MOVES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),  # the deadline, ns
        st.sampled_from(list(Status)),  # where it is moved to afterwards
    ),
    max_size=25,
)


def _complaint(n: int, due_ns: int) -> Complaint:
    return Complaint(
        f"cmp_{n:032x}", "wal_1", "mer_1", None, Category.other, "x", Status.open, "SG", 0,
        due_ns, due_ns, 0,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(moves=_MOVES, now_ns=st.integers(min_value=0, max_value=10_000), limit=st.integers(1, 30))
def test_the_queue_is_the_unanswered_soonest_due_first(
    moves: list[tuple[int, Status]], now_ns: int, limit: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_complaint_store(f"sqlite:///{folder}/q.db")
        try:
            model: dict[str, Complaint] = {}
            for n, (due_ns, to) in enumerate(moves, start=1):
                filed = _complaint(n, due_ns)
                store.insert(filed, Event(filed.id, 0, 0, Actor.person, "wal_1", "", "open", ""))
                moved = replace(filed, status=to, updated_at_ns=1)
                assert store.change(
                    filed, moved, Event(filed.id, 0, 1, Actor.staff, "s", "open", to, "")
                )
                model[filed.id] = moved
            waiting = sorted(
                (c for c in model.values() if c.status not in FINAL), key=lambda c: (c.due_ns, c.id)
            )
            assert [c.id for c in store.unresolved(limit)] == [c.id for c in waiting[:limit]]
            assert store.overdue_count(now_ns) == sum(c.due_ns <= now_ns for c in waiting)
        finally:
            store.close()
