"""Creating partners, and recording which wallets and merchants are theirs."""

from __future__ import annotations

import datetime as dt
import enum

from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.countries import UnknownCountry, country
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, held_currency
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind, Partner
from colony.partners.store import PartnerStore

# The longest name and brand a partner may have, in characters.
partner_name_chars_max = 100


class PartnerResult(enum.IntEnum):
    ok = 0
    invalid_name = 1
    invalid_brand = 2
    unknown_country = 3  # not an ISO 3166-1 alpha-2 code
    unknown_currency = 4  # not an ISO 4217 code money can be held in


class PartnerService:
    def __init__(self, store: PartnerStore, clock: Clock, ids: IdGenerator) -> None:
        self.store = store
        self._clock = clock
        self._ids = ids

    def create(
        self, name: str, brand: str, country_code: str, currency: str
    ) -> tuple[PartnerResult, Partner | None]:
        if not 0 < len(name.strip()) <= partner_name_chars_max:
            return PartnerResult.invalid_name, None
        if not 0 < len(brand.strip()) <= partner_name_chars_max:
            return PartnerResult.invalid_brand, None
        today = dt.datetime.fromtimestamp(self._clock.now_ns() // NS_PER_S, dt.UTC).date()
        try:
            if len(country_code) != 2:
                raise UnknownCountry(country_code)
            alpha_2 = country(country_code, today).alpha_2
        except UnknownCountry:
            return PartnerResult.unknown_country, None
        try:
            code = held_currency(currency)
        except UnknownCurrency:
            return PartnerResult.unknown_currency, None
        partner = Partner(
            f"ptn_{self._ids.new_id():032x}",
            name.strip(),
            brand.strip(),
            alpha_2,
            code,
            self._clock.now_ns(),
        )
        self.store.add(partner)
        return PartnerResult.ok, partner

    def listed(self, limit: int) -> list[Partner]:
        """The first `limit` partners, in the order the store keeps them."""
        return self.store.page(None, limit)

    def by_id(self, partner_id: str) -> Partner | None:
        return self.store.by_id(partner_id)

    def enrol(self, kind: MemberKind, member_id: str, partner_id: str) -> None:
        """Record that the partner opened this wallet or onboarded this merchant."""
        self.store.add_member(kind, member_id, partner_id)

    def owns(self, partner_id: str, kind: MemberKind, member_id: str) -> bool:
        return (self.store.partner_of(kind, member_id) or HOUSE_PARTNER_ID) == partner_id
