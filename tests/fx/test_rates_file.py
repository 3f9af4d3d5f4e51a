"""An operator's rates file: every malformed line refused with its line and field named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from colony.fx.rates_file import RatesFileProvider
from colony.kernel.errors import InvalidInput

GOOD = "date,currency,rate\n2026-11-24,USD,1.0412\n"


def provider(tmp_path: Path, text: str) -> RatesFileProvider:
    path = tmp_path / "ops.csv"
    path.write_text(text, encoding="utf-8")
    return RatesFileProvider(path)


def test_reads_rates_with_comments_and_blank_lines(tmp_path: Path) -> None:
    rates = provider(
        tmp_path,
        "# treasury desk, 24 November\n"
        "Date, Currency, Rate\n"
        "\n"
        "2026-11-24, KWD, 0.3205\n"
        "2026-11-21,KWD,0.3199\n"
        "2026-11-24,jpy,162.50\n",
    )
    assert rates.currencies() == ["JPY", "KWD"]
    friday = rates.eur_rate("KWD", dt.date(2026, 11, 23))
    assert friday is not None and (friday.rate, friday.date) == (
        Decimal("0.3199"),
        dt.date(2026, 11, 21),
    )
    jpy = rates.eur_rate("JPY", dt.date(2026, 11, 24))
    assert jpy is not None and jpy.rate == Decimal("162.50") and jpy.source == "file:ops.csv"
    assert rates.eur_rate("JPY", dt.date(2026, 11, 23)) is None  # nothing that early
    assert rates.eur_rate("USD", dt.date(2026, 11, 24)) is None  # not in the file


def test_a_byte_order_mark_before_the_header_is_not_part_of_it(tmp_path: Path) -> None:
    rates = provider(tmp_path, "\ufeffdate,currency,rate\n2026-11-24,JPY,162.50\n")
    assert rates.currencies() == ["JPY"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "ops.csv: empty; expected the header date,currency,rate"),
        ("day,ccy,rate\n", "ops.csv line 1: the header must be date,currency,rate"),
        (GOOD + "2026-11-24,JPY\n", "ops.csv line 3: 2 fields, expected 3"),
        (GOOD + "2026-11-24,JPY,1,2\n", "ops.csv line 3: 4 fields, expected 3"),
        (GOOD + "24/11/2026,JPY,162\n", "line 3, field date: '24/11/2026' is not a date"),
        (GOOD + "20261124,JPY,162\n", "line 3, field date: '20261124' is not a date"),
        (GOOD + "2026-02-30,JPY,162\n", "line 3, field date: '2026-02-30' is not a date"),
        (GOOD + "2026-11-24,XYZ,1\n", "line 3, field currency: unknown currency 'XYZ'"),
        (GOOD + "2026-11-24,XAU,0.0005\n", "line 3, field currency: XAU has no minor unit"),
        (GOOD + "2026-11-24,EUR,1\n", "line 3, field currency: EUR is the base"),
        (GOOD + "2026-11-24,JPY,1.2e2\n", "line 3, field rate: '1.2e2' is not a decimal"),
        (GOOD + "2026-11-24,JPY,-162\n", "line 3, field rate: '-162' is not a decimal"),
        (GOOD + "2026-11-24,JPY,NaN\n", "line 3, field rate: 'NaN' is not a decimal"),
        (GOOD + "2026-11-24,JPY,\n", "line 3, field rate: '' is not a decimal"),
        (GOOD + "2026-11-24,JPY,0.000\n", "line 3, field rate: '0.000' must be more than 0"),
        (GOOD + "2026-11-24,JPY," + "1" * 40 + "\n", "line 3, field rate: '111"),
        (GOOD + "\n2026-11-24,usd,1.05\n", "line 4: a second USD rate for 2026-11-24 (the first"),
        (GOOD + "2026-11-24,JPY," + "1" * 140_000 + "\n", "ops.csv line 3: field larger than"),
        (GOOD + '2026-11-24,JPY,"162', "ops.csv line 3: unexpected end of data"),
        (GOOD + '2026-11-24,JPY,"16"2\n', "ops.csv line 3: ',' expected after '\"'"),
    ],
)  # fmt: skip
def test_malformed_files_name_line_and_field(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        provider(tmp_path, text)
    assert says in str(refused.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read rates file"):
        RatesFileProvider(tmp_path / "absent.csv")
    (tmp_path / "ops.csv").write_bytes(b"date,currency,rate\n\xff\xfe\n")
    with pytest.raises(InvalidInput, match=r"ops\.csv: not UTF-8"):
        RatesFileProvider(tmp_path / "ops.csv")
