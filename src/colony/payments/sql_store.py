"""Payment and refund records, on either backend (tables.py): in the same database as the
ledger's journal, in their own tables.

Rows are listed in the order they were written (`seq`), newest first: ids derived from
Idempotency-Keys are not time-ordered, and two payments may share a timestamp. Payments
recorded at the same moment share one commit (group_commit.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future

from colony.payments.rows import (
    CROSS_BORDER_COLUMNS,
    OWNER_COLUMN,
    PAYMENT_COLUMNS,
    REFUND_COLUMNS,
    cross_border_of,
    cross_border_row,
    payment_of,
    payment_row,
    refund_of,
    refund_row,
)
from colony.payments.store import (
    CrossBorderRecord,
    Party,
    PaymentRecord,
    PaymentSearch,
    RefundRecord,
)
from colony.storage.group_commit import GroupCommit
from colony.storage.open import open_tables
from colony.storage.tables import Session, Tables

# The most ids one statement of `cross_border_of_many` names: SQLite takes at most 32,766
# parameters a statement, PostgreSQL 65,535; a page of payments is far fewer.
ids_per_read_max = 1_000

# PostgreSQL: the batch's rows as one array per column, inserted in the order given (so `seq`
# follows it); a row whose id is already stored, or repeats one earlier in the batch, is
# skipped.
_INSERT_PAYMENTS_UNNEST = f"""
INSERT INTO payments ({PAYMENT_COLUMNS})
SELECT {PAYMENT_COLUMNS} FROM unnest(
    ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[],
    ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[]
) WITH ORDINALITY AS batch ({PAYMENT_COLUMNS}, batch_order)
ORDER BY batch_order
ON CONFLICT (id) DO NOTHING
RETURNING id
"""
_INSERT_PAYMENT = (
    f"INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT DO NOTHING"
)


class SqlPaymentStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        # The one place the backends differ. PostgreSQL writes a batch in one set-based
        # statement, a round trip to the server saved per payment on the API's hot path;
        # SQLite, in-process, writes it row by row. And refunds are listed in the order
        # written: PostgreSQL's table numbers its rows (`seq`), SQLite's keeps its rowid.
        postgres = tables.backend == "postgresql"
        insert = _insert_payments_unnest if postgres else _insert_payments_each
        self._refund_order = "seq" if postgres else "rowid"
        # Payments recorded at the same moment share one commit, each durable before its
        # money moves (group_commit.py).
        self._adds = GroupCommit(tables.in_transaction(insert))

    def add(self, record: PaymentRecord) -> PaymentRecord:
        """The record, durable; or the one already written under its id."""
        return self._adds.submit(payment_row(record))

    def add_later(self, record: PaymentRecord) -> Future[PaymentRecord]:
        """As `add`, without waiting: the future gives the record once it is durable."""
        return self._adds.submit_later(payment_row(record))

    def by_id(self, payment_id: int) -> PaymentRecord | None:
        with self._tables.session() as db:
            row = db.execute(
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
        with self._tables.session() as db:
            rows = db.execute(f"{sql} ORDER BY seq DESC LIMIT ?", (*args, limit)).fetchall()
        return [payment_of(r) for r in rows]

    def search(
        self, merchant_id: str, search: PaymentSearch, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        # The merchant's index (merchant_id, seq) bounds the scan; the filters are few.
        sql = f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = ?"
        args: tuple[object, ...] = (merchant_id,)
        for column, op, value in (
            ("reference", "=", search.reference),
            ("amount_minor", "=", search.amount_minor),
            ("created_at_ns", ">=", search.from_ns),
            ("created_at_ns", "<", search.to_ns),
        ):
            if value is not None:
                sql += f" AND {column} {op} ?"
                args += (value,)
        if starting_after is not None:
            sql += " AND seq < (SELECT seq FROM payments WHERE id = ? AND merchant_id = ?)"
            args += (str(starting_after), merchant_id)
        with self._tables.session() as db:
            rows = db.execute(f"{sql} ORDER BY seq DESC LIMIT ?", (*args, limit)).fetchall()
        return [payment_of(r) for r in rows]

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        with self._tables.session() as db:
            rows = db.execute(
                "SELECT merchant_id, COUNT(*) FROM payments GROUP BY merchant_id"
                " ORDER BY COUNT(*) DESC, merchant_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [(str(merchant_id), int(count)) for merchant_id, count in rows]

    def add_refund(self, refund: RefundRecord) -> RefundRecord:
        row = refund_row(refund)
        return refund_of(self._insert_once("payment_refunds", REFUND_COLUMNS, "id", row))

    def refunds_of(self, payment_id: int) -> list[RefundRecord]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {REFUND_COLUMNS} FROM payment_refunds WHERE payment_id = ?"
                f" ORDER BY {self._refund_order}",
                (str(payment_id),),
            ).fetchall()
        return [refund_of(r) for r in rows]

    def add_cross_border(self, record: CrossBorderRecord) -> CrossBorderRecord:
        row = cross_border_row(record)
        found = self._insert_once("payment_cross_border", CROSS_BORDER_COLUMNS, "payment_id", row)
        return cross_border_of(found)

    def cross_border_of(self, payment_id: int) -> CrossBorderRecord | None:
        with self._tables.session() as db:
            found = db.execute(
                f"SELECT {CROSS_BORDER_COLUMNS} FROM payment_cross_border WHERE payment_id = ?",
                (str(payment_id),),
            ).fetchone()
        return None if found is None else cross_border_of(found)

    def cross_border_of_many(self, payment_ids: Sequence[int]) -> dict[int, CrossBorderRecord]:
        """The cross-border records of those payments that have one, by payment id: a listed
        page's in one read, where `cross_border_of` would read once per payment."""
        keys = [str(pid) for pid in dict.fromkeys(payment_ids)]
        found: dict[int, CrossBorderRecord] = {}
        for start in range(0, len(keys), ids_per_read_max):
            chunk = keys[start : start + ids_per_read_max]
            marks = ", ".join("?" * len(chunk))
            with self._tables.session() as db:
                rows = db.execute(
                    f"SELECT {CROSS_BORDER_COLUMNS} FROM payment_cross_border"
                    f" WHERE payment_id IN ({marks})",
                    chunk,
                ).fetchall()
            found.update((paid.payment_id, paid) for paid in map(cross_border_of, rows))
        return found

    def close(self) -> None:
        self._tables.close()

    def _insert_once(
        self, table: str, columns: str, key: str, row: tuple[object, ...]
    ) -> tuple[object, ...]:
        """The row, inserted; or the row already stored under its key (the first column).
        Refund and cross-border records are each written once, a retry answered with the
        stored row."""
        marks = ", ".join("?" * len(row))
        with self._tables.write() as db:
            inserted = db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", row
            ).rowcount
            if inserted == 1:
                return row
            found = db.execute(
                f"SELECT {columns} FROM {table} WHERE {key} = ?", (row[0],)
            ).fetchone()
        assert found is not None, f"a {table} row that conflicts is stored"
        return tuple(found)


