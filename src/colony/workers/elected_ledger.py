"""One writer among many workers: elect it, follow it, replace it when it goes.

Each worker process holds an `ElectedLedger`. At start it tries to become the writer
(`storage.open.try_open_writer`: PostgreSQL's journal advisory lock, or a SQLite lock file).
The winner replays the journal, serves the ledger on a local socket and takes up the writer's
duties (finishing interrupted work, relaying webhooks). The others forward every ledger call
to it. A watcher thread keeps the arrangement alive without a restart:

- a follower that cannot reach the writer tries the election; the lock is free only once the
  writer is really gone, so at most one follower wins and the rest follow it;
- a writer whose ledger stopped after a storage failure (a dropped database connection under
  a commit) closes it, gives up the lock and stands again: the new ledger replays the journal,
  so it holds exactly what was made durable.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from colony.kernel.clock import Clock
from colony.kernel.errors import StorageUnavailable
from colony.kernel.key_claims import ClaimsAcrossProcesses, HeldClaims, process_tag
from colony.kernel.steps import done, failed
from colony.ledger import Account, LedgerPort, Transfer
from colony.ledger.service import request_timeout_s
from colony.storage.open import WriterHold, try_open_writer
from colony.workers.forwarding import ForwardingLedger
from colony.workers.ledger_server import LedgerServer
from colony.workers.remote_ledger import RemoteLedger

log = logging.getLogger(__name__)

# How often the watcher checks the writer (followers) or the ledger's health (writer), in s.
watch_interval_s = 0.5
# How long a follower waits at start for the writer to answer before serving anyway, in s.
writer_wait_s = 120.0
# A writer's duty that keeps failing to start is tried at each watch; logged once in this, in s.
duty_failure_log_s = 60.0


def http_workers(workers: int) -> int:
    """How many of `colony serve --workers N`'s processes serve HTTP once started: all but
    the writer, whose process is the ceiling (docs/adr/0101); a lone server's one."""
    return workers - 1 if workers > 1 else 1


# Something the writer does besides writing (finish interrupted work, relay webhooks); it
# returns the function that stops it, called when this process stops being the writer.
WriterDuty = Callable[[], Callable[[], None]]


