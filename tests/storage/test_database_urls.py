"""A database URL Colony cannot read is refused naming what is wrong, never opened otherwise:
one that cannot be split, and a sqlite URL carrying parameters SQLite's URI form would read
(?mode=ro) but Colony does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.kernel.errors import InvalidInput
from colony.storage.open import is_postgres, sqlite_path
from colony.storage.postgres_journal import redacted


@pytest.mark.parametrize("query", ["?mode=ro", "#x", "?cache=shared&mode=ro"])
def test_a_sqlite_url_with_parameters_is_refused(tmp_path: Path, query: str) -> None:
    url = f"sqlite:///{tmp_path}/colony.db{query}"
    with pytest.raises(InvalidInput, match="takes no"):
        sqlite_path(url)
    result = CliRunner().invoke(app, ["ledger", "import", "-", "--database", url], input="")
    assert result.exit_code == 2 and "takes no ?parameters" in result.output, result.output
    assert list(tmp_path.iterdir()) == []  # nothing made, read-only mode or not


@pytest.mark.parametrize("url", ["postgresql://[::1/x", "sqlite://[/x", "postgresql://u:pw@[::1/x"])
def test_a_url_that_cannot_be_split_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="malformed"):
        is_postgres(url)
    assert "pw" not in redacted(url)
    for command in (["ledger", "verify"], ["ledger", "import", "-"], ["simulate", "market"]):
        result = CliRunner().invoke(app, [*command, "--database", url], input="")
        assert result.exit_code == 2, (command, result.output)
        assert "the database URL is malformed" in result.output and "pw" not in result.output
