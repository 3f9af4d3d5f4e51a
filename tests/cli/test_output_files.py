"""A file a command is told to write (--csv, --png, --svg, --places-csv, --out) that cannot be
written, a folder or a path whose folder does not exist, is refused with the option and the
reason, exit 2, before the command does its work: nothing printed, built or trained for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app

runner = CliRunner()
QR = ["qr", "encode", "--merchant-id", "M1", "--name", "Shop", "--city", "Paris",
      "--country", "FR", "--currency", "978", "--amount", "25.90"]  # fmt: skip


def _commands(db: str) -> list[tuple[list[str], str]]:
    """Each command, ending with the option that names the file, and that option."""
    market = ["simulate", "market", "--people", "5", "--merchants", "1", "--days", "1"]
    return [
        (["settlement", "report", "--date", "2026-10-30", "--database", db, "--csv"], "--csv"),
        ([*QR, "--png"], "--png"),
        ([*QR, "--svg"], "--svg"),
        ([*market, "--database", db, "--places-csv"], "--places-csv"),
        (["risk", "train", "--people", "300", "--out"], "--out"),
        (["risk", "usd-units", "--out"], "--out"),
        (["credit", "train", "--database", db, "--out"], "--out"),
    ]


@pytest.mark.parametrize("where", ["a folder", "no folder"])
def test_an_output_that_cannot_be_written_is_refused_first(tmp_path: Path, where: str) -> None:
    database = tmp_path / "colony.db"
    path = tmp_path if where == "a folder" else tmp_path / "absent" / "out.file"
    says = "it is a directory" if where == "a folder" else f"no folder {tmp_path / 'absent'}"
    for command, option in _commands(f"sqlite:///{database}"):
        result = runner.invoke(app, [*command, str(path)])
        assert result.exit_code == 2, (command, result.exception)
        assert f"{option}: cannot write {path}: {says}" in result.stderr.replace("\n", "")
        assert result.stdout == "", command  # no payload, report or summary printed
    assert not database.exists()  # nothing opened, nothing built
