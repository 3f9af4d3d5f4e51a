"""The audit log as a hash chain: each entry's SHA-256 covers its place in the chain, the
hash of the entry before it and every field of its own, so editing, removing or reordering
a stored entry breaks every hash from there on, and `verify` names the first entry that no
longer holds (docs/adr/0049).

The append-only triggers stop an application's mistakes; the chain shows what someone with
the database's keys did behind them.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass

from colony.staff.model import AuditEntry

# The hash the first entry of the chain points back to.
GENESIS_SHA256 = "0" * 64


def link_sha256(seq: int, prev_sha256: str, entry: AuditEntry) -> str:
    """The entry's hash: over its place, the previous hash, and its fields in a fixed
    encoding (JSON with sorted keys, UTF-8)."""
    fields = [
        seq, entry.id, entry.at_ns, entry.staff_id, entry.action.value, entry.target,
        entry.reason, json.dumps(entry.detail, sort_keys=True, separators=(",", ":")),
    ]  # fmt: skip
    encoded = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_sha256}\n{encoded}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    prev_sha256: str
    sha256: str
    entry: AuditEntry


class ChainFault(enum.StrEnum):
    none = "none"
    gap = "gap"  # a place in the chain is missing (an entry removed)
    wrong_previous = "wrong_previous"  # does not point back to the entry before it
    wrong_hash = "wrong_hash"  # its fields no longer give its hash (an entry edited)


@dataclass(frozen=True)
class Verdict:
    checked: int  # entries of the chain checked
    unchained: int  # entries written before the chain began
    fault: ChainFault
    at_seq: int | None  # where the first fault is
    entry_id: str | None

    @property
    def intact(self) -> bool:
        return self.fault is ChainFault.none


class Checker:
    """Checks links in chain order, one page at a time; the first fault sticks."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.prev_sha256 = GENESIS_SHA256
        self.checked = 0
        self.fault = ChainFault.none
        self.at_seq: int | None = None
        self.entry_id: str | None = None

    def check(self, link: Link) -> bool:
        """False once a fault is found (the rest need not be read)."""
        if link.seq != self.expected_seq:
            return self._found(ChainFault.gap, self.expected_seq, link.entry.id)
        if link.prev_sha256 != self.prev_sha256:
            return self._found(ChainFault.wrong_previous, link.seq, link.entry.id)
        if link_sha256(link.seq, link.prev_sha256, link.entry) != link.sha256:
            return self._found(ChainFault.wrong_hash, link.seq, link.entry.id)
        self.checked += 1
        self.expected_seq += 1
        self.prev_sha256 = link.sha256
        return True

    def _found(self, fault: ChainFault, seq: int, entry_id: str) -> bool:
        self.fault, self.at_seq, self.entry_id = fault, seq, entry_id
        return False

    def verdict(self, unchained: int) -> Verdict:
        return Verdict(self.checked, unchained, self.fault, self.at_seq, self.entry_id)
