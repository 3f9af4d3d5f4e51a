"""What people and merchants do, through the services the API uses: each action runs at its
simulated time (`World.run_until`) and counts its outcome in `World.stats`.

Business refusals (a wallet short of money, a cap reached) are outcomes, counted by name; a
person short of money tops up once and tries again, as people do at a till.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from colony.fx import QuoteResult
from colony.kernel.clock import NS_PER_S
from colony.payments import PayResult
from colony.simulator.population import Person, Shop
from colony.simulator.world import World
from colony.wallets import WalletResult

# How many times a top-up is tried, each for half the amount, when it would lift the wallet
# past its tier's balance cap.
top_up_attempts_max = 3
# Of every hundred payments, how many are refunded later (in full or in part), and when.
refund_pct = 2
refund_after_s_min = 3_600
refund_after_s_max = 3 * 86_400
# When a complaint about a payment is filed, after it (docs/adr/0065), and what about.
complain_after_s_min = 1_800
complain_after_s_max = 2 * 86_400
COMPLAINTS = (
    ("not_as_described", "What came was not what the menu showed."),
    ("service", "The staff were rude and made me wait."),
    ("charged_wrongly", "The amount was more than the price on the counter."),
    ("not_received", "I paid but the order never came."),
)
# Of every hundred top-ups, how many come from a bank (a funding partner); the rest are cash
# paid in at an agent.
top_up_by_bank_pct = 70


def funding_partner_name(currency: str) -> str:
    """The simulated bank that tops up wallets in `currency`."""
    return f"bank_{currency.lower()}"


def in_home_minor(person: Person, usd_cents: int) -> int:
    """About `usd_cents` in minor units of the person's currency (never less than 1)."""
    return max(1, usd_cents * person.home.minor_per_usd // 100)


def top_up(world: World, person: Person, amount_minor: int, rng: random.Random) -> bool:
    """Money into the person's wallet, from a bank or at a cash agent; whether any came. As
    a wallet's app does, it asks for no more than the wallet's tier lets it hold."""
    services = world.services
    wallet = world.wallets[person.index]
    (headroom,) = services.ledger.lookup_accounts([wallet.headroom_account_id])
    room = headroom.credits_posted - headroom.debits_posted - headroom.debits_pending
    amount_minor = min(amount_minor, room)
    if amount_minor < 1:
        world.stats["top-ups: wallet full"] += 1
        return False
    for _ in range(top_up_attempts_max):
        if rng.randrange(100) < top_up_by_bank_pct:
            moved = services.funding.top_up(
                wallet, funding_partner_name(wallet.currency), amount_minor
            )
            result = moved.result
            if result is WalletResult.ok and moved.movement is not None:
                # The bank confirms in the same minute: the hold is posted.
                result = services.funding.settle(moved.movement, confirmed=True)
            channel = "bank"
        else:
            result = services.wallets.cash_in(wallet.phone, wallet.currency, amount_minor).result
            channel = "cash"
        world.stats[f"top-up by {channel}: {result.name}"] += 1
        if result is WalletResult.ok:
            return True
        if result is not WalletResult.balance_cap_exceeded or amount_minor < 2:
            return False
        amount_minor //= 2
    return False


@dataclass(frozen=True, slots=True)
class TopUp:
    """A person tops up if the wallet runs low: to about `target_usd_cents`."""

    at_ns: int
    person: Person
    low_usd_cents: int
    target_usd_cents: int
    rng: random.Random

    def run(self, world: World) -> None:
        wallet = world.wallets[self.person.index]
        balance = world.services.wallets.balance(wallet)
        target = in_home_minor(self.person, self.target_usd_cents)
        if balance < in_home_minor(self.person, self.low_usd_cents):
            top_up(world, self.person, target - balance, self.rng)


@dataclass(frozen=True, slots=True)
class Pay:
    """A person pays a shop by its QR code; across currencies with a quote first."""

    at_ns: int
    person: Person
    shop: Shop
    amount_minor: int  # in the shop's currency
    rng: random.Random

    def run(self, world: World) -> None:
        result = self._pay(world)
        if result is PayResult.insufficient_funds:
            world.stats["payments: short, topped up"] += 1
            needed = max(self.amount_minor, in_home_minor(self.person, 20_000))
            if top_up(world, self.person, needed * 2, self.rng):
                result = self._pay(world)
        kind = "quotes" if isinstance(result, QuoteResult) else "payments"
        world.stats[f"{kind}: {result.name}"] += 1

    def _pay(self, world: World) -> PayResult | QuoteResult:
        services = world.services
        wallet = world.wallets[self.person.index]
        merchant = world.merchants[self.shop.index]
        pid = services.ids.new_id()
        what = self.shop.kind.label
        if merchant.currency == wallet.currency:
            paid = services.payments.pay_by_qr(
                wallet.phone,
                wallet.currency,
                world.static_code(self.shop),
                self.amount_minor,
                pid,
                description=what,
            )
        else:
            quoted = services.quotes.quote(
                wallet.id, wallet.currency, merchant.currency, buy_amount_minor=self.amount_minor
            )
            if quoted.result is not QuoteResult.ok or quoted.quote is None:
                return quoted.result
            code = services.payments.merchant_qr(merchant, self.amount_minor)
            paid = services.cross_border.pay(
                wallet, code, quoted.quote.id, None, pid, description=what
            )
            if paid.result is PayResult.ok:
                world.stats["payments across currencies: ok"] += 1
        refunds_pct = world.refund_pcts.get(self.shop.index, refund_pct)
        if paid.result is PayResult.ok and self.rng.randrange(100) < refunds_pct:
            later_s = self.rng.randint(refund_after_s_min, refund_after_s_max)
            whole = self.rng.randrange(2) == 0
            amount = self.amount_minor if whole else max(1, self.amount_minor // 2)
            world.schedule(Refund(self.at_ns + later_s * NS_PER_S, pid, amount))
        if paid.result is PayResult.ok:
            self._maybe_complain(world, pid)
        return paid.result

    def _maybe_complain(self, world: World, payment_id: int) -> None:
        """Some payments bring a complaint, at the shop's own rate where the market gives
        one (credit's ground truth), drawn from the world's complaint stream alone, so the
        rest of the market is drawn as it was."""
        per_mille = world.complaint_per_mille.get(self.shop.index, 0)
        rng = world.complaint_rng
        if per_mille < 1 or rng is None or rng.randrange(1_000) >= per_mille:
            return
        later_s = rng.randint(complain_after_s_min, complain_after_s_max)
        category, text = rng.choice(COMPLAINTS)
        at_ns = self.at_ns + later_s * NS_PER_S
        world.schedule(Complain(at_ns, self.person, payment_id, category, text))


@dataclass(frozen=True, slots=True)
class Complain:
    """A person complains about one of their payments, in the app's words."""

    at_ns: int
    person: Person
    payment_id: int
    category: str
    text: str

    def run(self, world: World) -> None:
        complaints = world.services.complaints
        if complaints is None:
            world.stats["complaints: nobody to hear them"] += 1
            return
        wallet = world.wallets[self.person.index]
        filed, _ = complaints.file(wallet, self.category, self.text, payment_id=self.payment_id)
        world.stats[f"complaints: {filed.name}"] += 1


@dataclass(frozen=True, slots=True)
class Refund:
    """A merchant gives (part of) a payment back, at the payment's own rate if it was FX."""

    at_ns: int
    payment_id: int
    amount_minor: int

    def run(self, world: World) -> None:
        services = world.services
        rid = services.ids.new_id()
        (payment,) = services.ledger.lookup_transfers([self.payment_id])
        if services.payments.records is not None and services.payments.records.cross_border_of(
            self.payment_id
        ):
            given = services.cross_border.refund(payment, self.amount_minor, rid)
        else:
            given = services.payments.refund(self.payment_id, self.amount_minor, rid)
        world.stats[f"refunds: {given.result.name}"] += 1


@dataclass(frozen=True, slots=True)
class SendMoney:
    """One person sends another money (P2P), in their common currency."""

    at_ns: int
    sender: Person
    receiver: Person
    amount_minor: int

    def run(self, world: World) -> None:
        services = world.services
        sent = services.wallets.p2p(
            self.sender.phone,
            self.receiver.phone,
            self.sender.currency,
            self.amount_minor,
            services.ids.new_id(),
        )
        world.stats[f"p2p: {sent.result.name}"] += 1
