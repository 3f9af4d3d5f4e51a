"""The payment store's contract on each backend: records written together share a commit and
each is durable, an id already written answers with the record it holds, pages run newest
first by the order written, the merchants paid most often are counted, refunds are kept
once each in order, and a page's cross-border records are read at once."""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal

import pytest

from colony.kernel.errors import UnstorableInput
from colony.payments import sql_store as sql_payments
from colony.payments.rows import payment_row
from colony.payments.sql_store import open_payment_store
from colony.payments.store import (
    CaptureMethod,
    CrossBorderRecord,
    Method,
    Party,
    PaymentRecord,
    RefundRecord,
)
from colony.storage.open import open_tables

# A transfer id past any 64-bit column: ledger ids are u128.
BIG_ID = 2**127 + 5


def record(pid: int, amount_minor: int = 1_000, wallet: str | None = None) -> PaymentRecord:
    return PaymentRecord(
        pid, "m1", wallet or f"w{pid}", amount_minor, "SGD", Method.qr, CaptureMethod.automatic,
        None, None, pid % 1000,
    )  # fmt: skip


def test_records_added_together_are_all_durable(store_url: str) -> None:
    store = open_payment_store(store_url)
    start = threading.Barrier(16)
    stored: dict[int, PaymentRecord] = {}

    def pay(n: int) -> None:
        start.wait()
        for i in range(20):
            pid = n * 100 + i + 1
            stored[pid] = store.add(record(pid))

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    reopened = open_payment_store(store_url)
    assert len(stored) == 320
    for pid, added in stored.items():
        assert added == record(pid)
        assert reopened.by_id(pid) == added
    reopened.close()


def test_an_id_written_before_answers_with_its_record(store_url: str) -> None:
    store = open_payment_store(store_url)
    first = store.add(record(7))
    again = store.add(dataclasses.replace(record(7, 5_000), created_at_ns=99))
    assert again == first and again.amount_minor == 1_000
    big = dataclasses.replace(record(1), id=BIG_ID, description="tea", reference="order-1")
    assert store.add(big) == big and store.by_id(BIG_ID) == big
    assert store.by_id(8) is None
    store.close()


def test_the_same_id_twice_in_one_commit_keeps_the_first(store_url: str) -> None:
    store = open_payment_store(store_url)
    start = threading.Barrier(8)
    got: list[PaymentRecord] = []

    def pay(n: int) -> None:
        start.wait()
        got.append(store.add(record(42, 100 + n)))

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and len(set(got)) == 1  # one of them won, all were told which
    assert store.by_id(42) == got[0]
    store.close()


def test_a_commit_of_new_earlier_and_repeated_ids_answers_each_with_the_stored_record(
    store_url: str,
) -> None:
    store = open_payment_store(store_url)
    earlier = store.add(record(7))
    # One group commit's batch, as the store's group commit runs it (group_commit.py).
    tables = open_tables(store_url, "colony-payments-test")
    postgres = tables.backend == "postgresql"
    insert = (
        sql_payments._insert_payments_unnest if postgres else sql_payments._insert_payments_each
    )
    rows = [record(8), record(7, 5_000), record(9, 100), record(9, 200), record(10)]
    answers = tables.in_transaction(insert)([payment_row(r) for r in rows])
    tables.close()
    assert answers == [record(8), earlier, record(9, 100), record(9, 100), record(10)]
    stored = [store.by_id(pid) for pid in (7, 8, 9, 10)]
    assert stored == [earlier, record(8), record(9, 100), record(10)]
    store.close()


def test_pages_run_newest_first_in_the_order_written(store_url: str) -> None:
    store = open_payment_store(store_url)
    # Ids not in time order, as ids derived from Idempotency-Keys are.
    ids = [9, 3, BIG_ID, 5, 1]
    for pid in ids:
        store.add(record(pid, wallet="w_alice"))
    store.add(record(77, wallet="w_bob"))
    newest_first = list(reversed(ids))
    mine = store.page(Party.wallet, "w_alice", None, 10)
    assert [r.id for r in mine] == newest_first
    assert [r.id for r in store.page(Party.wallet, "w_alice", None, 2)] == newest_first[:2]
    after = store.page(Party.wallet, "w_alice", newest_first[1], 2)
    assert [r.id for r in after] == newest_first[2:4]
    assert [r.id for r in store.page(Party.merchant, "m1", None, 10)] == [77, *newest_first]
    # A cursor that is not the party's own gives nothing, never someone else's records.
    assert store.page(Party.wallet, "w_alice", 77, 10) == []
    assert store.page(Party.wallet, "w_nobody", None, 10) == []
    store.close()


def test_the_busiest_merchants_are_those_paid_most_often(store_url: str) -> None:
    store = open_payment_store(store_url)
    for pid, merchant in enumerate(["m2", "m1", "m2", "m3", "m2", "m1"], start=1):
        store.add(dataclasses.replace(record(pid), merchant_id=merchant))
    assert store.busiest(2) == [("m2", 3), ("m1", 2)]
    assert store.busiest(10) == [("m2", 3), ("m1", 2), ("m3", 1)]
    store.close()


