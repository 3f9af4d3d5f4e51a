"""Payment and refund records in SQLite (the same file as the ledger journal, their own tables).

Rows are listed in the order they were written (`seq`), newest first: ids derived from
Idempotency-Keys are not time-ordered, and two payments may share a timestamp.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from colony.payments.store import CaptureMethod, Method, Party, PaymentRecord, RefundRecord
from colony.storage.group_commit import GroupCommit
from colony.storage.sqlite_connection import connect, write_gate

_COLUMNS = (
    "id, merchant_id, wallet_id, amount_minor, currency, method, capture_method,"
    " description, reference, created_at_ns"
)
_OWNER_COLUMN = {Party.wallet: "wallet_id", Party.merchant: "merchant_id"}

_Row = tuple[str, str, str, int, str, str, str, str | None, str | None, int]


class SqlitePaymentStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads
        # Payments recorded at the same moment share one commit, each durable before its
        # money moves (group_commit.py).
        self._adds = GroupCommit(self._db, self._lock, _insert_payments, write_gate(path))

    def add(self, record: PaymentRecord) -> PaymentRecord:
        """The record, durable; or the one already written under its id."""
        row = (
            str(record.id),
            record.merchant_id,
            record.wallet_id,
            record.amount_minor,
            record.currency,
            record.method.value,
            record.capture_method.value,
            record.description,
            record.reference,
            record.created_at_ns,
        )
        return self._adds.submit(row)

    def by_id(self, payment_id: int) -> PaymentRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM payments WHERE id = ?", (str(payment_id),)
            ).fetchone()
        return _record(row) if row else None

    def page(
        self, party: Party, owner_id: str, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        owner = _OWNER_COLUMN[party]
        sql = f"SELECT {_COLUMNS} FROM payments WHERE {owner} = ?"
        args: tuple[object, ...] = (owner_id,)
        if starting_after is not None:
            sql += f" AND seq < (SELECT seq FROM payments WHERE id = ? AND {owner} = ?)"
            args += (str(starting_after), owner_id)
        with self._lock:
            rows = self._db.execute(f"{sql} ORDER BY seq DESC LIMIT ?", (*args, limit)).fetchall()
        return [_record(r) for r in rows]

    def add_refund(self, refund: RefundRecord) -> RefundRecord:
        row = (str(refund.id), str(refund.payment_id), refund.amount_minor, refund.created_at_ns)
        with self._lock:
            try:
                self._db.execute("INSERT INTO payment_refunds VALUES (?, ?, ?, ?)", row)
                return refund
            except sqlite3.IntegrityError:
                found = self._db.execute(
                    "SELECT * FROM payment_refunds WHERE id = ?", (str(refund.id),)
                ).fetchone()
        return _refund(found)

    def refunds_of(self, payment_id: int) -> list[RefundRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM payment_refunds WHERE payment_id = ? ORDER BY rowid",
                (str(payment_id),),
            ).fetchall()
        return [_refund(r) for r in rows]

    def close(self) -> None:
        self._db.close()


def _insert_payments(db: sqlite3.Connection, rows: Sequence[_Row]) -> list[PaymentRecord]:
    """Each new row, or the row already holding its id (a retry, or the id reused)."""
    stored = []
    for row in rows:
        try:
            db.execute(f"INSERT INTO payments ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            stored.append(_record(row))
        except sqlite3.IntegrityError:
            found = db.execute(f"SELECT {_COLUMNS} FROM payments WHERE id = ?", (row[0],))
            stored.append(_record(found.fetchone()))
    return stored


def _record(row: _Row) -> PaymentRecord:
    pid, merchant, wallet, amount, currency, method, capture, description, reference, at = row
    return PaymentRecord(
        int(pid),
        merchant,
        wallet,
        amount,
        currency,
        Method(method),
        CaptureMethod(capture),
        description,
        reference,
        at,
    )


def _refund(row: tuple[str, str, int, int]) -> RefundRecord:
    rid, pid, amount, at = row
    return RefundRecord(int(rid), int(pid), amount, at)
