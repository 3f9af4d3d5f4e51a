"""What partners owe each other, booked in the ledger with the payment that makes the debt.

When a wallet of partner A pays a merchant of partner B, the payment's linked chain carries
one more leg: A's clearing account is debited and B's credited, on the payment's currency
ledger, for the amount. A clearing account's net (credits less debits) is what the platform
owes that partner (positive) or the partner owes (negative) in that currency; clearing and
settlement between partners read it from the ledger. A payment within one partner (the
house's included) has no clearing leg. An authorisation holds its clearing leg as it holds
the money, and capture posts it or void releases it with the rest; a refund books the leg
backwards for the amount given back.
"""

from __future__ import annotations

import hashlib

from colony.ledger import Account, LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind
from colony.partners.store import PartnerStore

ACCOUNT_PARTNER_CLEARING = 70  # what the platform owes a partner (credit) or is owed (debit)
TRANSFER_PARTNER_CLEARING = 210  # a payment's amount owed from the payer's to the payee's partner
_CLEARING_BASE = 0xF4
_LINKED = int(TransferFlags.linked)


def clearing_account_id(partner_id: str, ledger: int) -> int:
    """A partner's clearing account on a currency's ledger: the base, 96 bits of the
    partner's id hashed, and the ledger (ISO 4217 numeric codes fit 16 bits)."""
    digest = hashlib.blake2b(partner_id.encode(), digest_size=12).digest()
    return (_CLEARING_BASE << 120) | (int.from_bytes(digest, "big") << 16) | ledger


def clearing_leg_id(payment_id: int) -> int:
    """The id of a payment's clearing leg: derived, so a retried payment books it once. Top
    bit set, like every derived id, so it never meets a time-ordered one."""
    digest = hashlib.blake2b(
        payment_id.to_bytes(16, "big") + b"partner-clearing", digest_size=16
    ).digest()
    return (int.from_bytes(digest, "big") >> 1) | (1 << 127)


class Clearing:
    def __init__(self, ledger: LedgerPort, store: PartnerStore) -> None:
        self._ledger = ledger
        self._store = store

    def partners_of(self, wallet_id: str, merchant_id: str) -> tuple[str, str]:
        """(the payer's partner, the merchant's partner), the house's where none is recorded."""
        payer = self._store.partner_of(MemberKind.wallet, wallet_id) or HOUSE_PARTNER_ID
        payee = self._store.partner_of(MemberKind.merchant, merchant_id) or HOUSE_PARTNER_ID
        return payer, payee

    def currencies_refused(
        self, wallet_id: str, wallet_currency: str, merchant_id: str, merchant_currency: str
    ) -> bool:
        """Whether a payment across partners is in two currencies: refused until clearing
        between partners carries FX."""
        if wallet_currency == merchant_currency:
            return False
        payer, payee = self.partners_of(wallet_id, merchant_id)
        return payer != payee

    def legs(
        self,
        payment_id: int,
        wallet_id: str,
        merchant_id: str,
        amount_minor: int,
        ledger: int,
        *,
        hold_timeout_s: int | None = None,
    ) -> list[Transfer]:
        """The clearing leg to link into a payment's chain (a hold with `hold_timeout_s`):
        none within one partner. Makes both clearing accounts first (idempotent)."""
        payer, payee = self.partners_of(wallet_id, merchant_id)
        if payer == payee:
            return []
        debit, credit = clearing_account_id(payer, ledger), clearing_account_id(payee, ledger)
        accounts = [Account(a, ledger, ACCOUNT_PARTNER_CLEARING) for a in (debit, credit)]
        for account, result in zip(accounts, self._ledger.create_accounts(accounts), strict=True):
            if result not in (RA.ok, RA.exists):
                raise RuntimeError(f"clearing account {account.id} refused: {result.name}")
        held = hold_timeout_s is not None
        return [
            Transfer(
                clearing_leg_id(payment_id),
                debit,
                credit,
                amount_minor,
                ledger,
                TRANSFER_PARTNER_CLEARING,
                _LINKED | (int(TransferFlags.pending) if held else 0),
                timeout=hold_timeout_s or 0,
                user_data_128=payment_id,
            )
        ]

    def held_leg_ids(self, payment_id: int) -> list[int]:
        """The clearing leg an authorisation holds, to post or void with it; none if the
        authorisation stayed within one partner."""
        leg = clearing_leg_id(payment_id)
        found = self._ledger.lookup_transfers([leg])
        return [leg] if found and found[0].flags & TransferFlags.pending else []

    def refund_legs(self, payment_id: int, refund_id: int, amount_minor: int) -> list[Transfer]:
        """The payment's clearing leg booked backwards for a refund's amount (linked; the
        caller ends the chain); none if the payment stayed within one partner."""
        found = self._ledger.lookup_transfers([clearing_leg_id(payment_id)])
        if not found:
            return []
        leg = found[0]
        return [
            Transfer(
                clearing_leg_id(refund_id),
                leg.credit_account_id,
                leg.debit_account_id,
                amount_minor,
                leg.ledger,
                TRANSFER_PARTNER_CLEARING,
                _LINKED,
                user_data_128=refund_id,
            )
        ]

    def net_minor(self, partner_id: str, ledger: int) -> int:
        """What the platform owes the partner on a ledger (negative: what the partner owes)."""
        found = self._ledger.lookup_accounts([clearing_account_id(partner_id, ledger)])
        return found[0].credits_posted - found[0].debits_posted if found else 0
