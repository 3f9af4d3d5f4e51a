"""Clocks. Domain code never reads the system time itself: it is handed a clock.

A clock answers UTC nanoseconds since the Unix epoch (the ledger's timestamp unit) and an aware
UTC datetime for anything a person reads.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

NS_PER_S = 1_000_000_000


class Clock(Protocol):
    def now_ns(self) -> int: ...


class SystemClock:
    """The real wall clock."""

    def now_ns(self) -> int:
        return time.time_ns()


class ManualClock:
    """A clock that moves only when told to: for tests and replayable simulations."""

    def __init__(self, start_ns: int = 1_767_225_600 * NS_PER_S) -> None:  # 2026-01-01 UTC
        self._now_ns = start_ns

    def now_ns(self) -> int:
        return self._now_ns

    def advance(self, seconds: float = 0, *, ns: int = 0) -> None:
        # Seconds may be fractional here because this is a test clock, not money.
        self._now_ns += int(seconds * NS_PER_S) + ns

    def set_ns(self, now_ns: int) -> None:
        self._now_ns = now_ns


def utc_from_ns(timestamp_ns: int) -> dt.datetime:
    """An aware UTC datetime for a nanosecond timestamp (microsecond precision)."""
    return dt.datetime.fromtimestamp(timestamp_ns // 1000 / 1_000_000, tz=dt.UTC)


def ns_from_utc(moment: dt.datetime) -> int:
    """Nanoseconds since the epoch for an aware datetime; a naive one is a bug."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Colony only handles timezone-aware UTC datetimes")
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1000


def date_named(text: str) -> dt.date | None:
    """The date written exactly `YYYY-MM-DD`, or None for anything else: `fromisoformat`
    alone also takes `20261124` and week dates, which no Colony file or flag means."""
    if len(text) != len("YYYY-MM-DD"):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
