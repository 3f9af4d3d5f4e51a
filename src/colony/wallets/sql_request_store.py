"""Money requests on either backend (tables.py)."""

from __future__ import annotations

from typing import Any

from colony.storage.open import open_tables
from colony.storage.tables import Tables
from colony.wallets.requests import MoneyRequest, RequestStatus

_COLUMNS = (
    "id, requester_wallet, payer_phone, currency, amount_minor, note, status, transfer_id,"
    " created_at_ns, settled_at_ns"
)


def _row(r: MoneyRequest) -> tuple[object, ...]:
    return (
        r.id, r.requester_wallet, r.payer_phone, r.currency, r.amount_minor, r.note,
        str(r.status), f"{r.transfer_id:032x}", r.created_at_ns, r.settled_at_ns,
    )  # fmt: skip


def _of(row: Any) -> MoneyRequest:
    return MoneyRequest(
        str(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]), str(row[5]),
        RequestStatus(row[6]), int(str(row[7]), 16), int(row[8]), int(row[9]),
    )  # fmt: skip


class SqlRequestStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, request: MoneyRequest) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO money_requests ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row(request),
            )

    def get(self, request_id: str) -> MoneyRequest | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM money_requests WHERE id = ?", (request_id,)
            ).fetchone()
        return _of(row) if row else None

    def settle(self, request_id: str, status: RequestStatus, at_ns: int) -> bool:
        with self._tables.write() as db:
            changed = db.execute(
                "UPDATE money_requests SET status = ?, settled_at_ns = ?"
                " WHERE id = ? AND status = 'open'",
                (str(status), at_ns, request_id),
            ).rowcount
        return changed == 1

    def to_payer(self, phone: str, currency: str, limit: int) -> list[MoneyRequest]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM money_requests WHERE payer_phone = ? AND currency = ?"
                " AND status = 'open' ORDER BY id DESC LIMIT ?",
                (phone, currency, limit),
            ).fetchall()
        return [_of(r) for r in rows]

    def by_requester(self, wallet_id: str, limit: int) -> list[MoneyRequest]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM money_requests WHERE requester_wallet = ?"
                " ORDER BY id DESC LIMIT ?",
                (wallet_id, limit),
            ).fetchall()
        return [_of(r) for r in rows]

    def open_count(self, wallet_id: str) -> int:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT count(*) FROM money_requests"
                " WHERE requester_wallet = ? AND status = 'open'",
                (wallet_id,),
            ).fetchone()
        return int(row[0])

    def asked_of_since(self, wallet_id: str, payer_phone: str, since_ns: int) -> int:
        # Through money_requests_by_requester: only the asker's own requests are read.
        with self._tables.session() as db:
            row = db.execute(
                "SELECT count(*) FROM money_requests WHERE requester_wallet = ?"
                " AND payer_phone = ? AND created_at_ns >= ?",
                (wallet_id, payer_phone, since_ns),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._tables.close()


def open_request_store(url: str) -> SqlRequestStore:
    """Money requests behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlRequestStore(open_tables(url, "colony-money-requests"))
