"""Who would repay a loan: the simulated market's ground truth for credit scores (opt-in,
`colony simulate market --credit`; docs/adr/0046).

Each person gets a hidden creditworthiness `z` (higher is better): drawn beside their wallet's
tier (the verified lean better) and their pace of spending (the heaviest spenders lean
worse), plus noise. It shapes what they do, as observable behaviour, through behaviours with
streams of their own:

- `Earnings` replaces `TopUps`: money comes in as pay, weekly or fortnightly on a fixed
  weekday and about the same amount for the regular (more likely the higher `z`), on random
  days and in amounts that vary for the rest; how much, against what the person spends,
  rises with `z`. Those who earn less than they spend run short and top up at the till.
- `Splurges`: now and then a big payment at a luxury shop, more often the lower `z`.
- Joining: some people open their wallet after the eve (the lower `z`, the likelier), so
  account age and the length of their history tell something.

At a decision time (a UTC midnight in the second half of the simulated days, after at least
a day of history) each person takes a small loan and repays it or defaults, with probability
sigmoid(alpha - beta * (z + u)), where `u` is a shock nobody observes (a job lost, an
illness): so a model can learn the risk from behaviour, but not perfectly. Merchants get a
hidden `z` too, which raises their refund rate and the complaints people file about them
when low, and a loan decided the same way.

The outcomes are returned in the summary (`SimulationSummary.credit_outcomes`); the CLI
writes them to the credit product's `credit_outcomes` table, which training reads and scoring
never does. Everything is drawn from streams named `credit:...`, so a market simulated without
`--credit` is the very market it was before.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from colony.kernel.clock import NS_PER_DAY
from colony.simulator.actions import Pay, in_home_minor, refund_pct, top_up
from colony.simulator.behaviours import Behaviour, TopUps, poisson
from colony.simulator.places import KINDS
from colony.simulator.population import Person, Shop
from colony.simulator.rhythm import draw_hour, hour_weights
from colony.simulator.streams import stream
from colony.simulator.world import Action, Day, World

# The default rate the loans are aimed at, about (the intercept is solved for it).
default_rate_target = 0.10
# How strongly creditworthiness (and the unobserved shock) drives default, in log-odds per
# standard deviation; and the shock's size against the observed trait's.
default_slope = 1.4
shock_sd = 0.5
# The small loan each subject takes at its decision, in US cents (in its own currency).
loan_usd_cents = 5_000
merchant_loan_usd_cents = 50_000
# How many earlier loans a person or a merchant had before the decision: none, one, two or three,
# with these weights (a record the scorecard's `repayment_record` reads).
prior_loans_weights = (0.4, 0.25, 0.2, 0.15)
# Weekly pay against a person's expected weekly spending, at z = 0, and its spread in z.
earnings_ratio_at_mean = 0.9
earnings_ratio_per_z = 0.7
# Of every thousand days, how many bring a splurge for the least creditworthy (fewer for
# the rest), and how many times a luxury shop's usual price it is.
splurge_per_thousand_days_max = 60
splurge_price_times = 2
# Refunds per hundred payments for the least creditworthy merchants (the rest: fewer, down
# to the market's usual `refund_pct`).
merchant_refund_pct_max = 15
# Complaints per thousand payments: every shop draws some (a bad day, a mix-up), the least
# creditworthy up to `merchant_complaint_per_mille_max` more; how far a shop's own conduct
# strays from its creditworthiness, in standard deviations (docs/adr/0065).
merchant_complaint_per_mille_min = 2
merchant_complaint_per_mille_max = 40
merchant_complaint_sd = 0.7
# Who joins the market after its eve (newcomers lean less creditworthy), in log-odds at z = 0
# and per standard deviation; and the fewest days a joiner is seen before their decision.
late_join_at_mean = -1.0
late_join_per_z = 1.0
history_days_min = 3
# How much more often a shop is picked per standard deviation of its creditworthiness, as a
# factor of e (customers drift away from a shop in trouble).
popularity_per_z = 1.0


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _resident_price_usd_cents() -> float:
    """What a resident's everyday payment costs on average, in US cents, at a US price level
    (luxury shops and hotels left out: few can pay them, and fewer do)."""
    everyday = [k for k in KINDS if k.key not in ("luxury", "hotel")]
    weights = sum(k.resident_weight for k in everyday)
    prices = sum(
        k.resident_weight * (k.price_usd_cents_min + k.price_usd_cents_max) / 2 for k in everyday
    )
    return prices / weights


@dataclass(frozen=True, slots=True)
class PersonTraits:
    z: float  # hidden creditworthiness; only behaviour shows it
    shock: float  # what nobody observes
    regular: bool  # paid on a fixed weekday, a steady amount
    every_days: int  # 7 or 14, for the regular
    pay_weekday: int
    weekly_usd_cents: int  # at the person's city's price level
    splurge_per_thousand_days: int
    decision_day: int  # the decision is at this day's UTC midnight (days: after the last)
    join_day: int = 0  # the day the person opens a wallet (0: on the eve, with most)


@dataclass(frozen=True, slots=True)
class MerchantTraits:
    z: float
    shock: float
    refund_pct: int
    decision_day: int


@dataclass(frozen=True, slots=True)
class SimulatedOutcome:
    """A small loan at a decision time, and whether it was repaid: the simulator's truth."""

    subject_kind: str  # "person" or "merchant"
    subject_id: str  # the wallet's or the merchant's id
    decided_at_ns: int
    principal_minor: int
    currency: str
    defaulted: bool
    true_pd: float  # the probability of default the draw was made with
    # Earlier loans the subject had (docs/adr/0064): repaid on time, and gone overdue.
    prior_repaid: int = 0
    prior_overdue: int = 0


