"""`colony db ...`: back up a whole database and restore it, then verify the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption, fail, print_verdict
from colony.kernel.errors import ColonyError
from colony.ledger.verify import verify
from colony.storage.backup import backup, restore
from colony.storage.open import database_url_from_env, open_ledger
from colony.storage.postgres_journal import redacted

app = typer.Typer(no_args_is_help=True, help="Back up and restore a whole database.")
ForceOption = Annotated[bool, typer.Option("--force", help="Replace what is already there.")]


@app.command("backup")
def backup_database(
    to: Annotated[Path, typer.Option("--to", help="The backup file to write.")],
    database: DatabaseOption = None,
    force: ForceOption = False,
) -> None:
    """Copy the whole database (journal and every table) into one file, online."""
    url = database_url_from_env(database)
    try:
        written = backup(url, to, force=force)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    print(
        f"wrote {written.path}: {written.bytes:,} bytes, "
        f"{written.journal_entries:,} journal entries from {redacted(url)}"
    )


@app.command("restore")
def restore_database(
    source: Annotated[Path, typer.Option("--from", help="A file written by colony db backup.")],
    database: DatabaseOption = None,
    force: ForceOption = False,
) -> None:
    """Restore a backup into a new SQLite file or an empty PostgreSQL database; verify it."""
    url = database_url_from_env(database)
    try:
        restore(source, url, force=force)
        ledger = open_ledger(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        report = verify(*ledger.snapshot_for_verify())
    finally:
        ledger.close()
    print(
        f"restored {source} into {redacted(url)}: "
        f"{report.accounts:,} accounts, {report.transfers:,} transfers"
    )
    print_verdict(report)
    if not report.ok:
        raise typer.Exit(1)
