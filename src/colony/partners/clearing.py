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

from colony.chart import LEGACY, AccountCode, IdPrefix, Slots, TransferCode
from colony.ledger import Account, LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateAccountResult as RA
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind
from colony.partners.store import PartnerStore

# Ledger codes: the chart's (docs/chart-of-accounts.md), under the names this package uses.
ACCOUNT_PARTNER_CLEARING: int = AccountCode.partner_clearing
TRANSFER_PARTNER_CLEARING: int = TransferCode.partner_clearing
TRANSFER_PARTNER_FX: int = TransferCode.partner_fx
_LINKED = int(TransferFlags.linked)
_LEGACY = [old for old in LEGACY if old.code is AccountCode.partner_clearing]


def clearing_account_id(partner_id: str, ledger: int) -> int:
    """A partner's clearing account on a currency's ledger: the chart's prefix, 96 bits of
    the partner's id hashed, and the ledger (ISO 4217 numeric codes fit 16 bits)."""
    return IdPrefix.partner_clearing.account_id(ledger, partner_id)


def clearing_account_ids(partner_id: str, ledger: int) -> list[int]:
    """Every id a partner's clearing account on a ledger may have: the one opened now, then
    those older versions opened (docs/adr/0023), which keep their legs and count in the
    partner's position."""
    return [
        clearing_account_id(partner_id, ledger),
        *(o.account_id(ledger, partner_id) for o in _LEGACY),
    ]


def clearing_leg_id(payment_id: int) -> int:
    """The id of a payment's (or refund's) clearing leg: derived, so a retry books it once."""
    return Slots.clearing_leg.of(payment_id)


class Clearing:
    def __init__(self, ledger: LedgerPort, store: PartnerStore) -> None:
        self._ledger = ledger
        self._store = store

    def partners_of(self, wallet_id: str, merchant_id: str) -> tuple[str, str]:
        """(the payer's partner, the merchant's partner), the house's where none is recorded."""
        payer = self._store.partner_of(MemberKind.wallet, wallet_id) or HOUSE_PARTNER_ID
        payee = self._store.partner_of(MemberKind.merchant, merchant_id) or HOUSE_PARTNER_ID
        return payer, payee

    def crosses(self, wallet_id: str, merchant_id: str) -> bool:
        """Whether a payment from this wallet to this merchant crosses two partners (and so
        carries a clearing leg)."""
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
                (Slots.clearing_fx_merchant_side.of(transfer_id), HOUSE_PARTNER_ID, payer,
                 merchant_ledger, merchant_minor, TRANSFER_PARTNER_FX),
                (Slots.clearing_fx_wallet_side.of(transfer_id), payer, HOUSE_PARTNER_ID,
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
        """What the platform owes the partner on a ledger (negative: what the partner owes),
        over its clearing account and any an older version opened."""
        found = self._ledger.lookup_accounts(clearing_account_ids(partner_id, ledger))
        return sum(a.credits_posted - a.debits_posted for a in found)