def _prior_record(rng: random.Random, alpha: float, z: float) -> tuple[int, int]:
    """A subject's earlier loans before the decision (repaid on time, gone overdue): how many
    by `prior_loans_weights`; each late with the subject's own odds, under a shock of its own,
    so the record tells something of `z` but not all. Merchants draw after every person."""
    count = rng.choices(range(len(prior_loans_weights)), prior_loans_weights)[0]
    late = sum(
        rng.random() < _sigmoid(alpha + default_slope * -(z + rng.gauss(0, shock_sd)))
        for _ in range(count)
    )
    return count - late, late


def _decision_day(rng: random.Random, days: int) -> int:
    return rng.randint(max(1, (days + 1) // 2), days)


def _join_day(rng: random.Random, z: float, decision_day: int) -> int:
    """When a person joins: on the eve, or (the less creditworthy more often) some day after,
    at least `history_days_min` before their decision."""
    latest = decision_day - history_days_min
    if latest < 1 or rng.random() >= _sigmoid(late_join_at_mean - late_join_per_z * z):
        return 0
    return rng.randint(1, latest)


def _intercept(risks: list[float]) -> float:
    """The alpha that makes the mean of sigmoid(alpha + slope * risk) the target rate."""
    low, high = -20.0, 20.0
    for _ in range(60):  # bisection: the mean rises with alpha
        mid = (low + high) / 2
        mean = sum(_sigmoid(mid + default_slope * r) for r in risks) / max(1, len(risks))
        low, high = (mid, high) if mean < default_rate_target else (low, mid)
    return (low + high) / 2


@dataclass
class CreditTruth:
    people: dict[int, PersonTraits] = field(default_factory=dict)
    merchants: dict[int, MerchantTraits] = field(default_factory=dict)
    seed: int = 0
    # What joiners draw when they open (their first top-up), a stream of its own.
    join_rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def draw(cls, people: list[Person], shops: list[Shop], days: int, seed: int) -> CreditTruth:
        rng = stream(seed, "credit:traits")
        mean_spend = 0.3 * 7 * _resident_price_usd_cents()
        truth = cls(seed=seed, join_rng=stream(seed, "credit:joins"))
        for person in people:
            z = rng.gauss(0, 1) + (0.4 if person.verified else -0.4)
            z -= 0.4 * (person.spend_pct - 120) / 46  # spend_pct is 40..200: sd about 46
            regular = rng.random() < _sigmoid(3 * z)
            ratio = earnings_ratio_at_mean * math.exp(earnings_ratio_per_z * z + rng.gauss(0, 0.1))
            weekly = mean_spend * person.spend_pct / 100 * ratio * person.home.price_pct / 100
            decision = _decision_day(rng, days)
            truth.people[person.index] = PersonTraits(
                z,
                rng.gauss(0, shock_sd),
                regular,
                rng.choice((7, 14)),
                rng.randrange(7),
                max(100, round(weekly)),
                round(splurge_per_thousand_days_max * _sigmoid(-1.5 * z - 1)),
                decision,
                _join_day(rng, z, decision),
            )
        for shop in shops:
            z = rng.gauss(0, 1)
            extra = (merchant_refund_pct_max - refund_pct) * _sigmoid(-2 * z - 1)
            truth.merchants[shop.index] = MerchantTraits(
                z, rng.gauss(0, shock_sd), refund_pct + round(extra), _decision_day(rng, days)
            )
        return truth

    def behaviours(self, market_behaviours: Iterable[Behaviour]) -> list[Behaviour]:
        """The market's behaviours with credit's: pay instead of top-ups, and splurges."""
        kept = [b for b in market_behaviours if b.name != TopUps.name]
        return [*kept, Earnings(self), Splurges(self)]

    def joins_later(self, person: Person) -> bool:
        return self.people[person.index].join_day > 0

    def active(self, person: Person, day: int) -> bool:
        """Whether the person acts on `day` (from the day after they joined)."""
        join_day = self.people[person.index].join_day
        return join_day == 0 or day > join_day

    def joining(
        self, day: Day, open_wallet: Callable[[Person, random.Random], None]
    ) -> list[Action]:
        """The people who join on `day`: each opens a wallet in the morning, at home."""
        found: list[Action] = []
        for person in day.market.people:
            if self.people[person.index].join_day == day.index and day.index > 0:
                at_ns = day.at_local(person.home, 9, person.index % 3_600)
                found.append(JoinMarket(at_ns, person, open_wallet, self.join_rng))
        return found

    def popularity(self) -> dict[int, float]:
        return {index: math.exp(popularity_per_z * m.z) for index, m in self.merchants.items()}

    def first_top_up_pct(self, person: Person) -> int:
        """The first top-up against the market's usual, in percent: the more creditworthy
        bring more (half to twice, about)."""
        return max(20, min(400, round(100 * math.exp(0.6 * self.people[person.index].z))))

    def refund_pcts(self) -> dict[int, int]:
        return {index: m.refund_pct for index, m in self.merchants.items()}

    def complaint_per_mille(self) -> dict[int, int]:
        """Each shop's complaints per thousand payments: more the less creditworthy, with a
        spread of its own (a stream of its own, so the traits drawn before stay as they
        were)."""
        rng = stream(self.seed, "credit:complaint-traits")
        found = {}
        for index in sorted(self.merchants):
            conduct = self.merchants[index].z + rng.gauss(0, merchant_complaint_sd)
            extra = merchant_complaint_per_mille_max * _sigmoid(-2 * conduct - 2)
            found[index] = merchant_complaint_per_mille_min + round(extra)
        return found

    def outcomes(self, world: World, first_midnight_ns: int) -> list[SimulatedOutcome]:
        """Each subject's loan and whether it was repaid, drawn from the truth's own stream."""
        rng = stream(self.seed, "credit:outcomes")
        priors = stream(self.seed, "credit:priors")  # its own: the outcomes drawn as before
        found = []
        person_risks = {i: -(t.z + t.shock) for i, t in self.people.items()}
        alpha = _intercept(list(person_risks.values()))
        for person in world.market.people:
            traits, wallet = self.people[person.index], world.wallets[person.index]
            pd = _sigmoid(alpha + default_slope * person_risks[person.index])
            found.append(
                SimulatedOutcome(
                    "person", wallet.id, first_midnight_ns + traits.decision_day * NS_PER_DAY,
                    in_home_minor(person, loan_usd_cents), wallet.currency,
                    rng.random() < pd, pd, *_prior_record(priors, alpha, traits.z),
                )
            )  # fmt: skip
        merchant_risks = {i: -(t.z + t.shock) for i, t in self.merchants.items()}
        alpha = _intercept(list(merchant_risks.values()))
        for shop in world.market.shops:
            merchant = world.merchants[shop.index]
            m_traits = self.merchants[shop.index]
            pd = _sigmoid(alpha + default_slope * merchant_risks[shop.index])
            principal = max(1, merchant_loan_usd_cents * shop.city.minor_per_usd // 100)
            found.append(
                SimulatedOutcome(
                    "merchant", merchant.id, first_midnight_ns + m_traits.decision_day * NS_PER_DAY,
                    principal, merchant.currency, rng.random() < pd, pd,
                    *_prior_record(priors, alpha, m_traits.z),
                )
            )  # fmt: skip
        return found


@dataclass(frozen=True, slots=True)
class JoinMarket:
    """A newcomer opens a wallet (verified by their tier) and tops it up."""

    at_ns: int
    person: Person
    open_wallet: Callable[[Person, random.Random], None]
    rng: random.Random

    def run(self, world: World) -> None:
        self.open_wallet(self.person, self.rng)
        world.stats["credit: joined after the eve"] += 1


class Earnings:
    """Pay: the regular on their weekday every one or two weeks, about the same amount; the
    rest on random days, amounts that vary. Money comes from a bank or a cash agent."""

    name = "credit:earnings"

    def __init__(self, truth: CreditTruth) -> None:
        self.truth = truth

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        traits = self.truth.people[person.index]
        if traits.regular:
            weekday = day.date.weekday()
            week = day.date.toordinal() // 7
            if weekday != traits.pay_weekday or (traits.every_days == 14 and week % 2):
                return ()
            cents = traits.weekly_usd_cents * traits.every_days // 7
            cents = round(cents * rng.uniform(0.97, 1.03))
        else:
            if rng.random() >= 2 / 7:  # about twice a week
                return ()
            cents = round(traits.weekly_usd_cents / 2 * rng.uniform(0.2, 1.8))
        city = person.city_on(day.index)
        at_ns = day.at_local(city, rng.randint(8, 11), rng.randrange(3_600))
        return (Earn(at_ns, person, in_home_minor(person, max(1, cents)), rng),)


@dataclass(frozen=True, slots=True)
class Earn:
    at_ns: int
    person: Person
    amount_minor: int
    rng: random.Random

    def run(self, world: World) -> None:
        if top_up(world, self.person, self.amount_minor, self.rng):
            world.stats["credit: earnings paid"] += 1


class Splurges:
    """Now and then a big payment at a luxury shop where the person is, more often the less
    creditworthy they are."""

    name = "credit:splurges"

    def __init__(self, truth: CreditTruth) -> None:
        self.truth = truth

    def plan(self, day: Day, person: Person, rng: random.Random) -> Iterable[Action]:
        traits = self.truth.people[person.index]
        if poisson(rng, traits.splurge_per_thousand_days / 1_000) == 0:
            return ()
        city = person.city_on(day.index)
        shops = day.market.shops_by_place.get((city.name, "luxury"))
        if not shops:
            return ()
        shop = rng.choice(shops)
        hour = draw_hour(rng, hour_weights(day.weekend, tourist=False))
        at_ns = day.at_local(city, max(10, min(20, hour)), rng.randrange(3_600))
        price = shop.price_minor(rng) * splurge_price_times
        return (Pay(at_ns, person, shop, price, rng),)
