"""Sorted runs of index entries, cut into pages: what the history archive's indexes are made of
(storage/ledger_archive.py, docs/adr/0036).

An entry is 24 bytes, a 16-byte key and the 8-byte timestamp it points at, both big-endian, so
the bytes sort as the numbers do (`memcmp`, the order SQLite and PostgreSQL give blobs):

- the ids index: (transfer id, the transfer's timestamp);
- the account lines index: (account id, the timestamp of a transfer on that account), one
  entry for each side of each transfer;
- the failures index: (an id burned by a transient failure, the timestamp it failed at).

A run is a sorted array of entries, stored as pages of at most `page_entries` entries, each a
row keyed by its first entry. This module builds the entries of a job from the codec records,
cuts and searches pages, and merges runs; it knows nothing of SQL. numpy does the sorting and
the merging, so the archive spends well under a microsecond of Python per entry.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

from colony.ledger import codec

ENTRY_BYTES = 24
KEY_BYTES = 16
_TS = np.dtype(">u8")
_M64 = (1 << 64) - 1
# The fields of a codec transfer record that the indexes need (ledger/codec.py's layout).
_RECORD = np.dtype(
    {
        "names": ["id_lo", "id_hi", "dr_lo", "dr_hi", "cr_lo", "cr_hi", "timestamp"],
        "formats": ["<u8"] * 7,
        "offsets": [0, 8, 16, 24, 32, 40, 120],
        "itemsize": codec.EVENT_SIZE_BYTES,
    }
)
_ENTRY = np.dtype([("hi", ">u8"), ("lo", ">u8"), ("timestamp", ">u8")])
_SORTABLE = np.dtype(f"S{ENTRY_BYTES}")  # numpy's bytes order is memcmp's

Entries = npt.NDArray[np.void]  # a 1-d array of `_SORTABLE` values, sorted


def key_bytes(key: int) -> bytes:
    return key.to_bytes(KEY_BYTES, "big")


def entry_bytes(key: int, timestamp: int) -> bytes:
    return key.to_bytes(KEY_BYTES, "big") + timestamp.to_bytes(8, "big")


def record_timestamps(records: bytes) -> npt.NDArray[np.uint64]:
    return np.frombuffer(records, dtype=_RECORD)["timestamp"]


def records_through(records: bytes, timestamp: int) -> int:
    """How many of the (time-ordered) codec records are at or before `timestamp`."""
    # np.uint64: searchsorted would compare a Python int beside u64 as a float, and
    # nanosecond timestamps differ below a float's precision.
    return int(np.searchsorted(record_timestamps(records), np.uint64(timestamp), side="right"))


def job_entries(records: bytes) -> tuple[Entries, Entries]:
    """The sorted ids entries and account lines entries of a job's codec records."""
    r = np.frombuffer(records, dtype=_RECORD)
    n = len(r)
    ids = np.empty(n, dtype=_ENTRY)
    ids["hi"] = r["id_hi"]
    ids["lo"] = r["id_lo"]
    ids["timestamp"] = r["timestamp"]
    lines = np.empty(2 * n, dtype=_ENTRY)
    lines["hi"][:n] = r["dr_hi"]
    lines["lo"][:n] = r["dr_lo"]
    lines["hi"][n:] = r["cr_hi"]
    lines["lo"][n:] = r["cr_lo"]
    lines["timestamp"][:n] = r["timestamp"]
    lines["timestamp"][n:] = r["timestamp"]
    # Ids are time-ordered as a rule: a stable sort (timsort) finds them almost in order. Lines
    # are in no order of account: a sort by three u64 columns beats one of 24-byte strings.
    order = np.lexsort((lines["timestamp"], lines["lo"], lines["hi"]))
    return np.sort(ids.view(_SORTABLE), kind="stable"), lines.view(_SORTABLE)[order]


