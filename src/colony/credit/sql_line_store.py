"""Credit lines and their plan requests, on either backend (storage/tables.py)."""

from __future__ import annotations

from colony.credit.line_records import CreditLine, PlanRequest, PlanStatus, model_json
from colony.credit.line_rows import (
    LINE_COLUMNS,
    PLAN_COLUMNS,
    line_of,
    line_row,
    plan_of,
    plan_row,
)
from colony.storage.open import open_tables
from colony.storage.tables import Tables


class SqlLineStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def insert(self, line: CreditLine) -> CreditLine:
        with self._tables.transaction() as db:
            db.execute(
                f"INSERT INTO credit_lines ({LINE_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                line_row(line),
            )
        found = self.by_wallet(line.wallet_id, line.currency)
        assert found is not None, "a line just inserted, or the one before it"
        return found

    def _one(self, where: str, arg: object) -> CreditLine | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {LINE_COLUMNS} FROM credit_lines WHERE {where}", (arg,)
            ).fetchone()
        return None if row is None else line_of(row)

    def by_id(self, line_id: str) -> CreditLine | None:
        return self._one("id = ?", line_id)

    def by_principal(self, account_id: int) -> CreditLine | None:
        return self._one("principal_account_id = ?", str(account_id))

    def by_wallet(self, wallet_id: str, currency: str) -> CreditLine | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {LINE_COLUMNS} FROM credit_lines WHERE wallet_id = ? AND currency = ?",
                (wallet_id, currency),
            ).fetchone()
        return None if row is None else line_of(row)

    def page(self, after_id: str, limit: int) -> list[CreditLine]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {LINE_COLUMNS} FROM credit_lines WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [line_of(row) for row in rows]

    def save(self, line: CreditLine) -> None:
        with self._tables.transaction() as db:
            db.execute(
                "UPDATE credit_lines SET model = ?, limit_changes = ? WHERE id = ?",
                (model_json(line.model), line.limit_changes, line.id),
            )

    def add_plan(self, plan: PlanRequest) -> PlanRequest:
        with self._tables.transaction() as db:
            db.execute(
                f"INSERT INTO credit_line_plans ({PLAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                plan_row(plan),
            )
            row = db.execute(
                f"SELECT {PLAN_COLUMNS} FROM credit_line_plans WHERE id = ?", (plan.id,)
            ).fetchone()
        return plan_of(row)

    def plans(self, line_id: str, limit: int, *, newest_first: bool = False) -> list[PlanRequest]:
        order = "DESC" if newest_first else "ASC"
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {PLAN_COLUMNS} FROM credit_line_plans WHERE line_id = ? "
                f"ORDER BY asked_at_ns {order}, id {order} LIMIT ?",
                (line_id, limit),
            ).fetchall()
        return [plan_of(row) for row in rows]

    def mark_plan(self, plan_id: str, status: PlanStatus) -> None:
        with self._tables.transaction() as db:
            db.execute(
                "UPDATE credit_line_plans SET status = ? WHERE id = ?", (str(status), plan_id)
            )

    def close(self) -> None:
        self._tables.close()


def open_line_store(url: str) -> SqlLineStore:
    """Credit lines behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlLineStore(open_tables(url, "colony-credit-lines"))
