"""Amount thresholds in US dollars (docs/adr/0066): the shipped table of minor units a dollar,
remade byte for byte by its command from the rates Colony ships; a currency it lacks is read
in its own major units, logged; the table's rounding."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app as cli
from colony.risk.usd_units import TABLE, minor_per_usd, table_rows

SHIPPED = Path(__file__).parents[2] / "src" / "colony" / "risk" / TABLE


@pytest.mark.parametrize(
    ("currency", "minor"),
    [("USD", 100), ("SGD", 128), ("EUR", 90), ("JPY", 157), ("IDR", 1_814_820), ("ISK", 122)],
)
def test_the_table_gives_minor_units_a_dollar(currency: str, minor: int) -> None:
    assert minor_per_usd(currency) == minor


def test_a_currency_the_table_lacks_reads_in_its_major_units(
    caplog: pytest.LogCaptureFixture,
) -> None:
    minor_per_usd.cache_clear()
    with caplog.at_level(logging.WARNING, logger="colony.risk.usd_units"):
        assert minor_per_usd("KWD") == 1_000  # three decimals: a dinar's worth, not a dollar's
        assert minor_per_usd("VND") == 1
    assert "no KWD row" in caplog.text and "no VND row" in caplog.text


def test_rows_round_half_up_keep_at_least_a_minor_unit_and_skip_the_unknown() -> None:
    rates = {"USD": Decimal(1), "JPY": Decimal("157.5"), "XAU": None, "KWD": Decimal("0.0004")}
    text = table_rows(rates, rates.get, "2026-10-30")
    assert text.splitlines() == [
        "currency,minor_per_usd,as_of",
        "JPY,158,2026-10-30",
        "KWD,1,2026-10-30",
        "USD,100,2026-10-30",
    ]


def test_the_command_remakes_the_shipped_table(tmp_path: Path) -> None:
    out = tmp_path / "units.csv"
    made = CliRunner().invoke(cli, ["risk", "usd-units", "--out", str(out), "--on", "2026-10-30"])
    assert made.exit_code == 0, made.output
    assert out.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["risk", "usd-units", "--out", str(out), "--on", "30.10.2026"])
    assert bad.exit_code == 2 and "--on must be a date as YYYY-MM-DD" in bad.output
    none = CliRunner().invoke(cli, ["risk", "usd-units", "--out", str(out), "--on", "1900-01-01"])
    assert none.exit_code == 2 and "no currency a rate" in " ".join(none.output.split())
    assert out.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8")  # kept
    week = CliRunner().invoke(cli, ["risk", "usd-units", "--out", str(out), "--on", "2026-W01-1"])
    assert week.exit_code == 2 and "--on must be a date as YYYY-MM-DD" in week.output
