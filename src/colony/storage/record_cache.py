"""Records read, kept in memory for records that never change once written."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecordCache(Generic[K, V]):
    """Up to `entries_max` records by key; past it, all are dropped (no unbounded growth)."""

    def __init__(self, entries_max: int) -> None:
        self._entries_max = entries_max
        self._known: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._known.get(key)

    def forget(self, key: K) -> None:
        """Drop one record (it was revoked, so it changed after all)."""
        self._known.pop(key, None)

    def clear(self) -> None:
        self._known.clear()

    def keep(self, key: K, value: V) -> None:
        if len(self._known) >= self._entries_max:
            self._known.clear()
        self._known[key] = value
