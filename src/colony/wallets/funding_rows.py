"""How funding partners and movements map to table rows, the same on every backend."""

from __future__ import annotations

from colony.wallets.funding import FundingMovement, FundingPartner, MovementKind, PartnerKind

PARTNER_COLUMNS = "name, kind, currency, created_at_ns"
MOVEMENT_COLUMNS = (
    "id, kind, wallet_id, partner, amount_minor, currency, transfer_id, created_at_ns"
)


def partner_row(p: FundingPartner) -> tuple[object, ...]:
    return (p.name, str(p.kind), p.currency, p.created_at_ns)


def partner_of(row: tuple[object, ...]) -> FundingPartner:
    name, kind, currency, created = row
    return FundingPartner(str(name), PartnerKind(str(kind)), str(currency), int(str(created)))


def movement_row(m: FundingMovement) -> tuple[object, ...]:
    # The ledger's u128 transfer id does not fit a 64-bit column: kept as decimal text.
    return (
        m.id,
        str(m.kind),
        m.wallet_id,
        m.partner,
        m.amount_minor,
        m.currency,
        str(m.transfer_id),
        m.created_at_ns,
    )


def movement_of(row: tuple[object, ...]) -> FundingMovement:
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
