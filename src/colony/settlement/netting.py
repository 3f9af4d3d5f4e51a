"""Multilateral netting: many bilateral obligations in, one amount per partner and currency
out, which the platform pays (positive) or collects (negative).

Each obligation adds its amount to the payee's net and takes it from the payer's, so the nets
of a currency always sum to zero (money is conserved), a partner's net is what it is owed less
what it owes, and the order of the obligations does not matter (integer sums).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Obligation:
    """`payer` owes `payee` `amount_minor` of `currency` for the window."""

    payer: str
    payee: str
    currency: str
    amount_minor: int


def net_positions(obligations: Iterable[Obligation]) -> dict[tuple[str, str], int]:
    """(partner, currency) -> net in minor units, for every partner named in an obligation.
    An obligation from a partner to itself moves nothing and is left out."""
    nets: dict[tuple[str, str], int] = {}
    for o in obligations:
        if o.amount_minor < 0:
            raise ValueError(f"an obligation is never negative: {o}")
        if o.payer == o.payee:
            continue
        nets[(o.payer, o.currency)] = nets.get((o.payer, o.currency), 0) - o.amount_minor
        nets[(o.payee, o.currency)] = nets.get((o.payee, o.currency), 0) + o.amount_minor
    return nets


def bilateral(obligations: Iterable[Obligation]) -> dict[tuple[str, str, str], int]:
    """(payer, payee, currency) -> what the payer owes the payee after offsetting the pair's
    obligations both ways; pairs that cancel out are left out."""
    gross: dict[tuple[str, str, str], int] = {}
    for o in obligations:
        if o.payer != o.payee:
            key = (o.payer, o.payee, o.currency)
            gross[key] = gross.get(key, 0) + o.amount_minor
    owed: dict[tuple[str, str, str], int] = {}
    for (payer, payee, currency), amount in gross.items():
        left = amount - gross.get((payee, payer, currency), 0)
        if left > 0:
            owed[(payer, payee, currency)] = left
    return owed
