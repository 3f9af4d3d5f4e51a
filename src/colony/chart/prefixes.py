"""Id prefixes: the accounts the platform keeps per currency (or per partner and currency),
each under its own top byte, declared once.

An account kept per currency needs no record of its own: its id is made from the ledger
number, so any product finds it again. Each prefix names its layout (how the other 120 bits
are filled) and the one account code its accounts carry. `enum.unique` refuses a byte declared
twice on import. Adding one is a line in `IdPrefix` with the next free byte.

Bytes once used stay used: `LEGACY` lists the layouts that older versions made and that
existing ledgers still hold; they are read (a partner's position sums both) but never opened
again (docs/adr/0023-one-chart-of-accounts.md).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from colony.chart.codes import AccountCode
from colony.chart.ids import LEDGER_FIELD_BITS, PREFIX_SHIFT, name_hash
from colony.chart.slots import Slots

OWNER_HASH_BITS = 96  # a partner's id hashed, between the prefix and the ledger number
FUNDING_PARTNER_HASH_BITS = 64  # a funding partner's name hashed: the base of its accounts
_LEDGER_WIDE_BITS = 32  # a ledger number is a u32


class Layout(enum.Enum):
    """How a prefixed id is filled below its top byte."""

    ledger = "prefix << 120 | ledger"
    owner_ledger = "prefix << 120 | blake2b-96(owner) << 16 | ledger"
    hashed = "derived_id(prefix, ledger): a hash, its top byte not the prefix"


# Platform accounts asked for at once, kept: every payment asks for a few (its currency's
# control accounts), and a hashed one costs a hash each time. Few exist (a prefix per
# ledger, per partner or product).
prefixed_ids_kept_max = 4_096


@functools.lru_cache(maxsize=prefixed_ids_kept_max)
def _make(prefix: int, layout: Layout, ledger: int, owner: str | None) -> int:
    if (owner is None) != (layout is not Layout.owner_ledger):
        raise ValueError(f"layout {layout.name} {'needs' if owner is None else 'takes no'} owner")
    if not 0 < ledger < 1 << _LEDGER_WIDE_BITS:
        raise ValueError(f"ledger {ledger} is not a u32 ledger number")
    if layout is Layout.hashed:
        return Slots.currency_account.of(prefix, ledger)
    if layout is Layout.ledger:
        return (prefix << PREFIX_SHIFT) | ledger
    if ledger >> LEDGER_FIELD_BITS:
        raise ValueError(f"ledger {ledger} does not fit {LEDGER_FIELD_BITS} bits")
    assert owner is not None
    return (
        (prefix << PREFIX_SHIFT) | (name_hash(owner, OWNER_HASH_BITS) << LEDGER_FIELD_BITS) | ledger
    )


def _has_layout(prefix: int, layout: Layout, account_id: int) -> bool:
    if layout is Layout.ledger:
        return account_id >> _LEDGER_WIDE_BITS == prefix << (PREFIX_SHIFT - _LEDGER_WIDE_BITS)
    if layout is Layout.owner_ledger:
        return account_id >> PREFIX_SHIFT == prefix
    return False  # a hash: recognised by recomputing it, not by its bits


@enum.unique
class IdPrefix(enum.IntEnum):
    """The top byte of an account the platform keeps per currency."""

    layout: Layout
    code: AccountCode

    def __new__(cls, byte: int, layout: Layout, code: AccountCode) -> IdPrefix:
        member = int.__new__(cls, byte)
        member._value_ = byte
        member.layout, member.code = layout, code
        return member

    funding = (0xF0, Layout.hashed, AccountCode.funding)
    limit_control = (0xF1, Layout.hashed, AccountCode.limit_control)
    fee_revenue = (0xF2, Layout.ledger, AccountCode.fee_revenue)
    payments_control = (0xF3, Layout.ledger, AccountCode.payments_control)
    treasury = (0xF4, Layout.ledger, AccountCode.treasury)
    fx_revenue = (0xF5, Layout.ledger, AccountCode.fx_revenue)
    partner_clearing = (0xF6, Layout.owner_ledger, AccountCode.partner_clearing)
    # Credit (docs/adr/0050): the owner of a per-product account is the product's name.
    credit_control = (0xF7, Layout.ledger, AccountCode.credit_control)
    interest_income = (0xF8, Layout.owner_ledger, AccountCode.interest_income)
    fee_income = (0xF9, Layout.owner_ledger, AccountCode.fee_income)
    penalty_income = (0xFA, Layout.owner_ledger, AccountCode.penalty_income)
    loss_provision = (0xFB, Layout.owner_ledger, AccountCode.loss_provision)
    provision_expense = (0xFC, Layout.owner_ledger, AccountCode.provision_expense)
    charge_off = (0xFD, Layout.owner_ledger, AccountCode.charge_off)
    recoveries = (0xFE, Layout.owner_ledger, AccountCode.recoveries)

    def account_id(self, ledger: int, owner: str | None = None) -> int:
        """This prefix's account on `ledger` (and of `owner`, for a per-owner layout)."""
        return _make(self, self.layout, ledger, owner)

    def holds(self, account_id: int) -> bool:
        """Whether `account_id` is one of this prefix's accounts, read from its bits alone
        (a `hashed` layout cannot be: ask `account_id(ledger)` instead)."""
        return _has_layout(self, self.layout, account_id)


def funding_partner_account_id(name: str, ledger: int) -> int:
    """A funding partner's settlement account on a currency's ledger: a bank's or card
    issuer's, which wallets' top-ups and withdrawals and merchants' payouts move money with.
    Its id is made from the partner's name, so any product finds it without a record."""
    return Slots.funding_partner_account.of(name_hash(name, FUNDING_PARTNER_HASH_BITS), ledger)


def lender_capital_account_id(name: str, ledger: int) -> int:
    """What Colony owes a lender (a funding partner, by name) on a currency's ledger."""
    return Slots.lender_capital_account.of(name_hash(name, FUNDING_PARTNER_HASH_BITS), ledger)


def lender_available_account_id(name: str, ledger: int) -> int:
    """How much of a lender's capital on a currency's ledger may still be lent."""
    return Slots.lender_available_account.of(name_hash(name, FUNDING_PARTNER_HASH_BITS), ledger)


@dataclass(frozen=True)
class LegacyLayout:
    """A layout older versions opened accounts under: read forever, never opened again."""

    name: str
    prefix: int
    layout: Layout
    code: AccountCode
    replaced_by: IdPrefix
    why: str

    def account_id(self, ledger: int, owner: str | None = None) -> int:
        return _make(self.prefix, self.layout, ledger, owner)

    def holds(self, account_id: int) -> bool:
        """Whether `account_id` has this layout: the prefix and a non-zero middle (a zero
        middle is the current account of the prefix, e.g. a treasury)."""
        middle = (account_id >> LEDGER_FIELD_BITS) & ((1 << OWNER_HASH_BITS) - 1)
        return _has_layout(self.prefix, self.layout, account_id) and middle != 0


LEGACY: tuple[LegacyLayout, ...] = (
    LegacyLayout(
        "partner_clearing_0xf4",
        0xF4,
        Layout.owner_ledger,
        AccountCode.partner_clearing,
        IdPrefix.partner_clearing,
        "clearing accounts opened before ADR 0023 shared the treasury's byte, kept apart "
        "only by the hash in their middle",
    ),
)