def failure_entries(failures: list[tuple[int, int]]) -> Entries:
    """The sorted failures entries of a job's (burned id, timestamp) pairs."""
    n = len(failures)
    entries = np.empty(n, dtype=_ENTRY)
    entries["hi"] = np.fromiter((t >> 64 for t, _ in failures), dtype=np.uint64, count=n)
    entries["lo"] = np.fromiter((t & _M64 for t, _ in failures), dtype=np.uint64, count=n)
    entries["timestamp"] = np.fromiter((ts for _, ts in failures), dtype=np.uint64, count=n)
    # Burned in time order, and ids are time-ordered as a rule: timsort finds them in order.
    return np.sort(entries.view(_SORTABLE), kind="stable")


def from_pages(blobs: Iterable[bytes]) -> Entries:
    """The entries of stored pages, in the order given."""
    return np.frombuffer(b"".join(blobs), dtype=_SORTABLE)


def cut_pages(entries: Entries, page_entries: int) -> Iterator[tuple[bytes, bytes]]:
    """(first entry, page) for each page of a sorted run, the last one possibly short."""
    raw = entries.tobytes()
    size = page_entries * ENTRY_BYTES
    for start in range(0, len(raw), size):
        yield raw[start : start + ENTRY_BYTES], raw[start : start + size]


def _stamps(entries: Entries) -> npt.NDArray[np.uint64]:
    return np.frombuffer(entries.tobytes(), dtype=_TS)[2::3]


def time_range(entries: Entries) -> tuple[int, int]:
    """The earliest and latest timestamps the (non-empty) entries point at."""
    stamps = _stamps(entries)
    return int(stamps.min()), int(stamps.max())


def below(entries: Entries, timestamp: int) -> Entries:
    """The entries that point at or before `timestamp`, still sorted."""
    kept: Entries = entries[_stamps(entries) <= np.uint64(timestamp)]
    return kept


def within(entries: Entries, low: bytes | None, high: bytes | None) -> Entries:
    """The entries with low <= entry < high (None: unbounded), of a sorted array."""
    start = 0 if low is None else int(np.searchsorted(entries, np.bytes_(low), side="left"))
    end = len(entries) if high is None else int(np.searchsorted(entries, np.bytes_(high)))
    part: Entries = entries[start:end]
    return part


def merge(parts: list[Entries]) -> Entries:
    """One sorted array of several sorted ones (the runs of a merge are key-disjoint in no
    particular way, so this sorts; numpy's sort finds the runs already in order)."""
    if len(parts) == 1:
        return parts[0]
    merged: Entries = np.sort(np.concatenate(parts), kind="stable")
    return merged


# --------------------------------------------------------------------------------------------
# Searching one page: 24-byte entries, sorted


def _entry_count(page: bytes) -> int:
    return len(page) // ENTRY_BYTES


def _entry_at(page: bytes, i: int) -> bytes:
    return page[i * ENTRY_BYTES : (i + 1) * ENTRY_BYTES]


def _prefix_at(page: bytes, i: int) -> bytes:
    return page[i * ENTRY_BYTES : i * ENTRY_BYTES + KEY_BYTES]


def find_key(page: bytes, key: bytes) -> int | None:
    """The timestamp the first entry with `key` points at, if the page holds one."""
    n = _entry_count(page)
    i = bisect.bisect_left(range(n), key, key=lambda j: _prefix_at(page, j))
    if i < n and _prefix_at(page, i) == key:
        at = i * ENTRY_BYTES + KEY_BYTES
        return int.from_bytes(page[at : at + 8], "big")
    return None


def timestamps_of(page: bytes, key: bytes, after: int, through: int) -> list[int]:
    """The timestamps of `key`'s entries in a page with after < timestamp <= through,
    ascending."""
    low = key + (after + 1).to_bytes(8, "big")
    high = key + through.to_bytes(8, "big")
    n = _entry_count(page)
    i = bisect.bisect_left(range(n), low, key=lambda j: _entry_at(page, j))
    found = []
    while i < n and (entry := _entry_at(page, i)) <= high:
        found.append(int.from_bytes(entry[KEY_BYTES:], "big"))
        i += 1
    return found
