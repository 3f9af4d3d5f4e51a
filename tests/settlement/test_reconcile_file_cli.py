"""`colony settlement reconcile` refuses a statement file it cannot read as CSV text (not
UTF-8, as Excel's UTF-16 export; a field past the csv module's limit) with exit 2 and the
file named, as any malformed statement, before reconciling anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.partners import Partner, open_partner_store

PARTNER = "ptn_" + "a" * 32
HEADER = "id,amount_minor,currency\n"
PAYMENT = "pay_" + "b" * 32


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ((HEADER + f"{PAYMENT},caf\xe9,PHP\n").encode("latin-1"), "csv line 2: not UTF-8"),
        ((HEADER + f"{PAYMENT},100,PHP\n").encode("utf-16"), "not UTF-8 text"),
        ((HEADER + f'"{"1" * 140_000}",1,PHP\n').encode(), "statement line 2: field larger"),
    ],
    ids=["latin-1", "utf-16", "a field past the csv limit"],
)
def test_a_statement_that_is_not_csv_text_is_refused(
    tmp_path: Path, content: bytes, says: str
) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    store = open_partner_store(url)
    try:
        store.add(Partner(PARTNER, "P", "P", "PH", "PHP", 1))
    finally:
        store.close()
    statement = tmp_path / "statement.csv"
    statement.write_bytes(content)
    result = CliRunner().invoke(app, [
        "settlement", "reconcile", "--partner", PARTNER, "--date", "2026-10-30",
        "--statement", str(statement), "--database", url,
    ])  # fmt: skip
    assert result.exit_code == 2, result.exception
    assert says in result.stderr.replace("\n", "")
