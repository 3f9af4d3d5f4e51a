"""Derived-id slots: every id Colony derives from another, declared once with its meaning.

A derived id is `derived_id(base, slot)` (or `tagged_id(base, tag)`): the same base and slot
always give the same id, so a retried operation resubmits the very same ledger events. A
*space* says what the base is (a wallet's account, a payment, a refund...); a space may
*include* others when its base is also theirs (a payment's id is also a transfer taking money
out of a wallet, whose limit legs hang off it). Within a space and everything it includes, no
two slots may overlap: that is checked when this module is imported, so a clash never reaches
a ledger. Products take ids only through `Slot.of`, never by calling `derived_id` themselves.

Adding a slot is one line in `Slots`, naming its spaces, its number (and how many follow it,
for a range such as one per tier or per day) and its meaning. Numbers are never reused: ids
made from them are in journals already.
"""

from __future__ import annotations

import itertools
from typing import Any

from colony.chart.ids import SLOT_BITS, derived_id, tagged_id


class ChartError(Exception):
    """The chart declares something twice, or something it cannot hold: a bug in Colony."""


class Space:
    """What the base of a derived id is."""

    name: str

    def __init__(self, base: str, includes: tuple[Space, ...] = ()) -> None:
        self.base = base
        self.includes = includes

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Space({self.name})"

    def closure(self) -> list[Space]:
        """This space and every space it includes, directly or not."""
        found: list[Space] = []
        todo = [self]
        while todo:
            space = todo.pop()
            if space not in found:
                found.append(space)
                todo.extend(space.includes)
        return found


class Slot:
    """One derived id per base (or `count` of them, numbered from `first`), or one tag."""

    name: str

    def __init__(
        self,
        spaces: Space | tuple[Space, ...],
        first: int | bytes,
        meaning: str,
        *,
        count: int = 1,
    ) -> None:
        self.spaces = spaces if isinstance(spaces, tuple) else (spaces,)
        self.tag = first if isinstance(first, bytes) else None
        self.first = first if isinstance(first, int) else 0
        self.count = count
        self.meaning = meaning
        if self.tag is not None and count != 1:
            raise ChartError(f"a tagged slot is one id, not {count}")
        if self.tag is None and not (
            self.first >= 0 and 0 < count <= (1 << SLOT_BITS) - self.first
        ):
            raise ChartError(f"slots {self.first} + {count} do not fit {SLOT_BITS} bits")

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name})"

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    def of(self, base: int, index: int = 0) -> int:
        """The id of this slot of `base` (the `index`-th, for a range)."""
        if self.tag is not None:
            return tagged_id(base, self.tag)
        if not 0 <= index < self.count:
            raise ValueError(f"slot {self.name}: index {index} outside 0..{self.count - 1}")
        return derived_id(base, self.first + index)


class Spaces:
    """What a derived id hangs off. Bases of different spaces never meet: they are ids of
    different records, or hashes of different inputs."""

    wallet_account = Space("a wallet's own ledger account id (time-ordered)")
    outflow_account = Space("a wallet's daily outflow account id (derived)")
    money_out = Space("a transfer id taking money out of a wallet")
    money_in = Space("a transfer id bringing money into a wallet")
    hold_answer = Space("the first hold of a chain a funding partner answers (top-up, withdrawal)")
    held_leg = Space("each hold of an authorisation: the payment, its limit legs, its clearing leg")
    p2p = Space("a P2P transfer id", (money_out, money_in))
    cash_in = Space("a cash-in transfer id", (money_in,))
    top_up = Space("a top-up's transfer id", (money_in, hold_answer))
    withdrawal = Space("a withdrawal's transfer id", (money_out, hold_answer))
    payment = Space("a payment id (its transfer to the merchant)", (money_out, held_leg))
    refund = Space("a refund id (its transfer back from the merchant)", (money_in,))
    donation = Space("a donation's transfer id (to the cause)", (money_out,))
    merchant_account = Space("a merchant's own ledger account id (time-ordered)")
    hashed_prefix = Space("a prefix of chart/prefixes.py whose layout is `hashed`")
    funding_partner = Space("a funding partner's name, hashed to 64 bits")
    complaint = Space("a complaint's id (time-ordered)")
    goodwill = Space("a goodwill credit's transfer id (to the wallet)", (money_in,))
    chargeback = Space("a chargeback's transfer id: its dispute's (time-ordered)", (money_in,))
    disputes_book = Space("the name of the disputes' accounts per currency, hashed to 64 bits")


_S = Spaces


