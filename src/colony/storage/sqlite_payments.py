"""Payment and refund records in SQLite (the same file as the ledger journal, their own tables).

Rows are listed in the order they were written (`seq`), newest first: ids derived from
Idempotency-Keys are not time-ordered, and two payments may share a timestamp.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from colony.payments.store import Party, PaymentRecord, RefundRecord
from colony.storage.group_commit import GroupCommit
from colony.storage.payment_rows import (
    OWNER_COLUMN,
    PAYMENT_COLUMNS,
    REFUND_COLUMNS,
    RowsAddedOnce,
    payment_of,
    payment_row,
    refund_of,
)
from colony.storage.sqlite_connection import connect, immediate_transaction, write_gate


class SqlitePaymentStore(RowsAddedOnce):
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads
        # Payments recorded at the same moment share one commit, each durable before its
        # money moves (group_commit.py).
        self._adds = GroupCommit(
            immediate_transaction(self._db, self._lock, write_gate(path), _insert_payments)
        )

    def add(self, record: PaymentRecord) -> PaymentRecord:
        """The record, durable; or the one already written under its id."""
        return self._adds.submit(payment_row(record))

    def by_id(self, payment_id: int) -> PaymentRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?", (str(payment_id),)
            ).fetchone()
        return payment_of(row) if row else None

    def page(
        self, party: Party, owner_id: str, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        owner = OWNER_COLUMN[party]
        sql = f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE {owner} = ?"
        args: tuple[object, ...] = (owner_id,)
        if starting_after is not None:
            sql += f" AND seq < (SELECT seq FROM payments WHERE id = ? AND {owner} = ?)"
            args += (str(starting_after), owner_id)
        with self._lock:
            rows = self._db.execute(f"{sql} ORDER BY seq DESC LIMIT ?", (*args, limit)).fetchall()
        return [payment_of(r) for r in rows]

    def find_one(self, table: str, columns: str, key: str, value: str) -> tuple[object, ...] | None:
        with self._lock:
            row = self._db.execute(f"SELECT {columns} FROM {table} WHERE {key} = ?", (value,))
            found = row.fetchone()
        return None if found is None else tuple(found)

    def insert_once(
        self, table: str, columns: str, key: str, row: tuple[object, ...]
    ) -> tuple[object, ...]:
        """The row, inserted; or the row already stored under its key (the first column)."""
        with self._lock:
            try:
                marks = ", ".join("?" * len(row))
                self._db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)
                return row
            except sqlite3.IntegrityError:
                found = self._db.execute(
                    f"SELECT {columns} FROM {table} WHERE {key} = ?", (row[0],)
                ).fetchone()
        assert found is not None, f"a {table} row that conflicts is stored"
        return tuple(found)

    def refunds_of(self, payment_id: int) -> list[RefundRecord]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {REFUND_COLUMNS} FROM payment_refunds WHERE payment_id = ? ORDER BY rowid",
                (str(payment_id),),
            ).fetchall()
        return [refund_of(r) for r in rows]

    def close(self) -> None:
        self._db.close()


def _insert_payments(
    db: sqlite3.Connection, rows: Sequence[tuple[object, ...]]
) -> list[PaymentRecord]:
    """Each new row, or the row already holding its id (a retry, or the id reused)."""
    stored = []
    for row in rows:
        try:
            db.execute(
                f"INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row
            )
            stored.append(payment_of(row))
        except sqlite3.IntegrityError:
            found = db.execute(f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?", (row[0],))
            stored.append(payment_of(found.fetchone()))
    return stored
