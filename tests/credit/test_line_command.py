"""`colony credit line run`: the night's run from the command line, a day named plainly or
refused with what is wrong; run twice, it moves nothing twice."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from colony.cli.main import app

runner = CliRunner()


def test_the_night_runs_and_a_bad_day_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    for _ in range(2):
        ran = runner.invoke(
            app, ["credit", "line", "run", "--day", "2026-12-04", "--database", url]
        )
        assert ran.exit_code == 0, ran.output
        assert "credit lines 2026-12-04: 0 run" in ran.stdout
    bad = runner.invoke(app, ["credit", "line", "run", "--day", "2026-13-04", "--database", url])
    assert bad.exit_code != 0 and "--day must be a date as YYYY-MM-DD" in bad.output
