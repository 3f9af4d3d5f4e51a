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
    loan = Space("a loan's or a credit line's own id (time-ordered): its principal account")
    # Cash loans (docs/adr/0051).
    loan_disbursement = Space("a cash loan's disbursement into the wallet", (money_in,))
    loan_repayment = Space("a cash loan repayment's first leg, out of the wallet", (money_out,))
    loan_provision_account = Space("a credit product's loss provision account id (prefixed)")
    lender_funding = Space("a lender's capital paid in: its name and the caller's reference")
    line_repayment = Space(
        "a credit line's repayment id (by the person, or on the due day)", (money_out,)
    )
    complaint = Space("a complaint's id (time-ordered)")
    goodwill = Space("a goodwill credit's transfer id (to the wallet)", (money_in,))
    chargeback = Space("a chargeback's transfer id: its dispute's (time-ordered)", (money_in,))
    disputes_book = Space("the name of the disputes' accounts per currency, hashed to 64 bits")


_S = Spaces
# The credit line's slots start here in a loan's space (docs/adr/0050), in ranges a day each.
_LINE = 1 << 48
_DAYS = 1 << 20


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
    # Credit (docs/adr/0050). A lender is a funding partner: its capital accounts hang off the
    # same hashed name.
    lender_capital_account = Slot(
        _S.funding_partner, 1 << 32, "the lender's capital on ledger L (slot 2**32 + L)",
        count=1 << 32,
    )  # fmt: skip
    lender_available_account = Slot(
        _S.funding_partner, 2 << 32, "the lender's available capital on ledger L (slot 2**33 + L)",
        count=1 << 32,
    )  # fmt: skip
    # A loan's (or line's) own accounts. Loans take slots 1000 up to 2**48, the credit line
    # 2**48 up to 2**52, loans to merchants 2**52 up to 2**56.
    loan_interest_account = Slot(_S.loan, 1, "the loan's interest-and-fees receivable account")
    line_available_account = Slot(_S.loan, 2, "the credit line's available-limit account")
    # Cash loans (docs/adr/0051): the loan's own events, and one of each kind per UTC day d
    # (days since 1970-01-01), so a day run twice moves money once.
    loan_allowance_draw = Slot(_S.loan, 1000, "the lender's available capital the loan draws")
    loan_disbursement = Slot(_S.loan, 1001, "the loan paid into the wallet")
    loan_charge_off_provided = Slot(_S.loan, 1002, "principal written off against the provision")
    loan_charge_off_loss = Slot(_S.loan, 1003, "principal written off beyond the provision")
    loan_charge_off_interest = Slot(_S.loan, 1004, "interest owed written off")
    loan_charge_off_allowance = Slot(_S.loan, 1005, "the lender's allowance back at charge-off")
    loan_interest_of_day = Slot(
        _S.loan, 1 << 20, "day d's interest accrual (slot 2**20 + d)", count=1 << 20
    )
    loan_penalty_of_day = Slot(
        _S.loan, 2 << 20, "day d's penalty interest (slot 2**21 + d)", count=1 << 20
    )
    loan_collection_of_day = Slot(
        _S.loan, 3 << 20, "day d's collection from the wallet (slot 3 * 2**20 + d)", count=1 << 20
    )
    # Loans to merchants (docs/adr/0051): slots 2**52 and up of the loan's id.
    merchant_loan_allowance_draw = Slot(
        _S.loan, 1 << 52, "the lender's available capital a loan to a merchant draws"
    )
    merchant_loan_disbursement = Slot(_S.loan, (1 << 52) + 1, "the loan paid to the merchant")
    merchant_loan_fee = Slot(_S.loan, (1 << 52) + 2, "the loan's fixed fee charged")
    merchant_loan_collection_of_day = Slot(
        _S.loan, (1 << 52) + (1 << 20),
        "day d's share of the merchant's sales collected (slot 2**52 + 2**20 + d)", count=1 << 20,
    )  # fmt: skip
    repayment_principal_leg = Slot(_S.loan_repayment, 10, "the principal the repayment pays")
    repayment_allowance_leg = Slot(_S.loan_repayment, 11, "the lender's allowance given back")
    repayment_lender_share = Slot(_S.loan_repayment, 12, "the lender's share of interest paid")
    provision_of_day = Slot(
        _S.loan_provision_account, 0, "day d's provision raised or released (slot d)",
        count=1 << 20,
    )  # fmt: skip
    lender_capital_in = Slot(_S.lender_funding, 0, "the capital paid in by the funding partner")
    lender_allowance_grant = Slot(_S.lender_funding, 1, "the same amount granted as available")
    # The credit line's own (docs/adr/0052): per day d (days since 1970-01-01) or per limit
    # change k, each range 2**20 long from 2**48.
    line_limit_grant = Slot(
        _S.loan, _LINE, "the line's limit change k granted or drawn (slot 2**48 + k)",
        count=_DAYS,
    )  # fmt: skip
    line_interest = Slot(
        _S.loan, _LINE + 1 * _DAYS, "day d's revolving interest on the line", count=_DAYS
    )
    line_penalty = Slot(
        _S.loan, _LINE + 2 * _DAYS, "day d's penalty interest on the line", count=_DAYS
    )
    line_plan_fees = Slot(
        _S.loan, _LINE + 3 * _DAYS, "instalment fees billed on day d", count=_DAYS
    )
    line_interest_share = Slot(
        _S.loan, _LINE + 4 * _DAYS, "the lender's share of day d's interest", count=_DAYS
    )
    line_fee_share = Slot(
        _S.loan, _LINE + 5 * _DAYS, "the lender's share of day d's fees", count=_DAYS
    )
    line_penalty_share = Slot(
        _S.loan, _LINE + 6 * _DAYS, "the lender's share of day d's penalty", count=_DAYS
    )
    line_autopay = Slot(
        _S.loan, _LINE + 7 * _DAYS, "the repayment from the wallet on due day d", count=_DAYS
    )
    line_charge_off_principal = Slot(
        _S.loan, _LINE + 8 * _DAYS, "the line's principal charged off on day d", count=_DAYS
    )
    line_charge_off_interest = Slot(
        _S.loan, _LINE + 9 * _DAYS, "the line's interest charged off on day d", count=_DAYS
    )
    line_closed_allowance = Slot(
        _S.loan, _LINE + 10 * _DAYS, "the line's available limit taken back on day d",
        count=_DAYS,
    )  # fmt: skip
    line_charge_off_provided = Slot(
        _S.loan, _LINE + 11 * _DAYS, "the line's principal charged off on day d against the "
        "provision", count=_DAYS,
    )  # fmt: skip
    # A purchase on the line draws its available limit; a refund gives it back.
    line_purchase_allowance = Slot(
        _S.payment, _LINE, "the credit line's available limit drawn by a purchase on it"
    )
    line_refund_allowance = Slot(
        _S.refund, _LINE, "the credit line's available limit given back by a refund"
    )
    line_refund_excess = Slot(
        _S.refund, _LINE + 1, "what a refund to the line brings beyond its principal owed, "
        "paid on into the wallet",
    )  # fmt: skip
    # A repayment pays interest and fees first (at its own id), then principal, which gives
    # the limit back.
    line_repayment_principal = Slot(_S.line_repayment, _LINE, "the principal part of a repayment")
    line_repayment_allowance = Slot(
        _S.line_repayment, _LINE + 1, "the line's available limit given back by a repayment"
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
