"""Asking for money: a wallet asks a phone number for an amount in its currency, with a
note; the payer sees the request in the app and pays it (a P2P transfer whose id is fixed by
the request, so paying twice moves the money once) or declines it; the asker may cancel it
while it is open. A request moves no money by itself."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.ids import IdGenerator
from colony.kernel.money import Money
from colony.wallets.model import Wallet
from colony.wallets.results import WalletResult
from colony.wallets.service import WalletService
from colony.wallets.store import WalletStore

# The longest note on a request, in characters.
request_note_chars_max = 100
# Open requests one wallet may have asked at once: asking is free, so it is bounded.
open_requests_per_wallet_max = 50
# Requests one wallet may ask of one phone number in any `requests_window_s` (24 hours),
# whatever became of them: each one texts the payer, with the asker's name in the text, so
# asking and cancelling in a loop would otherwise text anyone with a wallet without end
# (docs/adr/0110: a mistyped amount cancelled and asked again, and one more, fit).
requests_to_one_payer_max = 3
requests_window_s = 24 * 3600
# Requests listed per page.
requests_page_max = 50


class RequestStatus(enum.StrEnum):
    open = "open"
    paid = "paid"
    declined = "declined"
    cancelled = "cancelled"


@dataclass(frozen=True)
class MoneyRequest:
    id: str  # "mrq_" + hex
    requester_wallet: str
    payer_phone: str
    currency: str
    amount_minor: int
    note: str
    status: RequestStatus
    transfer_id: int  # the P2P transfer that pays it
    created_at_ns: int
    settled_at_ns: int = 0


class RequestStore(Protocol):
    def add(self, request: MoneyRequest) -> None: ...

    def get(self, request_id: str) -> MoneyRequest | None: ...

    def settle(self, request_id: str, status: RequestStatus, at_ns: int) -> bool:
        """Move an open request to `status`; False when it was not open any more."""

    def to_payer(self, phone: str, currency: str, limit: int) -> list[MoneyRequest]:
        """Open requests to `phone` in `currency`, newest first."""

    def by_requester(self, wallet_id: str, limit: int) -> list[MoneyRequest]:
        """Every request the wallet asked, newest first."""

    def open_count(self, wallet_id: str) -> int: ...

    def asked_of_since(self, wallet_id: str, payer_phone: str, since_ns: int) -> int:
        """Requests the wallet asked of `payer_phone` at or after `since_ns`, in any status."""


def asked_text(requester: Wallet, made: MoneyRequest) -> str:
    """What the payer's phone is texted: who asks, how much, and where to answer. Never the
    note, which a stranger could fill with a link; in English, since the payer's language is
    known only to their app."""
    amount = str(Money(made.amount_minor, made.currency))  # "7.20 SGD": plain in any language
    return (
        f"{requester.name} asks you for {amount} on Colony. "
        "Open the Colony app to pay or decline; Colony never texts you a link."
    )


class MoneyRequests:
    def __init__(
        self,
        wallets: WalletService,
        wallet_store: WalletStore,
        store: RequestStore,
        clock: Clock,
        ids: IdGenerator,
        text_payer: Callable[[str, str], None] = lambda phone, text: None,
    ) -> None:
        """`text_payer(phone, text)` tells the payer they are asked (the server passes its
        SMS sender); it runs after the request is stored, and a text that cannot go out
        loses nothing: the request waits in the payer's app all the same."""
        self._text_payer = text_payer
        self._wallets = wallets
        self._wallet_store = wallet_store
        self._store = store
        self._clock = clock
        self._ids = ids

    def ask(
        self, requester: Wallet, payer_phone: str, amount_minor: int, note: str
    ) -> tuple[WalletResult, MoneyRequest | None]:
        note = note.strip()
        if len(note) > request_note_chars_max:
            return WalletResult.invalid_note, None
        if amount_minor <= 0:
            return WalletResult.amount_must_be_positive, None
        payer = self._wallet_store.by_phone(payer_phone, requester.currency)
        if payer is None:
            return WalletResult.unknown_wallet, None
        if payer.id == requester.id:
            return WalletResult.same_wallet, None
        if self._store.open_count(requester.id) >= open_requests_per_wallet_max:
            return WalletResult.too_many_open_requests, None
        if self._asked_of_lately(requester, payer) >= requests_to_one_payer_max:
            return WalletResult.too_many_requests_to_payer, None
        number = self._ids.new_id()
        made = MoneyRequest(
            id=f"mrq_{number:032x}",
            requester_wallet=requester.id,
            payer_phone=payer.phone,
            currency=requester.currency,
            amount_minor=amount_minor,
            note=note,
            status=RequestStatus.open,
            transfer_id=self._ids.new_id(),
            created_at_ns=self._clock.now_ns(),
        )
        self._store.add(made)
        self._text_payer(payer.phone, asked_text(requester, made))
        return WalletResult.ok, made

    def _asked_of_lately(self, requester: Wallet, payer: Wallet) -> int:
        """Requests (texts) the requester caused to the payer's phone in the last window: a
        cancelled or declined one counts as it was texted all the same."""
        since_ns = self._clock.now_ns() - requests_window_s * NS_PER_S
        return self._store.asked_of_since(requester.id, payer.phone, since_ns)

    def to_pay(self, payer: Wallet) -> list[MoneyRequest]:
        return self._store.to_payer(payer.phone, payer.currency, requests_page_max)

    def asked_by(self, requester: Wallet) -> list[MoneyRequest]:
        return self._store.by_requester(requester.id, requests_page_max)

    def pay(self, request_id: str, payer: Wallet) -> WalletResult:
        """Pay an open request to the payer's number: the P2P transfer, then the record."""
        found = self._payable(request_id, payer)
        if found is None:
            return WalletResult.request_not_found
        if found.status is RequestStatus.paid:
            return WalletResult.ok  # paid before: a retry
        if found.status is not RequestStatus.open:
            return WalletResult.request_closed
        requester = self._wallet_store.by_id(found.requester_wallet)
        if requester is None:
            return WalletResult.unknown_wallet
        outcome = self._wallets.p2p(
            payer.phone, requester.phone, found.currency, found.amount_minor, found.transfer_id
        )
        if outcome.result is not WalletResult.ok:
            return outcome.result
        self._store.settle(found.id, RequestStatus.paid, self._clock.now_ns())
        return WalletResult.ok

    def decline(self, request_id: str, payer: Wallet) -> WalletResult:
        found = self._payable(request_id, payer)
        if found is None:
            return WalletResult.request_not_found
        settled = self._store.settle(found.id, RequestStatus.declined, self._clock.now_ns())
        return WalletResult.ok if settled else WalletResult.request_closed

    def cancel(self, request_id: str, requester: Wallet) -> WalletResult:
        found = self._store.get(request_id)
        if found is None or found.requester_wallet != requester.id:
            return WalletResult.request_not_found
        settled = self._store.settle(found.id, RequestStatus.cancelled, self._clock.now_ns())
        return WalletResult.ok if settled else WalletResult.request_closed

    def _payable(self, request_id: str, payer: Wallet) -> MoneyRequest | None:
        found = self._store.get(request_id)
        if found is None or found.payer_phone != payer.phone or found.currency != payer.currency:
            return None  # another's request reads as none at all
        return found
