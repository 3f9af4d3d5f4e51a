"""The complaint clocks as tables: business days skip weekends and Singapore's public
holidays, counted on Singapore's own days; a country without a calendar counts weekends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colony.disputes.business_days import (
    acknowledge_business_days,
    answer_after_holding_reply_business_days,
    answer_business_days,
    business_days_between,
    calendar_for,
    due_at,
)

SG = calendar_for("SG")
SGT = dt.timezone(dt.timedelta(hours=8))


def sgt(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SGT)


def end_of(day: str) -> dt.datetime:
    """Midnight after `day` in Singapore, in UTC: when a deadline on that day runs out."""
    return (sgt(day) + dt.timedelta(days=1)).astimezone(dt.UTC)


# received (Singapore time), business days, the last day (Singapore), why
DEADLINES = [
    ("2026-12-01T10:00", 2, "2026-12-03", "Tuesday: Wednesday and Thursday"),
    ("2026-12-04T17:30", 2, "2026-12-08", "Friday evening: over the weekend"),
    ("2026-12-05T09:00", 2, "2026-12-08", "Saturday: as the Friday before"),
    ("2026-12-06T23:59", 2, "2026-12-08", "Sunday's last minute"),
    ("2026-12-23T12:00", 2, "2026-12-28", "Christmas Day (Friday) is no business day"),
    ("2026-12-30T12:00", 2, "2027-01-04", "year end: New Year's Day, then the weekend"),
    ("2026-12-31T08:00", 1, "2027-01-04", "New Year's Eve: the next business day is Monday"),
    ("2026-02-16T09:00", 2, "2026-02-20", "Chinese New Year's two days (Tue, Wed)"),
    ("2027-02-05T09:00", 2, "2027-02-10", "Chinese New Year on a weekend, Monday in lieu"),
    ("2026-08-07T09:00", 2, "2026-08-12", "National Day on Sunday, Monday in lieu"),
    ("2026-05-29T09:00", 1, "2026-06-02", "Vesak on Sunday, Monday 1 June in lieu"),
    ("2026-04-02T09:00", 1, "2026-04-06", "Good Friday"),
    ("2026-12-01T10:00", 15, "2026-12-22", "the final answer: three weeks"),
    ("2026-12-10T10:00", 15, "2027-01-04", "the final answer across Christmas and New Year"),
    ("2026-12-01T10:00", 35, "2027-01-21", "with a holding reply: seven weeks less holidays"),
]


@pytest.mark.parametrize(("received", "days", "last_day", "why"), DEADLINES)
def test_a_deadline_is_the_end_of_the_nth_business_day(
    received: str, days: int, last_day: str, why: str
) -> None:
    assert due_at(sgt(received), days, SG) == end_of(last_day), why


def test_the_day_received_is_singapores_not_utcs() -> None:
    # Saturday 00:30 in Singapore is still Friday in UTC: Singapore's Saturday counts.
    received = dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC)  # Sat 00:30 SGT
    assert due_at(received, 2, SG) == end_of("2026-12-08")
    friday = dt.datetime(2026, 12, 4, 15, 59, tzinfo=dt.UTC)  # Fri 23:59 SGT
    assert due_at(friday, 2, SG) == end_of("2026-12-08")
    thursday = dt.datetime(2026, 12, 3, 15, 59, tzinfo=dt.UTC)  # Thu 23:59 SGT
    assert due_at(thursday, 2, SG) == end_of("2026-12-07")


def test_the_clocks_are_the_practices_numbers() -> None:
    assert (acknowledge_business_days, answer_business_days) == (2, 15)
    assert answer_after_holding_reply_business_days == 35


def test_a_country_without_a_calendar_counts_weekends_in_utc() -> None:
    finland = calendar_for("FI")
    assert finland.holidays == {} and "no public-holiday calendar for FI" in finland.source
    christmas_eve = dt.datetime(2026, 12, 23, 12, tzinfo=dt.UTC)  # a Wednesday
    assert due_at(christmas_eve, 2, finland) == dt.datetime(2026, 12, 26, tzinfo=dt.UTC)
    assert calendar_for("not a code").holidays == {}


def test_singapores_calendar_names_its_source_and_years() -> None:
    assert "Ministry of Manpower" in SG.source
    assert SG.years == frozenset({2026, 2027}) and len(SG.holidays) == 26
    assert SG.covers(dt.date(2027, 12, 31)) and not SG.covers(dt.date(2028, 1, 1))
    assert SG.holidays[dt.date(2027, 10, 28)] == "Deepavali"


def test_a_day_past_the_calendar_counts_weekends_only() -> None:
    # 2028's holidays are not shipped: 1 January 2028 (a Saturday) is simply a weekend.
    assert due_at(sgt("2027-12-30T09:00"), 2, SG) == end_of("2028-01-03")


def test_business_days_between_counts_the_clock_the_same_way() -> None:
    assert business_days_between(sgt("2026-12-04T17:00"), sgt("2026-12-08T09:00"), SG) == 2
    assert business_days_between(sgt("2026-12-24T09:00"), sgt("2026-12-28T09:00"), SG) == 1
    assert business_days_between(sgt("2026-12-08T09:00"), sgt("2026-12-04T09:00"), SG) == 0


@pytest.mark.parametrize("days", [0, -1, 367])
def test_a_count_out_of_range_is_a_bug(days: int) -> None:
    with pytest.raises(ValueError, match="business_days must be"):
        due_at(sgt("2026-12-01T10:00"), days, SG)


def test_a_naive_time_is_a_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(dt.datetime(2026, 12, 1, 10), 2, SG)  # noqa: DTZ001 (naive on purpose)


@settings(max_examples=300, deadline=None)
@given(
    received=st.datetimes(
        # hypothesis takes naive bounds and makes aware times in the zones given
        min_value=dt.datetime(2025, 12, 1),  # noqa: DTZ001
        max_value=dt.datetime(2028, 1, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    days=st.integers(min_value=1, max_value=40),
    country=st.sampled_from(["SG", "FI"]),
)  # fmt: skip
def test_a_deadline_is_n_business_days_by_the_count_and_ends_a_business_day(
    received: dt.datetime, days: int, country: str
) -> None:
    calendar = calendar_for(country)
    due = due_at(received, days, calendar)
    last_moment = due - dt.timedelta(microseconds=1)
    # The count from receipt to the deadline's last moment is exactly n business days, the
    # last of them a business day; and one more day of clock is a later deadline.
    assert business_days_between(received, last_moment, calendar) == days
    assert calendar.is_business_day(last_moment.astimezone(calendar.zone).date())
    assert due.tzinfo is dt.UTC and due > received
    assert due_at(received, days + 1, calendar) > due
