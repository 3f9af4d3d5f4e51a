"""Quotes locked, read and used once, on both backends: expired and used quotes refused."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from colony.fx.quotes import quote_amount_minor_max, quote_ttl_max_s, quote_ttl_s, spread_bps_max
from colony.fx.rates import ReferenceRates
from colony.fx.rates_file import RatesFileProvider
from colony.fx.results import QuoteResult as Q
from colony.fx.service import QuoteService
from colony.fx.sql_store import open_quote_store
from colony.kernel.clock import NS_PER_S, ManualClock, ns_from_utc
from colony.kernel.ids import IdGenerator
from colony.storage.sqlite_connection import write_gate

TUESDAY = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
RATES = (
    "date,currency,rate\n"
    "2026-11-24,USD,1.04\n"
    "2026-11-24,JPY,162.5\n"
    "2026-11-24,KWD,0.32\n"
    "2026-11-24,BHD,0.39\n"
    "2026-11-10,TND,3.3\n"  # two weeks old: stale
)
ONE = {"sell_amount_minor": 1}
AMOUNT_MAX = quote_amount_minor_max
# Connections racing to use one quote (each a server sharing the database).
racers = 6


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(ns_from_utc(TUESDAY))


@pytest.fixture
def fx(store_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[QuoteService]:
    path = tmp_path / "rates.csv"
    path.write_text(RATES)
    store = open_quote_store(store_url)
    rates = ReferenceRates(RatesFileProvider(path), max_age_days=7)
    yield QuoteService(rates, store, clock, IdGenerator(clock, random.Random(7)), spread_bps=50)
    store.close()


@pytest.mark.parametrize(
    ("sell", "buy", "sell_minor", "buy_minor", "sell_amount", "buy_amount", "rate"),
    [
        # 1 USD = 162.5 / 1.04 = 156.25 JPY mid, 155.46875 less 50 bps.
        ("USD", "JPY", 10_000, None, 10_000, 15_546, "155.46875"),
        ("USD", "JPY", None, 15_546, 10_000, 15_546, "155.46875"),
        # 1 KWD = 0.39 / 0.32 = 1.21875 BHD mid: both sides have 3 decimals.
        ("KWD", "BHD", 1_000, None, 1_000, 1_212, "1.212656250"),
        ("KWD", "BHD", None, 1_000, 825, 1_000, "1.212656250"),
        # 1 JPY = 0.32 / 162.5 KWD: 0 decimals to 3.
        ("JPY", "KWD", 100_000, None, 100_000, 195_938, "0.001959384615"),  # 195.938...
        ("KWD", "JPY", None, 1, 2, 1, "505.2734375"),  # 1 yen costs 1.979... fils: 2
        ("EUR", "KWD", 100, None, 100, 318, "0.3184"),
    ],
)
def test_quotes_in_zero_two_and_three_decimals(
    fx: QuoteService,
    sell: str,
    buy: str,
    sell_minor: int | None,
    buy_minor: int | None,
    sell_amount: int,
    buy_amount: int,
    rate: str,
) -> None:
    outcome = fx.quote("wal_a", sell, buy, sell_amount_minor=sell_minor, buy_amount_minor=buy_minor)
    quote = outcome.quote
    assert outcome.result is Q.ok and quote is not None
    assert (quote.sell_amount_minor, quote.buy_amount_minor) == (sell_amount, buy_amount)
    assert quote.rate == Decimal(rate) and quote.spread_bps == 50
    assert (quote.rate_date, quote.rate_source) == (dt.date(2026, 11, 24), "file:rates.csv")
    assert quote.expires_at_ns - quote.created_at_ns == quote_ttl_s * NS_PER_S
    assert fx.get(quote.id, "wal_a") == quote  # read back digit for digit
    assert fx.get(quote.id, "wal_b") is None  # another wallet's quote does not exist


@pytest.mark.parametrize(
    ("sell", "buy", "amounts", "options", "result"),
    [
        ("USD", "XYZ", ONE, {}, Q.unknown_currency),
        ("XAU", "USD", ONE, {}, Q.unknown_currency),
        ("USD", "usd", ONE, {}, Q.same_currency),
        ("USD", "JPY", {}, {}, Q.amount_on_one_side),
        ("USD", "JPY", ONE | {"buy_amount_minor": 1}, {}, Q.amount_on_one_side),
        ("USD", "JPY", {"sell_amount_minor": 0}, {}, Q.amount_out_of_range),
        ("USD", "JPY", {"buy_amount_minor": -5}, {}, Q.amount_out_of_range),
        ("USD", "JPY", {"sell_amount_minor": AMOUNT_MAX + 1}, {}, Q.amount_out_of_range),
        ("JPY", "USD", {"buy_amount_minor": AMOUNT_MAX}, {}, Q.amount_out_of_range),  # the sell
        ("USD", "JPY", ONE, {"spread_bps": -1}, Q.spread_out_of_range),
        ("USD", "JPY", ONE, {"spread_bps": spread_bps_max + 1}, Q.spread_out_of_range),
        ("USD", "JPY", ONE, {"ttl_s": 0}, Q.ttl_out_of_range),
        ("USD", "JPY", ONE, {"ttl_s": quote_ttl_max_s + 1}, Q.ttl_out_of_range),
        ("USD", "GBP", ONE, {}, Q.rate_missing),
        ("USD", "TND", ONE, {}, Q.rate_stale),
        ("JPY", "USD", ONE, {}, Q.amount_too_small),  # a yen is less than a cent
    ],
)
def test_quote_refusals(
    fx: QuoteService,
    sell: str,
    buy: str,
    amounts: dict[str, int],
    options: dict[str, int],
    result: Q,
) -> None:
    outcome = fx.quote("wal_a", sell, buy, **amounts, **options)  # type: ignore[arg-type]
    assert (outcome.result, outcome.quote) == (result, None)


def test_a_stale_rate_is_refused_with_its_age(fx: QuoteService) -> None:
    outcome = fx.quote("wal_a", "USD", "TND", sell_amount_minor=100)
    assert outcome.result is Q.rate_stale
    assert "from 2026-11-10, 14 days before 2026-11-24; the limit is 7 days" in outcome.detail


def test_the_rate_is_locked_for_its_lifetime_only(fx: QuoteService, clock: ManualClock) -> None:
    quote = fx.quote("wal_a", "USD", "JPY", sell_amount_minor=100, ttl_s=30).quote
    assert quote is not None and quote.status(clock.now_ns()) == "open"
    clock.advance(30)  # the lifetime is [created, created + ttl): now it is over
    assert quote.status(clock.now_ns()) == "expired"
    assert fx.consume(quote.id, "wal_a", "pay_1").result is Q.quote_expired
    assert fx.get(quote.id, "wal_a") == quote  # refused: nothing recorded


def test_a_quote_is_used_once(fx: QuoteService, clock: ManualClock) -> None:
    quote = fx.quote("wal_a", "KWD", "JPY", buy_amount_minor=50_000, spread_bps=0).quote
    assert quote is not None
    clock.advance(59)
    used = fx.consume(quote.id, "wal_a", "pay_1")
    assert used.result is Q.ok and used.quote is not None
    assert (used.quote.used_by, used.quote.used_at_ns) == ("pay_1", clock.now_ns())
    assert used.quote.status(clock.now_ns()) == "used"
    assert fx.get(quote.id, "wal_a") == used.quote
    # The same payment retrying is told ok, even after expiry; another payment is refused.
    clock.advance(3_600)
    assert fx.consume(quote.id, "wal_a", "pay_1") == used
    assert fx.consume(quote.id, "wal_a", "pay_2").result is Q.quote_already_used


@pytest.mark.parametrize(
    ("quote_id", "owner"),
    [("fxq_0123", "wal_a"), ("", "wal_a"), ("mine", "wal_b")],
)
def test_unknown_quotes(fx: QuoteService, quote_id: str, owner: str) -> None:
    mine = fx.quote("wal_a", "USD", "JPY", sell_amount_minor=100).quote
    assert mine is not None
    target = mine.id if quote_id == "mine" else quote_id
    assert fx.consume(target, owner, "pay_1").result is Q.quote_unknown


def test_one_payment_wins_a_quote_across_connections(
    fx: QuoteService, store_url: str, clock: ManualClock
) -> None:
    quote = fx.quote("wal_a", "USD", "JPY", sell_amount_minor=100).quote
    assert quote is not None
    stores = [open_quote_store(store_url) for _ in range(racers)]
    services = [
        QuoteService(fx.rates, s, clock, IdGenerator(clock, random.Random())) for s in stores
    ]
    start = threading.Barrier(racers)
    results: list[Q] = []

    def use(service: QuoteService, payment: str) -> None:
        start.wait()
        results.append(service.consume(quote.id, "wal_a", payment).result)

    threads = [threading.Thread(target=use, args=(s, f"pay_{i}")) for i, s in enumerate(services)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [Q.ok] + [Q.quote_already_used] * (racers - 1)
    for store in stores:
        store.close()


def test_quotes_are_listed_newest_first_by_cursor(fx: QuoteService, clock: ManualClock) -> None:
    made = []
    for n in range(5):
        clock.advance(1)
        quote = fx.quote(f"wal_{n}", "USD", "JPY", sell_amount_minor=100 + n).quote
        assert quote is not None
        made.append(quote.id)
    first = fx.store.recent(None, 2)
    assert [q.id for q in first] == made[::-1][:2]
    rest = fx.store.recent(first[-1].id, 10)
    assert [q.id for q in rest] == made[::-1][2:]
    assert fx.store.recent(made[0], 10) == []


def test_a_quotes_write_waits_its_turn_at_the_files_write_gate(
    tmp_path: Path, clock: ManualClock
) -> None:
    """On SQLite a table store's write takes the file's write gate, as the journal's and the
    group commits' do, so it waits its turn there, not in SQLite's busy sleeps of up to
    100 ms behind them (`Tables.write`, docs/adr/0105)."""
    database = tmp_path / "colony.db"
    rates = tmp_path / "rates.csv"
    rates.write_text(RATES)
    store = open_quote_store(f"sqlite:///{database}")
    fx = QuoteService(
        ReferenceRates(RatesFileProvider(rates), max_age_days=7),
        store,
        clock,
        IdGenerator(clock, random.Random(7)),
        spread_bps=50,
    )
    made: list[Q] = []
    try:
        with write_gate(database):  # another writer's commit in progress
            quoting = threading.Thread(
                target=lambda: made.append(fx.quote("wal_a", "USD", "JPY", **ONE).result)
            )
            quoting.start()
            quoting.join(timeout=0.3)
            assert quoting.is_alive() and not made  # waiting at the gate
        quoting.join(timeout=10)
        assert made == [Q.ok]
    finally:
        store.close()
