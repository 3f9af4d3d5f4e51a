"""The HTTP API's own records, the same on every backend: the interface a backend implements,
how API keys map to table rows, and the claims on Idempotency-Keys held while requests run.

A request writes once, its answer, when it is done; the claim on its key while it is being
served is held in memory, since only one process serves requests on a database (the one
holding the ledger's single writer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# Wallet tokens whose wallet is kept in memory (a token's wallet never changes, and tokens
# are never deleted); past it, all are dropped.
token_cache_entries_max = 100_000

KEY_COLUMNS = "key_sha256, kind, owner_id, created_at_ns, scopes, name, revoked_at_ns"
KEY_INSERT_COLUMNS = "key_sha256, kind, owner_id, created_at_ns, rate_limit_per_s, scopes, name"
IDEMPOTENCY_COLUMNS = "scope, key, request_sha256, status, body, created_at_ns"

# (scope, key, request hash, status, body, claimed at): a finished request's stored answer.
Answer = tuple[str, str, str, int, str, int]
# ("new" | "same" | "different", status, body): what `begin` found.
Begun = tuple[str, int | None, str | None]


@dataclass(frozen=True)
class KeyRecord:
    """An API key as stored: never the key itself, only its SHA-256."""

    key_sha256: str
    kind: str  # "operator" or "merchant"
    owner_id: str
    created_at_ns: int
    scopes: tuple[str, ...] | None  # None: a standard key, every scope of its kind
    name: str | None
    revoked_at_ns: int | None

    @property
    def id(self) -> str:
        """A name for the key that is safe to show: 16 hex digits of its hash."""
        return "key_" + self.key_sha256[:16]


def key_row(
    key_sha256: str,
    kind: str,
    owner_id: str,
    now_ns: int,
    rate_limit_per_s: int | None,
    scopes: tuple[str, ...] | None,
    name: str | None,
) -> tuple[object, ...]:
    """The row for KEY_INSERT_COLUMNS."""
    held = None if scopes is None else " ".join(scopes)
    return (key_sha256, kind, owner_id, now_ns, rate_limit_per_s, held, name)


def key_record(row: tuple[object, ...]) -> KeyRecord:
    sha, kind, owner, created, scopes, name, revoked = row
    return KeyRecord(
        str(sha),
        str(kind),
        str(owner),
        int(str(created)),
        None if scopes is None else tuple(str(scopes).split()),
        None if name is None else str(name),
        None if revoked is None else int(str(revoked)),
    )


class ApiStore(Protocol):
    """Hashed wallet tokens, API keys and idempotency records (storage/sqlite_api.py says
    what each method does)."""

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None: ...

    def wallet_for_token(self, token_sha256: str) -> str | None: ...

    def add_key(
        self,
        key_sha256: str,
        kind: str,
        owner_id: str,
        now_ns: int,
        rate_limit_per_s: int | None = None,
        scopes: tuple[str, ...] | None = None,
        name: str | None = None,
    ) -> None: ...

    def key(self, key_sha256: str) -> KeyRecord | None: ...

    def keys_of(self, kind: str, owner_id: str) -> list[KeyRecord]: ...

    def revoke_key(self, key_sha256: str, now_ns: int) -> None: ...

    def key_rate_limit(self, key_sha256: str) -> int | None: ...

    def key_owner(self, key_sha256: str) -> tuple[str, str] | None: ...

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun: ...

    def finish(self, scope: str, key: str, status: int, body: str) -> None: ...

    def release(self, scope: str, key: str) -> None: ...

    def close(self) -> None: ...


class IdempotencyClaims:
    """The keys of requests being served right now, and the rule for a key seen again.

    `stored` reads a finished request's (request hash, status, body) from the database; it is
    called under the claims' lock, and an answer is written before its claim is dropped, so a
    request arriving meanwhile sees one or the other, never neither.
    """

    def __init__(self, stored: Callable[[str, str], tuple[object, ...] | None]) -> None:
        self._stored = stored
        # (scope, key) -> (request hash, claimed at) of requests being served right now.
        self._claims: dict[tuple[str, str], tuple[str, int]] = {}
        self._lock = threading.Lock()

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        with self._lock:
            claimed = self._claims.get((scope, key))
            if claimed is None:
                row = self._stored(scope, key)
                if row is None:
                    self._claims[(scope, key)] = (request_sha256, now_ns)
                    return "new", None, None
                found_sha256, status, body = row
            else:
                found_sha256, status, body = claimed[0], None, None
        if found_sha256 != request_sha256:
            return "different", None, None
        return (
            "same",
            None if status is None else int(str(status)),
            None if body is None else str(body),
        )

    def finish(
        self, scope: str, key: str, status: int, body: str, write: Callable[[Answer], object]
    ) -> None:
        request_sha256, claimed_at_ns = self._claims[(scope, key)]
        try:
            write((scope, key, request_sha256, status, body, claimed_at_ns))
        finally:
            with self._lock:
                del self._claims[(scope, key)]

    def release(self, scope: str, key: str) -> None:
        with self._lock:
            self._claims.pop((scope, key), None)
