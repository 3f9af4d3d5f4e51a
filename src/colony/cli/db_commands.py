"""`colony db ...`: back up a whole database and restore it, then verify the ledger; bring
its schema up to date and say where it stands."""

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
from colony.storage.schema_upgrade import status, upgrade

app = typer.Typer(
    no_args_is_help=True, help="Back up, restore and upgrade (migrate) a whole database."
)
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
        report = verify(*ledger.verify_view())
    finally:
        ledger.close()
    print(
        f"restored {source} into {redacted(url)}: "
        f"{report.accounts:,} accounts, {report.transfers:,} transfers"
    )
    print_verdict(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command("upgrade")
def upgrade_schema(
    database: DatabaseOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Name the pending migrations; apply none.")
    ] = False,
) -> None:
    """Apply the pending schema migrations, each in one transaction; print them (package/NNNN)."""
    url = database_url_from_env(database)
    try:
        renumbered = status(url).released_numbering
        done = upgrade(url, dry_run=dry_run)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    if renumbered:
        print(f"{'would record' if dry_run else 'recorded'} the applied migrations per package")
    verb = "would apply" if dry_run else "applied"
    for migration in done:
        print(f"{verb} {migration.label}")
    if not done:
        print(f"{redacted(url)} is up to date: nothing to apply")


@app.command("status")
def schema_status(
    database: DatabaseOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a migration is pending.")
    ] = False,
) -> None:
    """List the schema migrations the database has and the ones it lacks."""
    url = database_url_from_env(database)
    try:
        now = status(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    print(f"{now.label}:")
    for a in now.applied:
        print(f"  applied  {a.label}  {a.applied_at.isoformat(timespec='seconds')}")
    for m in now.pending:
        print(f"  pending  {m.label}")
    if not now.applied and not now.pending:
        print("  no migrations")
    if now.released_numbering and not now.problems:
        print("  recorded in the single numbering of earlier releases: the next upgrade")
        print("  records them per package (docs/adr/0024)")
    if now.problems:
        raise fail("; ".join(now.problems))
    if check and now.pending:
        raise typer.Exit(1)
