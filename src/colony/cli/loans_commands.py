"""`colony loans`: lenders (`lenders add|fund|list`) and the daily run (`accrue --day`) of cash
loans (docs/adr/0051). The ledger is opened as its writer or not at all: while `colony serve`
writes it, money moves through the server only."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Protocol

import typer

from colony.cli.ledger_commands import DatabaseOption, date_option, fail
from colony.cli.serve import credit_model
from colony.credit import CreditScores, open_score_store
from colony.kernel import heap
from colony.kernel.clock import (
    NS_PER_DAY,
    NS_PER_S,
    SystemClock,
    date_of_day,
    day_number,
)
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.kernel.money import Money, currency_of_ledger
from colony.loans import (
    DailyRun,
    DayReport,
    LenderResult,
    Lenders,
    MerchantLoans,
    funding_minor_max,
    open_loan_store,
)
from colony.merchants import Merchant, TakingsBook, open_merchant_store
from colony.storage.open import database_url_from_env, try_open_writer
from colony.wallets import WalletService, open_wallet_store

app = typer.Typer(no_args_is_help=True, help="Cash loans: lenders and the daily run.")
merchants_app = typer.Typer(
    no_args_is_help=True, help="Loans to merchants, repaid from a share of each day's sales."
)
lenders_app = typer.Typer(
    no_args_is_help=True, help="Lenders: funding partners whose capital is lent."
)
app.add_typer(lenders_app, name="lenders")
app.add_typer(merchants_app, name="merchants")


@dataclass(frozen=True)
class Opened:
    lenders: Lenders
    run: DailyRun
    clock: SystemClock
    merchant_loans: MerchantLoans
    merchants: MerchantLookup


@contextlib.contextmanager
def _opened(database: str | None) -> Iterator[Opened]:
    url = database_url_from_env(database)
    clock = SystemClock()
    try:
        store, wallet_store = open_loan_store(url), open_wallet_store(url)
        merchants, score_store = open_merchant_store(url), open_score_store(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    stores = (store, wallet_store, merchants, score_store)
    try:
        writer = try_open_writer(url, clock)
    except ColonyError as exc:
        _close(stores)
        raise fail(str(exc)) from None
    if writer is None:
        _close(stores)
        raise fail("another process (colony serve) writes this ledger: stop it first")
    try:
        ids = IdGenerator(clock, random.SystemRandom())
        wallets = WalletService(writer.ledger, wallet_store, clock, ids)
        lenders = Lenders(writer.ledger, wallets, store, clock)
        scores = CreditScores(writer.ledger, score_store, credit_model(), clock, ids)
        merchant_loans = MerchantLoans(
            writer.ledger, scores, lenders, store, TakingsBook(writer.ledger), clock
        )
        yield Opened(lenders, DailyRun(writer.ledger, store), clock, merchant_loans, merchants)
    finally:
        writer.ledger.close()
        writer.release()
        _close(stores)


class MerchantLookup(Protocol):
    def by_id(self, merchant_id: str) -> Merchant | None: ...


class Closable(Protocol):
    def close(self) -> None: ...


def _close(stores: tuple[Closable, ...]) -> None:
    for opened in stores:
        opened.close()


def day_named(text: str) -> int:
    """The UTC day named `YYYY-MM-DD`, as days since 1970-01-01; anything else is refused."""
    return day_number(date_option(text, "--day"))


def _major(amount_minor: int, currency: str) -> str:
    return str(Money(amount_minor, currency).to_decimal())


@lenders_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The funding partner's name: 2-40 of a-z, 0-9, _")],
    currency: Annotated[str, typer.Option(help="ISO 4217, e.g. SGD")],
    income_share_bps: Annotated[
        int, typer.Option(help="The lender's share of interest paid, in basis points (0-10000)")
    ],
    database: DatabaseOption = None,
) -> None:
    """Register a funding partner as a lender in a currency; the house bears charge-offs."""
    with _opened(database) as opened:
        result, lender = opened.lenders.add(name, currency, income_share_bps)
    if result is not LenderResult.ok or lender is None:
        raise fail(f"not added: {result.name.replace('_', ' ')}")
    print(f"lender {lender.name} {lender.currency} income_share_bps={lender.income_share_bps}")


@lenders_app.command("fund")
def fund(
    name: Annotated[str, typer.Argument(help="The lender's name")],
    currency: Annotated[str, typer.Option(help="ISO 4217, e.g. SGD")],
    amount_minor: Annotated[
        int,
        typer.Option(
            min=1,
            max=funding_minor_max,
            help=f"Integer minor units, at most {funding_minor_max:,}: 100000 is 1,000.00 SGD",
        ),
    ],
    reference: Annotated[
        str, typer.Option(help="The payment's reference: the same one again moves nothing")
    ],
    database: DatabaseOption = None,
) -> None:
    """Capital paid in by the lender through its settlement account, granted as available."""
    if not reference.strip() or len(reference) > 100:
        raise fail("--reference is 1-100 characters")
    with _opened(database) as opened:
        result = opened.lenders.fund(name, currency, amount_minor, reference)
    if result is not LenderResult.ok:
        raise fail(f"not funded: {result.name.replace('_', ' ')}")
    print(f"funded {name} {currency.upper()} amount_minor={amount_minor} reference={reference}")


@lenders_app.command("list")
def list_lenders(database: DatabaseOption = None) -> None:
    """Every lender with its capital and what it may still lend, from the ledger."""
    with _opened(database) as opened:
        balances = opened.lenders.lenders()
    for b in balances:
        x = b.lender
        print(
            f"{x.name} {x.currency} income_share_bps={x.income_share_bps} "
            f"bears_charge_offs={x.bears_charge_offs.value} "
            f"capital={_major(b.capital_minor, x.currency)} "
            f"available={_major(b.available_minor, x.currency)}"
        )
    if not balances:
        print("no lenders")


def print_report(report: DayReport) -> None:
    def amounts(found: dict[str, int]) -> str:
        return ", ".join(f"{c} {_major(v, c)}" for c, v in sorted(found.items())) or "none"

    if report.recorded is not None:
        r = report.recorded
        print(
            f"day {date_of_day(report.day)}: run already, finished "
            f"{dt.datetime.fromtimestamp(r.finished_at_ns // NS_PER_S, dt.UTC):%Y-%m-%d %H:%M:%S} "
            f"UTC: {r.loans} loans; "
            f"collected {r.collected}, not collected {r.not_collected}; "
            f"repaid {r.repaid}; charged off {r.charged_off}; nothing moved again"
        )
        return
    print(
        f"day {date_of_day(report.day)}: {report.loans} loans; "
        f"interest {amounts(report.accrued_minor)}; penalty {amounts(report.penalty_minor)}; "
        f"collected {report.collected} ({amounts(report.collected_minor)}), "
        f"not collected {report.not_collected}; repaid {report.repaid}; "
        f"charged off {report.charged_off}; provision {amounts(report.provision_minor)}; "
        f"made before {report.made_before}; {report.seconds:.2f} s"
    )


@app.command("accrue")
def accrue(
    day: Annotated[str, typer.Option(help="The UTC day run, YYYY-MM-DD: over already.")],
    database: DatabaseOption = None,
    recheck: Annotated[
        bool,
        typer.Option(
            "--recheck",
            help="Walk a day finished before again, loan by loan (every event found made), "
            "instead of answering from its record.",
        ),
    ] = False,
) -> None:
    """The daily run of DAY over every open loan: interest, collection, penalty, buckets,
    provision and charge-off. Running a day again moves nothing twice: a day finished is
    answered from its record."""
    number = day_named(day)
    # The ledger's state stays through the run; each page's records go (kernel/heap.py).
    with _opened(database) as opened, heap.settled():
        report = opened.run.run(
            _over(opened, number, day), opened.clock.now_ns(), answer_from_record=not recheck
        )
    print_report(report)


def _over(opened: Opened, number: int, day: str) -> int:
    """The day's number, once the UTC day is over; refused before."""
    if number >= opened.clock.now_ns() // NS_PER_DAY:
        raise fail(f"--day {day} is not over yet (UTC)")
    return number


