"""Payment records written together share a commit; each is durable, and an id already
written answers with the record it holds."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from colony.payments.store import CaptureMethod, Method, PaymentRecord
from colony.storage.sqlite_payments import SqlitePaymentStore


def record(pid: int, amount_minor: int = 1_000) -> PaymentRecord:
    return PaymentRecord(
        pid, "m1", f"w{pid}", amount_minor, "SGD", Method.qr, CaptureMethod.automatic,
        None, None, pid,
    )  # fmt: skip


def test_records_added_together_are_all_durable(tmp_path: Path) -> None:
    store = SqlitePaymentStore(tmp_path / "p.db")
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
    reopened = SqlitePaymentStore(tmp_path / "p.db")
    assert len(stored) == 320
    for pid, added in stored.items():
        assert added == record(pid)
        assert reopened.by_id(pid) == added
    reopened.close()


def test_an_id_written_before_answers_with_its_record(tmp_path: Path) -> None:
    store = SqlitePaymentStore(tmp_path / "p.db")
    first = store.add(record(7))
    again = store.add(dataclasses.replace(record(7, 5_000), created_at_ns=99))
    assert again == first and again.amount_minor == 1_000
    store.close()
