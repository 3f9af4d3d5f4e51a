"""Business days and the deadlines counted in them: a pure module, the clock passed in.

A complaint is acknowledged within 2 business days and answered within 15, or 35 after a
holding reply says why the answer needs longer (PSD2 article 101 and the EBA's complaints
guidelines; MAS's guidelines on complaints handling set the same kind of clock). A business
day is a weekday that is not a public holiday of the calendar's country, counted in that
country's own time zone: a complaint sent on a Singapore Friday evening is received that
Friday, though in UTC it may still be the morning.

The count starts the day after receipt: a deadline of n business days is the end (midnight,
local time) of the n-th business day strictly after the local day the complaint arrived. A
complaint received on a weekend or holiday therefore has the same deadline as one received
on the business day before it.

Calendars are Colony's data (`calendars/<CC>.csv`, each naming its source and the years it
covers). A country without a calendar, or a day outside a calendar's years, counts weekends
only, in UTC for a country without one: the deadline is never later than a calendar would
give, so a missing calendar can only make Colony stricter with itself, never late.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.resources
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# The clocks, in business days (docs/adr/0053).
acknowledge_business_days = 2
answer_business_days = 15
answer_after_holding_reply_business_days = 35
# The most business days a deadline may be counted over; a bound on the loop below.
business_days_max = 366
_SATURDAY = 5


@dataclass(frozen=True)
class Calendar:
    """A country's business days: weekdays, less `holidays` within `years`."""

    country: str  # ISO 3166-1 alpha-2
    zone: dt.tzinfo
    holidays: dict[dt.date, str]  # date -> the holiday's name
    years: frozenset[int]  # the years whose holidays the calendar lists
    source: str  # where the holidays come from, or why there are none

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < _SATURDAY and day not in self.holidays

    def covers(self, day: dt.date) -> bool:
        """Whether this calendar knows the holidays of `day`'s year."""
        return day.year in self.years


def _weekends_only(country: str) -> Calendar:
    return Calendar(
        country,
        dt.UTC,
        {},
        frozenset(),
        f"no public-holiday calendar for {country}: weekends only, days in UTC",
    )


@functools.cache
def calendar_for(country: str) -> Calendar:
    """The calendar of a country code (`SG`); weekends only for a country Colony ships none
    of (see the module's docstring)."""
    code = country.upper()
    resource = importlib.resources.files("colony.disputes") / "calendars" / f"{code}.csv"
    if not (len(code) == 2 and code.isalpha() and resource.is_file()):
        return _weekends_only(code)
    lines = resource.read_text(encoding="utf-8").splitlines()
    notes = [line.removeprefix("# ") for line in lines if line.startswith("#")]
    zone_name = next(n.split(",")[1] for n in notes if n.startswith("timezone,"))
    years = next(n.split(",")[1:] for n in notes if n.startswith("years,"))
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    holidays = {dt.date.fromisoformat(r["date"]): r["name"] for r in rows}
    source = " ".join(n for n in notes if not n.startswith(("timezone,", "years,")))
    return Calendar(code, ZoneInfo(zone_name), holidays, frozenset(map(int, years)), source)


def due_at(received_at: dt.datetime, business_days: int, calendar: Calendar) -> dt.datetime:
    """The end of the `business_days`-th business day after the local day of `received_at`,
    as an aware UTC datetime."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware (UTC)")
    if not 0 < business_days <= business_days_max:
        raise ValueError(f"business_days must be 1..{business_days_max}, not {business_days}")
    day = received_at.astimezone(calendar.zone).date()
    counted = 0
    while counted < business_days:  # bounded: at most a week per business day and holidays
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), calendar.zone)
    return next_midnight.astimezone(dt.UTC)


def business_days_between(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> int:
    """Business days after `start`'s local day up to and including `end`'s (0 when `end` is
    on or before `start`'s day): how long a complaint took, as its clock counts."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("times must be timezone-aware (UTC)")
    first = start.astimezone(calendar.zone).date()
    last = end.astimezone(calendar.zone).date()
    days = (last - first).days
    return sum(calendar.is_business_day(first + dt.timedelta(days=d)) for d in range(1, days + 1))
