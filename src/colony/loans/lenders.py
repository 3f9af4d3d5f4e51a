"""Lenders: funding partners whose capital cash loans lend (docs/adr/0050, 0051).

A lender is registered once per currency with its share of interest; its capital arrives as
one linked chain, idempotent by the caller's reference: the funding partner's settlement
account pays the lender's capital (400), and the same amount is granted to what it may still
lend (401). Capital and available are read from the ledger, never kept in a table."""

from __future__ import annotations

from dataclasses import dataclass

from colony.chart import (
    Slots,
    lender_available_account_id,
    lender_capital_account_id,
    name_hash,
)
from colony.kernel.clock import Clock
from colony.kernel.money import UnknownCurrency, ledger_of
from colony.ledger import LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult as RT
from colony.loans.books import ensure_currency_books, held, lender_accounts, make_accounts
from colony.loans.chains import control_id
from colony.loans.model import (
    TRANSFER_LENDER_FUNDING,
    TRANSFER_LENDING_ALLOWANCE,
    ChargeOffBearer,
    Lender,
    funding_minor_max,
    income_share_bps_max,
)
from colony.loans.results import LenderResult
from colony.loans.store import LoanStore
from colony.wallets import WalletResult, WalletService

# Bits of the hash of a lender, currency and the caller's reference that key a funding.
FUNDING_REFERENCE_BITS = 64
# The longest reference a funding may carry.
reference_chars_max = 100


@dataclass(frozen=True)
class LenderBalance:
    lender: Lender
    capital_minor: int  # what Colony owes the lender
    available_minor: int  # what may still be lent


class Lenders:
    def __init__(
        self, ledger: LedgerPort, wallets: WalletService, store: LoanStore, clock: Clock
    ) -> None:
        self._ledger = ledger
        self._wallets = wallets
        self._store = store
        self._clock = clock

    def add(
        self, name: str, currency: str, income_share_bps: int
    ) -> tuple[LenderResult, Lender | None]:
        """Register a funding partner as a lender in `currency` (idempotent on equal terms)."""
        if not WalletService.is_partner_name(name):
            return LenderResult.invalid_name, None
        try:
            ledger = ledger_of(currency)
        except UnknownCurrency:
            return LenderResult.unknown_currency, None
        if isinstance(income_share_bps, bool) or not 0 <= income_share_bps <= income_share_bps_max:
            return LenderResult.income_share_out_of_range, None
        code = currency.upper()
        found = self._store.lender(name, code)
        if found is not None:
            same = found.income_share_bps == income_share_bps
            return (LenderResult.ok if same else LenderResult.already_registered), found
        if self._wallets.register_funding_partner(name, code) is not WalletResult.ok:
            return LenderResult.unknown_currency, None
        lender = Lender(
            name, code, ledger, income_share_bps, ChargeOffBearer.house, self._clock.now_ns()
        )
        self._store.add_lender(lender)
        ensure_currency_books(self._ledger, ledger)
        make_accounts(self._ledger, lender_accounts(name, ledger))
        return LenderResult.ok, lender

    def lenders(self) -> list[LenderBalance]:
        """Every lender with its capital and what it may still lend, from the ledger."""
        return [self.balance(x) for x in self._store.lenders()]

    def balance(self, lender: Lender) -> LenderBalance:
        capital, available = self._ledger.lookup_accounts(
            [
                lender_capital_account_id(lender.name, lender.ledger),
                lender_available_account_id(lender.name, lender.ledger),
            ]
        )
        return LenderBalance(lender, held(capital), held(available))

    @staticmethod
    def funding_ids(name: str, currency: str, reference: str) -> tuple[int, int]:
        """The two transfer ids of a funding: the same reference always gives the same."""
        base = name_hash(f"{name}/{currency.upper()}/{reference}", FUNDING_REFERENCE_BITS)
        return Slots.lender_capital_in.of(base), Slots.lender_allowance_grant.of(base)

    def fund(self, name: str, currency: str, amount_minor: int, reference: str) -> LenderResult:
        """Capital paid in by the lender's settlement account, and granted as available;
        the same `reference` again moves nothing."""
        lender = self._store.lender(name, currency.upper())
        if lender is None:
            return LenderResult.lender_not_found
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return LenderResult.amount_must_be_positive
        if amount_minor > funding_minor_max:
            return LenderResult.amount_too_large
        if not reference.strip() or len(reference) > reference_chars_max:
            raise ValueError(f"a funding's reference is 1-{reference_chars_max} characters")
        capital_id, grant_id = self.funding_ids(name, currency, reference)
        ledger = lender.ledger
        chain = [
            Transfer(
                capital_id, WalletService.funding_partner_account_id(name, ledger),
                lender_capital_account_id(name, ledger), amount_minor, ledger,
                TRANSFER_LENDER_FUNDING, int(TransferFlags.linked),
            ),
            Transfer(
                grant_id, control_id(ledger), lender_available_account_id(name, ledger),
                amount_minor, ledger, TRANSFER_LENDING_ALLOWANCE,
            ),
        ]  # fmt: skip
        results = self._ledger.create_transfers(chain)
        first = next((r for r in results if r is not RT.linked_event_failed), RT.ok)
        if first in (RT.ok, RT.exists):  # made now, or by the same reference before
            return LenderResult.ok
        if first.name.startswith("exists_with_different"):
            return LenderResult.id_reused_differently
        if first.name.startswith("overflows"):
            return LenderResult.capital_overflows
        raise RuntimeError(f"funding refused: {[r.name for r in results]}")
