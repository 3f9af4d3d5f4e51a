"""The market looks like one: tourists stay within bounds and spend only where they are,
residents pay by the clock of their city (property tests over seeds, no database needed)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from colony.kernel.clock import utc_from_ns
from colony.simulator import Day, Market, Spending, people, shops, stream
from colony.simulator.actions import Pay
from colony.simulator.population import stay_days_max, stay_days_min

FIRST_DAY = dt.date(2026, 9, 1)  # a Tuesday


def _market(seed: int, count: int, days: int) -> Market:
    return Market(people(count, days, stream(seed, "people")), shops(400, stream(seed, "shops")))


def _payments(market: Market, days: int, seed: int) -> list[tuple[int, Pay]]:
    spending, rng = Spending(payments_per_day=1.0), stream(seed, "spending")
    planned = []
    for index in range(days):
        day = Day(index, FIRST_DAY + dt.timedelta(days=index), market)
        for person in market.people:
            for action in spending.plan(day, person, rng):
                assert isinstance(action, Pay)
                planned.append((index, action))
    return planned


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), days=st.integers(min_value=2, max_value=35))
def test_tourists_stay_within_bounds_and_spend_only_where_they_are(seed: int, days: int) -> None:
    market = _market(seed, 300, days)
    tourists = [p for p in market.people if p.trip is not None]
    assert tourists, "a market of 300 has tourists"
    for person in tourists:
        trip = person.trip
        assert trip is not None
        assert stay_days_min <= trip.leave_day - trip.arrive_day <= stay_days_max
        assert trip.arrive_day >= 0 and trip.leave_day <= days
        assert trip.city.tourists_to and person.home.tourists_from
    for index, pay in _payments(market, days, seed):
        trip = pay.person.trip
        away = trip is not None and trip.covers(index)
        expected = trip.city if away and trip is not None else pay.person.home
        assert pay.shop.city == expected, (pay.person, index, pay.shop.city.name)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_residents_pay_at_lunch_and_in_the_evening_not_at_night(seed: int) -> None:
    market = _market(seed, 400, 7)
    by_hour: Counter[int] = Counter()
    for index, pay in _payments(market, 7, seed):
        if pay.person.trip is not None:
            continue
        local = utc_from_ns(pay.at_ns).astimezone(zoneinfo.ZoneInfo(pay.shop.city.timezone))
        assert local.date() == FIRST_DAY + dt.timedelta(days=index)  # on its own local day
        assert pay.shop.kind.open_at(local.hour), (pay.shop.kind.key, local.hour)
        by_hour[local.hour] += 1
    night = sum(by_hour[h] for h in range(0, 6))
    lunch = sum(by_hour[h] for h in (12, 13))
    evening = sum(by_hour[h] for h in (18, 19))
    assert lunch > 3 * night and evening > 3 * night, by_hour
    assert lunch > by_hour[10] + by_hour[15]


def test_every_kind_of_shop_stands_where_tourists_go() -> None:
    market = _market(7, 10, 7)
    for shop in market.shops:
        assert len(shop.display_name) <= 25 and len(shop.city.name) <= 15
    destinations = {s.city.name for s in market.shops if s.city.tourists_to}
    assert {"Singapore", "Rovaniemi"} <= destinations
    for city in destinations:
        kinds = {s.kind.key for s in market.shops if s.city.name == city}
        assert {"hawker", "taxi", "luxury", "gifts", "hotel"} <= kinds
