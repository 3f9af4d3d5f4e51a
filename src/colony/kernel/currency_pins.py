"""Pinning currency scales to a database: a table never rescales money already held.

An amount is stored as an integer of minor units, so its meaning is the scale its currency
had when it was written. A database therefore remembers, per ledger number (the currency's
ISO 4217 numeric code), the currency and scale that Colony's table gave it, and a process
whose table disagrees for a ledger that holds accounts must not open it: every balance there
would be read 10, 100 or 1,000 times too large or too small. A currency no account holds may
take the new table's scale, since no amount in it exists yet.

This module decides; the storage engine keeps the pins and calls it when a ledger opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from colony.kernel.errors import ColonyError
from colony.kernel.money import Currency, iso_4217_currencies


@dataclass(frozen=True, slots=True)
class CurrencyPin:
    """The currency and scale a database's ledger number means."""

    ledger: int
    code: str
    scale: int


@dataclass(frozen=True, slots=True)
class ScaleConflict:
    """A ledger that holds accounts, pinned to one scale, against a table that says another
    (`table_scale` None: the table no longer has a currency with money in it)."""

    pin: CurrencyPin
    table_code: str | None
    table_scale: int | None

    def __str__(self) -> str:
        now = (
            f"the currency table now says {self.table_code} has {self.table_scale} decimals"
            if self.table_code is not None
            else "the currency table no longer lists a currency held in money"
        )
        return (
            f"ledger {self.pin.ledger} holds {self.pin.code} amounts written with "
            f"{self.pin.scale} decimals, but {now}"
        )


class CurrencyTableConflict(ColonyError):
    """The currency table would change what amounts already in the database mean."""

    def __init__(self, conflicts: list[ScaleConflict]) -> None:
        self.conflicts = conflicts
        super().__init__(
            "refusing to open: "
            + "; ".join(str(c) for c in conflicts)
            + ". Restore the table that wrote them (kernel/iso_4217.csv), or migrate the "
            "amounts to the new scale as a reviewed change, before opening this database."
        )


def pins_of_table(table: Mapping[str, Currency] | None = None) -> dict[int, CurrencyPin]:
    """What the table would pin: every currency money can be held in, by ledger number."""
    currencies = (table if table is not None else iso_4217_currencies()).values()
    return {
        c.numeric: CurrencyPin(c.numeric, c.code, c.scale)
        for c in currencies
        if c.scale is not None
    }


def scale_conflicts(
    pinned: Mapping[int, CurrencyPin],
    held_ledgers: Iterable[int],
    table: Mapping[str, Currency] | None = None,
) -> list[ScaleConflict]:
    """The held ledgers whose pinned currency or scale the table contradicts, in ledger order.
    A held ledger with no pin yet (a database from before pins) is not a conflict: it takes
    the table's pin, as the table is the one that wrote its amounts."""
    current = pins_of_table(table)
    conflicts = []
    for ledger in sorted(set(held_ledgers)):
        pin = pinned.get(ledger)
        if pin is None:
            continue
        now = current.get(ledger)
        if now is None or (now.code, now.scale) != (pin.code, pin.scale):
            conflicts.append(
                ScaleConflict(pin, now.code if now else None, now.scale if now else None)
            )
    return conflicts
