"""The HTTP API's own records, the same on every backend: the interface a backend implements,
how API keys map to table rows, and the claims on Idempotency-Keys held while requests run.

A request writes once, its answer, when it is done; the claim on its key while it is being
served is held in memory. When several worker processes serve one database
(`colony serve --workers N`), a claim is also written to `api_idempotency_claims` first
(`SharedClaims`), or held by the ledger writer for them all (`kernel/key_claims.py`,
docs/adr/0037), so the same key arriving at two workers runs once; a claim whose process died
is taken over at once, one from another machine after `claim_stale_s`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Protocol

from colony.kernel import lock_order
from colony.kernel.key_claims import (
    ClaimsAcrossProcesses,
    UnansweredKeys,
    claim_stale_s,
    holder_is_gone,
    process_tag,
)
from colony.kernel.promise import Promise
from colony.kernel.steps import done
from colony.storage.tables import Tables

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
    """Hashed wallet tokens, API keys and idempotency records (api/sql_store.py says
    what each method does)."""

    def add_token(self, token_sha256: str, wallet_id: str, now_ns: int) -> None: ...

    def wallet_for_token(self, token_sha256: str) -> str | None: ...

    def revoke_tokens(self, wallet_id: str, now_ns: int, only: str | None = None) -> int: ...

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

    @property
    def claims_cross_processes(self) -> bool:
        """Whether `begin` may wait on another process (several serve the database)."""
        ...

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun: ...

    @property
    def looks_ahead(self) -> bool:
        """Whether the HTTP gate should call `look_ahead` now: not where its read would block
        the event loop, nor where another process holds claims unseen here (docs/adr/0092;
        a worker holds every worker's while it is the ledger's writer, 0099)."""
        ...

    def look_ahead(self, keys: Sequence[tuple[str, str]]) -> None:
        """Find in one read which of these (scope, key) have no stored answer, for the
        `begin`s about to come; nothing where that cannot be exact (docs/adr/0092, 0093)."""
        ...

    def finish(self, scope: str, key: str, status: int, body: str) -> None: ...

    def finish_later(self, scope: str, key: str, status: int, body: str) -> Future[None]: ...

    def release(self, scope: str, key: str) -> None: ...

    def release_later(self, scope: str, key: str) -> Future[None]: ...

    def forget_answers_before(self, before_ns: int, limit: int) -> int:
        """Forget up to `limit` stored answers made before `before_ns`, oldest first; how
        many went (api/answer_retention.py). A claim in progress is no answer: kept."""
        ...

    def close(self) -> None: ...


# A claim's statements, each run in a transaction of its own.
_CLAIM = (
    "INSERT INTO api_idempotency_claims (scope, key, request_sha256, holder, claimed_at_ns)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING RETURNING scope"
)
_READ = (
    "SELECT request_sha256, holder, claimed_at_ns FROM api_idempotency_claims"
    " WHERE scope = ? AND key = ?"
)
_TAKE = (
    "UPDATE api_idempotency_claims SET request_sha256 = ?, holder = ?, claimed_at_ns = ?"
    " WHERE scope = ? AND key = ? AND holder = ? AND claimed_at_ns = ? RETURNING scope"
)
_DROP = "DELETE FROM api_idempotency_claims WHERE scope = ? AND key = ?"


class SharedClaims:
    """Claims on Idempotency-Keys in the database, for several processes serving one."""

    def __init__(self, tables: Tables) -> None:
        # Each statement is its own transaction, waiting its turn at SQLite's write gate
        # (`Tables.write`).
        self._session = tables.write
        self._me = process_tag()

    @property
    def may_wait(self) -> bool:
        return True  # a write to the database, behind every other process's

    @property
    def finds_ahead(self) -> bool:
        return False  # another process may claim and answer a key unseen here

    def claim(self, scope: str, key: str, request_sha256: str, now_ns: int) -> str | None:
        """None if this process now holds the key, else the request hash of whoever does."""
        if self._rows(_CLAIM, (scope, key, request_sha256, self._me, now_ns)):
            return None
        rows = self._rows(_READ, (scope, key))
        if not rows:  # dropped between the two statements: its answer is stored by now
            return request_sha256
        held_sha256, holder, claimed_at_ns = (str(v) for v in rows[0])
        stale = now_ns - int(claimed_at_ns) > claim_stale_s * 1_000_000_000
        if stale or holder_is_gone(holder):
            taken = self._rows(
                _TAKE, (request_sha256, self._me, now_ns, scope, key, holder, int(claimed_at_ns))
            )
            if taken:
                return None
        return held_sha256

    def drop(self, scope: str, key: str) -> None:
        with self._session() as db:
            db.execute(_DROP, (scope, key))

    def drop_later(self, scope: str, key: str) -> Future[None]:
        """`drop`, made before it returns (a write to the database)."""
        self.drop(scope, key)
        return done(None)

    def look_ahead(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        """Nothing: another process may claim a key in the database unseen here."""

    def take_unanswered(self, scope: str, key: str, request_sha256: str, now_ns: int) -> bool:
        return False

    def _rows(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._session() as db:
            return [tuple(row) for row in db.execute(sql, args).fetchall()]


class IdempotencyClaims:
    """The keys of requests being served right now, and the rule for a key seen again.

    `stored` reads a finished request's (request hash, status, body) from the database; it is
    called under the claims' lock, and an answer is written before its claim is dropped, so a
    request arriving meanwhile sees one or the other, never neither.
    """

    def __init__(
        self,
        stored: Callable[[str, str], tuple[object, ...] | None],
        shared: ClaimsAcrossProcesses | None = None,
    ) -> None:
        self._stored = stored
        self._shared = shared
        # (scope, key) -> (request hash, claimed at) of requests being served right now.
        self._claims: dict[tuple[str, str], tuple[str, int]] = {}
        self._lock = lock_order.lock("api records")
        # What `look_ahead` found, where every claim is held here (ADR 0092); exact only
        # while every answer to these keys is written by a claim held here.
        self._unanswered = UnansweredKeys()

    @property
    def may_wait(self) -> bool:
        """Whether `begin` may wait on another process right now."""
        return self._shared is not None and self._shared.may_wait

    @property
    def finds_ahead(self) -> bool:
        """Whether `look_ahead` may find anything now: every claim is held in this
        process's memory, its own or, as the ledger's writer, every worker's."""
        return self._shared is None or self._shared.finds_ahead

    def begin(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        with self._lock:
            claimed = self._claims.get((scope, key))
            if claimed is None:
                if self._unanswered.take((scope, key)):
                    # Looked up ahead, and claimed by nobody since: nobody can have answered.
                    row = None
                elif self._shared is not None and self._shared.take_unanswered(
                    scope, key, request_sha256, now_ns
                ):
                    # Looked up ahead where every process claims (the writer's memory), and
                    # claimed there now on that finding (docs/adr/0093).
                    self._claims[(scope, key)] = (request_sha256, now_ns)
                    return "new", None, None
                else:
                    row = self._stored(scope, key)
                if row is None:
                    self._claims[(scope, key)] = (request_sha256, now_ns)
                    if self._shared is None:
                        return "new", None, None
                found_sha256, status, body = row or (request_sha256, None, None)
            else:
                found_sha256, status, body = claimed[0], None, None
        if claimed is None and row is None:
            return self._claim_shared(scope, key, request_sha256, now_ns)
        if found_sha256 != request_sha256:
            return "different", None, None
        return (
            "same",
            None if status is None else int(str(status)),
            None if body is None else str(body),
        )

    def _claim_shared(self, scope: str, key: str, request_sha256: str, now_ns: int) -> Begun:
        """The database's word, outside the lock: another process may hold the key."""
        assert self._shared is not None
        try:
            held_sha256 = self._shared.claim(scope, key, request_sha256, now_ns)
        except BaseException:
            self.release_local(scope, key)
            raise
        if held_sha256 is None:
            return "new", None, None
        self.release_local(scope, key)
        row = self._stored(scope, key)  # it may have finished since
        if row is not None:
            held_sha256, status, body = (str(v) for v in row)
            if held_sha256 == request_sha256:
                return "same", int(status), body
        return ("same" if held_sha256 == request_sha256 else "different"), None, None

    def look_ahead(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        """Find which of `keys` ((scope, key) of requests about to `begin`) have no stored
        answer, with one read (`answered_among`) instead of one read each (docs/adr/0092).

        An answer is stored only by a request holding its key's claim, before the claim is
        dropped. So a key unclaimed now and without an answer now stays without one until
        somebody claims it; its first `begin` after this (whoever makes it) takes the finding
        and claims it, and every later one reads again. Keys claimed now are left to read.
        Where claims are shared, the processes' claims decide (`ClaimsAcrossProcesses.
        look_ahead`): only the ledger writer's memory, which holds every process's, finds
        anything (docs/adr/0093)."""
        if self._shared is not None:
            with self._lock:
                # Not the keys this process holds: the shared claims may not know of them (a
                # claim made with a writer since replaced), and their answers may come yet.
                keys = [k for k in keys if k not in self._claims]
            if keys:
                self._shared.look_ahead(keys, answered_among)
            return
        with self._lock:  # as a `begin`'s read is: no claim is made here meanwhile
            unclaimed = [k for k in keys if k not in self._claims]
            self._unanswered.look_up(unclaimed, answered_among, nullcontext())

    def finish(
        self, scope: str, key: str, status: int, body: str, write: Callable[[Answer], object]
    ) -> None:
        request_sha256, claimed_at_ns = self._claims[(scope, key)]
        try:
            write((scope, key, request_sha256, status, body, claimed_at_ns))
        finally:
            self.release(scope, key)  # the answer is stored first: no moment without either

    def finish_later(
        self,
        scope: str,
        key: str,
        status: int,
        body: str,
        write: Callable[[Answer], Future[None]],
    ) -> Future[None]:
        """As `finish`, without waiting: the claim is dropped once the write is done (before
        the future's other callbacks run, so whoever awaits it finds the answer stored)."""
        request_sha256, claimed_at_ns = self._claims[(scope, key)]
        try:
            written = write((scope, key, request_sha256, status, body, claimed_at_ns))
        except BaseException:
            self.release(scope, key)
            raise
        answered: Future[None] = Promise()

        def release(written: Future[None]) -> None:
            def settle(_: Future[None]) -> None:
                failure = written.exception()
                if failure is None:
                    answered.set_result(None)
                else:
                    answered.set_exception(failure)

            self.release_later(scope, key).add_done_callback(settle)

        written.add_done_callback(release)
        return answered

    def release(self, scope: str, key: str) -> None:
        self.release_local(scope, key)
        if self._shared is not None:
            self._shared.drop(scope, key)

    def release_later(self, scope: str, key: str) -> Future[None]:
        """`release` without waiting on another process: done once every process may
        claim the key again."""
        self.release_local(scope, key)
        return done(None) if self._shared is None else self._shared.drop_later(scope, key)

    def release_local(self, scope: str, key: str) -> None:
        with self._lock:
            self._claims.pop((scope, key), None)
