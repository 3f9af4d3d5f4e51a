"""Paying a merchant with a credit line instead of the wallet's balance (docs/adr/0052): the
lender's money pays the merchant through the same chain as a wallet's payment (code 200,
the refundable allowance and the merchant's fee after it), the line's principal account in
the wallet's place and the line's available-limit leg in place of the wallet's limit legs.

The line is the credit product's; payments sees it through `CreditLineSource`, which it is
given when Colony runs one (payments builds on no credit module)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from colony.ledger import Transfer
from colony.wallets import Wallet


class Funding(enum.StrEnum):
    """What pays a merchant: the wallet's balance, or the wallet's credit line."""

    wallet = "wallet"
    credit_line = "credit_line"


class LineStanding(enum.IntEnum):
    ok = 0
    no_line = 1  # the wallet has no credit line in its currency
    frozen = 2  # overdue, or charged off: no new purchases


@dataclass(frozen=True)
class LinePurchase:
    """Where a purchase on the line takes its money from, and the legs that follow it (linked:
    the available limit drawn, so a purchase beyond the limit fails in the same chain)."""

    standing: LineStanding
    principal_account_id: int = 0
    legs: tuple[Transfer, ...] = ()


class CreditLineSource(Protocol):
    def standing(self, wallet: Wallet) -> LineStanding:
        """Whether the wallet has a line in its currency, and may buy with it now."""
        ...

    def purchase(self, wallet: Wallet, amount_minor: int, payment_id: int) -> LinePurchase:
        """The line's side of paying `amount_minor` with it, or why it may not."""
        ...

    def refund_legs(
        self, principal_account_id: int, amount_minor: int, refund_id: int, payment_id: int
    ) -> list[Transfer]:
        """What follows a refund to the line (linked): its available limit given back for
        what the refund repays, and what is beyond the principal still owed paid on into
        the wallet with the wallet's money-in leg (docs/adr/0058)."""
        ...
