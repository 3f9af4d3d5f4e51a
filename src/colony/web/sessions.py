"""Sign-in sessions: a random id in an HttpOnly, SameSite=Strict cookie, one per audience
(`/app`, `/merchant`, `/console`), kept in the database as its SHA-256 with how far sign-in
has come. Every step of sign-in issues a new id and ends the old one, so an id seen before
signing in (fixation) is worth nothing after."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from colony.storage.open import open_tables
from colony.storage.tables import Tables

# Random bytes in a session id.
session_id_bytes = 32
# How long a session lasts from the step that made it, in seconds, per audience: a phone in a
# pocket stays signed in for a week (paying above the no-PIN limit asks for the PIN again);
# a merchant's till for a day; staff for a working shift.
SESSION_TTL_S = {"app": 7 * 86_400, "merchant": 86_400, "console": 8 * 3_600}
# How long the steps before sign-in may take, in seconds (a code is good for ten minutes).
signing_in_ttl_s = 15 * 60
# Expired sessions deleted per sweep (each sign-in sweeps once).
expired_sweep_rows_max = 500
# Code requests past their window deleted per request, at most: each request adds one row,
# so a thousand keep the table at the window's rows, and a flood's leftovers go a thousand a
# request instead of all in one request's transaction.
expired_code_request_rows_max = 1_000
# First key of the PostgreSQL advisory lock one address's code requests are counted under;
# the second is a hash of the address's digest.
code_request_lock_class = 0x436F6C63  # "Colc"

_COLUMNS = (
    "id_sha256, audience, stage, subject, address, verification, created_at_ns, expires_at_ns"
)


@dataclass(frozen=True)
class WebSession:
    id_sha256: str
    audience: str
    stage: str  # code_sent | code_proved | password_proved | signed_in
    subject: str
    address: str  # where the sign-in's code went: an E.164 number or an email address
    verification: str
    created_at_ns: int
    expires_at_ns: int

    @property
    def signed_in(self) -> bool:
        return self.stage == "signed_in"

    def next(
        self, id_sha256: str, stage: str, now_ns: int, ttl_ns: int, **changes: str
    ) -> WebSession:
        return dataclasses.replace(
            self,
            id_sha256=id_sha256,
            stage=stage,
            created_at_ns=now_ns,
            expires_at_ns=now_ns + ttl_ns,
            **changes,
        )


def id_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SqlSessionStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, session: WebSession, replacing: str | None = None) -> None:
        with self._tables.transaction() as db:
            if replacing:
                db.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (replacing,))
            db.execute(
                f"INSERT INTO web_sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                dataclasses.astuple(session),
            )

    def get(self, id_sha256: str, audience: str, now_ns: int) -> WebSession | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM web_sessions"
                " WHERE id_sha256 = ? AND audience = ? AND expires_at_ns > ?",
                (id_sha256, audience, now_ns),
            ).fetchone()
        if row is None:
            return None
        return WebSession(
            str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]),
            int(row[6]), int(row[7]),
        )  # fmt: skip

    def end(self, id_sha256: str) -> None:
        with self._tables.write() as db:
            db.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (id_sha256,))

    def end_all(self, audience: str, subject: str) -> int:
        """Sign `subject` out everywhere (a frozen wallet, a changed password)."""
        with self._tables.write() as db:
            return db.execute(
                "DELETE FROM web_sessions WHERE audience = ? AND subject = ?", (audience, subject)
            ).rowcount

    def sweep(self, now_ns: int) -> int:
        with self._tables.write() as db:
            return db.execute(
                "DELETE FROM web_sessions WHERE id_sha256 IN (SELECT id_sha256 FROM web_sessions"
                " WHERE expires_at_ns <= ? LIMIT ?)",
                (now_ns, expired_sweep_rows_max),
            ).rowcount

    def take_code_request(
        self, address: str, now_ns: int, window_ns: int, requests_max: int
    ) -> bool:
        """Count one request of a sign-in code for `address` if fewer than `requests_max`
        were counted in the `window_ns` before `now_ns`; whether it was. Nothing marks whose
        the address is, so a stranger's number is counted as a user's (docs/adr/0112)."""
        digest = hashlib.sha256(address.encode()).hexdigest()
        since_ns = now_ns - window_ns
        with self._tables.transaction() as db:
            if self._tables.backend == "postgresql":
                # Workers count on connections of their own: requests for one address at one
                # moment are counted one after another, never all below the limit at once
                # (SQLite's write transaction is one at a time already).
                db.execute(
                    "SELECT pg_advisory_xact_lock(?, hashtext(?))",
                    (code_request_lock_class, digest),
                )
            # Rows past their window are deleted by the requests after it, a bounded number
            # each: the table holds about the window's requests, however many came before.
            db.execute(
                "DELETE FROM sign_in_code_requests WHERE (address_sha256, at_ns) IN"
                " (SELECT address_sha256, at_ns FROM sign_in_code_requests WHERE at_ns <= ?"
                " ORDER BY at_ns LIMIT ?)",
                (since_ns, expired_code_request_rows_max),
            )
            (counted,) = db.execute(
                "SELECT COUNT(*) FROM sign_in_code_requests WHERE address_sha256 = ? AND at_ns > ?",
                (digest, since_ns),
            ).fetchone()
            if int(counted) >= requests_max:
                return False
            db.execute(
                "INSERT INTO sign_in_code_requests (address_sha256, at_ns) VALUES (?, ?)",
                (digest, now_ns),
            )
        return True

    def close(self) -> None:
        self._tables.close()


def open_session_store(url: str) -> SqlSessionStore:
    return SqlSessionStore(open_tables(url, "colony-web"))