def test_refunds_are_kept_once_each_in_order(store_url: str) -> None:
    store = open_payment_store(store_url)
    store.add(record(BIG_ID))
    refunds = [RefundRecord(BIG_ID + n, BIG_ID, 100 * n, n) for n in (3, 1, 2)]
    for refund in refunds:
        assert store.add_refund(refund) == refund
    retried = store.add_refund(dataclasses.replace(refunds[0], amount_minor=999))
    assert retried == refunds[0]
    store.close()
    reopened = open_payment_store(store_url)
    assert reopened.refunds_of(BIG_ID) == refunds
    assert reopened.refunds_of(1) == []
    reopened.close()


def fx(pid: int) -> CrossBorderRecord:
    """A cross-border record of payment `pid`, its amounts told apart by the id."""
    n = pid % 1000
    return CrossBorderRecord(
        pid, f"q{pid}", "PHP", 100_000 + n, 99_000, 1_000 + n, Decimal("0.0233203125"),
        Decimal("0.0234375"),
    )  # fmt: skip


@pytest.mark.parametrize("ids_per_read", [sql_payments.ids_per_read_max, 2])
def test_cross_border_records_of_many_payments_are_read_at_once(
    store_url: str, ids_per_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_payments, "ids_per_read_max", ids_per_read)  # 2: several reads
    store = open_payment_store(store_url)
    paid = [fx(pid) for pid in (BIG_ID, 3, 9)]
    for record_fx in paid:
        store.add(record(record_fx.payment_id))
        assert store.add_cross_border(record_fx) == record_fx
    store.add(record(5))  # paid in the payer's own currency: no cross-border record
    retried = dataclasses.replace(paid[1], spread_minor=1)
    assert store.add_cross_border(retried) == paid[1]  # written once
    store.close()
    reopened = open_payment_store(store_url)
    found = reopened.cross_border_of_many([9, 5, BIG_ID, 3, 9, 404])  # 9 twice, 404 unknown
    assert found == {p.payment_id: p for p in paid}
    assert [found[p.payment_id] for p in paid] == [
        reopened.cross_border_of(p.payment_id) for p in paid
    ]
    assert reopened.cross_border_of_many([5, 404]) == {}
    assert reopened.cross_border_of_many([]) == {}
    assert reopened.cross_border_of(5) is None
    reopened.close()


@pytest.mark.parametrize(
    "bad",
    [
        {"amount_minor": 2**63},  # past BIGINT on both backends
        {"description": "nul\x00in"},  # PostgreSQL text cannot hold it; SQLite can
        {"reference": "lone \ud800"},  # no UTF-8 column can hold it
    ],
)
def test_a_record_storage_cannot_hold_fails_alone(store_url: str, bad: dict[str, object]) -> None:
    """Records storage cannot hold, among honest ones in the same group commits: each honest
    record is durable, each bad one is refused as the caller's input (never as storage being
    unavailable, which asks for a retry that can never succeed)."""
    store = open_payment_store(store_url)
    holds_nul = store_url.startswith("sqlite")
    start = threading.Barrier(12)
    outcomes: dict[int, object] = {}

    def pay(n: int) -> None:
        start.wait()
        for i in range(15):
            pid = n * 100 + i + 1
            honest = record(pid)
            try:
                outcomes[pid] = store.add(
                    dataclasses.replace(honest, **bad) if i % 5 == 4 else honest
                )
            except Exception as exc:
                outcomes[pid] = exc

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for pid, outcome in outcomes.items():
        bad_one = pid % 100 % 5 == 0
        if bad_one and not (holds_nul and "description" in bad):
            assert isinstance(outcome, UnstorableInput), repr(outcome)
            assert store.by_id(pid) is None
        else:
            expected = dataclasses.replace(record(pid), **bad) if bad_one else record(pid)
            assert outcome == expected, repr(outcome)
            assert store.by_id(pid) == expected
    store.close()


# Another value for each field a retried request could change, to tell a retry from a reuse.
_CHANGED = {
    "id": 2,
    "merchant_id": "m2",
    "wallet_id": "w9",
    "amount_minor": 1_001,
    "currency": "MYR",
    "method": Method.code,
    "capture_method": CaptureMethod.manual,
    "description": "lunch",
    "reference": "order-7",
    "request_sha256": "ab" * 32,
}


def test_a_retry_is_the_same_payment_whenever_it_was_written() -> None:
    first = record(1)
    assert first.same_payment(dataclasses.replace(first, created_at_ns=first.created_at_ns + 9))


@pytest.mark.parametrize("field", sorted(_CHANGED))
def test_any_other_field_changed_is_another_payment(field: str) -> None:
    first = record(1)
    other = dataclasses.replace(first, **{field: _CHANGED[field]})
    assert not first.same_payment(other) and not other.same_payment(first)


def test_every_field_but_the_time_is_compared() -> None:
    names = {f.name for f in dataclasses.fields(PaymentRecord)}
    assert names - {"created_at_ns"} == set(_CHANGED)
