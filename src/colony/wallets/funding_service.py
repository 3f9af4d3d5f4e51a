"""Funding partners, top-ups and withdrawals with their records: the rows beside the ledger.

As docs/adr/0003 says, the row is written first, naming the ledger transfer it will use;
the ledger events follow (WalletService), and a movement's status is read from the ledger
alone. A request the ledger refuses leaves no row: nothing moved, and the caller was told why.
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, ledger_of
from colony.ledger import LedgerPort, TransferPendingStatus
from colony.wallets.funding import (
    FundingMovement,
    FundingPartner,
    MovementKind,
    MovementStatus,
    PartnerKind,
    movement_id,
)
from colony.wallets.funding_store import FundingStore
from colony.wallets.model import Wallet
from colony.wallets.results import WalletResult
from colony.wallets.service import WalletService

_STATUS = {
    TransferPendingStatus.pending: MovementStatus.pending,
    TransferPendingStatus.posted: MovementStatus.succeeded,
    TransferPendingStatus.voided: MovementStatus.failed,
    TransferPendingStatus.expired: MovementStatus.expired,
}


@dataclass(frozen=True)
class MovementOutcome:
    result: WalletResult
    movement: FundingMovement | None = None
    risk_reasons: tuple[str, ...] = ()  # refused by risk control: its reasons, by name


class FundingService:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        store: FundingStore,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._wallets = wallets
        self._store = store
        self._clock = clock
        self._ids = ids

    # -------------------------------------------------------------- partners

    def register_partner(
        self, name: str, kind: str, currency: str
    ) -> tuple[WalletResult, FundingPartner | None]:
        """A partner and its settlement account; registering the same one again is ok."""
        if not WalletService.is_partner_name(name):
            return WalletResult.invalid_partner_name, None
        if kind not in PartnerKind.__members__:
            return WalletResult.invalid_partner_kind, None
        try:
            ledger_of(currency)
        except UnknownCurrency:
            return WalletResult.unknown_currency, None
        partner = FundingPartner(name, PartnerKind(kind), currency.upper(), self._clock.now_ns())
        if not self._store.add_partner(partner):  # intent first
            stored = self._store.partner(name, partner.currency)
            assert stored is not None
            if stored.kind is not partner.kind:
                return WalletResult.partner_registered_differently, None
            partner = stored
        result = self._wallets.register_funding_partner(partner.name, partner.currency)
        return result, partner

    def partner(self, name: str, currency: str) -> FundingPartner | None:
        return self._store.partner(name, currency.upper())

    def partners(self, currency: str | None = None) -> list[FundingPartner]:
        return self._store.partners(currency.upper() if currency else None)

    def reconcile(self) -> int:
        """Make sure every partner's settlement account exists: repairs an interrupted
        registration (the row is written before the account)."""
        partners = self._store.partners()
        for partner in partners:
            self._wallets.register_funding_partner(partner.name, partner.currency)
        return len(partners)

    # -------------------------------------------------------------- top-ups and withdrawals

    def top_up(
        self, wallet: Wallet, partner: str, amount_minor: int, transfer_id: int | None = None
    ) -> MovementOutcome:
        """Ask `partner` for money into the wallet: pending until the partner confirms."""
        return self._move(MovementKind.top_up, wallet, partner, amount_minor, transfer_id)

    def withdraw(
        self,
        wallet: Wallet,
        partner: str,
        amount_minor: int,
        transfer_id: int | None = None,
        *,
        stepped_up: bool = False,
    ) -> MovementOutcome:
        """Send money out to `partner`: held now, paid out when the partner confirms.
        `stepped_up`: the owner confirmed with the PIN, which answers risk control's
        challenge (docs/adr/0063)."""
        return self._move(
            MovementKind.withdrawal, wallet, partner, amount_minor, transfer_id, stepped_up
        )

    def _move(
        self,
        kind: MovementKind,
        wallet: Wallet,
        partner: str,
        amount_minor: int,
        transfer_id: int | None,
        stepped_up: bool = False,
    ) -> MovementOutcome:
        if self._store.partner(partner, wallet.currency) is None:
            return MovementOutcome(WalletResult.unknown_funding_source)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return MovementOutcome(WalletResult.amount_must_be_positive)
        tid = transfer_id if transfer_id is not None else self._ids.new_id()
        movement = FundingMovement(
            movement_id(kind, tid),
            kind,
            wallet.id,
            partner,
            amount_minor,
            wallet.currency,
            tid,
            self._clock.now_ns(),
        )
        inserted = self._store.add_movement(movement)  # intent first
        if not inserted:
            stored = self._store.movement(movement.id)
            assert stored is not None
            if (stored.kind, stored.wallet_id, stored.partner, stored.amount_minor) != (
                kind,
                wallet.id,
                partner,
                amount_minor,
            ):
                return MovementOutcome(WalletResult.id_reused_differently)
            movement = stored
        if kind is MovementKind.top_up:
            outcome = self._wallets.request_top_up(
                wallet.phone, wallet.currency, partner, amount_minor, tid
            )
        else:
            outcome = self._wallets.request_withdrawal(
                wallet.phone, wallet.currency, partner, amount_minor, tid, stepped_up=stepped_up
            )
        if outcome.result is not WalletResult.ok:
            if inserted:
                self._store.remove_movement(movement.id)
            return MovementOutcome(outcome.result, risk_reasons=outcome.risk_reasons)
        return MovementOutcome(WalletResult.ok, movement)

    def movement(self, movement_id: str) -> FundingMovement | None:
        return self._store.movement(movement_id)

    def status(self, movement: FundingMovement) -> MovementStatus:
        """Read from the ledger. A row whose transfer never reached the ledger (a crash between
        the two) moved nothing, so it reads `failed`; a retry with the same id submits it."""
        found = self._ledger.pending_status(movement.transfer_id)
        return _STATUS.get(found or TransferPendingStatus.none, MovementStatus.failed)

    def settle(self, movement: FundingMovement, *, confirmed: bool) -> WalletResult:
        """The partner's answer: confirmed (post), or declined / failed (void)."""
        if movement.kind is MovementKind.top_up:
            return self._wallets.settle_top_up(movement.transfer_id, confirmed=confirmed)
        return self._wallets.settle_withdrawal(movement.transfer_id, confirmed=confirmed)
