"""`colony settlement ...`: a window's settlement report, and reconciling a partner's
statement file, from the command line (docs/adr/0018)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from colony.cli.ledger_commands import DatabaseOption, fail, opened
from colony.cli.output_files import writable, write_file
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError, InvalidInput
from colony.kernel.json_file import read_text_file
from colony.partners import open_partner_store
from colony.settlement import Entry, SettlementService, report_csv, statement_bytes_max
from colony.storage.open import database_url_from_env

app = typer.Typer(no_args_is_help=True, help="Clearing and settlement between partners.")
out = Console(highlight=False)

DateOption = Annotated[str, typer.Option("--date", help="The window: YYYY-MM-DD (UTC).")]


@contextmanager
def settlement(database: str | None) -> Iterator[SettlementService]:
    try:
        store = open_partner_store(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        with opened(database) as ledger:
            yield SettlementService(ledger, store, SystemClock())
    finally:
        store.close()


@app.command("report")
def report(
    date: DateOption,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the report to this CSV file.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Per partner and currency: gross both ways, refunds, fees, interchange and the net."""
    if csv_file is not None:
        writable(csv_file, "--csv")
    with settlement(database) as service:
        try:
            made = service.report(service.window(date))
        except ColonyError as exc:
            raise fail(str(exc)) from None
    if csv_file is not None:
        write_file(csv_file, report_csv(made), "--csv")
    state = "closed" if made.closed else "open: provisional"
    out.print(f"Settlement {made.window.name} ({state}), amounts in minor units")
    # A line per partner and currency, then its non-zero columns: thirteen columns do not
    # fit a terminal's width as a table.
    for line in made.lines:
        amounts = [
            f"{name}={value}"
            for name, value in vars(line).items()
            if name not in ("partner_id", "currency", "net_minor") and value
        ]
        out.print(f"{line.partner_id} {line.currency} net_minor={line.net_minor}")
        out.print(f"  {', '.join(amounts) or 'nothing crossed'}", soft_wrap=False)


@app.command("reconcile")
def reconcile(
    partner: Annotated[str, typer.Option("--partner", help="The partner's id (ptn_...).")],
    date: DateOption,
    statement: Annotated[
        Path, typer.Option("--statement", help="CSV with id, amount_minor, currency.")
    ],
    database: DatabaseOption = None,
) -> None:
    """The partner's statement file against the ledger: matched, missing either way,
    different. Exits 1 when anything does not match, 2 when the file is malformed."""
    if not statement.is_file():
        raise fail(f"no statement file {statement}")
    try:
        text = read_text_file(statement, statement_bytes_max)
    except InvalidInput as exc:
        raise fail(f"statement {exc}") from None
    with settlement(database) as service:
        if not service.known(partner):
            raise fail(f"no partner {partner}")
        try:
            found = service.reconcile(partner, service.window(date), text)
        except ColonyError as exc:
            raise fail(str(exc)) from None

    def show(title: str, entries: list[Entry]) -> None:
        out.print(f"{title}: {len(entries)}")
        for e in entries:
            out.print(f"  {e.ref} {e.amount_minor} {e.currency}")

    show("matched", found.matched)
    show("missing from the statement", found.missing_from_statement)
    show("missing from the ledger", found.missing_from_ledger)
    out.print(f"different: {len(found.different)}")
    for d in found.different:
        out.print(
            f"  {d.ref} ledger {d.ledger.amount_minor} {d.ledger.currency},"
            f" statement {d.statement.amount_minor} {d.statement.currency}"
        )
    if found.missing_from_statement or found.missing_from_ledger or found.different:
        raise typer.Exit(1)
