"""Verifications and the SMS outbox, on either backend (storage/tables.py).

An outbox text holds a live code, so it is sealed at rest as device secrets are
(kernel/secret_box.py, docs/adr/0032), bound to its message id and number: a copy of the
database shows no code, neither as a verification's hash (salted) nor as a text.
"""

from __future__ import annotations

import dataclasses

from colony.kernel.secret_box import SecretBox
from colony.phones.model import PhoneVerification, SmsMessage
from colony.phones.rows import (
    MESSAGE_COLUMNS,
    VERIFICATION_COLUMNS,
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


# Ids are compared byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a page of the
# outbox before an id holds the same messages on both backends.
class SqlPhoneStore:
    def __init__(self, tables: Tables, box: SecretBox) -> None:
        self._tables = tables
        self._box = box

    def add_verification(self, verification: PhoneVerification) -> None:
        with self._tables.session() as db:
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

    def codes_sent_since(self, phone: str, since_ns: int) -> int:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT count(*) FROM phone_verifications WHERE phone = ? AND created_at_ns > ?",
                (phone, since_ns),
            ).fetchone()
        assert row is not None
        return int(str(row[0]))

    def take_attempt(self, verification_id: str, attempts_max: int) -> bool:
        # One conditional UPDATE: the database counts, so two processes cannot both take
        # the last try.
        with self._tables.session() as db:
            taken = db.execute(
                "UPDATE phone_verifications SET attempts = attempts + 1"
                " WHERE id = ? AND attempts < ?",
                (verification_id, attempts_max),
            ).rowcount
        return taken == 1

    def mark_proved(self, verification_id: str, now_ns: int) -> None:
        with self._tables.session() as db:
            db.execute(
                "UPDATE phone_verifications SET proved_at_ns = ?"
                " WHERE id = ? AND proved_at_ns IS NULL",
                (now_ns, verification_id),
            )

    def add_message(self, message: SmsMessage) -> None:
        with self._tables.session() as db:
            db.execute(
                f"INSERT INTO sms_outbox ({MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?)",
                message_row(dataclasses.replace(message, text=self._sealed(message))),
            )

    def messages(
        self, before_id: str | None, limit: int, phone: str | None = None
    ) -> list[SmsMessage]:
        where, args = ["id < ?"], [before_id or "sms_g"]  # "g" sorts after every hex digit
        if phone is not None:
            where.append("phone = ?")
            args.append(phone)
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM sms_outbox WHERE {' AND '.join(where)}"
                " ORDER BY id DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
        return [self._opened(message_of(row)) for row in rows]

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
