"""The `colony ledger` and `colony demo` commands, each on a fresh database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.storage.open import sqlite_path
from tests.storage.test_unopenable_databases import KINDS, unopenable

runner = CliRunner()


def _account(i: int, **extra: object) -> str:
    return json.dumps({"type": "account", "id": i, "ledger": 840, "code": 1, **extra})


def _transfer(i: int, dr: int, cr: int, amount: object, **extra: object) -> str:
    return json.dumps(
        {
            "type": "transfer",
            "id": i,
            "debit_account_id": dr,
            "credit_account_id": cr,
            "amount": amount,
            "ledger": 840,
            "code": 1,
            **extra,
        }
    )


@pytest.fixture
def db(journal_url: str) -> str:
    return journal_url  # every command on each backend in turn


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import(tmp_path: Path, db: str, lines: list[str]) -> tuple[int, str, str]:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return _run("ledger", "import", str(path), "--database", db)


def test_import_prints_one_result_per_event(tmp_path: Path, db: str) -> None:
    code, out, err = _import(
        tmp_path,
        db,
        [
            _account(1),
            _account(2, flags=["debits_must_not_exceed_credits"]),
            "",
            _transfer(10, 1, 2, 500),
            _transfer(11, 2, 1, 900),
            _transfer(12, 2, 1, "100", flags=["pending"], timeout=60),
            json.dumps(
                {"type": "transfer", "id": 13, "pending_id": 12, "flags": ["post_pending_transfer"]}
            ),
            _transfer(10, 1, 2, 500),
        ],
    )
    assert code == 0, err
    assert [json.loads(line) for line in out.splitlines()] == [
        {"index": 0, "result": "ok"},
        {"index": 1, "result": "ok"},
        {"index": 2, "result": "ok"},
        {"index": 3, "result": "exceeds_credits"},
        {"index": 4, "result": "ok"},
        {"index": 5, "result": "ok"},
        {"index": 6, "result": "exists"},
    ]
    assert "exceeds_credits 1" in err


def test_malformed_line_stops_the_import_and_applies_nothing_of_its_batch(
    tmp_path: Path, db: str
) -> None:
    code, out, err = _import(
        tmp_path,
        db,
        [_account(1), _account(2), _transfer(10, 1, 2, 5), _transfer(11, 1, 2, 5.5)],
    )
    assert code == 2
    assert "line 4" in err and '"amount"' in err and "floats are not money" in err
    assert "lines 1-2 were applied" in err
    code, out, _ = _run("ledger", "export", "--database", db)
    records = [json.loads(line) for line in out.splitlines()]
    # Transfer 10 is not there.
    assert [r["type"] for r in records] == ["account", "account", "batch_end"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (_account(1, flags=["bogus"]), "unknown flag 'bogus'"),
        (_account(1, colour="red"), 'unknown field "colour"'),
        (json.dumps({"type": "account", "id": 1, "code": 1}), 'missing field "ledger"'),
        (_account(-1), "unsigned 128-bit"),
        (_account(1, user_data_64=2**64), "unsigned 64-bit"),
        (_account(True), "not a boolean"),
        (json.dumps({"type": "wallet", "id": 1}), '"type" must be'),
        ("{not json", "not valid JSON"),
        (_transfer(1, 1, 2, 1e3), "floats are not money"),
        # Past Python's 4,300 digits, as a number and as a string of digits.
        (_account(1)[:-1] + ', "user_data_128": ' + "9" * 5000 + "}", "5,000 digits"),
        (_account(1, user_data_128="9" * 5000), "5,000 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (_account(7)[:-1] + ', "id": 8}', 'field "id" is given twice'),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, db: str, line: str, says: str) -> None:
    code, _, err = _import(tmp_path, db, [line])
    assert code == 2
    assert "line 1" in err and says in err.replace("\n", " ")


def test_a_line_that_is_not_utf8_is_named_with_what_was_applied(tmp_path: Path, db: str) -> None:
    path = tmp_path / "events.jsonl"
    batch_end = json.dumps({"type": "batch_end"})
    good = "\n".join([_account(1), _account(2), batch_end]) + "\n"
    path.write_bytes(good.encode() + _account(3, user_data_32=7).encode()[:-1] + b"\xe9}\n")
    code, _, err = _run("ledger", "import", str(path), "--database", db)
    assert code == 2
    assert "line 4: not UTF-8 text" in err and "lines 1-3 were applied" in err
    records = _run("ledger", "export", "--database", db)[1].splitlines()
    assert [json.loads(r)["id"] for r in records if "account" in r] == [1, 2]


def test_a_utf16_file_applies_nothing(tmp_path: Path, db: str) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(_account(1) + "\n", encoding="utf-16")
    code, _, err = _run("ledger", "import", str(path), "--database", db)
    assert code == 2
    assert "line 1: not UTF-8 text" in err and "nothing was applied" in err


def test_import_reads_standard_input(db: str) -> None:
    result = runner.invoke(app, ["ledger", "import", "-", "--database", db], input=b"\xff\n")
    assert result.exit_code == 2
    assert "line 1: not UTF-8 text" in result.stderr
    events = (_account(1) + "\n").encode()
    result = runner.invoke(app, ["ledger", "import", "-", "--database", db], input=events)
    assert result.exit_code == 0 and json.loads(result.stdout)["result"] == "ok"


@pytest.mark.parametrize(("kind", "why"), KINDS.items())
def test_a_database_sqlite_cannot_open_is_named_by_every_command(
    tmp_path: Path, kind: str, why: str
) -> None:
    database = ["--database", f"sqlite:///{unopenable(tmp_path, kind)}"]
    for command in (
        ["ledger", "checkpoint"],
        ["loans", "lenders", "list"],
        ["settlement", "report", "--date", "2026-01-01"],
        ["credit", "line", "run", "--day", "2026-01-01"],
    ):
        result = runner.invoke(app, [*command, *database])
        assert result.exit_code == 2, (command, result.exception)
        assert "error:" in result.stderr and why in result.stderr.replace("\n", " "), command


READ_ONLY_COMMANDS = (
    ["ledger", "verify"],
    ["ledger", "export"],
    ["ledger", "statement", "1"],
    ["chart", "check"],
    ["audit", "verify"],
)


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_command_that_only_reads_makes_no_database(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "colony.db"
    result = runner.invoke(app, [*command, "--database", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert f"{missing}: no such database" in result.stderr.replace("\n", "")
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_command_that_only_reads_adopts_no_other_database(
    tmp_path: Path, command: list[str]
) -> None:
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    result = runner.invoke(app, [*command, "--database", f"sqlite:///{foreign}"])
    assert result.exit_code == 2
    assert "not a Colony database" in result.stderr
    assert _tables(foreign) == ["users"]


@pytest.mark.empty_database
def test_an_empty_postgresql_database_is_not_adopted_by_a_read(postgres_url: str) -> None:
    result = runner.invoke(app, ["ledger", "verify", "--database", postgres_url])
    assert result.exit_code == 2 and "not a Colony database" in result.stderr
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,)


def test_export_round_trips_fields(tmp_path: Path, db: str) -> None:
    big = 2**128 - 2
    _import(
        tmp_path,
        db,
        [
            _account(big, user_data_128=big, flags=["history"]),
            _account(2),
            _transfer(7, big, 2, 123, user_data_64=9, user_data_32=3),
        ],
    )
    code, out, _ = _run("ledger", "export", "--database", db)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    account, _, transfer = (r for r in records if r["type"] != "batch_end")
    assert account["id"] == big and account["user_data_128"] == big
    assert account["flags"] == ["history"] and account["debits_posted"] == 123
    assert transfer["amount"] == 123 and transfer["user_data_64"] == 9
    assert transfer["timestamp"] > account["timestamp"] > 0


def test_batch_end_lines_cut_the_batches(tmp_path: Path, db: str) -> None:
    code, out, err = _import(
        tmp_path,
        db,
        [
            _account(1),
            _account(2),
            json.dumps({"type": "batch_end"}),
            json.dumps({"type": "batch_end"}),  # an empty batch: nothing to apply
            _transfer(10, 1, 2, 5, flags=["linked"]),
            json.dumps({"type": "batch_end"}),  # the chain is left open at the end of a batch
            _transfer(11, 1, 2, 5, flags=["linked"]),
            _transfer(12, 1, 2, 5),
        ],
    )
    assert code == 0, err
    assert [json.loads(line)["result"] for line in out.splitlines()] == [
        "ok",
        "ok",
        "linked_event_chain_open",
        "ok",
        "ok",
    ]
    code, _, err = _import(tmp_path, db, [json.dumps({"type": "batch_end", "id": 1})])
    assert code == 2
    assert 'a batch_end line has no fields, not "id"' in err


def test_export_ends_each_batch_where_no_chain_is_cut(tmp_path: Path, db: str) -> None:
    chain = [_transfer(10 + i, 1, 2, 1, flags=["linked"]) for i in range(3)]
    _import(tmp_path, db, [_account(1), _account(2), *chain, _transfer(13, 1, 2, 1)])
    code, out, _ = _run("ledger", "export", "--database", db)
    assert code == 0
    kinds = [json.loads(line)["type"] for line in out.splitlines()]
    assert kinds == ["account"] * 2 + ["batch_end"] + ["transfer"] * 4 + ["batch_end"]


def test_export_batches_never_split_a_chain() -> None:
    from colony.cli.ledger_commands import _export_batches
    from colony.ledger import Transfer, TransferFlags, batch_events_max

    linked = int(TransferFlags.linked)
    # A chain of three ends two events before the batch limit; the next chain straddles it.
    head = [Transfer(i, 1, 2, 1, 1, 1, linked if i % 3 else 0) for i in range(1, 8_189)]
    straddling = [Transfer(i, 1, 2, 1, 1, 1, linked) for i in range(8_189, 8_192)]
    events = [*head, *straddling, Transfer(8_192, 1, 2, 1, 1, 1)]
    batches = list(_export_batches(iter(events)))
    assert [len(b) for b in batches] == [8_187, 5]
    assert all(len(b) <= batch_events_max and not b[-1].flags & linked for b in batches)


def test_verify_passes_on_a_good_ledger(tmp_path: Path, db: str) -> None:
    _import(tmp_path, db, [_account(1), _account(2), _transfer(3, 1, 2, 50)])
    code, out, _ = _run("ledger", "verify", "--database", db, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] and report["ledgers"][0]["debits_posted"] == 50


def test_statement_and_bad_arguments(tmp_path: Path, db: str) -> None:
    _import(tmp_path, db, [_account(1), _account(2), _transfer(3, 1, 2, 50)])
    code, out, _ = _run("ledger", "statement", "2", "--database", db, "--json")
    assert code == 0
    assert json.loads(out)["lines"][0]["balance"]["credits_posted"] == 50
    assert _run("ledger", "statement", "99", "--database", db)[0] == 2
    assert _run("ledger", "statement", "x", "--database", db)[0] == 2
    assert _run("ledger", "import", str(tmp_path / "missing"), "--database", db)[0] == 2
    assert _run("ledger", "verify", "--database", "mysql://nowhere")[0] == 2


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    """The README's main job, through the installed `colony` script."""
    colony = Path(sys.executable).with_name("colony")
    result = subprocess.run(
        [
            str(colony),
            "demo",
            "--database",
            f"sqlite:///{tmp_path}/demo.db",
            "--expiry-wait",
            "1.1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "verify: ok" in result.stdout
    assert "linked_event_failed, exceeds_credits" in result.stdout
    assert "hold is expired" in result.stdout
    # Part two: both cross-border stories, what the partners owe, settlement, verified.
    assert "Li Wei (Shanghai, CNY wallet) buys a reindeer mug" in result.stdout
    assert "the wallet got CN¥" in result.stdout  # the refund at the payment's rate
    assert "Maria (Manila, PHP wallet at Bayanihan Pay) pays Lau Pa Sat Satay" in result.stdout
    assert "Merlion Pay SGD: net 1227" in result.stdout  # 12.50 less its 1.80 % fee
    assert result.stdout.count("verify: ok") == 2


def test_checkpoint_then_verify_still_replays_the_whole_journal(tmp_path: Path, db: str) -> None:
    _import(tmp_path, db, [_account(1), _account(2), _transfer(3, 1, 2, 50)])
    code, out, _ = _run("ledger", "checkpoint", "--database", db)
    assert code == 0
    assert "checkpoint at journal entry 3: 2 accounts, 1 transfers" in out
    assert "a replay of all 3 entries" in out
    _import(tmp_path, db, [_transfer(4, 1, 2, 7)])
    code, out, _ = _run("ledger", "checkpoint", "--database", db)
    assert code == 0 and "the checkpoint at entry 3 and 1 entries after it" in out
    # Damage to the journal before the checkpoint: an open need not read it, verify does.
    _damage_first_transfer_entry(db)
    code, _, _ = _run("ledger", "statement", "1", "--database", db)
    assert code == 0
    code, _, err_ = _run("ledger", "verify", "--database", db)
    assert code == 2 and "fails its checksum" in err_


def _damage_first_transfer_entry(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(url)) as db:
            db.execute("UPDATE ledger_journal SET body = zeroblob(length(body)) WHERE seq = 3")
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "UPDATE ledger_journal SET body = decode(repeat('00', length(body)), 'hex')"
                " WHERE seq = 3"
            )
