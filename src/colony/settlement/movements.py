"""What crossed between partners in a window, read from the ledger's clearing legs.

Every clearing leg (partners/clearing.py, code 210) names what it belongs to in
`user_data_128`: a payment (code 200) or a refund (code 203, whose own `user_data_128` is
the payment). A payment made at once books its leg posted; an authorisation holds it, and
its capture posts it (a transfer whose `pending_id` is the held leg). So a movement counts
in the window its money was posted in: held legs, releases and expiries move nothing owed.
Each leg touches two clearing accounts, and counts once.

A payment across partners and currencies also carries two FX legs (code 211, ADR 0019): the
house's exchange for the payer's partner. Each is a movement of its own between that partner
and the house, in the leg's currency, with no fee: `fx_in` when the house delivers the
currency to the partner, `fx_out` when the partner pays it to the house.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from colony.kernel.money import iso_4217_currencies
from colony.ledger import LedgerPort, Transfer, TransferFlags
from colony.ledger.service import statement_page_max
from colony.partners import (
    HOUSE_PARTNER_ID,
    TRANSFER_PARTNER_CLEARING,
    TRANSFER_PARTNER_FX,
    clearing_account_ids,
)
from colony.payments import TRANSFER_PAYMENT, TRANSFER_REFUND, discount_fee
from colony.settlement.windows import Window

# Ids per ledger lookup, and statement lines per page read from a clearing account.
lookup_ids_max = 8_190
statement_lines_per_page = statement_page_max

T = TypeVar("T")


class MovementKind(enum.StrEnum):
    payment = "payment"  # the issuer's user paid the acquirer's merchant
    refund = "refund"  # the acquirer's merchant gave (part of) a payment back
    fx_in = "fx_in"  # the house delivered the partner this currency, for another (ADR 0019)
    fx_out = "fx_out"  # the partner paid the house this currency, for another


# The movements a partner's statement lists: what its users paid and were given back.
STATEMENT_KINDS = frozenset({MovementKind.payment, MovementKind.refund})


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    id: int  # the payment's or the refund's transfer id
    payment_id: int
    issuer: str  # the payer's partner (of an FX movement: the partner exchanging)
    acquirer: str  # the merchant's partner (of an FX movement: the house)
    currency: str
    amount_minor: int
    fee_minor: int  # the merchant discount on a payment's posted amount; 0 on a refund
    timestamp_ns: int  # when the money was posted


@dataclass(frozen=True)
class _Posted:
    leg: Transfer  # as posted: the amount and timestamp that count
    source: Transfer  # the leg that names the payment or refund (the held one, if captured)


def clearing_accounts(ledger: LedgerPort, partner_ids: Iterable[str]) -> dict[int, tuple[str, str]]:
    """Each existing clearing account of these partners -> (partner, currency). Accounts are
    found by their derived ids, one per currency money is held in."""
    candidates = {
        account_id: (partner_id, c.code)
        for partner_id in partner_ids
        for c in iso_4217_currencies().values()
        if c.scale is not None
        for account_id in clearing_account_ids(partner_id, c.numeric)
    }
    found = _lookup(ledger.lookup_accounts, list(candidates))
    return {a.id: candidates[a.id] for a in found}


def movements(
    ledger: LedgerPort,
    scanned: Iterable[int],
    accounts: dict[int, tuple[str, str]],
    window: Window,
) -> list[Movement]:
    """The clearing movements posted in the window on the `scanned` accounts, oldest first;
    `accounts` names the partner and currency of every clearing account they may meet."""
    posted: dict[int, Transfer] = {}
    for account_id in scanned:
        for leg in _window_lines(ledger, account_id, window):
            posted.setdefault(leg.id, leg)
    held_ids = [
        t.pending_id for t in posted.values() if t.flags & TransferFlags.post_pending_transfer
    ]
    held = {t.id: t for t in _lookup(ledger.lookup_transfers, held_ids)}
    legs = [
        _Posted(t, held[t.pending_id] if t.flags & TransferFlags.post_pending_transfer else t)
        for t in posted.values()
    ]
    owners = {
        t.id: t for t in _lookup(ledger.lookup_transfers, [p.source.user_data_128 for p in legs])
    }
    refunded = [t.user_data_128 for t in owners.values() if t.code == TRANSFER_REFUND]
    payments = {t.id: t for t in _lookup(ledger.lookup_transfers, refunded)}
    payments |= {t.id: t for t in owners.values() if t.code == TRANSFER_PAYMENT}
    out = [
        _movement(p, owners[p.source.user_data_128], payments, accounts)
        for p in legs
        if p.source.user_data_128 in owners
    ]
    return sorted(out, key=lambda m: m.timestamp_ns)


def _movement(
    p: _Posted,
    owner: Transfer,
    payments: dict[int, Transfer],
    accounts: dict[int, tuple[str, str]],
) -> Movement:
    debit, currency = _partner(accounts, p.leg.debit_account_id)
    credit, _ = _partner(accounts, p.leg.credit_account_id)
    amount = p.leg.amount
    payment_id = owner.id if owner.code == TRANSFER_PAYMENT else owner.user_data_128
    if p.leg.code == TRANSFER_PARTNER_FX:
        kind, partner = (
            (MovementKind.fx_in, credit)
            if debit == HOUSE_PARTNER_ID
            else (MovementKind.fx_out, debit)
        )
        return Movement(
            kind, owner.id, payment_id, partner, HOUSE_PARTNER_ID, currency, amount, 0,
            p.leg.timestamp,
        )  # fmt: skip
    if owner.code == TRANSFER_PAYMENT:
        fee = discount_fee(amount, owner.user_data_32)  # the bps the payment was made at
        return Movement(
            MovementKind.payment, owner.id, owner.id, debit, credit, currency, amount, fee,
            p.leg.timestamp,
        )  # fmt: skip
    if owner.code != TRANSFER_REFUND or owner.user_data_128 not in payments:
        raise RuntimeError(
            f"clearing leg {p.leg.id} belongs to transfer {owner.id}, code {owner.code}"
        )
    return Movement(
        MovementKind.refund, owner.id, owner.user_data_128, credit, debit, currency, amount, 0,
        p.leg.timestamp,
    )  # fmt: skip


def _partner(accounts: dict[int, tuple[str, str]], account_id: int) -> tuple[str, str]:
    found = accounts.get(account_id)
    if found is None:
        raise RuntimeError(f"clearing account {account_id} belongs to no partner known")
    return found


def _window_lines(ledger: LedgerPort, account_id: int, window: Window) -> Iterator[Transfer]:
    """The account's clearing legs posted in the window."""
    after = window.start_ns - 1
    while True:
        page = ledger.statement(account_id, after_timestamp=after, limit=statement_lines_per_page)
        for line in page.lines:
            if line.timestamp >= window.end_ns:
                return
            t = line.transfer
            if (
                line.kind == "transfer"
                and t.code in (TRANSFER_PARTNER_CLEARING, TRANSFER_PARTNER_FX)
                and not t.flags & (TransferFlags.pending | TransferFlags.void_pending_transfer)
            ):
                yield t
        if page.next_cursor is None:
            return
        after = page.next_cursor


def _lookup(look: Callable[[Sequence[int]], list[T]], ids: Sequence[int]) -> list[T]:
    found: list[T] = []
    for start in range(0, len(ids), lookup_ids_max):
        found += look(ids[start : start + lookup_ids_max])
    return found
