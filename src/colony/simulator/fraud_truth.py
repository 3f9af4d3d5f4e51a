"""Fraud in the simulated market, with its ground truth (docs/adr/0059).

The market's people pay as `colony simulate market` has them pay (the same population,
shops and `Spending` and `PeerToPeer` plans from the same seed); on top of them, fraud
happens in five patterns, each drawn from a stream of its own (`fraud:...`):

- account takeover: a thief with a new phone, often somewhere else and at night, buys
  dear things (several times the victim's usual) and drains the wallet to new payees;
  half of those payees pass the money on as a mule chain;
- card testing: one device, many new wallets, a burst of tiny payments at one to three
  shops within minutes, then a payment or two of real size;
- mule chains: a person is talked into sending money to a stranger (or a thief drains
  them), and it hops on through new wallets, each passing on most of it within hours, a
  new phone each; the last withdraws;
- refund abuse: a few people buy and have most of it refunded, again and again;
- merchant collusion: a few shops take round amounts (whole tens of dollars) from a ring
  of wallets sharing a couple of phones, late in the day, some refunded to wash the money.

Each event is labelled with its kind (`FraudKind`), or clean. Clean noise makes it less
easy: people change phones, join the market late, travel, pay at night and send money to
new friends; honest shops refund 0-6 % of their payments.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field

from colony.risk import Channel, LabelledEvent, Place, RefundSeen, RiskEvent
from colony.simulator.behaviours import poisson
from colony.simulator.places import KIND_BY_KEY
from colony.simulator.population import Person, Shop
from colony.simulator.world import Day

NS_PER_MIN = 60 * 1_000_000_000

# How often each pattern starts, per thousand people per day (or of people and shops).
takeover_per_thousand_people_days = 0.15
card_testing_per_thousand_people_days = 0.05
mule_chain_per_thousand_people_days = 0.08
refund_abusers_per_thousand_people = 5
colluding_shops_per_thousand = 25
# A refund abuser's purchases a day (mean) and how many of them are refunded, percent.
abuse_buys_per_day = 0.35
abuse_refunded_pct = 80
# Days (of a thousand) a colluding shop's ring pays at it.
collusion_days_per_thousand = 150
collusion_refunded_pct = 30


class FraudKind(enum.StrEnum):
    account_takeover = "account_takeover"
    card_testing = "card_testing"
    mule_chain = "mule_chain"
    refund_abuse = "refund_abuse"
    merchant_collusion = "merchant_collusion"


def wallet_of(person: Person) -> str:
    return f"w{person.index}"


def merchant_of(shop: Shop) -> str:
    return f"m{shop.index}"


def place_of(shop: Shop) -> Place:
    return Place(int(shop.lat * 1_000_000), int(shop.lon * 1_000_000))


def usd_cents(amount_minor: int, minor_per_usd: int) -> int:
    return amount_minor * 100 // max(1, minor_per_usd)


@dataclass
class Ring:
    shop: Shop
    wallets: list[str]
    devices: list[str]


@dataclass
class FraudTruth:
    """Who the fraudsters are (drawn once), and their fresh wallets and phones (numbered)."""

    abusers: set[int] = field(default_factory=set)  # people, by index
    rings: list[Ring] = field(default_factory=list)
    _fresh: int = 0

    @classmethod
    def draw(cls, people: list[Person], shops: list[Shop], rng: random.Random) -> FraudTruth:
        truth = cls()
        for person in people:
            if rng.randrange(1_000) < refund_abusers_per_thousand_people:
                truth.abusers.add(person.index)
        for shop in shops:
            if rng.randrange(1_000) < colluding_shops_per_thousand:
                size = rng.randint(6, 12)
                wallets = [
                    wallet_of(rng.choice(people)) if rng.random() < 0.5 else truth.fresh("wf")
                    for _ in range(size)
                ]
                devices = [truth.fresh("fd") for _ in range(rng.randint(2, 3))]
                truth.rings.append(Ring(shop, wallets, devices))
        return truth

    def fresh(self, prefix: str) -> str:
        """A wallet or phone nobody in the market has used."""
        self._fresh += 1
        return f"{prefix}{self._fresh}"

    def plan(
        self, day: Day, rng: random.Random, offsets: dict[str, int]
    ) -> list[LabelledEvent | RefundSeen]:
        """The day's fraud: every pattern, in a fixed order, from one stream."""
        found: list[LabelledEvent | RefundSeen] = []
        people = day.market.people
        per_day = len(people) / 1_000
        for _ in range(poisson(rng, takeover_per_thousand_people_days * per_day)):
            found += self._takeover(day, rng.choice(people), rng, offsets)
        for _ in range(poisson(rng, card_testing_per_thousand_people_days * per_day)):
            found += self._card_testing(day, rng)
        for _ in range(poisson(rng, mule_chain_per_thousand_people_days * per_day)):
            victim = rng.choice(people)
            at_ns = day.at_local(victim.home, rng.randint(9, 21), rng.randrange(3_600))
            target = self.fresh("wf")
            amount = rng.randint(20_000, 150_000) * victim.home.minor_per_usd // 100
            offset = offsets[victim.home.timezone]
            event = RiskEvent(
                Channel.p2p, wallet_of(victim), target, amount, victim.currency, at_ns,
                f"d{victim.index}", None, offset,
            )  # fmt: skip
            found.append(_label(event, FraudKind.mule_chain, victim.home.minor_per_usd))
            found += self._chain(target, amount, victim, at_ns, rng, offsets)
        for index in sorted(self.abusers):
            found += self._abuse(day, people[index], rng, offsets)
        for ring in self.rings:
            found += self._collusion(day, ring, rng)
        return found

    def _takeover(
        self, day: Day, victim: Person, rng: random.Random, offsets: dict[str, int]
    ) -> list[LabelledEvent | RefundSeen]:
        here = victim.city_on(day.index)
        elsewhere = [s.city for s in day.market.shops if s.kind.key == "luxury"]
        city = rng.choice(elsewhere) if elsewhere and rng.random() < 0.6 else here
        hour = rng.choice((0, 1, 2, 3, 4, 22, 23)) if rng.random() < 0.5 else rng.randint(9, 21)
        at_ns = day.at_local(city, hour, rng.randrange(3_600))
        device, offset = self.fresh("fd"), offsets[victim.home.timezone]
        found: list[LabelledEvent | RefundSeen] = []
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(("luxury", "gifts", "hotel"))
            shops = day.market.shops_by_place.get((city.name, kind))
            if not shops:
                continue
            shop = rng.choice(shops)
            amount = shop.price_minor(rng) * rng.randint(1, 3)
            at_ns += rng.randint(1, 15) * NS_PER_MIN
            event = RiskEvent(
                Channel.qr, wallet_of(victim), merchant_of(shop), amount, shop.city.currency,
                at_ns, device, place_of(shop), offset,
            )  # fmt: skip
            found.append(_label(event, FraudKind.account_takeover, shop.city.minor_per_usd))
        for _ in range(rng.randint(1, 3)):
            payee = self.fresh("wf")
            amount = rng.randint(10_000, 80_000) * victim.home.minor_per_usd // 100
            at_ns += rng.randint(1, 20) * NS_PER_MIN
            event = RiskEvent(
                Channel.p2p, wallet_of(victim), payee, amount, victim.currency, at_ns, device,
                None, offset,
            )  # fmt: skip
            found.append(_label(event, FraudKind.account_takeover, victim.home.minor_per_usd))
            if rng.random() < 0.5:
                found += self._chain(payee, amount, victim, at_ns, rng, offsets)
        return found

    def _chain(
        self,
        first: str,
        amount: int,
        source: Person,
        at_ns: int,
        rng: random.Random,
        offsets: dict[str, int],
    ) -> list[LabelledEvent | RefundSeen]:
        """The money passed on from `first` through more mules; the last withdraws it."""
        found: list[LabelledEvent | RefundSeen] = []
        holder, device = first, self.fresh("fd")
        for hop in range(rng.randint(1, 3) + 1):
            amount = amount * rng.randint(90, 98) // 100
            at_ns += rng.randint(5, 180) * NS_PER_MIN
            last = hop > 0 and rng.random() < 0.4
            if last:
                payee, channel = f"cash_{source.currency.lower()}", Channel.withdrawal
            else:
                payee, channel = self.fresh("wf"), Channel.p2p
            event = RiskEvent(
                channel, holder, payee, amount, source.currency, at_ns, device, None,
                offsets[source.home.timezone],
            )  # fmt: skip
            found.append(_label(event, FraudKind.mule_chain, source.home.minor_per_usd))
            if last:
                break
            holder, device = payee, self.fresh("fd")
        return found

    def _card_testing(self, day: Day, rng: random.Random) -> list[LabelledEvent | RefundSeen]:
        shops = [s for s in day.market.shops if s.kind.key in ("convenience", "cafe", "hawker")]
        if not shops:
            return []
        targets = [rng.choice(shops) for _ in range(rng.randint(1, 3))]
        city = targets[0].city
        at_ns = day.at_local(city, rng.randrange(24), rng.randrange(3_600))
        device = self.fresh("fd")
        wallets = [self.fresh("wf") for _ in range(rng.randint(3, 8))]
        found: list[LabelledEvent | RefundSeen] = []
        for _ in range(rng.randint(15, 40)):
            shop = rng.choice(targets)
            at_ns += rng.randint(2, 30) * 1_000_000_000
            amount = max(1, rng.randint(1, 100) * shop.city.minor_per_usd // 100)
            found.append(self._tested(rng.choice(wallets), shop, amount, at_ns, device))
        for _ in range(rng.randint(0, 2)):
            shop = rng.choice(targets)
            at_ns += rng.randint(1, 10) * NS_PER_MIN
            amount = rng.randint(5_000, 40_000) * shop.city.minor_per_usd // 100
            found.append(self._tested(rng.choice(wallets), shop, amount, at_ns, device))
        return found

    @staticmethod
    def _tested(wallet: str, shop: Shop, amount: int, at_ns: int, device: str) -> LabelledEvent:
        # The thief's time zone is not known: the hour is read in UTC.
        event = RiskEvent(
            Channel.qr, wallet, merchant_of(shop), amount, shop.city.currency, at_ns, device,
            place_of(shop), None,
        )  # fmt: skip
        return _label(event, FraudKind.card_testing, shop.city.minor_per_usd)

    def _abuse(
        self, day: Day, abuser: Person, rng: random.Random, offsets: dict[str, int]
    ) -> list[LabelledEvent | RefundSeen]:
        found: list[LabelledEvent | RefundSeen] = []
        city = abuser.city_on(day.index)
        for _ in range(poisson(rng, abuse_buys_per_day)):
            kind = rng.choice(("gifts", "restaurant", "grocery", "luxury"))
            shops = day.market.shops_by_place.get((city.name, kind))
            if not shops:
                continue
            shop = rng.choice(shops)
            at_ns = day.at_local(city, rng.randint(KIND_BY_KEY[kind].opens_h, 20), 0)
            at_ns += rng.randrange(3_600) * 1_000_000_000
            amount = shop.price_minor(rng) * rng.randint(1, 2)
            event = RiskEvent(
                Channel.qr, wallet_of(abuser), merchant_of(shop), amount, shop.city.currency,
                at_ns, f"d{abuser.index}", place_of(shop), offsets[abuser.home.timezone],
            )  # fmt: skip
            found.append(_label(event, FraudKind.refund_abuse, shop.city.minor_per_usd))
            if rng.randrange(100) < abuse_refunded_pct:
                later_ns = rng.randint(60, 48 * 60) * NS_PER_MIN
                found.append(RefundSeen(at_ns + later_ns, event.wallet_id, event.payee))
        return found

    def _collusion(
        self, day: Day, ring: Ring, rng: random.Random
    ) -> list[LabelledEvent | RefundSeen]:
        if rng.randrange(1_000) >= collusion_days_per_thousand:
            return []
        shop = ring.shop
        found: list[LabelledEvent | RefundSeen] = []
        at_ns = day.at_local(
            shop.city, rng.choice((19, 20, 21, 22, 23, 0, 1)), rng.randrange(3_600)
        )
        for _ in range(rng.randint(2, 4)):
            at_ns += rng.randint(1, 20) * NS_PER_MIN
            amount = rng.randint(2, 10) * 1_000 * shop.city.minor_per_usd // 100
            event = RiskEvent(
                Channel.qr, rng.choice(ring.wallets), merchant_of(shop), amount,
                shop.city.currency, at_ns, rng.choice(ring.devices), place_of(shop), None,
            )  # fmt: skip
            found.append(_label(event, FraudKind.merchant_collusion, shop.city.minor_per_usd))
            if rng.randrange(100) < collusion_refunded_pct:
                later_ns = rng.randint(60, 24 * 60) * NS_PER_MIN
                found.append(RefundSeen(at_ns + later_ns, event.wallet_id, event.payee))
        return found


def _label(event: RiskEvent, kind: FraudKind, minor_per_usd: int) -> LabelledEvent:
    return LabelledEvent(event, kind.value, usd_cents(event.amount_minor, minor_per_usd))
