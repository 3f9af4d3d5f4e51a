"""Settlement windows: fixed UTC periods a whole number of hours long, dividing the day.

A window is named by its start: `YYYY-MM-DD` for the day's first (the only one with daily
windows), `YYYY-MM-DDTHH` for a later one. It holds the ledger timestamps in
[start, end); it is closed once its end has passed, and only then is its report final.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from colony.kernel.clock import NS_PER_S, ns_from_utc, utc_from_ns
from colony.kernel.errors import InvalidInput

# How long a settlement window is, in hours: a whole number dividing 24 (daily by default).
settlement_window_h = 24
_HOURS_PER_DAY = 24
_NS_PER_H = 3_600 * NS_PER_S


@dataclass(frozen=True)
class Window:
    start_ns: int
    end_ns: int

    @property
    def name(self) -> str:
        start = utc_from_ns(self.start_ns)
        if self.end_ns - self.start_ns == _HOURS_PER_DAY * _NS_PER_H:
            return start.strftime("%Y-%m-%d")
        return start.strftime("%Y-%m-%dT%H")

    def holds(self, timestamp_ns: int) -> bool:
        return self.start_ns <= timestamp_ns < self.end_ns

    def closed(self, now_ns: int) -> bool:
        """Whether the window's end has passed: nothing more can be booked in it."""
        return now_ns >= self.end_ns


def _checked_hours(window_h: int) -> int:
    if not 1 <= window_h <= _HOURS_PER_DAY or _HOURS_PER_DAY % window_h:
        raise InvalidInput(
            f"a settlement window is a whole number of hours dividing 24, not {window_h}"
        )
    return window_h


def window_of(timestamp_ns: int, window_h: int = settlement_window_h) -> Window:
    """The window a ledger timestamp falls in."""
    length = _checked_hours(window_h) * _NS_PER_H
    start = timestamp_ns - timestamp_ns % length
    return Window(start, start + length)


def parse_window(text: str, window_h: int = settlement_window_h) -> Window:
    """A window from its name; a name that is no window's start is refused, saying why."""
    length_h = _checked_hours(window_h)
    try:
        if "T" in text:
            day, hour_text = text.split("T", 1)
            if len(hour_text) != 2 or not hour_text.isdigit():
                raise ValueError
            hour = int(hour_text)
        else:
            day, hour = text, 0
        date = dt.date.fromisoformat(day)
        if len(day) != 10 or hour >= _HOURS_PER_DAY:
            raise ValueError
    except ValueError:
        raise InvalidInput(
            f"window must be a date YYYY-MM-DD or a window start YYYY-MM-DDTHH, not {text!r}"
        ) from None
    if hour % length_h:
        raise InvalidInput(f"window {text!r}: windows are {length_h} h long and start at 00:00 UTC")
    start = ns_from_utc(dt.datetime(date.year, date.month, date.day, hour, tzinfo=dt.UTC))
    return Window(start, start + length_h * _NS_PER_H)
