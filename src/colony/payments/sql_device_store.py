"""Payment-code devices and spent codes, on either backend (tables.py).

A spend is an INSERT under the primary key (device, step). SQLite commits it atomically for
every connection and process on the file; on PostgreSQL, when two sessions race, the second
waits for the first to commit and then inserts nothing. Either way a code is accepted once,
across restarts and across servers sharing the database.

Failed codes are rows of `payment_code_failures`, counted over the window and pruned as they
age out of it, so the table holds at most a window's failures.
"""

from __future__ import annotations

from colony.payments.payment_code import Device, DeviceRecord
from colony.storage.open import open_tables
from colony.storage.tables import Tables


class SqlDeviceStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def bind(self, device: Device, now_ns: int) -> bool:
        """False when the number is taken, by a bound or a revoked device."""
        with self._tables.session() as db:
            inserted = db.execute(
                "INSERT INTO payment_devices (number, wallet_id, secret, created_at_ns)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (number) DO NOTHING",
                (device.number, device.wallet_id, device.secret, now_ns),
            ).rowcount
        return inserted == 1

    def device(self, number: int) -> Device | None:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT wallet_id, secret FROM payment_devices"
                " WHERE number = ? AND revoked_at_ns IS NULL AND locked_at_ns IS NULL",
                (number,),
            ).fetchone()
        if row is None:
            return None
        wallet_id, secret = row
        return Device(number, bytes(secret), str(wallet_id))

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        with self._tables.session() as db:
            changed = db.execute(
                "UPDATE payment_devices SET revoked_at_ns = ? WHERE number = ? AND wallet_id = ?"
                " AND revoked_at_ns IS NULL AND locked_at_ns IS NULL",
                (now_ns, number, wallet_id),
            ).rowcount
        return changed == 1

    def devices_of(self, wallet_id: str) -> list[DeviceRecord]:
        with self._tables.session() as db:
            rows = db.execute(
                "SELECT number, created_at_ns, revoked_at_ns, locked_at_ns FROM payment_devices"
                " WHERE wallet_id = ? ORDER BY created_at_ns, number",
                (wallet_id,),
            ).fetchall()
        return [DeviceRecord(int(n), wallet_id, int(c), r, locked) for n, c, r, locked in rows]

    def lock(self, number: int, now_ns: int) -> bool:
        with self._tables.session() as db:
            changed = db.execute(
                "UPDATE payment_devices SET locked_at_ns = ?"
                " WHERE number = ? AND revoked_at_ns IS NULL AND locked_at_ns IS NULL",
                (now_ns, number),
            ).rowcount
        return changed == 1

    def record_failure(self, number: int, merchant_id: str, now_ns: int, since_ns: int) -> int:
        with self._tables.session() as db:
            db.execute("DELETE FROM payment_code_failures WHERE at_ns < ?", (since_ns,))
            db.execute(
                "INSERT INTO payment_code_failures VALUES (?, ?, ?)", (number, merchant_id, now_ns)
            )
            (count,) = db.execute(
                "SELECT count(*) FROM payment_code_failures WHERE device_number = ? AND at_ns >= ?",
                (number, since_ns),
            ).fetchone()
        return int(count)

    def merchant_failures(self, merchant_id: str, since_ns: int) -> int:
        with self._tables.session() as db:
            (count,) = db.execute(
                "SELECT count(*) FROM payment_code_failures WHERE merchant_id = ? AND at_ns >= ?",
                (merchant_id, since_ns),
            ).fetchone()
        return int(count)

    def spend(self, number: int, step: int) -> bool:
        with self._tables.session() as db:
            inserted = db.execute(
                "INSERT INTO payment_codes_spent VALUES (?, ?) ON CONFLICT DO NOTHING",
                (number, step),
            ).rowcount
        return inserted == 1

    def forget_spent_before(self, step: int) -> None:
        with self._tables.session() as db:
            db.execute("DELETE FROM payment_codes_spent WHERE step < ?", (step,))

    def close(self) -> None:
        self._tables.close()


def open_device_store(url: str) -> SqlDeviceStore:
    """Payment-code devices and spent codes behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlDeviceStore(open_tables(url, "colony-devices"))