def _insert_payments_each(db: Session, rows: Sequence[tuple[object, ...]]) -> list[PaymentRecord]:
    """Each new row, or the row already holding its id (a retry, or the id reused)."""
    stored = []
    for row in rows:
        if db.execute(_INSERT_PAYMENT, row).rowcount == 1:
            stored.append(payment_of(row))
        else:
            found = db.execute(f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?", (row[0],))
            stored.append(payment_of(found.fetchone()))
    return stored


def _insert_payments_unnest(db: Session, rows: Sequence[tuple[object, ...]]) -> list[PaymentRecord]:
    """Each new row, or the row already holding its id: the batch in one statement; only
    the ids it did not insert (a retry, or an id reused) are read back, in one more."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    inserted = {row[0] for row in db.execute(_INSERT_PAYMENTS_UNNEST, columns).fetchall()}
    ids = columns[0]
    by_id: dict[str, PaymentRecord] = {}
    for row in rows:  # an id twice in the batch: its first row is the one inserted
        if row[0] in inserted:
            by_id.setdefault(str(row[0]), payment_of(row))
    taken = [pid for pid in ids if pid not in inserted]
    if taken:
        stored = db.execute(
            f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ANY(?::text[])", (taken,)
        ).fetchall()
        by_id.update((str(row[0]), payment_of(row)) for row in stored)
    return [by_id[str(pid)] for pid in ids]


def open_payment_store(url: str, *, synchronous: str = "FULL") -> SqlPaymentStore:
    """Payment and refund records behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlPaymentStore(open_tables(url, "colony-payments", synchronous=synchronous))
