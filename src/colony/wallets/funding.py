"""Funding partners (a bank, a card issuer) and the top-ups and withdrawals made through them.

The records say who asked for what: the partner's name and kind, a movement's wallet,
partner and amount. What became of a movement is never stored here: it is read from the
ledger, where the movement is a pending transfer (posted, voided or expired).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PartnerKind(enum.StrEnum):
    bank = "bank"
    card_issuer = "card_issuer"


class MovementKind(enum.StrEnum):
    top_up = "top_up"  # partner -> wallet
    withdrawal = "withdrawal"  # wallet -> partner


class MovementStatus(enum.StrEnum):
    pending = "pending"  # held: waiting for the partner's answer
    succeeded = "succeeded"  # the partner confirmed: posted
    failed = "failed"  # the partner declined (top-up) or failed it (withdrawal): voided
    expired = "expired"  # the partner said nothing in time: the ledger let the hold go


# A movement's public id: this prefix, then its ledger transfer id in 32 hex digits.
MOVEMENT_ID_PREFIX = {MovementKind.top_up: "tu_", MovementKind.withdrawal: "wd_"}


@dataclass(frozen=True)
class FundingPartner:
    name: str  # 2-40 of a-z, 0-9 and _: also names its settlement account in the ledger
    kind: PartnerKind
    currency: str
    created_at_ns: int


@dataclass(frozen=True)
class FundingMovement:
    id: str  # "tu_" or "wd_" + the transfer id in hex
    kind: MovementKind
    wallet_id: str
    partner: str
    amount_minor: int
    currency: str
    transfer_id: int  # the pending transfer in the ledger
    created_at_ns: int


def movement_id(kind: MovementKind, transfer_id: int) -> str:
    return f"{MOVEMENT_ID_PREFIX[kind]}{transfer_id:032x}"
