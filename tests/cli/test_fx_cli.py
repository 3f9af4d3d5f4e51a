"""`colony fx`: rates from the shipped ECB file or an operator's, quotes stored on each backend."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.fx.ecb_provider import EcbProvider
from colony.fx.sql_store import open_quote_store

runner = CliRunner()


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()  # the CLI's today: UTC


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["USD", "JPY", "--date", "2014-03-28"], "1 USD = 102.405698089 JPY (ECB, 2014-03-28)\n"),
        (
            ["eur", "usd", "--date", "2014-03-30", "--json"],
            '{"base": "EUR", "quote": "USD", "rate": "1.3759", "date": "2014-03-28", '
            '"source": "ECB"}\n',
        ),
    ],
)
def test_rate(args: list[str], printed: str) -> None:
    result = runner.invoke(app, ["fx", "rate", *args])
    assert (result.exit_code, result.stdout) == (0, printed)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["USD", "JPY", "--date", "2014-03-30", "--max-age-days", "1"], "rate_stale: the newest"),
        (["USD", "KWD", "--date", "2014-03-28"], "rate_missing: ECB has no EUR/KWD rate"),
        (["USD", "XYZ"], "unknown_currency: unknown currency 'XYZ'"),
        (
            ["USD", "JPY", "--date", "28.03.2014"],
            "--date must be a date as YYYY-MM-DD, not '28.03.2014'",
        ),
        (["USD", "JPY", "--rates-file", "/nonexistent/r.csv"], "cannot read rates file"),
    ],
)
def test_rate_refusals(args: list[str], says: str) -> None:
    result = runner.invoke(app, ["fx", "rate", *args])
    assert result.exit_code == 2
    assert says in " ".join(result.stderr.split())


def test_the_shipped_rates_go_stale_with_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checked by the age limit, relative to the day asked about.
    newest = EcbProvider().newest_date()
    days = str((utc_today() - newest).days)
    fresh = runner.invoke(app, ["fx", "rate", "USD", "JPY", "--max-age-days", days, "--json"])
    assert fresh.exit_code == 0 and json.loads(fresh.stdout)["date"] == newest.isoformat()
    for not_days in ("seven", "\u0663"):  # the second an Arabic-Indic 3
        monkeypatch.setenv("COLONY_FX_MAX_AGE_DAYS", not_days)
        refused = runner.invoke(app, ["fx", "rate", "USD", "JPY"])
        assert refused.exit_code == 2, refused.output
        assert "COLONY_FX_MAX_AGE_DAYS must be a whole number" in refused.stderr


def test_quote_is_stored(store_url: str, tmp_path: Path) -> None:
    today = utc_today().isoformat()
    rates = tmp_path / "rates.csv"
    rates.write_text(f"date,currency,rate\n{today},USD,1.04\n{today},BHD,0.39\n")
    common = ["--rates-file", str(rates), "--database", store_url, "--json"]
    result = runner.invoke(
        app, ["fx", "quote", "BHD", "USD", "--amount", "1000", "--spread-bps", "0", *common]
    )
    assert result.exit_code == 0, result.stderr
    quote = json.loads(result.stdout)
    # 1 BHD = 1.04 / 0.39 USD = 2.66666666667 (12 digits), 2.666666666 for the customer.
    assert quote["rate"] == "2.666666666" and quote["buy"]["amount_minor"] == 266
    assert quote["expires_at"] - quote["created"] == 60
    store = open_quote_store(store_url)
    stored = store.get(quote["id"])
    store.close()
    assert stored is not None and stored.owner == "operator" and stored.sell_amount_minor == 1000
    bought = runner.invoke(
        app, ["fx", "quote", "USD", "BHD", "--amount", "1000", "--buy", "--ttl-s", "5", *common]
    )
    # 1 BHD at 0.375 less 50 bps = 0.373125 per USD costs 2.68006... USD: 2.69.
    assert json.loads(bought.stdout)["sell"]["amount_minor"] == 269


def test_currencies_and_countries() -> None:
    currencies = json.loads(runner.invoke(app, ["fx", "currencies", "--json"]).stdout)
    assert {"code": "KWD", "numeric": 414, "scale": 3, "name": "Kuwaiti Dinar"} in currencies
    assert len(currencies) == 178
    countries = json.loads(runner.invoke(app, ["fx", "countries", "--json"]).stdout)
    assert {"alpha_2": "JP", "alpha_3": "JPN", "name": "Japan", "currencies": ["JPY"]} in countries
    assert "Kuwaiti Dinar" in runner.invoke(app, ["fx", "currencies"]).stdout
