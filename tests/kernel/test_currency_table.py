"""Colony's own ISO 4217 table: every scale pinned, the file's format guarded.

The minor unit of a currency decides what every stored amount in it means, so each one is
written out here by hand from ISO 4217's list one; a change of the table file, or of any
library, that moves one fails this test by name.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from colony.kernel.money import (
    ISO_4217_TABLE_FILE,
    iso_4217_currencies,
    iso_4217_list_date,
    parse_iso_4217_table,
)

ROOT = Path(__file__).resolve().parents[2]

_TWO = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL
MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR
PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP
TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW ZWG
"""
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_NONE = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"

ISO_MINOR_UNITS: dict[str, int | None] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
    **dict.fromkeys(_NONE.split(), None),
}


def test_every_scale_is_pinned() -> None:
    table = {code: currency.scale for code, currency in iso_4217_currencies().items()}
    assert len(ISO_MINOR_UNITS) == 178
    assert table == ISO_MINOR_UNITS


def test_the_table_names_the_iso_list_it_follows() -> None:
    assert iso_4217_list_date() == "2026-01-01"


def test_the_table_file_ships_in_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert ISO_4217_TABLE_FILE in config["tool"]["setuptools"]["package-data"]["colony.kernel"]


_HEADER = "code,numeric,minor_unit,name\n"


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ("usd,840,2,Dollar\n", "code 'usd' is not 3 capitals"),
        ("USD,84,2,Dollar\n", "USD numeric '84'"),
        ("USD,840,two,Dollar\n", "USD minor unit 'two'"),
        ("USD,840,,Dollar\n", "USD minor unit ''"),
        ("USD,840,2,Dollar\nUSD,841,2,Again\n", "row 3: USD or 841 listed twice"),
        ("USD,840,2,Dollar\nUSX,840,2,Same number\n", "row 3: USX or 840 listed twice"),
    ],
)
def test_a_malformed_table_is_refused_by_line(rows: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_iso_4217_table(_HEADER + rows)


def test_comments_and_na_are_read() -> None:
    table = parse_iso_4217_table("# a note\n" + _HEADER + "XAU,959,N.A.,Gold\nJPY,392,0,Yen\n")
    assert (table["XAU"].scale, table["JPY"].scale, table["JPY"].numeric) == (None, 0, 392)
