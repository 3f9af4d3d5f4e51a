"""What the payments context keeps outside the ledger: who paid whom, how, and what for.

A record never holds a status or an amount captured or refunded: those are read from the
ledger (ADR 0003, ADR 0005). A record is written, with its pre-chosen transfer id, before the
ledger is asked to move the money; a record whose transfer the ledger does not hold is not a
payment (it was refused, or is a moment from being made) and is shown to nobody.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

# The longest description a payer or merchant may attach, in characters.
description_chars_max = 200
# The longest merchant's order reference, in characters.
reference_chars_max = 64


class Method(enum.StrEnum):
    qr = "qr"  # the payer scanned the merchant's code
    code = "code"  # the merchant's terminal took the payer's payment code


class CaptureMethod(enum.StrEnum):
    automatic = "automatic"  # paid at once
    manual = "manual"  # authorised, captured or voided later


class Party(enum.StrEnum):
    """Whose payments a listing shows."""

    wallet = "wallet"  # the payments a wallet made
    merchant = "merchant"  # the payments made to a merchant


@dataclass(frozen=True)
class PaymentRecord:
    id: int  # the payment's ledger transfer id
    merchant_id: str
    wallet_id: str
    amount_minor: int  # asked for (authorised or paid); what was captured is the ledger's
    currency: str
    method: Method
    capture_method: CaptureMethod
    description: str | None
    reference: str | None
    created_at_ns: int
    # The SHA-256 of the HTTP request that asked for it (its Idempotency-Key's check), by
    # which its first answer is given again (docs/adr/0033); None from other callers.
    request_sha256: str | None = None

    def same_payment(self, other: PaymentRecord) -> bool:
        """The same request, retried: everything but the time it was written agrees."""
        return _asked(self) == _asked(other)


# A record's fields but the time it was written: what a retry of its request asks again.
_asked = operator.attrgetter(
    *(f.name for f in dataclasses.fields(PaymentRecord) if f.name != "created_at_ns")
)


@dataclass(frozen=True)
class CrossBorderRecord:
    """The payer's side of a cross-border payment, beside its record (whose amount and
    currency are the merchant's): the quote it used and how the payer's money was booked."""

    payment_id: int
    quote_id: str
    wallet_currency: str
    wallet_amount_minor: int  # what the payer paid: the quote's sell side
    treasury_minor: int  # the mid-rate part, kept by the treasury (docs/adr/0016)
    spread_minor: int  # the rest: the house's FX revenue
    rate: Decimal  # the quote's customer rate: 1 wallet unit = rate merchant units
    mid_rate: Decimal


@dataclass(frozen=True)
class PaymentSearch:
    """What a merchant looks a payment up by: each given field must match."""

    reference: str | None = None  # the order reference, exactly
    amount_minor: int | None = None  # the amount asked for, exactly
    from_ns: int | None = None  # made at or after
    to_ns: int | None = None  # made before


@dataclass(frozen=True)
class RefundRecord:
    id: int  # the refund's ledger transfer id
    payment_id: int
    amount_minor: int
    created_at_ns: int


class PaymentStore(Protocol):
    def add(self, record: PaymentRecord) -> PaymentRecord:
        """Store a new record; if its id is already stored, the stored one is returned."""
        ...

    def add_later(self, record: PaymentRecord) -> Future[PaymentRecord]:
        """As `add`, without waiting: the future gives what `add` returns, once durable."""
        ...

    def by_id(self, payment_id: int) -> PaymentRecord | None: ...

    def page(
        self, party: Party, owner_id: str, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        """Up to `limit` of a party's records, newest first, after the record
        `starting_after` (which must be that party's) when one is given."""
        ...

    def search(
        self, merchant_id: str, search: PaymentSearch, starting_after: int | None, limit: int
    ) -> list[PaymentRecord]:
        """As `page` of a merchant's records, only those matching `search`."""
        ...

    def busiest(self, limit: int) -> list[tuple[str, int]]:
        """The `limit` merchants paid most often, with how many records each has, most
        first: where the screens' worst case is (a whole-table count, not for a request)."""
        ...

    def add_refund(self, refund: RefundRecord) -> RefundRecord:
        """Store a new refund record; if its id is already stored, the stored one is returned."""
        ...

    def refunds_of(self, payment_id: int) -> list[RefundRecord]: ...

    def add_cross_border(self, record: CrossBorderRecord) -> CrossBorderRecord:
        """Store a payment's cross-border record; if one is stored for it, that one."""
        ...

    def cross_border_of(self, payment_id: int) -> CrossBorderRecord | None: ...

    def cross_border_of_many(self, payment_ids: Sequence[int]) -> dict[int, CrossBorderRecord]:
        """The cross-border records of those of the payments that have one, by payment id:
        a listed page's in one read."""
        ...