@merchants_app.command("grant")
def grant(
    merchant: Annotated[str, typer.Argument(help="The merchant's id, mer_...")],
    amount_minor: Annotated[int, typer.Option(min=1, help="Integer minor units")],
    database: DatabaseOption = None,
) -> None:
    """Lend to a merchant as far as its score allows: paid into its account with the loan's
    fixed fee, repaid from a share of each day's sales."""
    with _opened(database) as opened:
        found = opened.merchants.by_id(merchant)
        if found is None:
            raise fail(f"no merchant {merchant}")
        ids = IdGenerator(opened.clock, random.SystemRandom())
        result, loan = opened.merchant_loans.grant(found, amount_minor, ids.new_id())
    if loan is None:
        raise fail(f"not lent: {result.name.replace('_', ' ')}")
    print(
        f"{loan.id} {loan.merchant_id} {loan.currency} principal_minor={loan.principal_minor} "
        f"fee_minor={loan.fee_minor} share_bps={loan.share_bps}"
    )


@merchants_app.command("collect")
def collect(
    day: Annotated[str, typer.Option(help="The UTC day whose sales repay, YYYY-MM-DD: over.")],
    database: DatabaseOption = None,
) -> None:
    """Each open loan's share of its merchant's net sales on DAY: run it before the day's
    payout (colony merchants payout). Running a day again collects nothing twice."""
    number = day_named(day)
    with _opened(database) as opened:
        report = opened.merchant_loans.collect_day(_over(opened, number, day))
    print(
        f"day {day}: {report.loans} loans to merchants; collected {report.collected} "
        f"(amount_minor={report.collected_minor}), not collected {report.not_collected}; "
        f"repaid {report.repaid}; made before {report.made_before}; "
        f"delinquent (taken at the higher share) {report.delinquent}; charged off "
        f"{report.charged_off}; provision moved {_moved(report.provision_minor)}"
    )


def _moved(by_ledger: dict[int, int]) -> str:
    """A provision's move per currency, signed: raised (+) or released (-)."""
    moved = [(currency_of_ledger(n) or str(n), v) for n, v in sorted(by_ledger.items())]
    return ", ".join(f"{c} {'+' if v > 0 else '-'}{_major(abs(v), c)}" for c, v in moved) or "none"
