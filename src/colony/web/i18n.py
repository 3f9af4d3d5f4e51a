"""Languages: texts from message catalogues (`locales/<locale>/messages.po`, read with babel
at start-up, so there is no compile step), formats from babel's locale data.

A person's language is the one they switched to (a cookie), else the best of their
browser's Accept-Language that Colony speaks, else English. Moments (a payment's time) show
in the viewer's time zone, which the shell's script reads from the browser into a cookie;
so do deadlines (a complaint's, a dispute's). Until the cookie is set, and for days that
name a report's UTC window, they show in UTC.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.messages.pofile import read_po

from colony.kernel.clock import NS_PER_S
from colony.kernel.money import Money

# The languages Colony speaks: babel's locale identifiers, and each one's own name for itself.
LOCALES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文", "fi": "Suomi"}
DEFAULT_LOCALE = "en"
# The cookie that remembers a switch, and how long, in seconds.
LANGUAGE_COOKIE = "colony_lang"
language_cookie_s = 365 * 86_400
# The cookie holding the viewer's IANA time zone (set by static/web/shell.js), and the
# longest name taken from it, in characters (the longest IANA name is 32).
ZONE_COOKIE = "colony_tz"
zone_name_chars_max = 64
# The most languages read from one Accept-Language header: the rest are ignored.
accept_language_items_max = 16


def N_(msgid: str) -> str:
    """Marks a text for the catalogues where it is written, to be translated where it is
    shown (`t(text)`): the catalogue test finds every `t("...")` and `N_("...")`."""
    return msgid


@functools.cache
def catalogue(locale: str) -> dict[str, str]:
    """msgid → msgstr of one language (English is the msgids themselves)."""
    source = resources.files("colony.web") / "locales" / locale / "messages.po"
    if not source.is_file():
        return {}
    with source.open("rb") as file:
        read = read_po(file, locale=locale)
    return {str(m.id): str(m.string) for m in read if m.id and m.string}


def _accepted(header: str) -> list[str]:
    """Accept-Language's tags, most wanted first ("zh-CN,zh;q=0.9" → ["zh-CN", "zh"])."""
    weighted = []
    for position, item in enumerate(header.split(",")[:accept_language_items_max]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag:
            weighted.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The language to answer in: the switch, else the browser's, else English."""
    if chosen in LOCALES:
        return chosen
    for tag in _accepted(accept_language or ""):
        language = tag.replace("_", "-").split("-")[0].lower()
        if language == "zh":
            return "zh_Hans"  # traditional-script catalogues are not written yet
        if language in LOCALES:
            return language
    return DEFAULT_LOCALE


_LETTER_THEN_DIGIT = re.compile(r"([A-Za-z])([0-9])")


@dataclass(frozen=True)
class Texts:
    """One language's texts and formats, handed to every template as `t`."""

    locale: str
    zone: str = "UTC"  # an IANA name that `viewer_zone` accepted

    def __call__(self, msgid: str, **values: object) -> str:
        text = catalogue(self.locale).get(msgid, msgid)
        return text.format(**values) if values else text

    def money(self, amount_minor: int, currency: str) -> str:
        # CLDR's currency spacing, which babel does not apply: a code written as letters
        # stands apart from the digits ("SGD 0.01", not "SGD0.01").
        formatted = Money(amount_minor, currency).format(self.babel_locale)
        return _LETTER_THEN_DIGIT.sub("\\1\xa0\\2", formatted)

    def time(self, timestamp_ns: int) -> str:
        """A moment, in the viewer's time zone."""
        when = datetime.fromtimestamp(timestamp_ns // NS_PER_S, tz=UTC)
        return format_datetime(when, "medium", tzinfo=ZoneInfo(self.zone), locale=self.babel_locale)

    def deadline(self, due_ns: int) -> str:
        """When a deadline runs out, in the viewer's time zone: the day and the last minute
        before `due_ns` (a deadline at Singapore's midnight reads "Dec 10, 2026, 11:59 PM"
        in Singapore, "Dec 10, 2026, 5:59 PM" in Helsinki in winter)."""
        last = datetime.fromtimestamp((due_ns - 1) // NS_PER_S, tz=UTC)
        local = last.astimezone(ZoneInfo(self.zone))
        # The locale's own way of joining a medium date to a short time, as babel joins them.
        joined = str(get_datetime_format("medium", locale=self.babel_locale)).replace("'", "")
        return joined.replace(
            "{0}", format_time(local, "short", tzinfo=local.tzinfo, locale=self.babel_locale)
        ).replace("{1}", format_date(local.date(), "medium", locale=self.babel_locale))

    def day(self, timestamp_ns: int) -> str:
        """The UTC date a timestamp falls on."""
        when = datetime.fromtimestamp(timestamp_ns // NS_PER_S, tz=UTC)
        return format_date(when.date(), "medium", locale=self.babel_locale)

    @property
    def babel_locale(self) -> str:
        return str(Locale.parse(self.locale))

    @property
    def html_lang(self) -> str:
        return {"zh_Hans": "zh-Hans"}.get(self.locale, self.locale)


@functools.lru_cache(maxsize=256)
def viewer_zone(name: str | None) -> str:
    """The time zone a cookie names when it is a real IANA zone, else UTC: a made-up or
    overlong name, or a region's folder, shows times in UTC, never an error."""
    if not name or len(name) > zone_name_chars_max or name.startswith(("/", ".")):
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name of one of tzdata's folders ("America") opens a directory.
        return "UTC"
    return name
