"""`colony simulate market`: a seeded market of people and merchants over past days.

The simulator (colony.simulator) runs the services the API uses; this command wires them on
one database as `colony serve` does, with two differences: the services' ledger is the
simulator's importing adapter (every event imported at simulated time, docs/adr/0031), and
their clock and ids are the simulation's (seeded), so a seed gives the same ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Protocol, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from colony.cli.finite import finite
from colony.cli.ledger_commands import DatabaseOption, date_option, fail
from colony.cli.output_files import writable, write_file
from colony.credit import Outcome, Subject, open_score_store
from colony.disputes import ComplaintService, open_complaint_store
from colony.fx import EcbProvider, QuoteService, ReferenceRates, open_quote_store, rate_age_max_days
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.ledger.verify import verify
from colony.merchants import MerchantService, open_merchant_store
from colony.partners import Clearing, open_partner_store
from colony.payments import CrossBorderPayments, PaymentService, open_payment_store
from colony.simulator import (
    ImportingLedger,
    MarketServices,
    SimulatedClock,
    SimulationConfig,
    SimulationSummary,
    default_behaviours,
    last_day_max,
    ledger_digest,
    simulate,
    stream,
)
from colony.storage.open import (
    database_url_from_env,
    is_postgres,
    open_ledger,
    parse_database_url,
)
from colony.storage.postgres_databases import POSTGRES_SCHEMES
from colony.wallets import FundingService, WalletService, open_funding_store, open_wallet_store
from colony.webhooks import open_webhook_store

app = typer.Typer(no_args_is_help=True, help="Simulate a market through Colony's services.")
out = Console()


class _Closable(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=_Closable)

# How many days before today a market's last day is at the latest (`last_day_max`).
_SETTLE_DAYS = (dt.date(2000, 1, 1) - last_day_max(dt.date(2000, 1, 1))).days
# The most of each a simulation may hold: a bound, not a target.
people_max = 10_000_000
merchants_max = 1_000_000
days_max = 366


@contextmanager
def market_services(url: str, seed: int) -> Iterator[MarketServices]:
    """The API's services on the database at `url` (whose ledger must be empty), their ledger
    the importing adapter, their clock and ids the simulation's; all closed afterwards.

    On SQLite every connection commits with `synchronous=NORMAL`: a simulation is a bulk
    build that runs again from its seed, so it does not wait for an fsync per commit (five
    times faster); the database stays consistent after a crash, and is whole on disk once
    closed (docs/adr/0031). PostgreSQL commits durably as ever."""
    sync = "FULL" if is_postgres(url) else "NORMAL"
    with ExitStack() as stack:
        ledger = open_ledger(url, clock=SystemClock(), synchronous=sync)
        stack.callback(ledger.close)
        if ledger.journal_seq or next(iter(ledger.all_accounts()), None) is not None:
            raise ValueError("holds a ledger already: simulate into a new database")
        clock = SimulatedClock(0)
        port = ImportingLedger(ledger, clock)
        ids = IdGenerator(clock, stream(seed, "ids"))

        def kept(store: S) -> S:
            stack.callback(store.close)
            return store

        wallet_store = kept(open_wallet_store(url, synchronous=sync))
        funding_store = kept(open_funding_store(url, synchronous=sync))
        merchant_store = kept(open_merchant_store(url, synchronous=sync))
        records = kept(open_payment_store(url, synchronous=sync))
        partner_store = kept(open_partner_store(url, synchronous=sync))
        quote_store = kept(open_quote_store(url, synchronous=sync))
        wallets = WalletService(port, wallet_store, clock, ids)
        merchants = MerchantService(port, merchant_store, clock, ids)
        clearing = Clearing(port, partner_store)
        payments = PaymentService(
            port, wallets, wallet_store, merchants, ids, records, clock, clearing
        )
        quotes = QuoteService(ReferenceRates(EcbProvider()), quote_store, clock, ids)
        complaint_store = kept(open_complaint_store(url))
        webhook_store = kept(open_webhook_store(url))
        # Complaints draw ids of their own, so every other id is the one drawn before.
        complaint_ids = IdGenerator(clock, stream(seed, "ids:complaints"))
        complaints = ComplaintService(
            port, merchants, records, webhook_store, complaint_store, clock, complaint_ids
        )
        yield MarketServices(
            port,
            clock,
            ids,
            wallets,
            wallet_store,
            FundingService(port, wallets, funding_store, clock, ids),
            merchants,
            payments,
            CrossBorderPayments(port, payments, wallets, wallet_store, quotes),
            quotes,
            complaints,
        )


def rates_age_days_for(last_day: dt.date) -> int:
    """The rates' age limit that lets every simulated day use the newest shipped rate: the
    usual limit, widened by the days the simulation runs past the shipped ECB history."""
    return rate_age_max_days + max(0, (last_day - EcbProvider().newest_date()).days)


def _check_url(url: str) -> None:
    try:
        scheme = parse_database_url(url).scheme
    except ColonyError as exc:
        raise fail(f"--database: {exc}") from None
    if scheme != "sqlite" and scheme not in POSTGRES_SCHEMES:
        raise fail(
            f"--database: unknown database URL scheme {scheme!r}: use sqlite:///PATH or "
            "postgresql://USER@HOST/DATABASE"
        )


def _last_day(text: str | None) -> dt.date:
    latest = last_day_max(dt.datetime.now(dt.UTC).date())
    if text is None:
        return min(EcbProvider().newest_date(), latest)
    day = date_option(text, "--last-day")
    if day > latest:
        raise fail(
            f"--last-day: {day} is too recent: the market's refunds and late time zones run "
            f"days past its last day, and all must be in the past (the latest is {latest})"
        )
    return day


@app.command("market")
def market(
    people: Annotated[
        int, typer.Option("--people", min=1, max=people_max, help="People in the market.")
    ] = 1_000,
    merchants: Annotated[
        int, typer.Option("--merchants", min=1, max=merchants_max, help="Merchants.")
    ] = 100,
    days: Annotated[
        int, typer.Option("--days", min=1, max=days_max, help="Days simulated, up to the last.")
    ] = 7,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="The seed: same seed, same market.")
    ] = 1,
    database: DatabaseOption = None,
    last_day: Annotated[
        str | None,
        typer.Option(
            "--last-day",
            help=f"The last simulated day, YYYY-MM-DD, {_SETTLE_DAYS} days ago or earlier, so "
            "that its refunds are past too (default: the newest day of the ECB rates shipped "
            f"with Colony, so every day has its own rates, or {_SETTLE_DAYS} days ago if that "
            "is later).",
        ),
    ] = None,
    payments_per_day: Annotated[
        float,
        typer.Option(
            "--payments-per-day",
            callback=finite,
            min=0.0,
            max=20.0,
            help="Payments per resident per day, mean.",
        ),
    ] = 0.3,
    places_csv: Annotated[
        Path | None,
        typer.Option(
            "--places-csv",
            help="Also write every merchant's place here: id, name, MCC, city, country, "
            "latitude, longitude.",
        ),
    ] = None,
    credit: Annotated[
        bool,
        typer.Option(
            "--credit",
            help="Give people and merchants a hidden creditworthiness that shapes what they do, "
            "and record a small loan's outcome for each in credit_outcomes, for `colony credit "
            "train` (docs/adr/0046).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build a market of people and merchants over past days, through Colony's services."""
    url = database_url_from_env(database)
    _check_url(url)
    if places_csv is not None:
        writable(places_csv, "--places-csv")  # before the market is built into the database
    config = SimulationConfig(people, merchants, days, seed, _last_day(last_day), credit)
    try:
        with market_services(url, seed) as services:
            services.quotes.rates.max_age_days = rates_age_days_for(config.last_day)
            summary = _run(services, config, payments_per_day, quiet=as_json)
            digest = ledger_digest(services.ledger)
            report = verify(*services.ledger.snapshot_for_verify())
            if credit:
                _record_outcomes(url, summary)
    except ValueError as exc:
        raise fail(f"--database {url}: {exc}") from None
    except ColonyError as exc:
        raise fail(str(exc)) from None
    if places_csv is not None:
        _write_places(places_csv, summary)
    if as_json:
        typer.echo(json.dumps(_as_json(summary, digest, report.ok, url), indent=2))
    else:
        _print(summary, digest, report.ok)
    if not report.ok:
        raise typer.Exit(1)