class ElectedLedger(ForwardingLedger):
    def __init__(
        self,
        url: str,
        clock: Clock,
        *,
        address: str | None,
        authkey: bytes = b"",
    ) -> None:
        """`address` None: this is the only worker; it must win, and nobody follows it."""
        self._url = url
        self._clock = clock
        self._address = address
        self._authkey = authkey
        self._duties: list[WriterDuty] = []
        # This term's started duties' stops, by the duty's place in `_duties`; None: no term.
        self._stop_duties: dict[int, Callable[[], None]] | None = None
        # When each duty that failed to start this term was last logged (time.monotonic()).
        self._duty_failure_logged: dict[int, float] = {}
        # Held while duties start or stop: the watcher's thread and the one adding a duty.
        self._duties_lock = threading.RLock()
        self._hold: WriterHold | None = None
        self._server: LedgerServer | None = None
        self._remote: RemoteLedger | None = None
        self._impl: LedgerPort
        # The workers' Idempotency-Key claims, while this process is the writer (each writer
        # starts with none: those made with the one before went with it).
        self._claims = HeldClaims()
        # State the writer holds for every worker, by call name (share()): this process's
        # own handlers, answered here when it is the writer, asked of the writer otherwise.
        self._shared: dict[str, Callable[..., Any]] = {}
        self._closed = threading.Event()
        self._wake = threading.Event()
        # Called instead of standing again after a step-down, if set (retire_on_step_down).
        self._retire: Callable[[], None] | None = None
        if not self._stand():
            if address is None:
                raise StorageUnavailable(f"another process writes the ledger at {url}")
            self._follow()
        self._watcher = threading.Thread(target=self._watch, name="ledger-election", daemon=True)
        self._watcher.start()

    @property
    def serves_followers(self) -> bool:
        """Whether other processes share this database (then this one may follow, too)."""
        return self._address is not None

    @property
    def is_writer(self) -> bool:
        return self._hold is not None

    def retire_on_step_down(self, retire: Callable[[], None] | None) -> None:
        """Should this writer step down (its ledger stopped after a storage failure), call
        `retire` once its duties are stopped, its ledger closed and its lock given up,
        instead of standing again or following: for a process that could not serve as a
        follower (docs/adr/0101). None: stand again, or follow, as before."""
        self._retire = retire

    def add_duty(self, duty: WriterDuty) -> None:
        """Something the writer does besides writing: started now if this process is the
        writer, and again each time it becomes one (the services a duty needs exist only
        after this ledger, so duties are added once they are wired). A duty that fails to
        start is logged and tried again at each of the watcher's rounds, the others started
        meanwhile."""
        with self._duties_lock:
            self._duties.append(duty)
            self._start_duties()

    def _start_duties(self) -> None:
        """Start this term's duties not started yet, if this process is the writer."""
        with self._duties_lock:
            if self._hold is None:
                return
            if self._stop_duties is None:
                self._stop_duties, self._duty_failure_logged = {}, {}
            stops = self._stop_duties
            for place, duty in enumerate(self._duties):
                if place in stops:
                    continue
                try:
                    # Kept as each starts: should a later one fail, those started are still
                    # stopped when this process steps down (keeping frozen wallets in memory
                    # among them, docs/adr/0099).
                    stops[place] = duty()
                except Exception:
                    now = time.monotonic()
                    logged = self._duty_failure_logged.get(place)
                    if logged is None or now - logged >= duty_failure_log_s:
                        self._duty_failure_logged[place] = now
                        log.exception("a writer's duty failed to start; trying again")

    def _stop_this_terms_duties(self) -> None:
        with self._duties_lock:
            stops, self._stop_duties = self._stop_duties or {}, None
            for place in sorted(stops, reverse=True):
                stops[place]()

    # ------------------------------------------------------------------------- election

    def _stand(self) -> bool:
        hold = try_open_writer(self._url, self._clock)
        if hold is None:
            return False
        self._claims = HeldClaims()
        if self._address is not None:
            try:
                self._server = LedgerServer(
                    hold.ledger, self._address, self._authkey, self._claims, self._shared
                )
            except BaseException:
                hold.ledger.close()
                hold.release()
                raise
        self._hold = hold
        self._impl = hold.ledger
        if self._remote is not None:
            self._remote.close()
            self._remote = None
        log.info("this process is the ledger writer")
        return True

    def _follow(self) -> None:
        assert self._address is not None
        self._remote = RemoteLedger(self._address, self._authkey)
        self._impl = self._remote
        deadline = time.monotonic() + writer_wait_s
        while not self._remote.reachable() and time.monotonic() < deadline:
            if self._closed.wait(0.05):
                return

    def _step_down(self) -> None:
        hold, server = self._hold, self._server
        self._hold, self._server = None, None
        self._stop_this_terms_duties()
        if server is not None:
            server.close()
        if hold is not None:
            hold.ledger.close()
            hold.release()

    def _watch(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(watch_interval_s)
            self._wake.clear()
            if self._closed.is_set():
                return
            try:
                self._check()
            except Exception:
                log.exception("ledger election: check failed; trying again")

    def _check(self) -> None:
        if self._hold is not None:
            if not self._hold.ledger.broken:
                self._start_duties()  # any that failed to start: once more
                return
            log.warning("the ledger stopped after a storage failure: reopening it")
            self._step_down()
            retire = self._retire
            if retire is not None:
                if not self._closed.is_set():  # closing: this process ends anyway
                    log.warning("this writer retires; another worker takes its place")
                    retire()
                return  # neither writer nor follower from now on: its calls are refused
            if self._stand():
                self._start_duties()
            elif self._address is not None:
                self._follow()
            return
        if self._remote is not None and not self._remote.reachable() and self._stand():
            self._start_duties()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)
        self._step_down()
        if self._remote is not None:
            self._remote.close()

    # ------------------------------------------------------------------ LedgerPort, delegated

    def _call(self, fn: Callable[[LedgerPort], Any]) -> Any:
        try:
            return fn(self._impl)
        except StorageUnavailable:
            self._wake.set()  # let the watcher look now, not at its next round
            raise

    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
        # ForwardingLedger's calls go through `_call` too, so their failures wake the watcher.
        return self._call(lambda x: getattr(x, name)(*args, **kwargs))

    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        future: Future[list[int]] = self._call(lambda x: x.submit_accounts(events))
        return future

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        future: Future[list[int]] = self._call(lambda x: x.submit_transfers(events))
        return future

    @property
    def journal_seq(self) -> int:
        seq: int = self._call(lambda x: x.journal_seq)
        return seq

    # ------------------------------------------------------- state shared in the writer

    def share(self, handlers: Mapping[str, Callable[..., Any]]) -> None:
        """Calls every worker makes of state the writer holds (risk control's counters,
        docs/adr/0068): each process registers its own handlers; the writer's answer all.
        A writer that takes over answers with its own, which held nothing while it
        followed: the state starts afresh with the new writer."""
        self._shared.update(handlers)

    def shared_call(self, name: str, *args: Any) -> Any:
        """`name` answered by the writer: here if this process is the writer."""
        remote = self._remote
        if remote is None:
            answer = self._shared[name](*args)
            # A handler that answers a future (docs/adr/0078) is waited for, as over the link.
            return (
                answer.result(timeout=request_timeout_s) if isinstance(answer, Future) else answer
            )
        try:
            return remote.shared(name, *args)
        except StorageUnavailable:
            self._wake.set()
            raise

    def shared_call_later(self, name: str, *args: Any) -> Future[Any]:
        """`shared_call` without waiting: the future holds the answer or the failure."""
        remote = self._remote
        try:
            if remote is None:
                answer = self._shared[name](*args)
                # A handler may answer a future itself (a payment served on the loop).
                return answer if isinstance(answer, Future) else done(answer)
            return remote.shared_later(name, *args)
        except Exception as exc:
            if isinstance(exc, StorageUnavailable):
                self._wake.set()
            return failed(exc)

    # ------------------------------------------------------------ Idempotency-Key claims

    def key_claims(self) -> ClaimsAcrossProcesses:
        """Where this worker claims Idempotency-Keys: in the writer's memory, its own when
        it is the writer, else asked over the writer's socket (docs/adr/0037)."""
        return _ClaimsAtWriter(self, process_tag())

    @property
    def claims_are_remote(self) -> bool:
        """Whether `claim_key` asks the writer over its socket (this process follows)."""
        return self._remote is not None

    def claim_key(
        self, scope: str, key: str, request_sha256: str, now_ns: int, holder: str
    ) -> str | None:
        remote = self._remote
        if remote is None:
            return self._claims.claim(scope, key, request_sha256, now_ns, holder)
        try:
            return remote.claim_key(scope, key, request_sha256, now_ns, holder)
        except StorageUnavailable:
            self._wake.set()
            raise

    def look_ahead_keys(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        """`HeldClaims.look_ahead` while this process is the writer; nothing while it
        follows (the writer's memory is out of reach without a round trip)."""
        if self.is_writer:
            self._claims.look_ahead(keys, answered_among)

    def take_unanswered(
        self, scope: str, key: str, request_sha256: str, now_ns: int, holder: str
    ) -> bool:
        """`HeldClaims.take_unanswered` while this process is the writer; else False."""
        if not self.is_writer:
            return False
        return self._claims.take_unanswered(scope, key, request_sha256, now_ns, holder)

    def drop_key(self, scope: str, key: str, holder: str) -> Future[None]:
        """Drop `holder`'s claim; the future is done once it is dropped, or once the writer
        is found gone. Never fails: a writer gone took the claims it held with it, and a
        claim left by a broken link is taken over once it is stale (`HeldClaims`)."""
        remote = self._remote
        if remote is None:
            self._claims.drop(scope, key, holder)
            return done(None)
        dropped: Future[None] = Future()

        def settle(answer: Future[None]) -> None:
            if answer.exception() is not None:
                self._wake.set()
            dropped.set_result(None)

        try:
            remote.drop_key(scope, key, holder).add_done_callback(settle)
        except StorageUnavailable:
            self._wake.set()
            return done(None)
        return dropped


class _ClaimsAtWriter:
    """`ClaimsAcrossProcesses` in the writer's memory, held in this process's name."""

    def __init__(self, ledger: ElectedLedger, holder: str) -> None:
        self._ledger = ledger
        self._holder = holder

    @property
    def may_wait(self) -> bool:
        # The writer's process claims in its own memory: no round trip, made on the event
        # loop; a follower's claim crosses the writer's socket.
        return self._ledger.claims_are_remote

    @property
    def finds_ahead(self) -> bool:
        return self._ledger.is_writer

    def claim(self, scope: str, key: str, request_sha256: str, now_ns: int) -> str | None:
        try:
            return self._ledger.claim_key(scope, key, request_sha256, now_ns, self._holder)
        except BaseException:
            # The claim may have been made even so, its answer lost or too late: drop it,
            # best effort (only this process's claim is dropped, and on the one link it
            # goes before any later claim of ours), so the key is not held for
            # claim_stale_s by a process that has given up on it. A link that is gone
            # takes its claims with it at the writer (LedgerServer).
            with contextlib.suppress(Exception):
                self._ledger.drop_key(scope, key, self._holder)
            raise

    def drop(self, scope: str, key: str) -> None:
        self.drop_later(scope, key).result(timeout=request_timeout_s)

    def look_ahead(
        self,
        keys: Sequence[tuple[str, str]],
        answered_among: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]],
    ) -> None:
        self._ledger.look_ahead_keys(keys, answered_among)

    def take_unanswered(self, scope: str, key: str, request_sha256: str, now_ns: int) -> bool:
        return self._ledger.take_unanswered(scope, key, request_sha256, now_ns, self._holder)

    def drop_later(self, scope: str, key: str) -> Future[None]:
        return self._ledger.drop_key(scope, key, self._holder)
