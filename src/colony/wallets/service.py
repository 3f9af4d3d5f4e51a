"""The wallets service: the only code that opens wallets and moves money between them.

It follows docs/adr/0003: the wallet's row is written first, with every ledger id it will use
already chosen (or derived from it), and the ledger events are then submitted; submitting them
again is harmless, so `reconcile` repairs anything a crash interrupted. Every limit is a
ledger rule inside the same linked chain as the money it limits (see model.py).
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial

from colony.chart import IdPrefix, Slots, funding_partner_account_id
from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.errors import InvalidInput
from colony.kernel.ids import IdGenerator
from colony.kernel.money import UnknownCurrency, ledger_of
from colony.kernel.steps import ON_THREAD, Steps, wait
from colony.kernel.text_checks import is_plain_name, is_plain_text
from colony.ledger import (
    AMOUNT_MAX,
    Account,
    AccountFlags,
    LedgerPort,
    Transfer,
    TransferFlags,
    exists_imported,
)
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.ledger.service import request_timeout_s
from colony.risk import Channel, Decision, RiskCheck, RiskEvent
from colony.wallets import model
from colony.wallets.model import (
    DEFAULT_LIMITS,
    Tier,
    TierLimits,
    Wallet,
    WalletFreeze,
    freeze_reason_chars_max,
)
from colony.wallets.results import WalletResult
from colony.wallets.store import WalletStore, every_wallet

_log = logging.getLogger(__name__)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_PARTNER_NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")
_LINKED = int(TransferFlags.linked)
# What risk control's decision means for a P2P transfer or a withdrawal: no hold for review
# yet on these, so a review is refused as a block (`Assessment.unheld`, docs/adr/0055).
_RISK_REFUSALS = {
    Decision.block: WalletResult.risk_blocked,
    Decision.challenge: WalletResult.risk_challenge_required,
}
_NO_OVERDRAFT = int(AccountFlags.debits_must_not_exceed_credits)
SECONDS_PER_DAY = 86_400


def _is_reason(text: str) -> bool:
    """Whether `text` gives a reason for freezing or unfreezing: not blank, not an essay,
    nothing in it that hides or reorders text (the audit log keeps it for good)."""
    return 0 < len(text.strip()) <= freeze_reason_chars_max and is_plain_text(text)


class LedgerRefused(RuntimeError):
    """The ledger refused an event the wallet service built itself: a bug, never an outcome."""


@dataclass(frozen=True)
class P2POutcome:
    result: WalletResult
    transfer_id: int | None = None
    # Refused by risk control: the reasons its active rules gave, by name (docs/adr/0055).
    risk_reasons: tuple[str, ...] = ()


# Wallets whose ledger events are looked up at once when reconciling (one ledger lookup of
# two transfers each): well under the ledger's batch of 8,190 events.
reconcile_batch_wallets = 2_000
_IMPORTED_TRANSFER = int(TransferFlags.imported)


class WalletService:
    def __init__(
        self,
        ledger: LedgerPort,
        store: WalletStore,
        clock: Clock,
        ids: IdGenerator,
        limits: dict[Tier, TierLimits] | None = None,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._clock = clock
        self._ids = ids
        self._limits = limits or DEFAULT_LIMITS
        self._charts_ready: set[int] = set()
        # Today's outflow accounts already opened and granted, per tier: a payment need not
        # ask the ledger again (three round trips each). Forgotten when the UTC day turns.
        self._outflow_ready: set[tuple[int, Tier]] = set()
        self._outflow_day = -1
        # Risk control, when Colony runs it: P2P transfers and withdrawals are scored first.
        self.risk: RiskCheck | None = None

    # -------------------------------------------------------------- the chart per currency

    @staticmethod
    def funding_account_id(ledger: int) -> int:
        """Where opening deposits come from (the cash-in agents' settlement, for now)."""
        return IdPrefix.funding.account_id(ledger)

    @staticmethod
    def limit_control_account_id(ledger: int) -> int:
        """The other side of every headroom and allowance movement."""
        return IdPrefix.limit_control.account_id(ledger)

    def _ensure_chart(self, ledger: int) -> None:
        if ledger in self._charts_ready:
            return
        self._accounts(
            [
                Account(self.funding_account_id(ledger), ledger, model.ACCOUNT_FUNDING),
                Account(self.limit_control_account_id(ledger), ledger, model.ACCOUNT_LIMIT_CONTROL),
            ]
        )
        self._charts_ready.add(ledger)

    # -------------------------------------------------------------- opening and tiers

    def new_wallet_id(self) -> str:
        return f"wal_{self._ids.new_id():032x}"

    def refusal_to_open(self, phone: str, name: str, currency: str) -> WalletResult:
        """Why a wallet with these fields could not be opened (`ok`: it could, unless the
        number has one in the currency), checked without opening it: a route asks before it
        spends anything else on the request (a try at the number's code)."""
        if not _E164.fullmatch(phone):
            return WalletResult.invalid_phone
        try:
            ledger_of(currency)
        except UnknownCurrency:
            return WalletResult.unknown_currency
        # A name is shown beside money (a payee, a P2P receiver, the console): none that
        # storage cannot hold or that reorders what a reader sees ("Ann\u202e..." showed
        # the wallet's number reversed), however it arrives.
        if not name.strip() or len(name) > 100 or not is_plain_name(name):
            return WalletResult.invalid_name
        return WalletResult.ok

    def open_wallet(
        self, phone: str, name: str, currency: str, wallet_id: str | None = None
    ) -> tuple[WalletResult, Wallet | None]:
        """Open a wallet; `wallet_id` (from `new_wallet_id`) when the caller must name it
        before it exists, as a partner does to enrol it first."""
        refused = self.refusal_to_open(phone, name, currency)
        if refused is not WalletResult.ok:
            return refused, None
        wallet = Wallet(
            id=wallet_id or self.new_wallet_id(),
            phone=phone,
            name=name.strip(),
            currency=currency.upper(),
            ledger=ledger_of(currency),
            tier=Tier.phone_only,
            account_id=self._ids.new_id(),
            created_at_ns=self._clock.now_ns(),
        )
        if not self._store.insert(wallet):  # intent first: the row names every id
            return WalletResult.phone_taken, None
        self._materialise(wallet)
        return WalletResult.ok, wallet

    def _materialise(self, wallet: Wallet) -> None:
        """Make the ledger match the wallet's row; safe to repeat (every id is derived)."""
        self._ensure_chart(wallet.ledger)
        self._accounts(
            [
                Account(
                    wallet.account_id,
                    wallet.ledger,
                    model.ACCOUNT_WALLET,
                    _NO_OVERDRAFT | int(AccountFlags.history),
                ),
                Account(
                    wallet.headroom_account_id,
                    wallet.ledger,
                    model.ACCOUNT_BALANCE_HEADROOM,
                    _NO_OVERDRAFT,
                ),
            ]
        )
        funding = self.funding_account_id(wallet.ledger)
        control = self.limit_control_account_id(wallet.ledger)
        base = wallet.account_id
        grants = self._headroom_grants(wallet, wallet.tier)
        opening = [
            # The coin paid in at an agent: the wallet's first money, and its headroom used.
            Transfer(
                Slots.opening_deposit.of(base),
                funding,
                wallet.account_id,
                model.OPENING_DEPOSIT_MINOR,
                wallet.ledger,
                model.TRANSFER_OPENING_DEPOSIT,
                _LINKED,
            ),
            Transfer(
                Slots.opening_headroom.of(base),
                wallet.headroom_account_id,
                control,
                model.OPENING_DEPOSIT_MINOR,
                wallet.ledger,
                model.TRANSFER_HEADROOM,
            ),
        ]
        for chain in (*([g] for g in grants), opening):
            self._chain(chain)

    def _headroom_grants(self, wallet: Wallet, tier: Tier) -> list[Transfer]:
        """The balance cap of every tier up to `tier`, granted as headroom, one id per tier."""
        control = self.limit_control_account_id(wallet.ledger)
        grants, previous = [], 0
        for level in Tier:
            if level > tier:
                break
            cap = self._limits[level].balance_cap_minor
            grants.append(
                Transfer(
                    Slots.tier_headroom_grant.of(wallet.account_id, level),
                    control,
                    wallet.headroom_account_id,
                    cap - previous,
                    wallet.ledger,
                    model.TRANSFER_LIMIT_GRANT,
                )
            )
            previous = cap
        return grants

    def verify_identity(self, wallet_id: str) -> WalletResult:
        """KYC passed: move to tier 1, which lifts both caps."""
        wallet = self._store.by_id(wallet_id)
        if wallet is None:
            return WalletResult.unknown_wallet
        if wallet.tier >= Tier.identity_verified:
            return WalletResult.already_verified
        self._store.set_tier(wallet_id, Tier.identity_verified)  # intent first
        upgraded = self._store.by_id(wallet_id)
        assert upgraded is not None
        self._materialise(upgraded)
        return WalletResult.ok

    def reconcile(self) -> int:
        """Repair what a crash interrupted: resubmit the ledger events of every wallet whose
        opening (or latest tier) did not reach the ledger. Which did is read in batches from
        the ledger (a wallet's last chain, the opening coin, and its tier's grant, are there
        only if all before them are), so a start over 100,000 wallets resubmits only the
        few a crash cut short. Answers how many wallets were looked at."""
        count = 0
        batch: list[Wallet] = []
        for wallet in every_wallet(self._store, reconcile_batch_wallets):
            batch.append(wallet)
            count += 1
            if len(batch) == reconcile_batch_wallets:
                self._reconcile_batch(batch)
                batch = []
        if batch:
            self._reconcile_batch(batch)
        return count

    def _reconcile_batch(self, wallets: list[Wallet]) -> None:
        last_of = {w.id: self._last_ids(w) for w in wallets}
        wanted = [tid for ids in last_of.values() for tid in ids]
        found = {t.id for t in self._ledger.lookup_transfers(wanted)}
        for wallet in wallets:
            if not all(tid in found for tid in last_of[wallet.id]):
                self._materialise(wallet)

    @staticmethod
    def _last_ids(wallet: Wallet) -> tuple[int, int]:
        """The ids of what `_materialise` submits last in each of its steps: the opening coin
        and the grant of the wallet's tier."""
        base = wallet.account_id
        return Slots.opening_deposit.of(base), Slots.tier_headroom_grant.of(base, wallet.tier)

    # -------------------------------------------------------------- freezing

    def freeze(self, wallet_id: str, reason: str) -> WalletResult:
        """Stop money leaving the wallet until `unfreeze`; it may still receive and be read.
        Holds made before (an authorisation, a withdrawal) run their course."""
        if self._store.by_id(wallet_id) is None:
            return WalletResult.unknown_wallet
        if not _is_reason(reason):
            return WalletResult.invalid_reason
        made = WalletFreeze(wallet_id, reason.strip(), self._clock.now_ns())
        return WalletResult.ok if self._store.freeze(made) else WalletResult.already_frozen

    def unfreeze(self, wallet_id: str, reason: str) -> WalletResult:
        """Let money leave the wallet again. The reason is asked as a freeze's is, for whoever
        records who lifted it (the staff audit log); the freeze's row goes."""
        if self._store.by_id(wallet_id) is None:
            return WalletResult.unknown_wallet
        if not _is_reason(reason):
            return WalletResult.invalid_reason
        return WalletResult.ok if self._store.unfreeze(wallet_id) else WalletResult.not_frozen

    def freeze_of(self, wallet_id: str) -> WalletFreeze | None:
        return self._store.freeze_of(wallet_id)

    def is_frozen(self, wallet_id: str) -> bool:
        """Asked by everything that moves money out of a wallet, before it builds the chain."""
        return self._store.is_frozen(wallet_id)

    # -------------------------------------------------------------- money

    def balance(self, wallet: Wallet) -> int:
        return self.balances(wallet)[0]

    def balances(self, wallet: Wallet) -> tuple[int, int]:
        """(balance, available): posted money, and what of it is not held by a pending
        debit (an authorisation, a withdrawal waiting for its partner), read at one moment."""
        (account,) = self._ledger.lookup_accounts([wallet.account_id])
        balance = account.credits_posted - account.debits_posted
        return balance, balance - account.debits_pending

    def limits_today(self, wallet: Wallet) -> tuple[TierLimits, int]:
        """The wallet's tier limits, and what it has spent (posted or held) today, UTC,
        against the daily outflow cap."""
        day = self._clock.now_ns() // NS_PER_S // SECONDS_PER_DAY
        found = self._ledger.lookup_accounts([wallet.outflow_account_id(day)])
        spent = found[0].debits_posted + found[0].debits_pending if found else 0
        return self._limits[wallet.tier], spent

    def p2p(
        self,
        from_phone: str,
        to_phone: str,
        currency: str,
        amount_minor: int,
        transfer_id: int | None = None,
        *,
        stepped_up: bool = False,
    ) -> P2POutcome:
        """Send money between two wallets; pass the same `transfer_id` to retry safely.
        `stepped_up`: the sender confirmed with the PIN, which answers risk control's
        challenge."""
        sender = self._store.by_phone(from_phone, currency.upper())
        receiver = self._store.by_phone(to_phone, currency.upper())
        if sender is None or receiver is None:
            return P2POutcome(WalletResult.unknown_wallet)
        if sender.id == receiver.id:
            return P2POutcome(WalletResult.same_wallet)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return P2POutcome(WalletResult.amount_must_be_positive)
        unless_made = partial(self._p2p_made, transfer_id, sender, receiver, amount_minor)
        if self.is_frozen(sender.id):
            return unless_made(P2POutcome(WalletResult.wallet_frozen))
        tid = transfer_id if transfer_id is not None else self._ids.new_id()
        refused, reasons = self._risk_refusal(
            tid, Channel.p2p, sender, receiver.id, amount_minor, stepped_up=stepped_up
        )
        if refused is not None:
            return unless_made(P2POutcome(refused, tid, reasons))
        chain = [
            Transfer(
                tid,
                sender.account_id,
                receiver.account_id,
                amount_minor,
                sender.ledger,
                model.TRANSFER_P2P,
                _LINKED,
            ),
            *self.spend_legs(sender, amount_minor, tid),
            # ... and the receiver's balance headroom is used.
            *self.receive_legs(receiver.account_id, sender.ledger, amount_minor, tid),
        ]
        return self._risk_counted(
            P2POutcome(self.outcome(self._ledger.create_transfers(chain), receiver_at=3), tid)
        )

    def _p2p_made(
        self,
        tid: int | None,
        sender: Wallet,
        receiver: Wallet,
        amount_minor: int,
        refusal: P2POutcome,
    ) -> P2POutcome:
        """`refusal`, unless the ledger holds this very P2P transfer under `tid` already (its
        chain is linked: all of it moved, or none): then a retry whose stored answer is gone
        (kept 30 days, docs/adr/0080) is told it was made, whatever changed since (a freeze,
        risk control's view). Asked only before refusing: a lookup waits for the ledger to be
        durable, which no P2P on its way to the ledger needs to."""
        found = self._ledger.lookup_transfers([tid]) if tid is not None else []
        if found and (
            found[0].debit_account_id,
            found[0].credit_account_id,
            found[0].amount,
            found[0].code,
        ) == (sender.account_id, receiver.account_id, amount_minor, model.TRANSFER_P2P):
            return P2POutcome(WalletResult.ok, tid)
        return refusal

    def _risk_refusal(
        self,
        tid: int,
        channel: Channel,
        payer: Wallet,
        payee: str,
        amount_minor: int,
        *,
        stepped_up: bool,
    ) -> tuple[WalletResult | None, tuple[str, ...]]:
        """Risk control's word on money leaving `payer` (None without risk control, or when
        it may go), with the reasons of a refusal: refused when blocked, challenged or held
        for review (docs/adr/0055); a challenge is answered when the payer confirmed with
        the PIN (`stepped_up`)."""
        if self.risk is None:
            return None, ()
        event = RiskEvent(channel, payer.id, payee, amount_minor, payer.currency,
                          self._clock.now_ns())  # fmt: skip
        assessment = self.risk.payment(tid, event).unheld()
        self.risk.keep(tid, event, assessment)
        if assessment.decision is Decision.challenge and stepped_up:
            return None, ()
        refused = _RISK_REFUSALS.get(assessment.decision)
        return refused, () if refused is None else tuple(r.name for r in assessment.reasons)

    def _risk_counted(self, outcome: P2POutcome) -> P2POutcome:
        """Tell risk control the money moved (a refused try counts as an attempt only)."""
        if self.risk is not None and outcome.result is WalletResult.ok and outcome.transfer_id:
            self.risk.succeeded(outcome.transfer_id)
        return outcome

    def spend_legs(
        self, wallet: Wallet, amount_minor: int, tid: int, *, hold_timeout_s: int | None = None
    ) -> list[Transfer]:
        """The limit legs of money leaving a wallet, to chain (linked) right after the transfer
        out of it at index 0: today's outflow allowance is used (index 1: a failure there is
        the daily cap), and the wallet's balance headroom comes back (index 2). With
        `hold_timeout_s` they are holds (pending), to be posted or voided with the payment's."""
        return self.legs_from(
            self._ensure_today(wallet), wallet, amount_minor, tid, hold_timeout_s=hold_timeout_s
        )

    def legs_from(
        self,
        outflow: int,
        wallet: Wallet,
        amount_minor: int,
        tid: int,
        *,
        hold_timeout_s: int | None = None,
    ) -> list[Transfer]:
        """`spend_legs` drawing on `outflow`, today's outflow account (`submit_today`)."""
        control = self.limit_control_account_id(wallet.ledger)
        flags = _LINKED | (int(TransferFlags.pending) if hold_timeout_s is not None else 0)
        timeout = hold_timeout_s or 0
        return [
            Transfer(
                Slots.outflow_leg.of(tid),
                outflow,
                control,
                amount_minor,
                wallet.ledger,
                model.TRANSFER_OUTFLOW,
                flags,
                timeout=timeout,
            ),
            Transfer(
                Slots.headroom_back_leg.of(tid),
                control,
                wallet.headroom_account_id,
                amount_minor,
                wallet.ledger,
                model.TRANSFER_HEADROOM,
                flags,
                timeout=timeout,
            ),
        ]

    @staticmethod
    def collection_legs(
        account_id: int, ledger: int, amount_minor: int, tid: int
    ) -> list[Transfer]:
        """The limit leg of money Colony collects from a wallet on a due day, by the holder's
        agreement (a cash loan's collection, the credit line's due-day repayment), to chain
        right after the money out: the wallet's balance headroom comes back, and no daily
        outflow allowance is used. The cap limits what the holder can send away in a day; a
        collection goes back to the lender that paid the money out, on a day agreed, and
        counted it would make a person who spent their allowance overdue (docs/adr/0058)."""
        return [
            Transfer(
                Slots.headroom_back_leg.of(tid),
                WalletService.limit_control_account_id(ledger),
                Slots.headroom_account.of(account_id),
                amount_minor,
                ledger,
                model.TRANSFER_HEADROOM,
            )
        ]

    @staticmethod
    def spend_leg_ids(tid: int) -> list[int]:
        """The ids of `spend_legs(..., tid)`, to post or void them with the payment."""
        return [Slots.outflow_leg.of(tid), Slots.headroom_back_leg.of(tid)]

    def receive_legs(
        self, account_id: int, ledger: int, amount_minor: int, tid: int
    ) -> list[Transfer]:
        """The limit leg of money arriving in a wallet (by its ledger account): its balance
        headroom is used, so a credit past the tier's cap fails in the same chain."""
        return [
            Transfer(
                Slots.headroom_leg.of(tid),
                Slots.headroom_account.of(account_id),
                self.limit_control_account_id(ledger),
                amount_minor,
                ledger,
                model.TRANSFER_HEADROOM,
            ),
        ]

    def cash_in(
        self, phone: str, currency: str, amount_minor: int, transfer_id: int | None = None
    ) -> P2POutcome:
        """Cash paid in at an agent: the wallet is credited at once, within its balance cap."""
        wallet = self._store.by_phone(phone, currency.upper())
        if wallet is None:
            return P2POutcome(WalletResult.unknown_wallet)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return P2POutcome(WalletResult.amount_must_be_positive)
        tid = transfer_id if transfer_id is not None else self._ids.new_id()
        self._ensure_chart(wallet.ledger)
        chain = [
            Transfer(
                tid,
                self.funding_account_id(wallet.ledger),
                wallet.account_id,
                amount_minor,
                wallet.ledger,
                model.TRANSFER_OPENING_DEPOSIT,
                _LINKED,
            ),
            *self.receive_legs(wallet.account_id, wallet.ledger, amount_minor, tid),
        ]
        return P2POutcome(self.outcome(self._ledger.create_transfers(chain), receiver_at=1), tid)

    @staticmethod
    def outcome(results: list[RT], receiver_at: int | None) -> WalletResult:
        """Name the business outcome from the event of the chain that failed."""
        if results[0] is RT.exists or all(r is RT.ok for r in results):
            return WalletResult.ok  # done now, or by an earlier attempt with the same id
        failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
        result = results[failing]
        if result is RT.id_already_failed:
            return WalletResult.refused_before
        if result.name.startswith("exists_with_different"):
            return WalletResult.id_reused_differently
        if result is RT.exceeds_credits:
            if failing == 0:
                return WalletResult.insufficient_funds
            if failing == receiver_at:
                return WalletResult.balance_cap_exceeded
            if failing == 1:
                return WalletResult.daily_outflow_cap_exceeded
        raise LedgerRefused(f"chain refused at event {failing}: {result.name}")

    def spends_ready(self, wallet: Wallet) -> bool:
        """Whether `spend_legs` for this wallet is made without waiting on the ledger: its
        outflow account for today (at its tier) is known made."""
        day = self._clock.now_ns() // NS_PER_S // SECONDS_PER_DAY
        ready = (wallet.outflow_account_id(day), wallet.tier) in self._outflow_ready
        return day == self._outflow_day and ready

    def _ensure_today(self, wallet: Wallet) -> int:
        """Today's outflow account, holding the sender's tier allowance for the UTC day."""
        account_id, made = self.submit_today(wallet)
        wait(made, request_timeout_s)
        return account_id

    def submit_today(self, wallet: Wallet) -> tuple[int, Steps[None]]:
        """Today's outflow account id, its making queued on the ledger without waiting (the
        account, then its tier allowance grants), and the steps that check it was made.

        Chain the spend right behind it: the ledger applies submissions in order, so the
        account holds its allowance when the spend is applied, and a wallet's first
        payment of the day waits for one commit, not five in a row on a thread."""
        day = self._clock.now_ns() // NS_PER_S // SECONDS_PER_DAY
        account_id = wallet.outflow_account_id(day)
        if day != self._outflow_day:
            self._outflow_ready, self._outflow_day = set(), day
        if (account_id, wallet.tier) in self._outflow_ready:
            return account_id, _made_already()
        account = Account(
            account_id, wallet.ledger, model.ACCOUNT_DAILY_OUTFLOW, _NO_OVERDRAFT,
            user_data_32=day,
        )  # fmt: skip
        made = self._ledger.submit_accounts([account])
        control = self.limit_control_account_id(wallet.ledger)
        grants, previous = [], 0
        for level in Tier:
            if level > wallet.tier:
                break
            cap = self._limits[level].daily_outflow_cap_minor
            grant = Transfer(
                Slots.tier_allowance_grant.of(account_id, level),
                control,
                account_id,
                cap - previous,
                wallet.ledger,
                model.TRANSFER_LIMIT_GRANT,
            )
            grants.append(([grant], self._ledger.submit_transfers([grant])))
            previous = cap
        return account_id, self._today_checked(wallet, account, made, grants)

    @staticmethod
    def spent_after_today(made: Steps[None], chain_results: list[RT]) -> Steps[None]:
        """`made` (`submit_today`'s check) for a spend chained right behind it: a refusal is
        raised only if the spend was refused too. A spend the ledger applied moved its
        money, which no answer may deny; the refusal is logged for the operator, and the
        next payment makes sure of the account again."""
        try:
            yield from made
        except LedgerRefused:
            if not all(r is RT.ok for r in chain_results):
                raise
            _log.exception("today's outflow account or allowance refused; the payment stands")

    def _today_checked(
        self,
        wallet: Wallet,
        account: Account,
        made: Future[list[int]],
        grants: list[tuple[list[Transfer], Future[list[int]]]],
    ) -> Steps[None]:
        """Raises `LedgerRefused` if the account or a grant was refused. Checked after the
        spend chained behind it: if that spend was applied all the same (a lower tier's
        grant was enough), its money moved, and the caller must not answer it as a
        failure (`spent_after_today`)."""
        (result,) = yield made
        if RA(result) not in (RA.ok, RA.exists):
            yield ON_THREAD  # an imported account is looked up: a read that waits
            self._accounts_checked([account], [RA(result)])
        for chain, submitted in grants:
            results = [RT(r) for r in (yield submitted)]
            if not _chain_applied(results):
                yield ON_THREAD  # an imported grant is looked up: a read that waits
                self._chain_checked(chain, results)
        self._outflow_ready.add((account.id, wallet.tier))

    # -------------------------------------------------------------- funding partners

    @staticmethod
    def funding_partner_account_id(name: str, ledger: int) -> int:
        """A funding partner's settlement account on a currency's ledger."""
        return funding_partner_account_id(name, ledger)

    @staticmethod
    def is_partner_name(name: str) -> bool:
        return _PARTNER_NAME.fullmatch(name) is not None

    def register_funding_partner(self, name: str, currency: str) -> WalletResult:
        """A bank or card issuer that tops wallets up in `currency` (idempotent)."""
        try:
            ledger = ledger_of(currency)
        except UnknownCurrency:
            return WalletResult.unknown_currency
        if not self.is_partner_name(name):
            raise InvalidInput("a funding partner's name is 2-40 of a-z, 0-9 and _")
        self._ensure_chart(ledger)
        self._accounts(
            [
                Account(
                    self.funding_partner_account_id(name, ledger),
                    ledger,
                    model.ACCOUNT_FUNDING_PARTNER,
                    user_data_32=ledger,
                )
            ]
        )
        return WalletResult.ok

    def _funding_parties(
        self, phone: str, currency: str, partner: str, amount_minor: int
    ) -> tuple[Wallet, int] | WalletResult:
        """The wallet and the partner's account a top-up or withdrawal moves money between,
        or why there is none."""
        wallet = self._store.by_phone(phone, currency.upper())
        if wallet is None:
            return WalletResult.unknown_wallet
        partner_account = self.funding_partner_account_id(partner, wallet.ledger)
        if not self._ledger.lookup_accounts([partner_account]):  # the ledger is the registry
            return WalletResult.unknown_funding_source
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return WalletResult.amount_must_be_positive
        return wallet, partner_account

    def request_top_up(
        self,
        phone: str,
        currency: str,
        partner: str,
        amount_minor: int,
        transfer_id: int | None = None,
    ) -> P2POutcome:
        """Hold a top-up until the partner confirms: nothing is spendable yet, but the
        wallet's balance cap is already checked, and the hold expires by itself if the
        partner says nothing within `top_up_confirm_timeout_s`."""
        found = self._funding_parties(phone, currency, partner, amount_minor)
        if isinstance(found, WalletResult):
            return P2POutcome(found)
        wallet, partner_account = found
        tid = transfer_id if transfer_id is not None else self._ids.new_id()
        pending = int(TransferFlags.pending)
        timeout = model.top_up_confirm_timeout_s
        chain = [
            Transfer(
                tid,
                partner_account,
                wallet.account_id,
                amount_minor,
                wallet.ledger,
                model.TRANSFER_TOP_UP,
                pending | _LINKED,
                timeout=timeout,
            ),
            Transfer(
                Slots.headroom_leg.of(tid),
                wallet.headroom_account_id,
                self.limit_control_account_id(wallet.ledger),
                amount_minor,
                wallet.ledger,
                model.TRANSFER_HEADROOM,
                pending,
                timeout=timeout,
            ),
        ]
        return P2POutcome(self.outcome(self._ledger.create_transfers(chain), receiver_at=1), tid)

    def settle_top_up(self, transfer_id: int, *, confirmed: bool) -> WalletResult:
        """The partner's answer: post the hold (confirmed) or void it (declined)."""
        found = self._ledger.lookup_transfers([transfer_id])
        if not found or found[0].code != model.TRANSFER_TOP_UP:
            return WalletResult.top_up_not_found
        settled = self._settle(
            [transfer_id, Slots.headroom_leg.of(transfer_id)], confirmed=confirmed
        )
        return WalletResult[f"top_up_{settled}"] if settled else WalletResult.ok

    def request_withdrawal(
        self,
        phone: str,
        currency: str,
        partner: str,
        amount_minor: int,
        transfer_id: int | None = None,
        *,
        stepped_up: bool = False,
    ) -> P2POutcome:
        """Hold money leaving for a partner (a bank account, a card) until the partner confirms.
        The wallet's limits apply at once, as for any payment out: the money is held (it can
        no longer be spent), today's outflow allowance is used, and the balance headroom it
        frees is held too. If the partner says nothing within `withdrawal_confirm_timeout_s`,
        the ledger expires every hold and the money is the wallet's again. `stepped_up`: the
        owner confirmed with the PIN, which answers risk control's challenge (docs/adr/0063)."""
        found = self._funding_parties(phone, currency, partner, amount_minor)
        if isinstance(found, WalletResult):
            return P2POutcome(found)
        wallet, partner_account = found
        if self.is_frozen(wallet.id):
            return P2POutcome(WalletResult.wallet_frozen)
        tid = transfer_id if transfer_id is not None else self._ids.new_id()
        refused, reasons = self._risk_refusal(
            tid, Channel.withdrawal, wallet, partner, amount_minor, stepped_up=stepped_up
        )
        if refused is not None:
            return P2POutcome(refused, tid, reasons)
        timeout = model.withdrawal_confirm_timeout_s
        chain = [
            Transfer(
                tid,
                wallet.account_id,
                partner_account,
                amount_minor,
                wallet.ledger,
                model.TRANSFER_WITHDRAWAL,
                int(TransferFlags.pending) | _LINKED,
                timeout=timeout,
            ),
            *self.spend_legs(wallet, amount_minor, tid, hold_timeout_s=timeout),
        ]
        chain[-1].flags &= ~_LINKED  # the chain ends with the headroom hold
        return self._risk_counted(
            P2POutcome(self.outcome(self._ledger.create_transfers(chain), receiver_at=None), tid)
        )

    def settle_withdrawal(self, transfer_id: int, *, confirmed: bool) -> WalletResult:
        """The partner's answer: paid out (post every hold) or failed (void them: the money,
        the day's allowance and the balance headroom all come back)."""
        found = self._ledger.lookup_transfers([transfer_id])
        if not found or found[0].code != model.TRANSFER_WITHDRAWAL:
            return WalletResult.withdrawal_not_found
        settled = self._settle([transfer_id, *self.spend_leg_ids(transfer_id)], confirmed=confirmed)
        return WalletResult[f"withdrawal_{settled}"] if settled else WalletResult.ok

    def _settle(self, pending_ids: list[int], *, confirmed: bool) -> str | None:
        """Post or void a chain of holds together. None when done (now, or by an earlier
        attempt with the same answer); else why not: `expired`, `already_settled` (another
        answer came first) or `not_found`. Posting and voiding use the same derived ids, so
        the second of two different answers is refused by the ledger itself."""
        flag = int(
            TransferFlags.post_pending_transfer
            if confirmed
            else TransferFlags.void_pending_transfer
        )
        amount = AMOUNT_MAX if confirmed else 0
        chain = [
            Transfer(
                Slots.answer_leg.of(pending_ids[0], i), 0, 0, amount, 0, 0, flag | _LINKED,
                pending_id=pending_id,
            )
            for i, pending_id in enumerate(pending_ids)
        ]  # fmt: skip
        chain[-1].flags &= ~_LINKED
        results = self._ledger.create_transfers(chain)
        if results[0] is RT.exists or all(r is RT.ok for r in results):
            return None
        failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
        result = results[failing]
        if result is RT.pending_transfer_not_found or result is RT.pending_transfer_not_pending:
            return "not_found"
        if result is RT.pending_transfer_expired:
            return "expired"
        if result in (RT.pending_transfer_already_posted, RT.pending_transfer_already_voided):
            return "already_settled"
        if result is RT.id_already_failed or result.name.startswith("exists_with_different"):
            return "already_settled"
        raise LedgerRefused(f"settlement refused: {result.name}")

    # -------------------------------------------------------------- ledger helpers

    def _accounts(self, accounts: list[Account]) -> None:
        self._accounts_checked(accounts, self._ledger.create_accounts(accounts))

    def _accounts_checked(self, accounts: list[Account], results: list[RA]) -> None:
        for account, result in zip(accounts, results, strict=True):
            # An account a simulated market imported is the one asked for (ledger/imported.py).
            if result in (RA.ok, RA.exists) or exists_imported(self._ledger, account, result):
                continue
            raise LedgerRefused(f"account {account.id}: {result.name}")

    def _chain(self, transfers: list[Transfer]) -> None:
        """Submit events the service built; ok, or `exists` for the first (a chain is atomic,
        so the whole of it was applied by an earlier attempt)."""
        self._chain_checked(transfers, self._ledger.create_transfers(transfers))

    def _chain_checked(self, transfers: list[Transfer], results: list[RT]) -> None:
        if _chain_applied(results):
            return
        if results[0] is RT.exists_with_different_flags:
            # Made before as an imported event (a simulated market's history): the same
            # transfer, which this service never asks to import.
            found = self._ledger.lookup_transfers([transfers[0].id])
            if found and found[0].flags & ~_IMPORTED_TRANSFER == transfers[0].flags:
                return
        raise LedgerRefused(f"chain refused: {[r.name for r in results]}")


def _chain_applied(results: list[RT]) -> bool:
    """Whether a chain's results say it is in the ledger: every event ok, or `exists` for
    the first (a chain is atomic, so an earlier attempt applied all of it)."""
    return results[0] is RT.exists or all(r is RT.ok for r in results)


def _made_already() -> Steps[None]:
    """The steps of checking an outflow account known made: nothing to wait for."""
    return
    yield  # a generator: steps that finish at once
