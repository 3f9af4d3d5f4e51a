"""Amount thresholds in US dollars, whatever the payment's currency (docs/adr/0066).

Colony's wallets hold many currencies; a rule that reviews "over 5,000" would review JPY
5,000 (about USD 32) and let KWD 5,000 (about USD 16,000) pass. So every amount threshold is
in whole US dollars, and a payment's currency is read through one shipped table:
`usd_units.csv`, the minor units of each currency one US dollar bought on the table's date
(`colony risk usd-units` writes it from the reference rates Colony ships). The table is
data, not a live rate: a threshold an analyst set does not move with the day's rates, and
only a new table, reviewed like code, moves it.

A currency the table lacks is read in its own major units (one unit a dollar), the rule set's
meaning before this table, and logged once, so a missing row is seen, never a crash.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

from colony.kernel.money import scale_of

_log = logging.getLogger(__name__)
TABLE = "usd_units.csv"
HEADER = ("currency", "minor_per_usd", "as_of")


@functools.cache
def _table() -> dict[str, int]:
    text = resources.files("colony.risk").joinpath(TABLE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    found = {row["currency"]: int(row["minor_per_usd"]) for row in rows}
    if not found or min(found.values()) < 1:
        raise ValueError(f"{TABLE}: every currency buys at least one minor unit a dollar")
    return found


@functools.cache
def minor_per_usd(currency: str) -> int:
    """How many minor units of `currency` a US dollar buys (at least 1)."""
    found = _table().get(currency)
    if found is not None:
        return found
    _log.warning("no %s row in %s: risk thresholds read in its major units", currency, TABLE)
    return int(10 ** scale_of(currency))


def table_rows(
    currencies: Iterable[str], per_usd: Callable[[str], Decimal | None], as_of: str
) -> str:
    """The table as CSV: for each currency with a rate, `per_usd(currency)` major units a
    dollar in minor units, rounded half up (never below 1); currencies without one left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for currency in sorted(set(currencies)):
        rate = per_usd(currency)
        if rate is None:
            continue
        minor = (rate * 10 ** scale_of(currency)).to_integral_value(ROUND_HALF_UP)
        writer.writerow((currency, max(1, int(minor)), as_of))
    return out.getvalue()
