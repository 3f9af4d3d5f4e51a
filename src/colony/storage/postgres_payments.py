"""Payment and refund records in PostgreSQL (twin of sqlite_payments).

Rows are listed in the order they were written (`seq`), newest first: ids derived from
Idempotency-Keys are not time-ordered, and two payments may share a timestamp. Payments
recorded at the same moment share one commit (group_commit.py) and one INSERT statement.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from colony.storage.postgres_connection import Connection, PostgresTables

# The batch's rows as one array per column, inserted in the order given (so `seq` follows
# it); a row whose id is already stored, or repeats one earlier in the batch, is skipped.
_INSERT_PAYMENTS = f"""
INSERT INTO payments ({PAYMENT_COLUMNS})
SELECT {PAYMENT_COLUMNS} FROM unnest(
    %s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[],
    %s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[]
) WITH ORDINALITY AS batch ({PAYMENT_COLUMNS}, batch_order)
ORDER BY batch_order
ON CONFLICT (id) DO NOTHING
"""


class PostgresPaymentStore(RowsAddedOnce):
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-payments")
        self._adds = GroupCommit(self._tables.in_transaction(_insert_payments))

    def add(self, record: PaymentRecord) -> PaymentRecord:
        """The record, durable; or the one already written under its id."""
        return self._adds.submit(payment_row(record))

    def by_id(self, payment_id: int) -> PaymentRecord | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = %s", (str(payment_id),)
            ).fetchone()
        return payment_of(row) if row else None

    def page(
        self, party: Party, owner_id: str, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        owner = OWNER_COLUMN[party]
        sql = f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE {owner} = %s"
        args: tuple[object, ...] = (owner_id,)
        if starting_after is not None:
            sql += f" AND seq < (SELECT seq FROM payments WHERE id = %s AND {owner} = %s)"
            args += (str(starting_after), owner_id)
        with self._tables.session() as conn:
            rows = conn.execute(f"{sql} ORDER BY seq DESC LIMIT %s", (*args, limit)).fetchall()
        return [payment_of(r) for r in rows]

    def find_one(self, table: str, columns: str, key: str, value: str) -> tuple[object, ...] | None:
        with self._tables.session() as conn:
            found = conn.execute(
                f"SELECT {columns} FROM {table} WHERE {key} = %s", (value,)
            ).fetchone()
        return None if found is None else tuple(found)

    def insert_once(
        self, table: str, columns: str, key: str, row: tuple[object, ...]
    ) -> tuple[object, ...]:
        """The row, inserted; or the row already stored under its key (the first column)."""
        marks = ", ".join(["%s"] * len(row))
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", row
            ).rowcount
            if inserted == 1:
                return row
            found = conn.execute(
                f"SELECT {columns} FROM {table} WHERE {key} = %s", (row[0],)
            ).fetchone()
        assert found is not None, f"a {table} row that conflicts is stored"
        return tuple(found)

    def refunds_of(self, payment_id: int) -> list[RefundRecord]:
        with self._tables.session() as conn:
            rows = conn.execute(
                f"SELECT {REFUND_COLUMNS} FROM payment_refunds WHERE payment_id = %s ORDER BY seq",
                (str(payment_id),),
            ).fetchall()
        return [refund_of(r) for r in rows]

    def close(self) -> None:
        self._tables.close()


def _insert_payments(conn: Connection, rows: Sequence[tuple[object, ...]]) -> list[PaymentRecord]:
    """Each new row, or the row already holding its id (a retry, or the id reused)."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    conn.execute(_INSERT_PAYMENTS, columns)
    ids = columns[0]
    stored = conn.execute(
        f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ANY(%s::text[])", (ids,)
    ).fetchall()
    by_id = {str(row[0]): payment_of(row) for row in stored}
    return [by_id[str(pid)] for pid in ids]
