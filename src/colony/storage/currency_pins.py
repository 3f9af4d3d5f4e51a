"""Keeping a database's currency pins (kernel/currency_pins.py decides what they mean).

When a ledger opens, the scales its database pinned for the ledger numbers that hold accounts
are checked against Colony's currency table: a table that would rescale money already held
refuses the open (`CurrencyTableConflict`). Then every currency money can be held in is
pinned to the table's scale, so the first account a later process opens in a currency is
pinned by the table this process runs with. Nothing is written when nothing changed.
"""

from __future__ import annotations

from colony.kernel.currency_pins import (
    CurrencyPin,
    CurrencyTableConflict,
    pins_of_table,
    scale_conflicts,
)
from colony.kernel.money import iso_4217_list_date
from colony.ledger.port import LedgerPort
from colony.storage.tables import Tables


def check_and_pin(tables: Tables, ledger: LedgerPort) -> int:
    """Refuse a table that contradicts the pins of the ledgers holding accounts; pin the rest.
    Returns how many pins were written (0 when the database agreed already)."""
    held = [totals.ledger for totals in ledger.totals()]
    with tables.transaction() as db:
        rows = db.execute("SELECT ledger, code, scale FROM currency_pins").fetchall()
        pinned = {int(r[0]): CurrencyPin(int(r[0]), str(r[1]), int(r[2])) for r in rows}
        conflicts = scale_conflicts(pinned, held)
        if conflicts:
            raise CurrencyTableConflict(conflicts)
        changed = [pin for n, pin in pins_of_table().items() if pinned.get(n) != pin]
        if changed:
            db.executemany(
                "INSERT INTO currency_pins (ledger, code, scale, iso_list_date)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (ledger) DO UPDATE SET code = excluded.code,"
                " scale = excluded.scale, iso_list_date = excluded.iso_list_date",
                [(p.ledger, p.code, p.scale, iso_4217_list_date()) for p in changed],
            )
    return len(changed)
