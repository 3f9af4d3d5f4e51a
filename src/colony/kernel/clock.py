"""Clocks. Domain code never reads the system time itself: it is handed a clock.

A clock answers UTC nanoseconds since the Unix epoch (the ledger's timestamp unit) and an aware
UTC datetime for anything a person reads.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Protocol

NS_PER_S = 1_000_000_000
_YYYY_MM_DD = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


# Whole UTC days: the unit due days, accruals, payouts and histories are counted in, as days
# since 1970-01-01 (a "day number") or as the UTC midnight starting one.
NS_PER_DAY = 86_400 * NS_PER_S
EPOCH_DATE = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH_DATE).days


def date_of_day(day: int) -> dt.date:
    """The date of day number `day`."""
    return EPOCH_DATE + dt.timedelta(days=day)


def date_named(text: str) -> dt.date | None:
    """The date written exactly `YYYY-MM-DD`, or None for anything else: `fromisoformat`
    alone also takes `20261124` and week dates, which no Colony file or flag means."""
    # A week date (`2026-W01-1`) is as long, so the shape is checked, not only the length.
    if _YYYY_MM_DD.fullmatch(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
