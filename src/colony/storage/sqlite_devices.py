"""Payment-code devices and spent codes in SQLite (the same file as the ledger journal).

A spend is an INSERT under a UNIQUE (device, step) key, which SQLite commits atomically for
every connection and process on the file: a code is accepted once, across restarts and
across servers sharing the database.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.payments.payment_code import Device
from colony.storage.sqlite_connection import connect


class SqliteDeviceStore:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()  # one connection, many request threads

    def bind(self, device: Device, now_ns: int) -> bool:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO payment_devices VALUES (?, ?, ?, ?, NULL)",
                    (device.number, device.wallet_id, device.secret, now_ns),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def device(self, number: int) -> Device | None:
        with self._lock:
            row = self._db.execute(
                "SELECT wallet_id, secret FROM payment_devices"
                " WHERE number = ? AND revoked_at_ns IS NULL",
                (number,),
            ).fetchone()
        return Device(number, bytes(row[1]), str(row[0])) if row else None

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        with self._lock:
            changed = self._db.execute(
                "UPDATE payment_devices SET revoked_at_ns = ?"
                " WHERE number = ? AND wallet_id = ? AND revoked_at_ns IS NULL",
                (now_ns, number, wallet_id),
            ).rowcount
        return changed == 1

    def spend(self, number: int, step: int) -> bool:
        with self._lock:
            try:
                self._db.execute("INSERT INTO payment_codes_spent VALUES (?, ?)", (number, step))
            except sqlite3.IntegrityError:
                return False
        return True

    def forget_spent_before(self, step: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM payment_codes_spent WHERE step < ?", (step,))

    def close(self) -> None:
        self._db.close()
