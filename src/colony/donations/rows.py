"""How causes map to table rows, the same on every backend."""

from __future__ import annotations

from colony.donations.model import Cause

CAUSE_COLUMNS = "id, name, currency, ledger, account_id, created_at_ns"


def cause_row(c: Cause) -> tuple[object, ...]:
    # The ledger's u128 account id does not fit a 64-bit column: kept as decimal text.
    return (c.id, c.name, c.currency, c.ledger, str(c.account_id), c.created_at_ns)


def cause_of(row: tuple[object, ...]) -> Cause:
    cid, name, currency, ledger, account_id, created = row
    return Cause(
        str(cid), str(name), str(currency), int(str(ledger)), int(str(account_id)),
        int(str(created)),
    )  # fmt: skip
