"""What partners owe each other, booked in the ledger with the payment that makes the debt.

When a wallet of partner A pays a merchant of partner B, the payment's linked chain carries
one more leg: A's clearing account is debited and B's credited, on the payment's currency
ledger, for the amount. A clearing account's net (credits less debits) is what the platform
owes that partner (positive) or the partner owes (negative) in that currency; clearing and
settlement between partners read it from the ledger. A payment within one partner (the
house's included) has no clearing leg. An authorisation holds its clearing leg as it holds
the money, and capture posts it or void releases it with the rest; a refund books the leg
backwards for the amount given back.

A payment across partners *and* currencies (a PHP wallet of A paying B's SGD merchant with a
quote, docs/adr/0019) clears through the house, which made the exchange: the clearing leg
is booked in the merchant's currency as above (A owes B the merchant's amount), and two FX
legs (code 211) turn A's debt into its own currency: the house delivers A the merchant's
amount (house -> A, merchant's ledger) and A pays the house what its user paid (A -> house,
the wallet's ledger). A's nets: the wallet's amount owed in its own currency, nothing in the
merchant's; the house holds the exchange, as its treasury accounts do. A refund books all
three backwards, the wallet's side at the payment's own rate.
"""

from __future__ import annotations

import hashlib

from colony.ledger import Account, LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind
from colony.partners.store import PartnerStore

ACCOUNT_PARTNER_CLEARING = 70  # what the platform owes a partner (credit) or is owed (debit)
TRANSFER_PARTNER_CLEARING = 210  # a payment's amount owed from the payer's to the payee's partner
TRANSFER_PARTNER_FX = 211  # the house's exchange for a partner: one currency owed for another
_CLEARING_BASE = 0xF4
_LINKED = int(TransferFlags.linked)


def clearing_account_id(partner_id: str, ledger: int) -> int:
    """A partner's clearing account on a currency's ledger: the base, 96 bits of the
    partner's id hashed, and the ledger (ISO 4217 numeric codes fit 16 bits)."""
    digest = hashlib.blake2b(partner_id.encode(), digest_size=12).digest()
    return (_CLEARING_BASE << 120) | (int.from_bytes(digest, "big") << 16) | ledger


def clearing_leg_id(payment_id: int, part: bytes = b"") -> int:
    """The id of a payment's clearing leg (or of its FX legs, by `part`): derived, so a
    retried payment books it once. Top bit set, like every derived id, so it never meets a
    time-ordered one."""
    digest = hashlib.blake2b(
        payment_id.to_bytes(16, "big") + b"partner-clearing" + part, digest_size=16
    ).digest()
    return (int.from_bytes(digest, "big") >> 1) | (1 << 127)


# The parts naming a payment's (or refund's) two FX legs: the merchant's side, the wallet's.
_FX_MERCHANT_SIDE = b"/fx-merchant-side"
_FX_WALLET_SIDE = b"/fx-wallet-side"


class Clearing:
    def __init__(self, ledger: LedgerPort, store: PartnerStore) -> None:
        self._ledger = ledger
        self._store = store

    def partners_of(self, wallet_id: str, merchant_id: str) -> tuple[str, str]:
        """(the payer's partner, the merchant's partner), the house's where none is recorded."""
        payer = self._store.partner_of(MemberKind.wallet, wallet_id) or HOUSE_PARTNER_ID
        payee = self._store.partner_of(MemberKind.merchant, merchant_id) or HOUSE_PARTNER_ID
        return payer, payee

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
        debit, credit = self._accounts([(payer, ledger), (payee, ledger)])
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

    def fx_legs(
        self,
        transfer_id: int,
        wallet_id: str,
        merchant_id: str,
        wallet_side: tuple[int, int],
        merchant_side: tuple[int, int],
        *,
        backwards: bool = False,
    ) -> list[Transfer]:
        """A cross-border payment's clearing (linked): the leg in the merchant's currency,
        then the house's exchange for the payer's partner. Sides are (ledger, amount in its
        minor units). None within one partner; no exchange when the payer's partner is the
        house (it made the exchange itself). `backwards` for a refund (`transfer_id`): the
        same legs for what the merchant gives back and what the wallet gets at the payment's
        rate."""
        payer, payee = self.partners_of(wallet_id, merchant_id)
        if payer == payee:
            return []
        wallet_ledger, wallet_minor = wallet_side
        merchant_ledger, merchant_minor = merchant_side
        # (id, debit partner, credit partner, ledger, amount, code), in the paying direction.
        legs = [
            (clearing_leg_id(transfer_id), payer, payee, merchant_ledger, merchant_minor,
             TRANSFER_PARTNER_CLEARING),
        ]  # fmt: skip
        if payer != HOUSE_PARTNER_ID:
            legs += [
                (clearing_leg_id(transfer_id, _FX_MERCHANT_SIDE), HOUSE_PARTNER_ID, payer,
                 merchant_ledger, merchant_minor, TRANSFER_PARTNER_FX),
                (clearing_leg_id(transfer_id, _FX_WALLET_SIDE), payer, HOUSE_PARTNER_ID,
                 wallet_ledger, wallet_minor, TRANSFER_PARTNER_FX),
            ]  # fmt: skip
        chain = []
        for leg_id, debit, credit, ledger, amount, code in legs:
            if backwards:
                debit, credit = credit, debit
            debit_id, credit_id = self._accounts([(debit, ledger), (credit, ledger)])
            chain.append(
                Transfer(
                    leg_id,
                    debit_id,
                    credit_id,
                    amount,
                    ledger,
                    code,
                    _LINKED,
                    user_data_128=transfer_id,
                )
            )
        return chain

    def _accounts(self, owners: list[tuple[str, int]]) -> list[int]:
        """The clearing accounts of (partner, ledger) pairs, made first (idempotent)."""
        accounts = [
            Account(clearing_account_id(p, ledger), ledger, ACCOUNT_PARTNER_CLEARING)
            for p, ledger in owners
        ]
        for account, result in zip(accounts, self._ledger.create_accounts(accounts), strict=True):
            if result not in (RA.ok, RA.exists):
                raise RuntimeError(f"clearing account {account.id} refused: {result.name}")
        return [a.id for a in accounts]

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
