"""`colony ledger ...`: import, export, verify and read the ledger from the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from colony.kernel.clock import date_named
from colony.kernel.errors import ColonyError, InvalidInput
from colony.ledger import Account, Ledger, Transfer, batch_events_max
from colony.ledger.checkpoint import NO_CHECKPOINTS, CheckpointPolicy
from colony.ledger.jsonl import (
    BATCH_END_JSON,
    BatchEnd,
    account_to_json,
    parse_line,
    transfer_to_json,
)
from colony.ledger.verify import VerifyReport, verify
from colony.storage.open import database_url_from_env, open_ledger
from colony.storage.schema_upgrade import require_colony_database

app = typer.Typer(no_args_is_help=True, help="The double-entry ledger.")
E = TypeVar("E", Account, Transfer)
err = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="sqlite:///path/to/file.db or postgresql://USER@HOST/DATABASE "
        "(default: $COLONY_DATABASE_URL, else sqlite:///var/colony.db)",
    ),
]


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def date_option(text: str, option: str) -> dt.date:
    """The date `option` names, written exactly YYYY-MM-DD; anything else is refused naming
    the option (`20261001` and week dates too, which `fromisoformat` alone would take)."""
    day = date_named(text)
    if day is None:
        raise fail(f"{option} must be a date as YYYY-MM-DD, not {text!r}")
    return day


def training_time(text: str | None) -> str:
    """A model's --trained-at as given, once it reads as an ISO 8601 time (it is written into
    the model as it is); now, in UTC to the second, when not given."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--trained-at must be an ISO 8601 time (2026-12-03T00:00:00+00:00), not {text!r}"
        ) from None
    return text


def database_url(database: str | None, *, only_reads: bool = False) -> str:
    """The database's URL; for a command that `only_reads`, once the database is known to be
    Colony's (a missing or foreign one is refused, never made or migrated: docs/adr/0111)."""
    url = database_url_from_env(database)
    if only_reads:
        try:
            require_colony_database(url)
        except ColonyError as exc:
            raise fail(str(exc)) from None
    return url


@contextmanager
def opened(
    database: str | None,
    checkpoints: CheckpointPolicy | None = None,
    *,
    only_reads: bool = False,
) -> Iterator[Ledger]:
    url = database_url(database, only_reads=only_reads)
    try:
        ledger = open_ledger(url, checkpoints=checkpoints)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        yield ledger
    finally:
        ledger.close()


@app.command("import")
def import_events(
    file: Annotated[str, typer.Argument(help="JSON lines file, or - for standard input.")],
    database: DatabaseOption = None,
) -> None:
    """Apply accounts and transfers from JSON lines; print one result per event.

    A line {"type": "batch_end"} ends a batch (linked chains live within one); a batch also
    ends where the type changes and after 8,190 events.
    """
    try:
        # Bytes, decoded a line at a time, so that a line that is not UTF-8 is named and
        # reported like any other malformed line.
        stream: BinaryIO = sys.stdin.buffer if file == "-" else Path(file).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from None
    counts: Counter[str] = Counter()
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.completed:,} events"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with stream, opened(database) as ledger, progress:
        task = progress.add_task("import", total=None)
        index = 0
        applied_through_line = 0
        try:
            for kind, batch, last_line in _batches(stream):
                if kind == "account":
                    results = [r.name for r in ledger.create_accounts(batch)]  # type: ignore[arg-type]
                else:
                    results = [r.name for r in ledger.create_transfers(batch)]  # type: ignore[arg-type]
                for result in results:
                    print(json.dumps({"index": index, "result": result}))
                    counts[result] += 1
                    index += 1
                applied_through_line = last_line
                progress.advance(task, len(results))
        except InvalidInput as exc:
            done = (
                f"lines 1-{applied_through_line} were applied, nothing after them"
                if applied_through_line
                else "nothing was applied"
            )
            raise fail(f"{exc} ({done})") from None
    summary = ", ".join(f"{name} {n}" for name, n in counts.most_common()) or "no events"
    err.print(f"imported {index} events: {summary}", highlight=False)


def _batches(stream: BinaryIO) -> Iterator[tuple[str, list[Account] | list[Transfer], int]]:
    """The file's batches: lines up to a batch_end line, cut also where the type changes and
    at 8,190 events. Each batch is parsed whole before it is yielded, so a malformed line stops
    the import before any of its batch is applied."""
    kind: str | None = None
    batch: list[Account] | list[Transfer] = []
    last_line = 0
    for line_number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        event = parse_line(_utf8(raw, line_number), line_number)
        if isinstance(event, BatchEnd):
            if batch and kind is not None:
                yield kind, batch, line_number
            batch = []
            continue
        event_kind = "account" if isinstance(event, Account) else "transfer"
        if batch and (event_kind != kind or len(batch) == batch_events_max):
            assert kind is not None
            yield kind, batch, last_line
            batch = []
        kind = event_kind
        batch.append(event)  # type: ignore[arg-type]
        last_line = line_number
    if batch and kind is not None:
        yield kind, batch, last_line


def _utf8(raw: bytes, line_number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"line {line_number}: not UTF-8 text ({exc.reason} at byte {exc.start + 1})"
        ) from None


