"""Registering causes and giving to them.

A donation is one linked chain, as a QR payment's: the wallet pays the cause's account, and
the wallet's limit legs follow (`WalletService.spend_legs`: its daily allowance and its
balance headroom). All or nothing; retried with the same transfer id, it moves money once.
What a cause has raised is its account's balance, read from the ledger.
"""

from __future__ import annotations

from colony.donations.model import ACCOUNT_CAUSE, TRANSFER_DONATION, Cause, cause_name_chars_max
from colony.donations.results import DonationResult
from colony.donations.store import CauseStore
from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, ledger_of
from colony.ledger import Account, AccountFlags, LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.wallets import Wallet, WalletResult, WalletService

# How the wallet's chain outcome reads as a donation's.
_OF_CHAIN = {
    WalletResult.ok: DonationResult.ok,
    WalletResult.insufficient_funds: DonationResult.insufficient_funds,
    WalletResult.daily_outflow_cap_exceeded: DonationResult.daily_outflow_cap_exceeded,
    WalletResult.id_reused_differently: DonationResult.id_reused_differently,
    WalletResult.refused_before: DonationResult.refused_before,
}


class DonationService:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        store: CauseStore,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._wallets = wallets
        self._store = store
        self._clock = clock
        self._ids = ids

    def register(self, name: str, currency: str) -> tuple[DonationResult, Cause | None]:
        """A new cause with its own account on the currency's ledger."""
        if not name.strip() or len(name) > cause_name_chars_max:
            return DonationResult.invalid_name, None
        try:
            ledger = ledger_of(currency)
        except UnknownCurrency:
            return DonationResult.unknown_currency, None
        cause = Cause(
            f"cau_{self._ids.new_id():032x}",
            name.strip(),
            currency.upper(),
            ledger,
            self._ids.new_id(),
            self._clock.now_ns(),
        )
        self._store.insert(cause)  # intent first (ADR 0003); the account is idempotent
        # Never debited more than credited: a cause is owed what it was given, never owes.
        flags = int(AccountFlags.debits_must_not_exceed_credits)
        account = Account(cause.account_id, ledger, ACCOUNT_CAUSE, flags=flags)
        result = self._ledger.create_accounts([account])[0]
        if result not in (RA.ok, RA.exists):
            raise RuntimeError(f"account {account.id} refused: {result.name}")
        return DonationResult.ok, cause

    def by_id(self, cause_id: str) -> Cause | None:
        return self._store.by_id(cause_id)

    def causes(self) -> list[Cause]:
        return self._store.all()

    def raised(self, cause: Cause) -> int:
        """What the cause has been given, in minor units: its account's balance."""
        (account,) = self._ledger.lookup_accounts([cause.account_id])
        return account.credits_posted - account.debits_posted

    def donate(
        self, wallet: Wallet, cause_id: str, amount_minor: int, transfer_id: int
    ) -> DonationResult:
        """Give `amount_minor` of the wallet's money to the cause; the same `transfer_id`
        retries safely."""
        cause = self._store.by_id(cause_id)
        if cause is None:
            return DonationResult.cause_not_found
        if cause.ledger != wallet.ledger:
            return DonationResult.currencies_differ
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return DonationResult.amount_must_be_positive
        if self._wallets.is_frozen(wallet.id):
            return DonationResult.wallet_frozen
        chain = [
            Transfer(
                transfer_id,
                wallet.account_id,
                cause.account_id,
                amount_minor,
                wallet.ledger,
                TRANSFER_DONATION,
                int(TransferFlags.linked),
            ),
            *self._wallets.spend_legs(wallet, amount_minor, transfer_id),
        ]
        chain[-1].flags &= ~int(TransferFlags.linked)  # the chain ends at its last leg
        results: list[RT] = self._ledger.create_transfers(chain)
        return _OF_CHAIN[WalletService.outcome(results, receiver_at=None)]