def _run(
    services: MarketServices, config: SimulationConfig, payments_per_day: float, *, quiet: bool
) -> SimulationSummary:
    behaviours = default_behaviours(payments_per_day)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), disable=quiet) as bar:
        opening = bar.add_task("opening the market", total=config.people + config.merchants)
        days = bar.add_task("days", total=config.days)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(opening if phase == "open" else days, completed=done, total=total)

        return simulate(services, config, behaviours, progress)


def _record_outcomes(url: str, summary: SimulationSummary) -> None:
    """The simulator's credit truth into the credit product's outcomes table (training reads
    it; scoring never does)."""
    store = open_score_store(url, synchronous="FULL" if is_postgres(url) else "NORMAL")
    try:
        store.add_outcomes(
            [
                Outcome(
                    Subject(o.subject_kind),
                    o.subject_id,
                    o.decided_at_ns,
                    o.principal_minor,
                    o.currency,
                    o.defaulted,
                    "simulated",
                    round(o.true_pd * 1_000_000),
                    o.prior_repaid,
                    o.prior_overdue,
                )
                for o in summary.credit_outcomes
            ]
        )
    finally:
        store.close()


def _outcome_counts(summary: SimulationSummary) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in summary.credit_outcomes:
        counts[f"{o.subject_kind} loans"] = counts.get(f"{o.subject_kind} loans", 0) + 1
        if o.defaulted:
            key = f"{o.subject_kind} loans defaulted"
            counts[key] = counts.get(key, 0) + 1
    return counts


