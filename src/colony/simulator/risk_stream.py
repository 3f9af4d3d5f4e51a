"""The simulated market as risk control sees it: every payment, P2P transfer, withdrawal and
refund as a labelled event in time order, for training and measuring the fraud model
(`colony risk train`, docs/adr/0059).

The market is `colony simulate market`'s (the same people, shops and `Spending` and
`PeerToPeer` plans from the same seed), replayed as events without the ledger: a month of
a few thousand people takes seconds, not the hours it would take through the services.
Balances are not kept, so nobody is ever short; fraud (`fraud_truth.py`) and the clean
noise that makes it harder to find are drawn from streams of their own (`fraud:...`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from colony.kernel.clock import NS_PER_S
from colony.risk import CLEAN, Channel, LabelledEvent, RefundSeen, RiskEvent
from colony.simulator.actions import Pay, SendMoney, refund_after_s_max, refund_after_s_min
from colony.simulator.behaviours import Behaviour, PeerToPeer, Spending
from colony.simulator.fraud_truth import FraudTruth, merchant_of, place_of, usd_cents, wallet_of
from colony.simulator.gazetteer import cities
from colony.simulator.population import Person, people, shops
from colony.simulator.streams import stream
from colony.simulator.world import Day, Market

# Clean noise: people who join after the first day (percent), phones changed (per
# thousand person-days), and honest shops' refunds (percent of payments, at most).
late_joiners_pct = 15
phone_changes_per_thousand_days = 3
honest_refund_pct_max = 6


@dataclass(frozen=True)
class StreamConfig:
    people: int
    merchants: int
    days: int
    seed: int
    first_day: dt.date
    fraud: bool = True  # False: the clean market alone

    def day_start_ns(self, index: int) -> int:
        day = self.first_day + dt.timedelta(days=index)
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return int(midnight.timestamp()) * NS_PER_S


def _offsets(date: dt.date) -> dict[str, int]:
    """Each gazetteer time zone's offset from UTC at noon that day, in minutes."""
    found = {}
    for city in cities():
        noon = dt.datetime(date.year, date.month, date.day, 12, tzinfo=city.zone)
        offset = noon.utcoffset()
        assert offset is not None, city.timezone
        found[city.timezone] = int(offset.total_seconds()) // 60
    return found


def market_stream(config: StreamConfig) -> list[LabelledEvent | RefundSeen]:
    """Every event of the market over `config.days`, in time order (ties: as drawn)."""
    market = Market(
        people(config.people, config.days, stream(config.seed, "people")),
        shops(config.merchants, stream(config.seed, "shops")),
    )
    noise = stream(config.seed, "fraud:clean")
    joins = {
        p.index: noise.randrange(1, max(2, config.days * 2 // 3))
        for p in market.people
        if noise.randrange(100) < late_joiners_pct
    }
    phones = {p.index: 0 for p in market.people}
    refund_pcts = {s.index: noise.randint(0, honest_refund_pct_max) for s in market.shops}
    refunds = stream(config.seed, "fraud:refunds")
    truth = FraudTruth.draw(market.people, market.shops, stream(config.seed, "fraud:who"))
    fraud_rng = stream(config.seed, "fraud:events")
    behaviours: list[Behaviour] = [Spending(), PeerToPeer()]
    rngs = [stream(config.seed, f"behaviour:{b.name}") for b in behaviours]
    found: list[tuple[int, int, LabelledEvent | RefundSeen]] = []

    def add(item: LabelledEvent | RefundSeen) -> None:
        at_ns = item.at_ns if isinstance(item, RefundSeen) else item.event.at_ns
        found.append((at_ns, len(found), item))

    for index in range(config.days):
        date = config.first_day + dt.timedelta(days=index)
        day, offsets = Day(index, date, market), _offsets(date)
        for person in market.people:
            if noise.randrange(1_000) < phone_changes_per_thousand_days:
                phones[person.index] += 1
        for behaviour, rng in zip(behaviours, rngs, strict=True):
            for person in market.people:
                actions = list(behaviour.plan(day, person, rng))
                if joins.get(person.index, 0) > index:
                    continue  # planned (the streams stay the market's), not yet joined
                for action in actions:
                    for item in _clean(action, person, phones, offsets, refund_pcts, refunds):
                        add(item)
        if config.fraud:
            for item in truth.plan(day, fraud_rng, offsets):
                add(item)
    found.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in found]


def _clean(
    action: object,
    person: Person,
    phones: dict[int, int],
    offsets: dict[str, int],
    refund_pcts: dict[int, int],
    rng: random.Random,
) -> Iterator[LabelledEvent | RefundSeen]:
    phone = phones[person.index]
    device = f"d{person.index}" if phone == 0 else f"d{person.index}.{phone}"
    offset = offsets[person.home.timezone]
    if isinstance(action, Pay):
        shop = action.shop
        event = RiskEvent(
            Channel.qr, wallet_of(person), merchant_of(shop), action.amount_minor,
            shop.city.currency, action.at_ns, device, place_of(shop), offset,
        )  # fmt: skip
        yield LabelledEvent(event, CLEAN, usd_cents(event.amount_minor, shop.city.minor_per_usd))
        if rng.randrange(100) < refund_pcts[shop.index]:
            later_s = rng.randint(refund_after_s_min, refund_after_s_max)
            yield RefundSeen(action.at_ns + later_s * NS_PER_S, event.wallet_id, event.payee)
    elif isinstance(action, SendMoney):
        event = RiskEvent(
            Channel.p2p, wallet_of(person), wallet_of(action.receiver), action.amount_minor,
            person.currency, action.at_ns, device, None, offset,
        )  # fmt: skip
        yield LabelledEvent(event, CLEAN, usd_cents(event.amount_minor, person.home.minor_per_usd))
