"""Secrets on either backend (storage/tables.py)."""

from __future__ import annotations

from colony.credentials.model import SecretKind, StoredSecret
from colony.storage.open import open_tables
from colony.storage.tables import Tables

_COLUMNS = "subject, kind, hash, failed, locked_until_ns, updated_at_ns"


class SqlCredentialStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def secret(self, subject: str) -> StoredSecret | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM credentials WHERE subject = ?", (subject,)
            ).fetchone()
        if row is None:
            return None
        return StoredSecret(
            str(row[0]), SecretKind(row[1]), str(row[2]), int(row[3]), int(row[4]), int(row[5])
        )

    def put(self, secret: StoredSecret) -> None:
        row = (secret.subject, str(secret.kind), secret.hash, 0, 0, secret.updated_at_ns)
        with self._tables.transaction() as db:
            db.execute("DELETE FROM credentials WHERE subject = ?", (secret.subject,))
            db.execute(f"INSERT INTO credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row)

    def take_try(self, subject: str, attempts_max: int, now_ns: int) -> int | None:
        # One conditional UPDATE: the database counts, so two processes cannot both take the
        # last try. A lock that has passed starts the count again.
        with self._tables.transaction() as db:
            db.execute(
                "UPDATE credentials SET failed = 0, locked_until_ns = 0"
                " WHERE subject = ? AND locked_until_ns > 0 AND locked_until_ns <= ?",
                (subject, now_ns),
            )
            taken = db.execute(
                "UPDATE credentials SET failed = failed + 1"
                " WHERE subject = ? AND locked_until_ns = 0 AND failed < ?",
                (subject, attempts_max),
            ).rowcount
            if taken != 1:
                return None
            row = db.execute(
                "SELECT failed FROM credentials WHERE subject = ?", (subject,)
            ).fetchone()
        return int(row[0])

    def lock(self, subject: str, until_ns: int) -> None:
        with self._tables.write() as db:
            db.execute(
                "UPDATE credentials SET locked_until_ns = ? WHERE subject = ?", (until_ns, subject)
            )

    def clear_tries(self, subject: str) -> None:
        with self._tables.write() as db:
            db.execute(
                "UPDATE credentials SET failed = 0, locked_until_ns = 0 WHERE subject = ?",
                (subject,),
            )

    def close(self) -> None:
        self._tables.close()


def open_credential_store(url: str) -> SqlCredentialStore:
    """Secrets behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlCredentialStore(open_tables(url, "colony-credentials"))
