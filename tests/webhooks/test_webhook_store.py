"""The webhook store's contract on each backend: events and watermark move together, a repeat
is ignored, due events come oldest first, attempts are logged, pages run newest first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colony.kernel.errors import UnstorableInput
from colony.webhooks import sql_store as sql_webhooks
from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus
from colony.webhooks.sql_store import SqlWebhookStore, open_webhook_store

Store = SqlWebhookStore
SHOP = "mer_shop"
OTHER = "mer_other"
# A watermark no 64-bit column holds: writing it must fail, and take the events with it.
unwritable_timestamp = 2**64


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_webhook_store(store_url)
    s.set_endpoint(Endpoint(SHOP, "https://shop.example/hooks", "whsec_01", 1, 100))
    s.set_endpoint(Endpoint(OTHER, "https://other.example/hooks", "whsec_02", 2, 0))
    yield s
    s.close()


def event(n: int, merchant: str = SHOP, next_at: int = 0) -> Event:
    return Event(
        f"evt_{n:04d}",
        merchant,
        "payment.succeeded",
        f'{{"n": {n}}}',
        100 + n,
        next_attempt_at_ns=next_at,
    )


def watermark(store: Store, merchant: str = SHOP) -> int:
    endpoint = store.endpoint(merchant)
    assert endpoint is not None
    return endpoint.after_timestamp


def test_endpoints_are_replaced_but_keep_their_watermark(store: Store) -> None:
    store.set_endpoint(Endpoint(SHOP, "https://shop.example/v2", "whsec_03", 9, 0))
    assert store.endpoint(SHOP) == Endpoint(SHOP, "https://shop.example/v2", "whsec_03", 1, 100)
    assert sorted(e.merchant_id for e in store.endpoints()) == [OTHER, SHOP]
    assert store.endpoint("mer_nobody") is None


def test_events_and_watermark_move_together_and_repeats_are_ignored(store: Store) -> None:
    store.add_events(SHOP, [event(1), event(2)], 102)
    assert watermark(store) == 102
    store.add_events(SHOP, [event(2), event(3)], 101)  # a repeat, and a watermark behind
    assert watermark(store) == 102  # never moves back
    assert store.event("evt_0002") == event(2) and store.event("evt_0003") == event(3)
    with pytest.raises(UnstorableInput):  # the value's fault, on either backend
        store.add_events(SHOP, [event(4)], unwritable_timestamp)
    assert store.event("evt_0004") is None and watermark(store) == 102  # neither, not one
    store.add_events(SHOP, [], 200)  # nothing new, yet the feed moved on
    assert watermark(store) == 200
    assert store.endpoints() and store.event("evt_0001") == event(1)


def test_due_events_oldest_first_up_to_the_limit(store: Store) -> None:
    store.add_events(SHOP, [event(1, next_at=50), event(2, next_at=10)], 102)
    store.add_events(OTHER, [event(3, OTHER, next_at=10), event(4, OTHER, next_at=99)], 1)
    assert [e.id for e in store.due_events(50, 10)] == ["evt_0001", "evt_0002", "evt_0003"]
    assert [e.id for e in store.due_events(10, 1)] == ["evt_0002"]
    store.record_attempt(Attempt("evt_0001", 1, 60, 200, "", 12), EventStatus.delivered, 0)
    store.record_attempt(Attempt("evt_0002", 1, 60, None, "refused", 3), EventStatus.pending, 70)
    store.record_attempt(Attempt("evt_0002", 2, 70, 500, "HTTP 500", 4), EventStatus.failed, 0)
    assert [e.id for e in store.due_events(100, 10)] == ["evt_0003", "evt_0004"]
    assert store.event("evt_0002") == Event(
        "evt_0002", SHOP, "payment.succeeded", '{"n": 2}', 102, EventStatus.failed, 2, 0
    )
    assert store.attempts_of(["evt_0002"])["evt_0002"] == [
        Attempt("evt_0002", 1, 60, None, "refused", 3),
        Attempt("evt_0002", 2, 70, 500, "HTTP 500", 4),
    ]
    assert store.attempts_of(["evt_0003"])["evt_0003"] == []


def test_a_merchants_events_page_newest_first(store: Store) -> None:
    store.add_events(SHOP, [event(n) for n in range(1, 6)], 105)
    store.add_events(OTHER, [event(9, OTHER)], 1)
    page, more = store.events(SHOP, 2, None)
    assert [e.id for e in page] == ["evt_0005", "evt_0004"] and more
    page, more = store.events(SHOP, 2, page[-1].id)
    assert [e.id for e in page] == ["evt_0003", "evt_0002"] and more
    page, more = store.events(SHOP, 2, page[-1].id)
    assert [e.id for e in page] == ["evt_0001"] and not more
    assert store.events(SHOP, 2, "evt_0009") == ([], False)  # another merchant's cursor
    assert store.events(OTHER, 5, None) == ([event(9, OTHER)], False)


def test_attempts_of_many_events_come_in_one_read_each_in_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_events(SHOP, [event(1), event(2), event(3)], 103)
    store.add_events(OTHER, [event(9, OTHER)], 1)
    late = Attempt("evt_0002", 2, 70, 200, "", 5)
    early = Attempt("evt_0002", 1, 60, None, "refused", 3)
    first = Attempt("evt_0001", 1, 61, 500, "HTTP 500", 4)
    other = Attempt("evt_0009", 1, 62, 200, "", 6)
    store.record_attempt(late, EventStatus.delivered, 0)  # stored out of order on purpose
    store.record_attempt(early, EventStatus.pending, 70)
    store.record_attempt(first, EventStatus.pending, 71)
    store.record_attempt(other, EventStatus.delivered, 0)
    asked = ["evt_0003", "evt_0002", "evt_0001", "evt_nobody"]
    assert store.attempts_of(asked) == {
        "evt_0003": [],
        "evt_0002": [early, late],
        "evt_0001": [first],
        "evt_nobody": [],
    }
    assert store.attempts_of(["evt_0001", "evt_0001"]) == {"evt_0001": [first]}
    # More ids than one query takes: read in several, the same answer.
    monkeypatch.setattr(sql_webhooks, "attempt_ids_per_query", 2)
    assert store.attempts_of(asked)["evt_0002"] == [early, late]
    assert store.attempts_of(asked)["evt_0001"] == [first]
    assert store.attempts_of([]) == {}


def test_a_failed_event_is_requeued_once_and_others_not_at_all(store: Store) -> None:
    store.add_events(SHOP, [event(1), event(2)], 102)
    store.record_attempt(Attempt("evt_0001", 8, 60, 500, "HTTP 500", 4), EventStatus.failed, 0)
    assert store.requeue("evt_0001", 500)
    again = store.event("evt_0001")
    assert again is not None and again.status is EventStatus.pending
    assert (again.attempts, again.next_attempt_at_ns) == (8, 500)  # attempts go on counting
    assert [e.id for e in store.due_events(500, 10)] == ["evt_0001", "evt_0002"]
    assert not store.requeue("evt_0001", 600)  # pending already: left as it is
    assert not store.requeue("evt_0002", 600)  # never failed
    assert not store.requeue("evt_9999", 600)
    assert store.event("evt_0001") == again
