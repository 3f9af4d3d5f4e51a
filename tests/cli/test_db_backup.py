"""`colony db backup` and `colony db restore` on each backend: the restored ledger verifies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.ledger import Account, Transfer
from colony.storage.open import open_ledger
from tests.conftest import fresh_postgres_database

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _events() -> list[str]:
    lines = [json.dumps({"type": "account", "id": i, "ledger": 840, "code": 1}) for i in (1, 2, 3)]
    for n, (dr, cr, amount) in enumerate([(1, 2, 500), (2, 3, 120), (1, 3, 75), (3, 1, 10)]):
        lines.append(
            json.dumps(
                {
                    "type": "transfer",
                    "id": 100 + n,
                    "debit_account_id": dr,
                    "credit_account_id": cr,
                    "amount": amount,
                    "ledger": 840,
                    "code": 1,
                }
            )
        )
    return lines


def _populate(tmp_path: Path, url: str) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(_events()) + "\n")
    code, _, err = _run("ledger", "import", str(events), "--database", url)
    assert code == 0, err


def _export(url: str) -> list[dict[str, object]]:
    code, out, err = _run("ledger", "export", "--database", url)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    return [r for r in records if r["type"] != "batch_end"]


@pytest.fixture
def target_url(journal_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh database on the same backend as `journal_url`."""
    if journal_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored.db"
        return
    with fresh_postgres_database(migrated=False) as url:
        yield url


def test_backup_then_restore_gives_the_same_verified_ledger(
    tmp_path: Path, journal_url: str, target_url: str
) -> None:
    _populate(tmp_path, journal_url)
    backup_file = tmp_path / "colony.bak"

    code, out, err = _run("db", "backup", "--database", journal_url, "--to", str(backup_file))
    assert code == 0, err
    assert backup_file.stat().st_size > 0
    assert f"{backup_file.stat().st_size:,} bytes" in out
    assert "3 journal entries" in out  # the ledger rules, a batch of accounts, one of transfers

    code, out, err = _run("db", "restore", "--from", str(backup_file), "--database", target_url)
    assert code == 0, err
    assert "3 accounts, 4 transfers" in out
    assert "verify: ok" in out

    restored = _export(target_url)
    assert restored == _export(journal_url)
    balances = {e["id"]: e["credits_posted"] for e in restored if e["type"] == "account"}
    assert balances == {1: 10, 2: 500, 3: 195}


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path, journal_url: str) -> None:
    _populate(tmp_path, journal_url)
    backup_file = tmp_path / "colony.bak"
    backup_file.write_text("keep me")

    code, _, err = _run("db", "backup", "--database", journal_url, "--to", str(backup_file))
    assert code == 2
    assert "--force" in err
    assert backup_file.read_text() == "keep me"

    code, _, err = _run(
        "db", "backup", "--database", journal_url, "--to", str(backup_file), "--force"
    )
    assert code == 0, err
    assert backup_file.read_bytes() != b"keep me"


def test_restore_refuses_a_target_with_data_unless_forced(tmp_path: Path, journal_url: str) -> None:
    _populate(tmp_path, journal_url)
    backup_file = tmp_path / "colony.bak"
    assert _run("db", "backup", "--database", journal_url, "--to", str(backup_file))[0] == 0

    code, _, err = _run("db", "restore", "--from", str(backup_file), "--database", journal_url)
    assert code == 2
    assert "--force" in err

    code, out, err = _run(
        "db", "restore", "--from", str(backup_file), "--database", journal_url, "--force"
    )
    assert code == 0, err
    assert "verify: ok" in out
    assert len(_export(journal_url)) == 7


def test_restore_of_a_missing_file_is_refused(tmp_path: Path, target_url: str) -> None:
    missing = tmp_path / "nothing.bak"
    code, _, err = _run("db", "restore", "--from", str(missing), "--database", target_url)
    assert code == 2
    assert "no such backup file" in err


def test_restore_of_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, target_url: str) -> None:
    text = tmp_path / "notes.bak"
    text.write_text("not a backup\n")
    code, _, err = _run("db", "restore", "--from", str(text), "--database", target_url)
    assert code == 2
    assert "not a Colony backup" in err


def test_restore_refuses_a_backup_of_the_other_backend(tmp_path: Path, target_url: str) -> None:
    other = tmp_path / "other.bak"
    other.write_bytes(b"PGDMP" if target_url.startswith("sqlite") else b"SQLite format 3\x00")
    code, _, err = _run("db", "restore", "--from", str(other), "--database", target_url)
    assert code == 2
    assert "backup; restore it into" in err


def test_backup_of_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("plain text, not a database\n")
    out_file = tmp_path / "colony.bak"
    code, _, err = _run("db", "backup", "--database", f"sqlite:///{text}", "--to", str(out_file))
    assert code == 2
    assert "is not a SQLite database" in err
    assert not out_file.exists()


def test_backup_of_a_missing_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/absent.db"
    code, _, err = _run("db", "backup", "--database", url, "--to", str(tmp_path / "colony.bak"))
    assert code == 2
    assert "no such database file" in err
    assert not (tmp_path / "absent.db").exists()


def test_backup_and_restore_name_a_path_they_cannot_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    _populate(tmp_path, url)
    folder = tmp_path / "folder"
    folder.mkdir()
    (tmp_path / "file").write_text("")
    under_a_file = tmp_path / "file" / "b.db"
    for to in (folder, under_a_file):
        code, _, err = _run("db", "backup", "--to", str(to), "--force", "--database", url)
        assert code == 2 and f"cannot write {to}" in err.replace("\n", ""), err
    backup = tmp_path / "b.db"
    assert _run("db", "backup", "--to", str(backup), "--database", url)[0] == 0
    for into in (folder, under_a_file):
        code, _, err = _run("db", "restore", "--from", str(backup), "--force",
                            "--database", f"sqlite:///{into}")  # fmt: skip
        assert code == 2 and f"cannot write {into}" in err.replace("\n", ""), err
    assert folder.is_dir() and not list(folder.iterdir())


def test_backup_and_restore_refuse_an_unknown_scheme(tmp_path: Path) -> None:
    code, _, err = _run("db", "backup", "--database", "mysql://x/y", "--to", str(tmp_path / "b"))
    assert code == 2
    assert "not a sqlite URL" in err


def test_sqlite_backup_while_a_writer_appends_restores_a_verified_ledger(tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path}/live.db"
    ledger = open_ledger(source_url)
    ledger.create_accounts([Account(id=1, ledger=840, code=1), Account(id=2, ledger=840, code=1)])
    first_batches = threading.Event()
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        next_id = 1000
        while not stop.is_set():
            batch = [Transfer(next_id + k, 1, 2, 1 + k, 840, 1) for k in range(10)]
            ledger.create_transfers(batch)
            next_id += len(batch)
            written.append(next_id)
            if len(written) >= 5:
                first_batches.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert first_batches.wait(timeout=120)
        backup_file = tmp_path / "live.bak"
        code, out, err = _run("db", "backup", "--database", source_url, "--to", str(backup_file))
        assert code == 0, err
    finally:
        stop.set()
        writer.join()
        ledger.close()

    target_url = f"sqlite:///{tmp_path}/restored.db"
    code, out, err = _run("db", "restore", "--from", str(backup_file), "--database", target_url)
    assert code == 0, err
    assert "verify: ok" in out
    restored = _export(target_url)
    transfers = [e for e in restored if e["type"] == "transfer"]
    assert len(transfers) >= 50  # at least the batches written before the backup began
    assert len(transfers) <= written[-1] - 1000
    assert len(transfers) % 10 == 0  # whole batches only
