"""Claims on Idempotency-Keys shared by the processes that serve one database
(`colony serve --workers`, docs/adr/0014, docs/adr/0037): who holds a claim, when a claim
is taken over, and the claims the ledger writer holds in memory for every worker.

Here, below both the HTTP API and the workers, because both use it: the API claims keys,
the writer's process holds them.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

# A claim held by a process this machine cannot see (or cannot tell is alive) is taken over
# after this many seconds: twice the longest a request waits for the ledger.
claim_stale_s = 120


def process_tag() -> str:
    """Who holds a claim: host, pid and the process's start time (a reused pid differs)."""
    return f"{socket.gethostname()}/{os.getpid()}/{_start_ticks(os.getpid())}"


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks, or "?" if it is not running (a zombie, dead
    but not yet reaped by its parent, counts as not running)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return "?"
    return "?" if len(fields) < 20 or fields[0] in ("Z", "X") else fields[19]


def holder_is_gone(holder: str) -> bool:
    """True only when the holder ran on this machine and that process no longer exists."""
    host, _, rest = holder.partition("/")
    pid, _, started = rest.partition("/")
    if host != socket.gethostname() or not pid.isdigit() or started == "?":
        return False
    return _start_ticks(int(pid)) != started


class ClaimsAcrossProcesses(Protocol):
    """Where several processes serving one database meet to claim Idempotency-Keys: the
    database (`SharedClaims`) or the ledger writer's memory (`HeldClaims`, asked over the
    writer's socket by `colony serve --workers`)."""

    def claim(self, scope: str, key: str, request_sha256: str, now_ns: int) -> str | None: ...

    @property
    def may_wait(self) -> bool:
        """Whether a claim made now may wait on another process (a round trip or a write)."""
        ...

    @property
    def finds_ahead(self) -> bool:
        """Whether `look_ahead` may find anything now: only where the claims are held in
        this process's memory, as the ledger's writer's (docs/adr/0093, 0099)."""
        ...

    def drop(self, scope: str, key: str) -> None: ...

    def drop_later(self, scope: str, key: str) -> Future[None]:
        """`drop` without waiting: the future is done once it is dropped."""
        ...

    def look_ahead(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        """Find which of `keys` are claimed by nobody and have no stored answer, for the
        claims about to come (`HeldClaims.look_ahead`); nothing where claims are not held
        in this process's memory."""
        ...

    def take_unanswered(self, scope: str, key: str, request_sha256: str, now_ns: int) -> bool:
        """Claim the key if the last `look_ahead` found it unclaimed and unanswered and
        nobody claimed it since: True, and no answer needs reading. False: claim as usual."""
        ...


# Findings of a look-ahead kept at most (keys; about sixteen gatherings').
findings_kept_max = 1024


@contextmanager
def _let_go(lock: threading.Lock) -> Iterator[None]:
    """`lock`, held, let go for the block and taken again after it."""
    lock.release()
    try:
        yield
    finally:
        lock.acquire()


class UnansweredKeys:
    """Keys a look-ahead found claimed by nobody and without a stored answer, each until its
    first claim (docs/adr/0092, 0093), and the keys of the look-aheads reading now. Not
    locked: its owner's lock guards it, the one its claims are made under.

    An answer is stored only by a request holding its key's claim, before the claim is
    dropped. So a key unclaimed when a read starts, and unanswered in it, stays unanswered
    until somebody claims it, unless it was claimed (and maybe answered) while the read
    ran: every claim made meanwhile (`claimed`) takes its key out of what the read may
    find. Any later claim takes the finding away; only `take` claims on its word.

    Findings accumulate (a gathering's may still be unused when the next one reads) up to
    `findings_kept_max`, then start again: a finding forgotten only costs a read."""

    def __init__(self) -> None:
        self._found: set[tuple[str, str]] = set()
        self._reading: list[set[tuple[str, str]]] = []

    def look_up(
        self,
        unclaimed: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
        unlocked: AbstractContextManager[object],
    ) -> None:
        """Read which of `unclaimed` have an answer (each key once, in the order given), and
        find the others unanswered unless claimed while the read ran; no read for none.
        Called under the owner's lock; the read runs inside `unlocked` (the lock let go
        meanwhile, or kept: `nullcontext()`)."""
        keys = list(dict.fromkeys(unclaimed))
        if not keys:
            return
        reading = set(keys)
        self._reading.append(reading)
        try:
            with unlocked:
                answered = answered_among(keys)
        finally:
            self._reading.remove(reading)
        found = reading - answered
        if len(self._found) + len(found) > findings_kept_max:
            self._found = found
        else:
            self._found |= found

    def claimed(self, key: tuple[str, str]) -> None:
        """`key` was claimed: whoever holds it may answer it."""
        self._found.discard(key)
        for reading in self._reading:
            reading.discard(key)

    def take(self, key: tuple[str, str]) -> bool:
        """Whether `key` was found unanswered and not claimed since; the caller claims it."""
        try:
            self._found.remove(key)
        except KeyError:
            return False
        return True


class HeldClaims:
    """Claims on Idempotency-Keys held in one process's memory for every process serving the
    database (the ledger writer's, docs/adr/0037): the rule of `SharedClaims` without a write
    to the database. Each claim names its holder (`process_tag`); a holder that died on this
    machine is taken over at once, any other after `claim_stale_s`."""

    def __init__(self) -> None:
        # (scope, key) -> (request hash, holder, claimed at)
        self._held: dict[tuple[str, str], tuple[str, str, int]] = {}
        self._lock = threading.Lock()
        # What `look_ahead` found, for every process's claims (docs/adr/0093).
        self._unanswered = UnansweredKeys()

    def claim(
        self, scope: str, key: str, request_sha256: str, now_ns: int, holder: str
    ) -> str | None:
        """None if `holder` now holds the key, else the request hash of whoever does."""
        with self._lock:
            self._unanswered.claimed((scope, key))  # by anyone: the finding goes
            held = self._held.get((scope, key))
            if held is not None:
                held_sha256, held_by, claimed_at_ns = held
                stale = now_ns - claimed_at_ns > claim_stale_s * 1_000_000_000
                if not stale and not holder_is_gone(held_by):
                    return held_sha256
            self._held[(scope, key)] = (request_sha256, holder, now_ns)
            return None

    def look_ahead(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        """Find which of `keys` have no claim and no stored answer, with one read
        (`answered_among`), for the claims about to come (`UnansweredKeys`, docs/adr/0093):
        every process's claims are held here, so every claim of a found key, from any
        process, takes the finding away. The read runs outside the lock: claims from other
        processes never wait for it."""
        with self._lock:
            unclaimed = [k for k in keys if k not in self._held]
            self._unanswered.look_up(unclaimed, answered_among, _let_go(self._lock))

    def take_unanswered(
        self, scope: str, key: str, request_sha256: str, now_ns: int, holder: str
    ) -> bool:
        """Claim the key for `holder` if a `look_ahead` found it unanswered and nobody has
        claimed it since; False (nothing claimed) otherwise."""
        with self._lock:
            if not self._unanswered.take((scope, key)):
                return False
            self._held[(scope, key)] = (request_sha256, holder, now_ns)
            return True

    def drop(self, scope: str, key: str, holder: str) -> None:
        """Drop `holder`'s claim on the key (one taken over since is not its own to drop)."""
        with self._lock:
            held = self._held.get((scope, key))
            if held is not None and held[1] == holder:
                del self._held[(scope, key)]

    def drop_if_claimed_at(self, scope: str, key: str, holder: str, claimed_at_ns: int) -> None:
        """Drop the claim only if it is still the one `holder` made at `claimed_at_ns`: not
        a later claim of the same key, even by the same process."""
        with self._lock:
            held = self._held.get((scope, key))
            if held is not None and held[1:] == (holder, claimed_at_ns):
                del self._held[(scope, key)]

    def __len__(self) -> int:
        return len(self._held)
