"""How partners and their members map to table rows, and the queries both backends run
(written with `?` placeholders, as tables.py takes them)."""

from __future__ import annotations

from collections.abc import Callable

from colony.partners.model import MemberKind, Partner
from colony.storage.record_cache import RecordCache

# Members whose partner is kept in memory (a member's partner never changes); past it, all
# are dropped.
member_cache_entries_max = 100_000

PARTNER_COLUMNS = "id, name, brand, country, currency, created_at_ns"
INSERT_PARTNER = f"INSERT INTO partners ({PARTNER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
PARTNER_BY_ID = f"SELECT {PARTNER_COLUMNS} FROM partners WHERE id = ?"
PARTNERS_AFTER = f"SELECT {PARTNER_COLUMNS} FROM partners WHERE id > ? ORDER BY id LIMIT ?"
INSERT_MEMBER = "INSERT INTO partner_members (kind, member_id, partner_id) VALUES (?, ?, ?)"
PARTNER_OF = "SELECT partner_id FROM partner_members WHERE kind = ? AND member_id = ?"
MEMBERS_AFTER = (
    "SELECT member_id FROM partner_members WHERE partner_id = ? AND kind = ? AND member_id > ?"
    " ORDER BY member_id LIMIT ?"
)
# A partner's payments: made by its wallets or received by its merchants, newest first.
_PAYMENTS_OF = (
    "SELECT id FROM payments WHERE (wallet_id IN"
    " (SELECT member_id FROM partner_members WHERE partner_id = ? AND kind = 'wallet')"
    " OR merchant_id IN"
    " (SELECT member_id FROM partner_members WHERE partner_id = ? AND kind = 'merchant'))"
)
PAYMENTS_OF = f"{_PAYMENTS_OF} ORDER BY seq DESC LIMIT ?"
PAYMENTS_OF_AFTER = (
    f"{_PAYMENTS_OF} AND seq < (SELECT seq FROM payments WHERE id = ?) ORDER BY seq DESC LIMIT ?"
)


def partner_row(p: Partner) -> tuple[object, ...]:
    return (p.id, p.name, p.brand, p.country, p.currency, p.created_at_ns)


def partner_of_row(row: tuple[object, ...]) -> Partner:
    pid, name, brand, country, currency, created = row
    return Partner(str(pid), str(name), str(brand), str(country), str(currency), int(str(created)))


def payments_query(
    partner_id: str, starting_after: int | None, limit: int
) -> tuple[str, tuple[object, ...]]:
    if starting_after is None:
        return PAYMENTS_OF, (partner_id, partner_id, limit)
    return PAYMENTS_OF_AFTER, (partner_id, partner_id, str(starting_after), limit)


class MemberPartners:
    """Each member's partner, kept in memory once read or written: it never changes. A
    member with no partner (the house's) is kept too, as "": its id was shown to nobody
    before it was enrolled, so nobody could look it up before."""

    def __init__(self) -> None:
        self._known: RecordCache[tuple[str, str], str] = RecordCache(member_cache_entries_max)

    def get(self, kind: MemberKind, member_id: str, read: Callable[[], str | None]) -> str | None:
        known = self._known.get((kind.value, member_id))
        if known is None:
            known = read() or ""
            self._known.keep((kind.value, member_id), known)
        return known or None

    def keep(self, kind: MemberKind, member_id: str, partner_id: str) -> None:
        self._known.keep((kind.value, member_id), partner_id)