class Slots:
    """Every derived-id slot. `of(base)` (or `of(base, index)` for a range) gives the id."""

    # A wallet's accounts and its opening.
    headroom_account = Slot(_S.wallet_account, 1, "the wallet's balance headroom account")
    opening_deposit = Slot(_S.wallet_account, 3, "the opening coin paid into the wallet")
    opening_headroom = Slot(_S.wallet_account, 4, "the balance headroom the opening coin uses")
    tier_headroom_grant = Slot(
        _S.wallet_account, 10, "tier t's balance cap granted as headroom (slot 10 + t)", count=10
    )
    outflow_account = Slot(
        _S.wallet_account,
        1000,
        "the daily outflow account of UTC day d, days since 1970-01-01 (slot 1000 + d)",
        count=1 << 40,
    )
    tier_allowance_grant = Slot(
        _S.outflow_account,
        0,
        "tier t's daily cap granted as the day's allowance (slot t)",
        count=10,
    )
    # The limit legs linked behind money leaving or reaching a wallet.
    outflow_leg = Slot(_S.money_out, 1, "the day's outflow allowance used")
    headroom_back_leg = Slot(_S.money_out, 2, "the wallet's balance headroom given back")
    headroom_leg = Slot(_S.money_in, 3, "the receiving wallet's balance headroom used")
    # Answers to holds.
    answer_leg = Slot(
        _S.hold_answer, 100, "the post or void of the chain's hold i (slot 100 + i)", count=16
    )
    capture_leg = Slot(_S.held_leg, 10, "the post of this hold when the payment is captured")
    void_leg = Slot(_S.held_leg, 20, "the void of this hold when the authorisation is voided")
    # A payment's own legs and accounts.
    fee_leg = Slot(_S.payment, 4, "the merchant's discount fee")
    refundable_grant = Slot(_S.payment, 5, "the payment's refundable amount granted")
    refundable_account = Slot(_S.payment, 6, "the payment's refundable account")
    refundable_drawdown = Slot(_S.refund, 1, "the refund drawing on the payment's refundable")
    # Cross-border (ADR 0016) and clearing between partners (ADR 0017, 0019).
    fx_payer_leg = Slot(
        (_S.payment, _S.refund), 30, "the payer's money into (on a refund: out of) the treasury"
    )
    fx_spread_leg = Slot((_S.payment, _S.refund), 31, "the house's spread (back, on a refund)")
    clearing_leg = Slot(
        (_S.payment, _S.refund), b"partner-clearing", "what one partner owes the other"
    )
    clearing_fx_merchant_side = Slot(
        (_S.payment, _S.refund),
        b"partner-clearing/fx-merchant-side",
        "the house delivers the payer's partner the merchant's currency",
    )
    clearing_fx_wallet_side = Slot(
        (_S.payment, _S.refund),
        b"partner-clearing/fx-wallet-side",
        "the payer's partner pays the house in its user's currency",
    )
    # A merchant's payouts (ADR 0041).
    payout = Slot(
        _S.merchant_account,
        0,
        "the payout of UTC day d, days since 1970-01-01 (slot d)",
        count=1 << 40,
    )
    # Complaints and disputes (ADR 0053).
    goodwill_credit = Slot(_S.complaint, 0, "the operator's goodwill credit on the complaint")
    chargeback_drawdown = Slot(
        _S.chargeback, 1, "the chargeback drawing on the payment's refundable"
    )
    goodwill_account = Slot(
        _S.disputes_book, 0, "the operator's goodwill account on ledger L (slot L)", count=1 << 32
    )
    # Accounts per currency: the slot is the ledger number.
    currency_account = Slot(
        _S.hashed_prefix, 0, "the prefix's account on ledger L (slot L)", count=1 << 32
    )
    funding_partner_account = Slot(
        _S.funding_partner, 0, "the funding partner's account on ledger L (slot L)", count=1 << 32
    )


def _declared(namespace: type, kind: type) -> list[Any]:
    return [v for v in vars(namespace).values() if isinstance(v, kind)]


SPACES: tuple[Space, ...] = tuple(_declared(Spaces, Space))
SLOTS: tuple[Slot, ...] = tuple(_declared(Slots, Slot))


def slots_in(space: Space) -> list[Slot]:
    """Every slot a base of `space` may carry: its own and its included spaces', by number."""
    closure = space.closure()
    found = [s for s in SLOTS if any(sp in closure for sp in s.spaces)]
    return sorted(found, key=lambda s: (s.tag is not None, s.first, s.tag or b""))


def clashes(slots: list[Slot]) -> list[str]:
    """Why these slots cannot share a base: overlapping numbers, or a tag used twice."""
    found = []
    numbered = sorted((s for s in slots if s.tag is None), key=lambda s: s.first)
    for before, after in itertools.pairwise(numbered):
        if after.first <= before.last:
            found.append(f"{before.name} ({before.first}..{before.last}) overlaps {after.name}")
    tags = [s.tag for s in slots if s.tag is not None]
    found += [f"tag {t!r} declared twice" for t in sorted(set(tags)) if tags.count(t) > 1]
    return found


def problems(spaces: tuple[Space, ...] = SPACES) -> list[str]:
    """Every clash in the declared slots, per space (empty when the chart is sound)."""
    return [f"space {sp.name}: {clash}" for sp in spaces for clash in clashes(slots_in(sp))]


if problems():  # checked on import, as TigerBeetle checks its tree ids at compile time
    raise ChartError("; ".join(problems()))
