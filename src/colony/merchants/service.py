"""Onboarding merchants. Their QR codes and the money they receive belong to payments."""

from __future__ import annotations

import enum
import re

from colony.chart import IdPrefix
from colony.kernel.clock import Clock
from colony.kernel.countries import iso_3166_alpha_2
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, ledger_of
from colony.kernel.text_checks import is_plain_text
from colony.ledger import Account, LedgerPort
from colony.ledger.results import CreateAccountResult as RA
from colony.merchants.model import (
    ACCOUNT_MERCHANT,
    ACCOUNT_REVENUE,
    Merchant,
    MerchantSuspension,
    suspension_reason_chars_max,
)
from colony.merchants.store import MerchantStore

discount_bps_max = 10_000


class OnboardResult(enum.IntEnum):
    ok = 0
    invalid_mcc = 1
    invalid_country = 2
    unknown_currency = 3
    invalid_discount = 4
    invalid_name = 5


class SuspensionResult(enum.IntEnum):
    """What suspending or reinstating a merchant came to (docs/adr/0114)."""

    ok = 0
    unknown_merchant = 1
    invalid_reason = 2  # none, longer than suspension_reason_chars_max, or hiding text
    already_suspended = 3
    not_suspended = 4


def revenue_account_id(ledger: int) -> int:
    """The operator's discount-fee revenue account on a currency's ledger."""
    return IdPrefix.fee_revenue.account_id(ledger)


class MerchantService:
    def __init__(
        self, ledger: LedgerPort, store: MerchantStore, clock: Clock, ids: IdGenerator
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._clock = clock
        self._ids = ids

    def new_merchant_id(self) -> str:
        return f"mer_{self._ids.new_id():032x}"

    def onboard(
        self,
        legal_name: str,
        display_name: str,
        mcc: str,
        country: str,
        city: str,
        currency: str,
        discount_bps: int,
        merchant_id: str | None = None,
    ) -> tuple[OnboardResult, Merchant | None]:
        """Onboard a merchant; `merchant_id` (from `new_merchant_id`) when the caller must
        name it before it exists, as a partner does to enrol it first."""
        if not re.fullmatch(r"[0-9]{4}", mcc):
            return OnboardResult.invalid_mcc, None
        # Upper case, as stored, and a code ISO 3166-1 assigns (Colony's own table): "XK"
        # or "ZZ" would name no country a settlement or a report can place.
        if not re.fullmatch(r"[A-Z]{2}", country) or not iso_3166_alpha_2(country):
            return OnboardResult.invalid_country, None
        try:
            ledger = ledger_of(currency)
        except UnknownCurrency:
            return OnboardResult.unknown_currency, None
        if isinstance(discount_bps, bool) or not 0 <= discount_bps <= discount_bps_max:
            return OnboardResult.invalid_discount, None
        if not legal_name.strip() or not 0 < len(display_name) <= 25 or not 0 < len(city) <= 15:
            return OnboardResult.invalid_name, None
        merchant = Merchant(
            merchant_id or self.new_merchant_id(),
            legal_name.strip(),
            display_name,
            mcc,
            country,
            city,
            currency.upper(),
            ledger,
            discount_bps,
            self._ids.new_id(),
            self._clock.now_ns(),
        )
        self._store.insert(merchant)  # intent first (ADR 0003); the accounts are idempotent
        self.materialise(merchant)
        return OnboardResult.ok, merchant

    def materialise(self, merchant: Merchant) -> None:
        accounts = [
            Account(merchant.account_id, merchant.ledger, ACCOUNT_MERCHANT),
            Account(revenue_account_id(merchant.ledger), merchant.ledger, ACCOUNT_REVENUE),
        ]
        for account, result in zip(accounts, self._ledger.create_accounts(accounts), strict=True):
            if result not in (RA.ok, RA.exists):
                raise RuntimeError(f"account {account.id} refused: {result.name}")

    def by_id(self, merchant_id: str) -> Merchant | None:
        return self._store.by_id(merchant_id)

    def page(self, starting_after: str | None, limit: int) -> list[Merchant]:
        """Merchants by id (drawn at random, so in no order of time), after `starting_after`."""
        return self._store.page(starting_after, limit)

    def named(self, text: str, limit: int) -> list[Merchant]:
        return self._store.named(text, limit)

    def suspend(self, merchant_id: str, reason: str) -> SuspensionResult:
        """Stop the merchant taking payments until `reinstate`; refunds and voids of its
        payments still go back to payers (docs/adr/0114)."""
        refused = self._refused(merchant_id, reason)
        if refused is not None:
            return refused
        made = MerchantSuspension(merchant_id, reason.strip(), self._clock.now_ns())
        if not self._store.suspend(made):
            return SuspensionResult.already_suspended
        return SuspensionResult.ok

    def reinstate(self, merchant_id: str, reason: str) -> SuspensionResult:
        """Let the merchant take payments again. The reason is asked as a suspension's is,
        for the staff audit log; the suspension's row goes."""
        refused = self._refused(merchant_id, reason)
        if refused is not None:
            return refused
        if not self._store.reinstate(merchant_id):
            return SuspensionResult.not_suspended
        return SuspensionResult.ok

    def _refused(self, merchant_id: str, reason: str) -> SuspensionResult | None:
        if self._store.by_id(merchant_id) is None:
            return SuspensionResult.unknown_merchant
        # Kept for good in the staff audit log: nothing there that hides or reorders text.
        if not 0 < len(reason.strip()) <= suspension_reason_chars_max or not is_plain_text(reason):
            return SuspensionResult.invalid_reason
        return None

    def is_suspended(self, merchant_id: str) -> bool:
        return self._store.is_suspended(merchant_id)

    def suspension_of(self, merchant_id: str) -> MerchantSuspension | None:
        return self._store.suspension_of(merchant_id)

    def suspensions(
        self, limit: int, after: tuple[int, str] | None = None
    ) -> list[MerchantSuspension]:
        """Up to `limit` suspensions in force, the newest first: the console's list, a page
        at a time (`after`: when and whose was the last of the page before)."""
        return self._store.suspensions(limit, after)
