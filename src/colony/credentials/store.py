"""What credentials keep outside the ledger: one secret per subject."""

from __future__ import annotations

from typing import Protocol

from colony.credentials.model import StoredSecret


class CredentialStore(Protocol):
    def secret(self, subject: str) -> StoredSecret | None: ...

    def put(self, secret: StoredSecret) -> None:
        """Set (or replace) the subject's secret, its tries and lock cleared."""

    def take_try(self, subject: str, attempts_max: int, now_ns: int) -> int | None:
        """Count one try, atomically, unless the subject is locked at `now_ns` or has
        `attempts_max` wrong tries already: the tries counted so far, this one included, or
        None when none was counted. Concurrent tries from any process share the budget."""

    def lock(self, subject: str, until_ns: int) -> None:
        """Lock until `until_ns`, and start the count of tries again after it."""

    def clear_tries(self, subject: str) -> None:
        """A right secret: the count starts again."""

    def close(self) -> None: ...
