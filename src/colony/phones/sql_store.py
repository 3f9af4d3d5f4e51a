"""Verifications and the SMS and email outboxes, on either backend (storage/tables.py).

An outbox text or mail holds a live code, so it is sealed at rest as device secrets are
(kernel/secret_box.py, docs/adr/0032), bound to its message id and number: a copy of the
database shows no code, neither as a verification's hash (salted) nor as a text.
"""

from __future__ import annotations

import dataclasses

from colony.kernel.secret_box import SecretBox
from colony.phones.model import EmailMessage, PhoneVerification, SmsMessage
from colony.phones.rows import (
    EMAIL_COLUMNS,
    MESSAGE_COLUMNS,
    VERIFICATION_COLUMNS,
    email_of,
    email_row,
    message_of,
    message_row,
    verification_of,
    verification_row,
)
from colony.storage.open import open_tables
from colony.storage.secrets_key import secret_box_for
from colony.storage.tables import Tables


def _bound_to(message: SmsMessage) -> str:
    """What an outbox text is sealed to: its row's identity."""
    return f"sms_outbox/{message.id}/{message.phone}"


def _mail_bound_to(message: EmailMessage) -> str:
    return f"email_outbox/{message.id}/{message.address}"


# Ids are compared byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a page of the
# outbox before an id holds the same messages on both backends.
class SqlPhoneStore:
    def __init__(self, tables: Tables, box: SecretBox) -> None:
        self._tables = tables
        self._box = box

    def add_verification(self, verification: PhoneVerification) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO phone_verifications ({VERIFICATION_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                verification_row(verification),
            )

    def verification(self, verification_id: str) -> PhoneVerification | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {VERIFICATION_COLUMNS} FROM phone_verifications WHERE id = ?",
                (verification_id,),
            ).fetchone()
        return None if row is None else verification_of(row)

    def codes_sent_since(self, address: str, since_ns: int) -> int:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT count(*) FROM phone_verifications WHERE address = ? AND created_at_ns > ?",
                (address, since_ns),
            ).fetchone()
        assert row is not None
        return int(str(row[0]))

    def take_attempt(self, verification_id: str, attempts_max: int) -> bool:
        # One conditional UPDATE: the database counts, so two processes cannot both take
        # the last try.
        with self._tables.write() as db:
            taken = db.execute(
                "UPDATE phone_verifications SET attempts = attempts + 1"
                " WHERE id = ? AND attempts < ?",
                (verification_id, attempts_max),
            ).rowcount
        return taken == 1

    def mark_proved(self, verification_id: str, now_ns: int) -> None:
        with self._tables.write() as db:
            db.execute(
                "UPDATE phone_verifications SET proved_at_ns = ?"
                " WHERE id = ? AND proved_at_ns IS NULL",
                (now_ns, verification_id),
            )

    def add_message(self, message: SmsMessage) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO sms_outbox ({MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?)",
                message_row(dataclasses.replace(message, text=self._sealed(message))),
            )

    def messages(
        self, before_id: str | None, limit: int, phone: str | None = None
    ) -> list[SmsMessage]:
        rows = self._page(
            "sms_outbox", MESSAGE_COLUMNS, "phone", before_id or "sms_g", limit, phone
        )
        return [self._opened(message_of(row)) for row in rows]

    def add_email(self, message: EmailMessage) -> None:
        sealed = self._box.seal(message.text.encode(), _mail_bound_to(message))
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO email_outbox ({EMAIL_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                email_row(dataclasses.replace(message, text=sealed)),
            )

    def emails(
        self, before_id: str | None, limit: int, address: str | None = None
    ) -> list[EmailMessage]:
        rows = self._page(
            "email_outbox", EMAIL_COLUMNS, "address", before_id or "eml_g", limit, address
        )
        stored = [email_of(row) for row in rows]
        return [
            dataclasses.replace(m, text=self._box.open(m.text, _mail_bound_to(m)).decode())
            for m in stored
        ]

    def _page(
        self, table: str, columns: str, to: str, before_id: str, limit: int, wanted: str | None
    ) -> list[tuple[object, ...]]:
        """An outbox's rows older than `before_id` (a prefix then "g", which sorts after every
        hex digit, for the newest), newest first; only those to `wanted` when given."""
        where, args = ["id < ?"], [before_id]
        if wanted is not None:
            where.append(f"{to} = ?")
            args.append(wanted)
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)}"
                " ORDER BY id DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
        return [tuple(row) for row in rows]

    def _sealed(self, message: SmsMessage) -> str:
        return self._box.seal(message.text.encode(), _bound_to(message))

    def _opened(self, stored: SmsMessage) -> SmsMessage:
        text = self._box.open(stored.text, _bound_to(stored)).decode()
        return dataclasses.replace(stored, text=text)

    def close(self) -> None:
        self._tables.close()


def open_phone_store(url: str) -> SqlPhoneStore:
    """Verifications and the outbox behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlPhoneStore(open_tables(url, "colony-phones"), secret_box_for(url))
