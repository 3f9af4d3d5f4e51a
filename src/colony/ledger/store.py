"""The ledger's one storage interface: an append-only journal of batches.

Only this needs to be durable. Balances, statements and lookups are rebuilt from it by
replaying the batches through the state machine. A backend implements `JournalStore`; the
same contract tests run against every backend.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

from colony.kernel.errors import StorageUnavailable


class Operation(enum.IntEnum):
    """What a journal entry's events are. Numbers are part of the on-disk format."""

    create_accounts = 1
    create_transfers = 2
    pulse = 3  # no events: only the expiry of pending transfers that came due
    # No events: from this entry on, batches are applied under the rules numbered in the body
    # (u32 little-endian, docs/adr/0022); before the first such entry, under rules 1.
    rules = 4


class JournalEntry(NamedTuple):
    seq: int  # 1, 2, 3, ... without gaps
    operation: Operation
    now_ns: int  # the clock reading the batch was applied with
    body: bytes  # the events, packed by `codec`
    results: bytes  # one byte per event: its result code, as first applied


class JournalOwned(StorageUnavailable):
    """Another process owns this journal: it is that process's ledger to write."""


class JournalStore(Protocol):
    def read(self, after_seq: int, limit: int) -> list[JournalEntry]:
        """Up to `limit` entries with seq > after_seq, in seq order."""
        ...

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write entries in one transaction; durable when this returns, absent if it raises."""
        ...

    def close(self) -> None: ...


# How many entries replay reads from the store at a time: about 64 MiB of packed events at
# most (an entry holds up to 8,190 events of 128 bytes). A page of 1,024 entries held a GiB,
# and a replay of 30,000,000 transfers peaked at 2,383 MB with it (docs/adr/0117).
journal_read_entries_max = 64


def read_all(store: JournalStore, after: int = 0) -> Iterator[JournalEntry]:
    """Every entry with seq > `after`, in seq order, a page at a time."""
    while True:
        page = store.read(after, journal_read_entries_max)
        if not page:
            return
        yield from page
        after = page[-1].seq
