"""TigerBeetle's test tables through `colony ledger import`: batch_end lines cut the batches.

Every table that a file can express (no `setup` rows, no clock moved between batches, no unknown
flag bits; see `tb_tables.importable`) is written as JSON lines with a `batch_end` at each of
its commits and imported into a durable ledger on each backend. It must give every result the
table expects, leave the same accounts and transfers as the state-machine run of the same
table (tests/ledger/test_tigerbeetle_tables.py) and answer its account queries alike. Two of
them also go through the command itself.
"""

from __future__ import annotations

import io
import json
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.ledger_commands import _batches
from colony.cli.main import app
from colony.ledger import Account, Transfer
from colony.storage.open import open_ledger
from tests.ledger import tb_tables
from tests.ledger.tigerbeetle_tables import TABLES

IMPORTABLE = sorted(n for n, t in TABLES.items() if tb_tables.importable(tb_tables.parse(t)))


class StepClock:
    """TigerBeetle's test clock: each reading is one nanosecond after the one before."""

    def __init__(self, start_ns: int) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        self._now_ns += 1
        return self._now_ns


def test_most_tables_can_be_imported() -> None:
    assert len(IMPORTABLE) == 23, IMPORTABLE


@pytest.mark.parametrize("name", IMPORTABLE)
def test_table_through_the_import_path(name: str, journal_url: str) -> None:
    rows = tb_tables.parse(TABLES[name])
    lines, expected = tb_tables.jsonl(rows)
    ledger = open_ledger(
        journal_url, clock=StepClock(tb_tables.start_ns(rows) + 1), auto_pulse=False
    )
    try:
        results: list[str] = []
        for kind, batch, _ in _batches(io.BytesIO(("\n".join(lines) + "\n").encode())):
            if kind == "account":
                results += [r.name for r in ledger.create_accounts(batch)]  # type: ignore[arg-type]
            else:
                results += [r.name for r in ledger.create_transfers(batch)]  # type: ignore[arg-type]
        assert results == expected
        model = tb_tables.StateMachineRun()
        model.run(rows)
        _assert_same_records(ledger.all_accounts(), model.state.accounts.values(), Account)
        _assert_same_records(ledger.all_transfers(), model.state.transfers.values(), Transfer)
        # The account queries Colony can answer, through the statement the ledger serves.
        accounts = {a.id: a for a in ledger.all_accounts()}
        stamps = {t.id: t.timestamp for t in ledger.all_transfers()}
        outcome = tb_tables.Outcome()
        for operation, query in tb_tables.statement_queries(rows):
            tb_tables.check_statement_query(
                operation,
                query,
                accounts,
                stamps,
                lambda account_id, **bounds: ledger.statement(account_id, **bounds).lines,
                outcome,
            )
        assert not outcome.failures, "\n".join(outcome.failures)
        assert outcome.queries == model.outcome.queries
    finally:
        ledger.close()


def _assert_same_records(durable: object, in_memory: object, kind: type) -> None:
    """The same records, field for field; timestamps only where the events carried them."""
    names = [f.name for f in fields(kind) if f.name != "timestamp"]
    got = sorted(([getattr(r, n) for n in names] for r in durable), key=lambda r: r[0])  # type: ignore[attr-defined]
    want = sorted(([getattr(r, n) for n in names] for r in in_memory), key=lambda r: r[0])  # type: ignore[attr-defined]
    assert got == want


@pytest.mark.parametrize("name", ["imported events: linked chain", "linked accounts (1)"])
def test_table_through_the_command(name: str, journal_url: str, tmp_path: Path) -> None:
    lines, expected = tb_tables.jsonl(tb_tables.parse(TABLES[name]))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["ledger", "import", str(path), "--database", journal_url])
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["result"] for line in result.stdout.splitlines()] == expected
