"""Funding partners and their top-ups and withdrawals in PostgreSQL (twin of sqlite_funding)."""

from __future__ import annotations

from colony.storage.postgres_connection import PostgresTables
from colony.wallets.funding import FundingMovement, FundingPartner, MovementKind, PartnerKind

_SCHEMA = """
CREATE TABLE IF NOT EXISTS funding_partners (
    name text NOT NULL,
    currency text NOT NULL,
    kind text NOT NULL,
    created_at_ns bigint NOT NULL,
    PRIMARY KEY (name, currency)
);
CREATE TABLE IF NOT EXISTS funding_movements (
    id text PRIMARY KEY,
    kind text NOT NULL,
    wallet_id text NOT NULL,
    partner text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    transfer_id text NOT NULL,  -- u128 as decimal text
    created_at_ns bigint NOT NULL
);
"""
_PARTNER = "name, kind, currency, created_at_ns"
_MOVEMENT = "id, kind, wallet_id, partner, amount_minor, currency, transfer_id, created_at_ns"


class PostgresFundingStore:
    def __init__(self, url: str) -> None:
        self._tables = PostgresTables(url, _SCHEMA, "colony-funding")

    def add_partner(self, partner: FundingPartner) -> bool:
        row = (partner.name, str(partner.kind), partner.currency, partner.created_at_ns)
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO funding_partners ({_PARTNER}) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                row,
            ).rowcount
        return inserted == 1

    def partner(self, name: str, currency: str) -> FundingPartner | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {_PARTNER} FROM funding_partners WHERE name = %s AND currency = %s",
                (name, currency),
            ).fetchone()
        return _partner(row) if row else None

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        with self._tables.session() as conn:
            if currency:
                rows = conn.execute(
                    f"SELECT {_PARTNER} FROM funding_partners WHERE currency = %s"
                    " ORDER BY name, currency",
                    (currency,),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {_PARTNER} FROM funding_partners ORDER BY name, currency"
                ).fetchall()
        return [_partner(r) for r in rows]

    def add_movement(self, m: FundingMovement) -> bool:
        row = (
            m.id,
            str(m.kind),
            m.wallet_id,
            m.partner,
            m.amount_minor,
            m.currency,
            str(m.transfer_id),
            m.created_at_ns,
        )
        with self._tables.session() as conn:
            inserted = conn.execute(
                f"INSERT INTO funding_movements ({_MOVEMENT})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                row,
            ).rowcount
        return inserted == 1

    def movement(self, movement_id: str) -> FundingMovement | None:
        with self._tables.session() as conn:
            row = conn.execute(
                f"SELECT {_MOVEMENT} FROM funding_movements WHERE id = %s", (movement_id,)
            ).fetchone()
        if row is None:
            return None
        mid, kind, wallet_id, partner, amount, currency, transfer_id, created = row
        return FundingMovement(
            str(mid),
            MovementKind(str(kind)),
            str(wallet_id),
            str(partner),
            int(str(amount)),
            str(currency),
            int(str(transfer_id)),
            int(str(created)),
        )

    def remove_movement(self, movement_id: str) -> None:
        with self._tables.session() as conn:
            conn.execute("DELETE FROM funding_movements WHERE id = %s", (movement_id,))

    def close(self) -> None:
        self._tables.close()


def _partner(row: tuple[object, ...]) -> FundingPartner:
    name, kind, currency, created = row
    return FundingPartner(str(name), PartnerKind(str(kind)), str(currency), int(str(created)))
