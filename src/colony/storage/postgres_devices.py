"""Payment-code devices and spent codes in PostgreSQL, the twin of `sqlite_devices.py`.

A spend is an INSERT under the primary key (device, step): when two sessions race, the second
waits for the first to commit and then inserts nothing, so a code is accepted once whichever
process or server asks.
"""

from __future__ import annotations

from colony.payments.payment_code import Device
from colony.storage.postgres_connection import PostgresTables


class PostgresDeviceStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, "colony-devices")

    def bind(self, device: Device, now_ns: int) -> bool:
        with self._tables.session() as conn:
            inserted = conn.execute(
                "INSERT INTO payment_devices VALUES (%s, %s, %s, %s, NULL)"
                " ON CONFLICT (number) DO NOTHING",
                (device.number, device.wallet_id, device.secret, now_ns),
            ).rowcount
        return inserted == 1

    def device(self, number: int) -> Device | None:
        with self._tables.session() as conn:
            row = conn.execute(
                "SELECT wallet_id, secret FROM payment_devices"
                " WHERE number = %s AND revoked_at_ns IS NULL",
                (number,),
            ).fetchone()
        if row is None:
            return None
        wallet_id, secret = row
        assert isinstance(secret, bytes)
        return Device(number, secret, str(wallet_id))

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        with self._tables.session() as conn:
            changed = conn.execute(
                "UPDATE payment_devices SET revoked_at_ns = %s"
                " WHERE number = %s AND wallet_id = %s AND revoked_at_ns IS NULL",
                (now_ns, number, wallet_id),
            ).rowcount
        return changed == 1

    def spend(self, number: int, step: int) -> bool:
        with self._tables.session() as conn:
            inserted = conn.execute(
                "INSERT INTO payment_codes_spent VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (number, step),
            ).rowcount
        return inserted == 1

    def forget_spent_before(self, step: int) -> None:
        with self._tables.session() as conn:
            conn.execute("DELETE FROM payment_codes_spent WHERE step < %s", (step,))

    def close(self) -> None:
        self._tables.close()
