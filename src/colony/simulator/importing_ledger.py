"""The simulator's ledger: every account and transfer imported, stamped from simulated time.

The services build events as they do for the API and hand them to a `LedgerPort`. This one
marks each event imported (`AccountFlags.imported`, `TransferFlags.imported`) and gives it a
timestamp from the simulated clock, strictly rising over accounts and transfers alike, so the
ledger records a market that happened over past days (docs/adr/0031). The ledger's own rules
then hold by construction: an imported batch is all imported; accounts rise, transfers rise,
and neither takes the other's timestamp; a transfer postdates its accounts (they were stamped
earlier); every stamp lies before the ledger's wall clock (the simulated days are past).

One rule cannot hold as the services build their events: an imported pending transfer must
have no timeout (`imported_event_timeout_must_be_zero`), because a timeout counts from the
wall clock, not from a past timestamp. The simulator answers every hold it opens (a top-up
is confirmed by its partner in the same simulated minute), so this adapter drops the timeout
of an imported hold and counts how many it dropped (`timeouts_dropped`).

Stamping and queueing happen under one lock, so the ledger applies batches in stamp order.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

from colony.kernel.clock import Clock
from colony.ledger import (
    Account,
    AccountBalance,
    AccountFlags,
    Balances,
    CreateAccountResult,
    CreateTransferResult,
    LedgerPort,
    Transfer,
    TransferFlags,
    TransferPendingStatus,
)
from colony.ledger.service import request_timeout_s

if TYPE_CHECKING:
    from colony.ledger import LedgerTotals, StatementPage

_A_IMPORTED = int(AccountFlags.imported)
_T_IMPORTED = int(TransferFlags.imported)


class SimulatedClock:
    """Simulated time: set by the simulation, read by the services and the stamps."""

    def __init__(self, start_ns: int) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        return self._now_ns

    def set_ns(self, now_ns: int) -> None:
        # Time may stand still (several actions in one minute) but never go back.
        if now_ns < self._now_ns:
            raise ValueError(f"simulated time went back: {now_ns} < {self._now_ns}")
        self._now_ns = now_ns


class ImportingLedger:
    """A `LedgerPort` over a real ledger that imports every event at simulated time."""

    def __init__(self, ledger: LedgerPort, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock
        self._last_stamp = 0
        self._lock = threading.Lock()
        self.timeouts_dropped = 0

    def _stamps(self, n: int) -> int:
        """The first of `n` consecutive rising stamps, none before the simulated now."""
        first = max(self._last_stamp + 1, self._clock.now_ns())
        self._last_stamp = first + n - 1
        return first

    # Copies are imported, not the callers' events: a service may keep its own and send it
    # again (a retry), and must find it as it made it.
    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]:
        with self._lock:
            first = self._stamps(len(events))
            imported = [copy.copy(a) for a in events]
            for i, a in enumerate(imported):
                a.flags |= _A_IMPORTED
                a.timestamp = first + i
            return self._ledger.submit_accounts(imported)

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]:
        with self._lock:
            first = self._stamps(len(events))
            imported = [copy.copy(t) for t in events]
            for i, t in enumerate(imported):
                t.flags |= _T_IMPORTED
                t.timestamp = first + i
                if t.timeout:
                    t.timeout = 0
                    self.timeouts_dropped += 1
            return self._ledger.submit_transfers(imported)

    def create_accounts(self, events: Sequence[Account]) -> list[CreateAccountResult]:
        results = self.submit_accounts(events).result(timeout=request_timeout_s)
        return [CreateAccountResult(r) for r in results]

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]:
        results = self.submit_transfers(events).result(timeout=request_timeout_s)
        return [CreateTransferResult(r) for r in results]

    # Everything else is the ledger's own.

    def pulse(self) -> int:
        return self._ledger.pulse()

    @property
    def journal_seq(self) -> int:
        return self._ledger.journal_seq

    def lookup_accounts(self, ids: Sequence[int]) -> list[Account]:
        return self._ledger.lookup_accounts(ids)

    def lookup_balances(self, ids: Sequence[int]) -> dict[int, Balances]:
        return self._ledger.lookup_balances(ids)

    def lookup_transfers(self, ids: Sequence[int]) -> list[Transfer]:
        return self._ledger.lookup_transfers(ids)

    def pending_status(self, transfer_id: int) -> TransferPendingStatus | None:
        return self._ledger.pending_status(transfer_id)

    def expired_at(self, transfer_id: int) -> int | None:
        return self._ledger.expired_at(transfer_id)

    def statement(
        self,
        account_id: int,
        *,
        after_timestamp: int = 0,
        before_timestamp: int | None = None,
        limit: int = 100,
        reverse: bool = False,
    ) -> StatementPage:
        return self._ledger.statement(
            account_id,
            after_timestamp=after_timestamp,
            before_timestamp=before_timestamp,
            limit=limit,
            reverse=reverse,
        )

    def balance_at(self, account_id: int, timestamp: int) -> AccountBalance | None:
        return self._ledger.balance_at(account_id, timestamp)

    def totals(self) -> list[LedgerTotals]:
        return self._ledger.totals()

    def all_accounts(self) -> Iterator[Account]:
        return self._ledger.all_accounts()

    def all_transfers(self) -> Iterator[Transfer]:
        return self._ledger.all_transfers()

    def snapshot_for_verify(
        self,
    ) -> tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]:
        return self._ledger.snapshot_for_verify()

    def close(self) -> None:
        self._ledger.close()
