"""Payment-code devices and spent codes, on either backend (tables.py).

A spend is an INSERT under the primary key (device, step). SQLite commits it atomically for
every connection and process on the file; on PostgreSQL, when two sessions race, the second
waits for the first to commit and then inserts nothing. Either way a code is accepted once,
across restarts and across servers sharing the database.

Failed codes are rows of `payment_code_failures`, counted over the window and pruned as they
age out of it, so the table holds at most a window's failures.

A device's secret is sealed at rest (kernel/secret_box.py, docs/adr/0032), bound to its
number and wallet, so a copy of the database cannot make codes and a secret moved to another
device's row does not open. Secrets an earlier version stored in clear are sealed when the
store opens; a clear one found later is refused, never used.
"""

from __future__ import annotations

from colony.kernel.secret_box import SealedSecretInvalid, SecretBox, is_sealed
from colony.payments.payment_code import Device, DeviceRecord
from colony.storage.open import open_tables
from colony.storage.secrets_key import check_sealed_column, secret_box_for
from colony.storage.tables import Tables

# Clear secrets sealed per statement when the store opens.
clear_secrets_per_batch = 500
# A secret in clear is its 32 raw bytes; a sealed one is about 90 bytes of ASCII.
_CLEAR_SECRET_BYTES_MAX = 64


def _bound_to(number: int, wallet_id: str) -> str:
    """What a device's sealed secret is bound to: the row's identity."""
    return f"payment_devices/{number}/{wallet_id}"


class SqlDeviceStore:
    def __init__(self, tables: Tables, box: SecretBox) -> None:
        self._tables = tables
        self._box = box
        try:
            self.seal_clear_secrets()
            check_sealed_column(tables, box, "payment_devices", "a payment device's secret")
        except BaseException:
            tables.close()
            raise

    def seal_clear_secrets(self) -> int:
        """Seal every secret an earlier version stored in clear; how many. Each row is
        rewritten only if it still holds the clear secret read, so processes opening at once
        seal each row once."""
        sealed = 0
        while True:
            with self._tables.write() as db:
                rows = db.execute(
                    "SELECT number, wallet_id, secret FROM payment_devices"
                    " WHERE length(secret) <= ? LIMIT ?",
                    (_CLEAR_SECRET_BYTES_MAX, clear_secrets_per_batch),
                ).fetchall()
                for number, wallet_id, clear in rows:
                    box = self._box.seal(bytes(clear), _bound_to(int(number), str(wallet_id)))
                    db.execute(
                        "UPDATE payment_devices SET secret = ? WHERE number = ? AND secret = ?",
                        (box.encode(), number, clear),
                    )
            sealed += len(rows)
            if len(rows) < clear_secrets_per_batch:
                return sealed

    def bind(self, device: Device, now_ns: int) -> bool:
        """False when the number is taken, by a bound or a revoked device."""
        with self._tables.write() as db:
            inserted = db.execute(
                "INSERT INTO payment_devices (number, wallet_id, secret, created_at_ns)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (number) DO NOTHING",
                (device.number, device.wallet_id, self._sealed(device), now_ns),
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
        wallet_id, stored = row
        sealed = bytes(stored).decode("ascii", errors="replace")
        if not is_sealed(sealed):
            raise SealedSecretInvalid(f"the secret of device {number} is stored in clear")
        return Device(number, self._box.open(sealed, _bound_to(number, str(wallet_id))),
                      str(wallet_id))  # fmt: skip

    def _sealed(self, device: Device) -> bytes:
        return self._box.seal(device.secret, _bound_to(device.number, device.wallet_id)).encode()

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        with self._tables.write() as db:
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
        with self._tables.write() as db:
            changed = db.execute(
                "UPDATE payment_devices SET locked_at_ns = ?"
                " WHERE number = ? AND revoked_at_ns IS NULL AND locked_at_ns IS NULL",
                (now_ns, number),
            ).rowcount
        return changed == 1

    def record_failure(self, number: int, merchant_id: str, now_ns: int, since_ns: int) -> int:
        with self._tables.write() as db:
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
        with self._tables.write() as db:
            inserted = db.execute(
                "INSERT INTO payment_codes_spent VALUES (?, ?) ON CONFLICT DO NOTHING",
                (number, step),
            ).rowcount
        return inserted == 1

    def forget_spent_before(self, step: int) -> None:
        with self._tables.write() as db:
            db.execute("DELETE FROM payment_codes_spent WHERE step < ?", (step,))

    def close(self) -> None:
        self._tables.close()


def open_device_store(url: str) -> SqlDeviceStore:
    """Payment-code devices and spent codes behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlDeviceStore(open_tables(url, "colony-devices"), secret_box_for(url))
