"""The journal's row format, shared by every backend: one row per batch, checked on read.

A row is (seq, operation, now_ns, event_count, body, results, crc32): the batch's packed
events and their result codes as first applied, with a CRC-32 over the body so a torn or
corrupted row is caught on replay.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from colony.kernel.errors import StorageUnavailable
from colony.ledger.store import JournalEntry, Operation

JOURNAL_FORMAT_VERSION = 1
COLUMNS = "seq, operation, now_ns, event_count, body, results, crc32"

Row = tuple[int, int, int, int, bytes, bytes, int]


class JournalCorrupt(StorageUnavailable):
    """A journal row fails its checksum or shape check."""


class JournalOutOfOrder(StorageUnavailable):
    """An append whose first seq is not the one after the journal's last: nothing is written."""


def rows_of(entries: Sequence[JournalEntry]) -> list[Row]:
    return [
        (e.seq, int(e.operation), e.now_ns, len(e.results), e.body, e.results, zlib.crc32(e.body))
        for e in entries
    ]


def entries_of(rows: Sequence[tuple[Any, ...]], where: str) -> list[JournalEntry]:
    """The entries of rows read back, each checked; `where` names the journal in errors."""
    entries = []
    for seq, operation, now_ns, count, body, results, crc in rows:
        if (
            not isinstance(body, bytes)
            or not isinstance(results, bytes)
            or zlib.crc32(body) != crc
            or len(results) != count
        ):
            raise JournalCorrupt(f"{where}: journal entry {seq} fails its checksum")
        entries.append(JournalEntry(int(seq), Operation(operation), int(now_ns), body, results))
    return entries


def check_next(entries: Sequence[JournalEntry], tail: int, where: str) -> None:
    """Refuse an append that would leave a gap or fork the journal after seq `tail`."""
    if [e.seq for e in entries] != list(range(tail + 1, tail + 1 + len(entries))):
        raise JournalOutOfOrder(
            f"{where}: append of journal entry {entries[0].seq}, but the next is {tail + 1}"
        )