def _write_places(path: Path, summary: SimulationSummary) -> None:
    text = io.StringIO()
    rows = csv.writer(text)
    rows.writerow(["merchant_id", "display_name", "mcc", "city", "country", "lat", "lon"])
    for merchant_id, shop in summary.places:
        rows.writerow(
            [merchant_id, shop.display_name, shop.kind.mcc, shop.city.name,
             shop.city.country, f"{shop.lat:.4f}", f"{shop.lon:.4f}"]
        )  # fmt: skip
    write_file(path, text.getvalue(), "--places-csv")


def _as_json(
    summary: SimulationSummary, digest: str, verified: bool, url: str
) -> dict[str, object]:
    return {
        "people": summary.people,
        "merchants": summary.merchants,
        "days": summary.days,
        "first_day": summary.first_day.isoformat(),
        "last_day": summary.last_day.isoformat(),
        "payments": summary.payments,
        "actions": summary.actions,
        "seconds": round(summary.seconds, 1),
        "opening_seconds": round(summary.opening_seconds, 1),
        "outcomes": summary.stats,
        "hold_timeouts_dropped": summary.timeouts_dropped,
        "credit_outcomes": _outcome_counts(summary),
        "ledger_sha256": digest,
        "ledger_verifies": verified,
        "backend": "postgresql" if is_postgres(url) else "sqlite",
    }


def _print(summary: SimulationSummary, digest: str, verified: bool) -> None:
    out.print(
        f"{summary.people:,} people, {summary.merchants:,} merchants, {summary.days} days "
        f"({summary.first_day} to {summary.last_day}): {summary.payments:,} payments, "
        f"{summary.actions:,} actions in {summary.seconds:,.1f} s",
        highlight=False,
    )
    table = Table("outcome", "count", title="What happened", title_justify="left")
    for name, count in summary.stats.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    for name, count in _outcome_counts(summary).items():
        out.print(f"credit outcomes, {name}: {count:,}", highlight=False)
    out.print(f"ledger sha256: {digest}", highlight=False)
    out.print(f"verify: {'ok' if verified else 'FAILED'}", highlight=False)