@app.command("export")
def export_events(
    database: DatabaseOption = None,
    output: Annotated[str | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Every account (with balances) and every transfer, as JSON lines."""
    with opened(database, only_reads=True) as ledger:
        try:
            out: TextIO = Path(output).open("w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror}") from None
        try:
            for accounts in _export_batches(ledger.all_accounts()):
                out.writelines(json.dumps(account_to_json(a)) + "\n" for a in accounts)
                out.write(_BATCH_END_LINE)
            for transfers in _export_batches(ledger.all_transfers()):
                out.writelines(json.dumps(transfer_to_json(t)) + "\n" for t in transfers)
                out.write(_BATCH_END_LINE)
        finally:
            if output:
                out.close()


_BATCH_END_LINE = json.dumps(BATCH_END_JSON) + "\n"


def _export_batches(events: Iterator[E]) -> Iterator[list[E]]:
    """Events in batches of at most 8,190, each ending where a linked chain ends (every
    stored chain succeeded, so its last event is the one without `linked`)."""
    batch: list[E] = []
    cut = 0  # events of `batch` up to the end of its last complete chain
    for event in events:
        batch.append(event)
        if not event.flags & 1:  # `linked` is bit 0 of both records' flags
            cut = len(batch)
        if len(batch) == batch_events_max:
            if not cut:
                raise InvalidInput("a linked chain longer than a batch: the ledger is corrupt")
            yield batch[:cut]
            batch, cut = batch[cut:], 0  # the start of a chain that goes on
    if batch:
        yield batch


@app.command("verify")
def verify_ledger(
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay the whole journal (no checkpoint), checking every acknowledged result; recompute
    every balance from the transfers; check that debits equal credits."""
    with opened(database, NO_CHECKPOINTS, only_reads=True) as ledger:
        report = verify(*ledger.verify_view())
    if as_json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "accounts": report.accounts,
                    "transfers": report.transfers,
                    "mismatches": [dataclasses.asdict(m) for m in report.mismatches],
                    "problems": report.problems,
                    "ledgers": [
                        dataclasses.asdict(s) | {"balanced": s.balanced} for s in report.ledgers
                    ],
                }
            )
        )
    else:
        table = Table(title="Trial balance per ledger")
        for column in (
            "ledger",
            "accounts",
            "transfers",
            "debits posted",
            "credits posted",
            "debits pending",
            "credits pending",
            "balanced",
        ):
            table.add_column(column, justify="right")
        for s in report.ledgers:
            table.add_row(
                str(s.ledger),
                f"{s.accounts:,}",
                f"{s.transfers:,}",
                f"{s.debits_posted:,}",
                f"{s.credits_posted:,}",
                f"{s.debits_pending:,}",
                f"{s.credits_pending:,}",
                "yes" if s.balanced else "[red]NO[/red]",
            )
        Console().print(table)
        print_verdict(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_ledger(database: DatabaseOption = None) -> None:
    """Write a checkpoint of the ledger now, so the next open replays only what follows it."""
    with opened(database) as ledger:
        try:
            info = ledger.checkpoint()
        except ColonyError as exc:
            raise fail(str(exc)) from None
        print(
            f"checkpoint at journal entry {info.seq:,}: {info.accounts:,} accounts, "
            f"{info.transfers:,} transfers, {info.bytes / 1e6:,.1f} MB; encoded in "
            f"{info.encode_s:.2f} s, written in {info.write_s:.2f} s (opened from "
            f"{_opened_from(ledger)})"
        )


def _opened_from(ledger: Ledger) -> str:
    if ledger.opened_from_checkpoint:
        return (
            f"the checkpoint at entry {ledger.opened_from_checkpoint:,} and "
            f"{ledger.replayed_entries:,} entries after it"
        )
    return f"a replay of all {ledger.replayed_entries:,} entries"


def print_verdict(report: VerifyReport) -> None:
    """What verify found wrong, if anything, then its one-line verdict."""
    for m in report.mismatches:
        err.print(f"account {m.account_id}: {m.field} is {m.actual}, transfers say {m.expected}")
    for problem in report.problems:
        err.print(problem)
    print(f"verify: {'ok' if report.ok else 'FAILED'}")


def _account_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < (1 << 128) - 1:
        raise fail(f"account id must be a positive integer below 2**128-1, not {text!r}")
    return int(text)


@app.command("statement")
def statement(
    account: Annotated[str, typer.Argument(help="Account id.")],
    database: DatabaseOption = None,
    after: Annotated[int, typer.Option(min=0, help="Start after this timestamp (ns).")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=8190, help="Lines per page.")] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """An account's changes with the balances after each, one page at a time."""
    account_id = _account_id(account)
    with opened(database, only_reads=True) as ledger:
        if not ledger.lookup_accounts([account_id]):
            raise fail(f"no account {account_id}")
        page = ledger.statement(account_id, after_timestamp=after, limit=limit)
    if as_json:
        lines = [
            {
                "timestamp": line.timestamp,
                "kind": line.kind,
                "transfer": transfer_to_json(line.transfer),
                "balance": vars(line.balance)
                if hasattr(line.balance, "__dict__")
                else {
                    "debits_pending": line.balance.debits_pending,
                    "debits_posted": line.balance.debits_posted,
                    "credits_pending": line.balance.credits_pending,
                    "credits_posted": line.balance.credits_posted,
                },
            }
            for line in page.lines
        ]
        print(json.dumps({"lines": lines, "next_cursor": page.next_cursor}))
        return
    table = Table(title=f"Statement of account {account_id}")
    for column in (
        "timestamp",
        "kind",
        "transfer",
        "debit",
        "credit",
        "amount",
        "debits posted",
        "credits posted",
        "pending (dr/cr)",
    ):
        table.add_column(column, justify="right")
    for line in page.lines:
        t, b = line.transfer, line.balance
        table.add_row(
            str(line.timestamp),
            line.kind,
            str(t.id),
            str(t.debit_account_id),
            str(t.credit_account_id),
            f"{t.amount:,}",
            f"{b.debits_posted:,}",
            f"{b.credits_posted:,}",
            f"{b.debits_pending:,}/{b.credits_pending:,}",
        )
    Console().print(table)
    if page.next_cursor is not None:
        err.print(f"more: --after {page.next_cursor}")
