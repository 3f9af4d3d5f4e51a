"""Loan days: whole UTC days counted from 1970-01-01, the unit every due day, accrual and
vintage is kept in."""

from __future__ import annotations

import datetime as dt

from colony.kernel.clock import NS_PER_S

EPOCH = dt.date(1970, 1, 1)
SECONDS_PER_DAY = 86_400
NS_PER_DAY = SECONDS_PER_DAY * NS_PER_S


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)
