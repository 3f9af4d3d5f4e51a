"""Every text a screen shows is in every language's catalogue, with the same placeholders;
no catalogue keeps texts no screen shows any more."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from colony.web.i18n import LOCALES, Texts, catalogue, negotiate, viewer_zone

SRC = Path(__file__).resolve().parents[2] / "src" / "colony"
# `t("...")` in templates and page modules, `N_("...")` where a text is declared apart.
_CALL = re.compile(r"""\b(?:t|N_)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def _sources() -> list[Path]:
    return sorted(
        [*SRC.glob("*/templates/*/*"), *SRC.glob("*/pages.py"), *SRC.glob("*/*_pages.py"),
         *SRC.glob("web/*_access.py"), SRC / "web" / "signin_kit.py",
         # Texts a product declares for its answers and screens alike (credit's reasons).
         *SRC.glob("*/*_texts.py")]
    )  # fmt: skip


def used_texts() -> set[str]:
    return {m.group(1)[1:-1] for p in _sources() for m in _CALL.finditer(p.read_text())}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


TRANSLATED = sorted(set(LOCALES) - {"en"})


def test_the_finder_finds_texts() -> None:
    found = used_texts()
    assert {"Balance", "Type your PIN", "Money received", "Skip to content"} <= found
    assert len(found) > 80


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_text_is_translated_with_its_placeholders(locale: str) -> None:
    table = catalogue(locale)
    missing = sorted(used_texts() - set(table))
    assert not missing, f"{locale} lacks {missing}"
    for msgid in used_texts():
        assert _fields(table[msgid]) == _fields(msgid), (locale, msgid, table[msgid])


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_catalogue_keeps_texts_nobody_shows(locale: str) -> None:
    assert sorted(set(catalogue(locale)) - used_texts()) == []


def test_a_missing_text_falls_back_to_english_and_placeholders_fill() -> None:
    zh = Texts("zh_Hans")
    assert zh("not in any catalogue") == "not in any catalogue"
    assert zh("Amount in {currency}", currency="SGD") == "金额（SGD）"
    assert Texts("fi").money(123_456, "EUR") == "1\xa0234,56\xa0€"
    assert Texts("en").money(100, "JPY") == "¥100"


@pytest.mark.parametrize(
    ("cookie", "zone"),
    [
        ("Asia/Singapore", "Asia/Singapore"),
        ("Europe/Helsinki", "Europe/Helsinki"),
        ("Mars/Olympus_Mons", "UTC"),
        ("../../etc/passwd", "UTC"),
        ("/etc/localtime", "UTC"),
        ("America", "UTC"),  # a folder of tzdata, not a zone
        ("Asia", "UTC"),
        ("Asia/" + "x" * 80, "UTC"),
        ("", "UTC"),
        (None, "UTC"),
    ],
)
def test_the_viewers_time_zone_is_a_real_one_or_utc(cookie: str | None, zone: str) -> None:
    assert viewer_zone(cookie) == zone


def test_a_moment_shows_in_the_viewers_zone_and_a_day_in_utc() -> None:
    late = 1_764_723_600 * 10**9  # 2025-12-03 01:00 UTC: 09:00 in Singapore, 03:00 in Helsinki
    assert Texts("en").time(late) == "Dec 3, 2025, 1:00:00\u202fAM"
    assert Texts("en", "Asia/Singapore").time(late) == "Dec 3, 2025, 9:00:00\u202fAM"
    assert Texts("fi", "Europe/Helsinki").time(late) == "3.12.2025 3.00.00"
    before_midnight = late - 2 * 3600 * 10**9  # 23:00 UTC the day before
    assert Texts("en", "Asia/Singapore").day(before_midnight) == "Dec 2, 2025"


@pytest.mark.parametrize(
    ("chosen", "accept", "expected"),
    [
        ("fi", "zh-CN", "fi"),
        ("xx", "zh-TW", "zh_Hans"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "sv;q=0.9,fi;q=0.8", "fi"),
        (None, "fi;q=0.1,zh;q=0.5", "zh_Hans"),
        (None, ",".join(["de"] * 20) + ",fi", "en"),  # past the header's item limit
        (None, None, "en"),
    ],
)
def test_negotiation(chosen: str | None, accept: str | None, expected: str) -> None:
    assert negotiate(chosen, accept) == expected
