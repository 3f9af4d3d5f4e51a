"""Readying a simulated market for `colony bench screens`: the people who sign in to the app
(the PIN they type), a staff member for the console (password, TOTP), and the owner of the
busiest merchant for the portal (password), with that merchant given a busy today.

A simulated market ends on a past day (`colony simulate market` refuses today), so every
merchant's today would be empty, and today's takings are what the portal's home reads on
every poll. The busiest merchant (the one paid most often: the portal's worst case) is given
as many payments today as on its busiest day in the market, paid by its own customers
through the payment service, each with an order reference, and a webhook endpoint first, so
that its delivery log fills as a busy shop's does. The endpoint is on loopback, which the
relay refuses to send to: every delivery is logged as refused and nothing leaves the machine.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from colony.api import auth
from colony.api.context import ApiContext
from colony.api.webhook_views import set_endpoint
from colony.credentials import CredentialService, SecretKind
from colony.kernel.clock import utc_from_ns
from colony.kernel.money import Money
from colony.merchants import DAY_NS, Merchant, MerchantUserService, UserResult, credential_subject
from colony.payments import Party, PaymentRecord, PayResult
from colony.staff import Role, StaffService
from colony.wallets import Wallet, WalletResult

# The PIN the benchmark sets for the people it signs in (their own, set in the database).
bench_pin = "592730"
# The staff member's password the benchmark sets.
bench_staff_password = "bench staff password 1"
# The merchant owner's password the benchmark sets.
bench_owner_password = "bench owner password 1"
# Wallets read per page while sampling (the store's page, in wallets).
sample_page_wallets = 1_000
# The merchant's payment records read per page while looking at its history.
history_page_records = 1_000
# The most payments the benchmark makes today (a merchant's busiest day, capped).
today_payments_max = 5_000
# Tries at a free phone number for the merchant's owner (one already a merchant user's is
# refused).
owner_phone_tries_max = 20
# Where the merchant's webhooks go: loopback, refused by the relay's check, never sent.
bench_webhook_url = "http://127.0.0.1:9/colony-bench-webhooks"


@dataclass(frozen=True)
class Shop:
    """The busiest merchant, and what its screens are asked for."""

    id: str
    name: str  # its display name, as a search for it is typed
    owner_phone: str
    payments_in_market: int
    paid_today: int  # the payments the benchmark made today
    busiest_day: str  # YYYY-MM-DD, the day of the market it was paid most often
    first_day: str  # YYYY-MM-DD, its oldest payment's day: a search that reads far back
    amount_found: str  # an amount one of its oldest payments asked for, as typed
    reference_found: str  # an order reference paid today


@dataclass(frozen=True)
class Prepared:
    phones: list[str]
    wallet_ids: list[str]  # of the same people
    operator_key: str
    wallets: int  # in the database
    staff_email: str
    staff_totp_secret: str
    shop: Shop


def prepare(ctx: ApiContext, sample: int, seed: int) -> Prepared:
    """Choose `sample` people at random (seeded) and give each the PIN the benchmark types;
    a staff member; the busiest merchant's owner and its busy today; an operator key that
    reads the texted codes."""
    every = _wallets(ctx)
    chosen = random.Random(seed).sample(every, min(sample, len(every)))
    credentials = ctx.service(CredentialService)
    for wallet in chosen:
        credentials.set(f"phone:{wallet.phone}", SecretKind.pin, bench_pin)
    operator_key = auth.new_secret(ctx, auth.OPERATOR_KEY_PREFIX)
    ctx.api_store.add_key(auth.digest(operator_key), "operator", "operator", ctx.clock.now_ns())
    email = f"bench-{ctx.clock.now_ns()}@colony.example"
    made, member = ctx.service(StaffService).create(
        email, "Bench Operator", Role.operations, bench_staff_password
    )
    if member is None:
        raise RuntimeError(f"could not add the benchmark's staff member: {made.name}")
    return Prepared(
        [w.phone for w in chosen], [w.id for w in chosen], operator_key, len(every), email,
        member.totp_secret, _shop(ctx, random.Random(seed)),
    )  # fmt: skip


def _wallets(ctx: ApiContext) -> list[Wallet]:
    every: list[Wallet] = []
    after = ""
    while True:
        page = ctx.wallet_store.all(after, sample_page_wallets)
        if not page:
            break
        every.extend(page)
        after = page[-1].id
    if not every:
        raise RuntimeError("the database holds no wallets: run `colony simulate market` first")
    return every


def _shop(ctx: ApiContext, rng: random.Random) -> Shop:
    records = ctx.payments.records
    assert records is not None, "the screens benchmark needs payment records"
    busiest = records.busiest(1)
    merchant = ctx.merchants.by_id(busiest[0][0]) if busiest else None
    if merchant is None:
        raise RuntimeError("the market has no payments: run `colony simulate market` first")
    history = _history(ctx, merchant)
    days = Counter(_day(r.created_at_ns) for r in history)
    busiest_day, most = days.most_common(1)[0]
    set_endpoint(ctx, merchant, bench_webhook_url)
    paid = _trade_today(ctx, merchant, history, min(most, today_payments_max))
    oldest = history[-1]
    return Shop(
        merchant.id, merchant.display_name, _owner(ctx, merchant, rng), len(history), paid,
        busiest_day, _day(oldest.created_at_ns),
        f"{Money(oldest.amount_minor, merchant.currency).to_decimal():f}", _reference(0),
    )  # fmt: skip


def _history(ctx: ApiContext, merchant: Merchant) -> list[PaymentRecord]:
    """Every payment record of the merchant, newest first."""
    records = ctx.payments.records
    assert records is not None
    history: list[PaymentRecord] = []
    after = None
    while True:
        page = records.page(Party.merchant, merchant.id, after, history_page_records)
        history.extend(page)
        if len(page) < history_page_records:
            return history
        after = page[-1].id


def _day(ns: int) -> str:
    return utc_from_ns(ns - ns % DAY_NS).strftime("%Y-%m-%d")


def _reference(n: int) -> str:
    return f"BENCH-{n:05d}"


def _trade_today(
    ctx: ApiContext, merchant: Merchant, history: list[PaymentRecord], count: int
) -> int:
    """Up to `count` payments to the merchant now, by its customers who pay in its currency,
    at the amounts they paid before; a payer short of money pays cash in first, one past
    today's cap is passed over. How many were made."""
    payers = [w for w in (ctx.wallet_store.by_id(r.wallet_id) for r in history) if w is not None]
    payers = [w for w in payers if w.currency == merchant.currency]
    if not payers:
        return 0
    code = ctx.payments.merchant_qr(merchant)
    made, tries = 0, 0
    while made < count and tries < 2 * count:
        tries += 1
        payer, was = payers[tries % len(payers)], history[tries % len(history)]
        paid = ctx.payments.pay_by_qr(
            payer.phone, payer.currency, code, was.amount_minor,
            description=was.description, reference=_reference(made),
        )  # fmt: skip
        if paid.result is PayResult.insufficient_funds:
            cashed = ctx.wallets.cash_in(payer.phone, payer.currency, 2 * was.amount_minor)
            if cashed.result is WalletResult.ok:
                paid = ctx.payments.pay_by_qr(
                    payer.phone, payer.currency, code, was.amount_minor,
                    description=was.description, reference=_reference(made),
                )  # fmt: skip
        made += paid.result is PayResult.ok
    return made


def _owner(ctx: ApiContext, merchant: Merchant, rng: random.Random) -> str:
    """A new owner for the merchant, with the password the benchmark types: its phone."""
    users = ctx.service(MerchantUserService)
    for _ in range(owner_phone_tries_max):
        phone = f"+659{rng.randrange(10**7):07d}"
        added, user = users.add(merchant.id, phone, "Bench Owner", "owner")
        if user is not None:
            set_to = ctx.service(CredentialService).set(
                credential_subject(user), SecretKind.password, bench_owner_password
            )
            if set_to.name != "ok":
                raise RuntimeError(f"could not set the owner's password: {set_to.name}")
            return phone
        if added is not UserResult.phone_taken:
            raise RuntimeError(f"could not add the merchant's owner: {added.name}")
    raise RuntimeError("no free phone number for the merchant's owner")
