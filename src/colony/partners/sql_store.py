"""Partners and their members, on either backend (tables.py); the queries are rows.py's."""

from __future__ import annotations

from colony.partners import rows as q
from colony.partners.model import MemberKind, Partner
from colony.storage.open import open_tables
from colony.storage.tables import Tables


class SqlPartnerStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._members = q.MemberPartners()

    def add(self, partner: Partner) -> None:
        with self._tables.write() as db:
            db.execute(q.INSERT_PARTNER, q.partner_row(partner))

    def by_id(self, partner_id: str) -> Partner | None:
        with self._tables.session() as db:
            row = db.execute(q.PARTNER_BY_ID, (partner_id,)).fetchone()
        return q.partner_of_row(row) if row else None

    def page(self, starting_after: str | None, limit: int) -> list[Partner]:
        with self._tables.session() as db:
            rows = db.execute(q.PARTNERS_AFTER, (starting_after or "", limit)).fetchall()
        return [q.partner_of_row(r) for r in rows]

    def add_member(self, kind: MemberKind, member_id: str, partner_id: str) -> None:
        with self._tables.write() as db:
            db.execute(q.INSERT_MEMBER, (kind.value, member_id, partner_id))
        self._members.keep(kind, member_id, partner_id)

    def partner_of(self, kind: MemberKind, member_id: str) -> str | None:
        def read() -> str | None:
            with self._tables.session() as db:
                row = db.execute(q.PARTNER_OF, (kind.value, member_id)).fetchone()
            return str(row[0]) if row else None

        return self._members.get(kind, member_id, read)

    def members(
        self, partner_id: str, kind: MemberKind, starting_after: str | None, limit: int
    ) -> list[str]:
        args = (partner_id, kind.value, starting_after or "", limit)
        with self._tables.session() as db:
            rows = db.execute(q.MEMBERS_AFTER, args).fetchall()
        return [str(r[0]) for r in rows]

    def payment_ids(self, partner_id: str, starting_after: int | None, limit: int) -> list[int]:
        sql, args = q.payments_query(partner_id, starting_after, limit)
        with self._tables.session() as db:
            rows = db.execute(sql, args).fetchall()
        return [int(str(r[0])) for r in rows]

    def close(self) -> None:
        self._tables.close()


def open_partner_store(url: str, *, synchronous: str = "FULL") -> SqlPartnerStore:
    """Partners and their members behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlPartnerStore(open_tables(url, "colony-partners", synchronous=synchronous))
