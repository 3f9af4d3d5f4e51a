"""Lenders, loans and repayments, on either backend (storage/tables.py)."""

from __future__ import annotations

from collections.abc import Sequence

from colony.loans.model import DayRecord, Lender, Loan, LoanStatus, MerchantLoan, Repayment, RunLoan
from colony.loans.rows import (
    LENDER_COLUMNS,
    LOAN_COLUMNS,
    LOAN_PLACES,
    MERCHANT_LOAN_COLUMNS,
    REPAYMENT_COLUMNS,
    RUN_COLUMNS,
    lender_of,
    lender_row,
    loan_of,
    loan_row,
    merchant_loan_of,
    merchant_loan_row,
    repayment_of,
    repayment_row,
    run_loan_of,
)
from colony.storage.open import open_tables
from colony.storage.tables import Tables

_INSERT_LOAN = f"INSERT INTO loans ({LOAN_COLUMNS}) VALUES ({LOAN_PLACES}) ON CONFLICT DO NOTHING"

_INSERT_REPAYMENT = (
    f"INSERT INTO loan_repayments ({REPAYMENT_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


_DAY_COLUMNS = (
    "day, loans, collected, not_collected, repaid, charged_off, made_before, finished_at_ns"
)
# The daily run reads every open loan. By id, each row is a random read of the table on
# SQLite (ids are random); by rowid, it reads the table's pages in order, 2-3 times cheaper at
# a million loans. NOT INDEXED keeps the planner off the (status, id) index.
_RUN_PAGE_SQLITE = (
    f"SELECT rowid, {RUN_COLUMNS} FROM loans NOT INDEXED"
    " WHERE rowid > ? AND status = ? ORDER BY rowid LIMIT ?"
)
_RUN_PAGE_BY_ID = (
    f"SELECT id, {RUN_COLUMNS} FROM loans WHERE status = ? AND id > ? ORDER BY id LIMIT ?"
)


class SqlLoanStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add_lender(self, lender: Lender) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO lenders ({LENDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                lender_row(lender),
            )

    def lender(self, name: str, currency: str) -> Lender | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {LENDER_COLUMNS} FROM lenders WHERE name = ? AND currency = ?",
                (name, currency),
            ).fetchone()
        return None if row is None else lender_of(row)

    def lenders(self) -> list[Lender]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {LENDER_COLUMNS} FROM lenders ORDER BY currency, name"
            ).fetchall()
        return [lender_of(r) for r in rows]

    def insert_loan(self, loan: Loan) -> None:
        with self._tables.write() as db:
            db.execute(_INSERT_LOAN, loan_row(loan))

    def insert_loans(self, loans: Sequence[Loan]) -> None:
        with self._tables.transaction() as db:
            db.executemany(_INSERT_LOAN, [loan_row(x) for x in loans])

    def loan(self, loan_id: str) -> Loan | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {LOAN_COLUMNS} FROM loans WHERE id = ?", (loan_id,)
            ).fetchone()
        return None if row is None else loan_of(row)

    def loans_of_wallet(self, wallet_id: str) -> list[Loan]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {LOAN_COLUMNS} FROM loans WHERE wallet_id = ?"
                " ORDER BY created_at_ns DESC, id DESC",
                (wallet_id,),
            ).fetchall()
        return [loan_of(r) for r in rows]

    def loans_page(self, status: LoanStatus | None, after_id: str, limit: int) -> list[Loan]:
        with self._tables.session() as db:
            if status is None:
                rows = db.execute(
                    f"SELECT {LOAN_COLUMNS} FROM loans WHERE id > ? ORDER BY id LIMIT ?",
                    (after_id, limit),
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {LOAN_COLUMNS} FROM loans WHERE status = ? AND id > ?"
                    " ORDER BY id LIMIT ?",
                    (status.value, after_id, limit),
                ).fetchall()
        return [loan_of(r) for r in rows]

    def run_page(self, after: str, limit: int) -> tuple[list[RunLoan], str]:
        with self._tables.session() as db:
            if self._tables.backend == "sqlite":
                rows = db.execute(
                    _RUN_PAGE_SQLITE, (int(after or 0), LoanStatus.open.value, limit)
                ).fetchall()
            else:
                rows = db.execute(_RUN_PAGE_BY_ID, (LoanStatus.open.value, after, limit)).fetchall()
        return [run_loan_of(r[1:]) for r in rows], str(rows[-1][0]) if rows else after

    def day_record(self, day: int) -> DayRecord | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_DAY_COLUMNS} FROM loan_days WHERE day = ?", (day,)
            ).fetchone()
        return None if row is None else DayRecord(*(int(x) for x in row))

    def record_day(self, record: DayRecord) -> None:
        with self._tables.transaction() as db:
            db.execute(
                f"INSERT INTO loan_days ({_DAY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (
                    record.day, record.loans, record.collected, record.not_collected,
                    record.repaid, record.charged_off, record.made_before, record.finished_at_ns,
                ),
            )  # fmt: skip

    def set_status(
        self, loan_id: str, status: LoanStatus, day: int | None = None, written_off: int = 0
    ) -> None:
        with self._tables.write() as db:
            db.execute(
                "UPDATE loans SET status = ?, charged_off_day = ?, charged_off_minor = ?"
                " WHERE id = ?",
                (status.value, day, written_off, loan_id),
            )

    def add_repayment(self, repayment: Repayment) -> None:
        with self._tables.write() as db:
            db.execute(_INSERT_REPAYMENT, repayment_row(repayment))

    def add_repayments(self, repayments: Sequence[Repayment]) -> None:
        with self._tables.transaction() as db:
            db.executemany(_INSERT_REPAYMENT, [repayment_row(r) for r in repayments])

    def set_statuses(self, changes: Sequence[tuple[str, LoanStatus, int | None, int]]) -> None:
        with self._tables.transaction() as db:
            db.executemany(
                "UPDATE loans SET status = ?, charged_off_day = ?, charged_off_minor = ?"
                " WHERE id = ?",
                [(status.value, day, off, lid) for lid, status, day, off in changes],
            )

    def repayments_page(self, after_id: str, limit: int) -> list[Repayment]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {REPAYMENT_COLUMNS} FROM loan_repayments WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [repayment_of(r) for r in rows]

    def repayments(self, loan_id: str) -> list[Repayment]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {REPAYMENT_COLUMNS} FROM loan_repayments WHERE loan_id = ?"
                " ORDER BY created_at_ns, id",
                (loan_id,),
            ).fetchall()
        return [repayment_of(r) for r in rows]

    def insert_merchant_loan(self, loan: MerchantLoan) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO merchant_loans ({MERCHANT_LOAN_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                merchant_loan_row(loan),
            )

    def merchant_loan(self, loan_id: str) -> MerchantLoan | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {MERCHANT_LOAN_COLUMNS} FROM merchant_loans WHERE id = ?", (loan_id,)
            ).fetchone()
        return None if row is None else merchant_loan_of(row)

    def merchant_loans_of(self, merchant_id: str) -> list[MerchantLoan]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {MERCHANT_LOAN_COLUMNS} FROM merchant_loans WHERE merchant_id = ?"
                " ORDER BY created_at_ns DESC, id DESC",
                (merchant_id,),
            ).fetchall()
        return [merchant_loan_of(r) for r in rows]

    def merchant_loans_page(
        self, status: LoanStatus, after_id: str, limit: int
    ) -> list[MerchantLoan]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {MERCHANT_LOAN_COLUMNS} FROM merchant_loans WHERE status = ? AND id > ?"
                " ORDER BY id LIMIT ?",
                (status.value, after_id, limit),
            ).fetchall()
        return [merchant_loan_of(r) for r in rows]

    def set_merchant_loan_status(self, loan_id: str, status: LoanStatus) -> None:
        with self._tables.write() as db:
            db.execute("UPDATE merchant_loans SET status = ? WHERE id = ?", (status.value, loan_id))

    def close(self) -> None:
        self._tables.close()


def open_loan_store(url: str) -> SqlLoanStore:
    """Lenders, loans and repayments behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlLoanStore(open_tables(url, "colony-loans"))
