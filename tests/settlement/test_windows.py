"""Settlement windows: names, boundaries and lengths, one row per case."""

from __future__ import annotations

import datetime as dt

import pytest

from colony.kernel.clock import ns_from_utc
from colony.kernel.errors import InvalidInput
from colony.settlement.windows import parse_window, window_of


def ns(*parts: int) -> int:
    return ns_from_utc(dt.datetime(*parts, tzinfo=dt.UTC))  # type: ignore[misc]


@pytest.mark.parametrize(
    ("timestamp_ns", "window_h", "name"),
    [
        (ns(2026, 3, 14, 23, 59, 59, 999_999), 24, "2026-03-14"),
        (ns(2026, 3, 14, 23, 59, 59, 999_999) + 999, 24, "2026-03-14"),  # the last nanosecond
        (ns(2026, 3, 15), 24, "2026-03-15"),
        (ns(2026, 3, 15, 5, 59), 6, "2026-03-15T00"),
        (ns(2026, 3, 15, 6), 6, "2026-03-15T06"),
        (ns(2024, 2, 29, 12), 1, "2024-02-29T12"),
    ],
)
def test_a_timestamp_falls_in_one_window(timestamp_ns: int, window_h: int, name: str) -> None:
    window = window_of(timestamp_ns, window_h)
    assert window.name == name and window.holds(timestamp_ns)
    assert parse_window(name, window_h) == window
    assert not window.holds(window.end_ns) and window.holds(window.end_ns - 1)
    assert not window.closed(window.end_ns - 1) and window.closed(window.end_ns)


@pytest.mark.parametrize(
    ("text", "window_h", "message"),
    [
        ("2026-03-14T06", 24, "windows are 24 h long"),
        ("2026-03-14T07", 6, "windows are 6 h long"),
        ("2026-03-14T24", 1, "must be a date"),
        ("2026-3-14", 24, "must be a date"),
        ("20260314", 24, "must be a date"),
        ("2026-03-14T6", 6, "must be a date"),
        ("2026-03-14", 5, "dividing 24"),
        ("2026-03-14", 0, "dividing 24"),
    ],
)
def test_bad_window_names_are_refused(text: str, window_h: int, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_window(text, window_h)
