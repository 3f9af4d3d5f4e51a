"""Paying merchants from wallets: the money, the payer's limits and the merchant's fee, at once.

A QR payment is one linked chain: the wallet pays the merchant, the wallet's limit legs follow
(wallets.spend_legs: its daily allowance and its balance headroom), and the merchant's
discount fee goes to the operator's revenue as its own transfer. All or nothing; retried
with the same payment id, it moves money once.

The fee is `amount * discount_bps / 10,000` rounded half up to the minor unit, in integers.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from colony.chart import AccountCode, IdPrefix, Slots, TransferCode
from colony.kernel.clock import Clock
from colony.kernel.errors import InvalidInput
from colony.kernel.ids import IdGenerator
from colony.kernel.money import Money
from colony.kernel.steps import DONE, ON_THREAD, Steps, blocking
from colony.ledger import (
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
from colony.merchants import (
    QR_SCHEME_GUI,
    TRANSFER_DISCOUNT_FEE,
    Merchant,
    MerchantPlace,
    MerchantService,
    place_of,
    revenue_account_id,
)
from colony.partners import Clearing
from colony.payments.credit_line import CreditLineSource, Funding, LineStanding
from colony.payments.emv_qr import MerchantQr, generate, scanned
from colony.payments.payment_code import CodeResult, PaymentCodeVerifier
from colony.payments.store import (
    CaptureMethod,
    CrossBorderRecord,
    Method,
    PaymentRecord,
    PaymentStore,
    RefundRecord,
)
from colony.payments.treasury import is_treasury_account
from colony.risk import Assessment, Channel, Decision, Place, RiskCheck, RiskEvent, minor_per_usd
from colony.wallets import Wallet, WalletResult, WalletService, WalletStore

TRANSFER_PAYMENT: int = TransferCode.payment
# The most a payment may take without the payer's PIN (a payment code charged, a code paid in
# the wallet app), in whole US dollars: read in the payment's currency through risk control's
# table of minor units a dollar (`no_pin_limit_minor`), as its thresholds are (docs/adr/0066).
# One count of minor units (30,000) for every currency was SGD 300 but IDR 300 (under two US
# cents): a PIN for every coffee in Jakarta (docs/adr/0113).
no_pin_limit_usd = 250
# How long an authorisation holds the payer's money before it expires by itself, in seconds.
authorisation_hold_s = 86_400
# How long a payment held for risk review waits for an analyst before its money goes back
# to the payer by itself, in seconds (docs/adr/0055).
review_hold_s = 4 * 3_600
# Accounts a simulated market imported that a service remembers as found (one per currency's
# control and treasury accounts, in practice): far more than a market holds.
imported_accounts_kept_max = 1_000
# The ledger's result codes as the payment reads them: looked up, not made by calling the enum
# (a call into the enum machinery each, several a payment).
_ACCOUNT_THERE = frozenset({int(RA.ok), int(RA.exists)})
_TRANSFER_RESULT = {int(r): r for r in RT}
TRANSFER_REFUNDABLE: int = TransferCode.refundable  # a payment's refundable amount
TRANSFER_REFUND: int = TransferCode.refund
ACCOUNT_REFUNDABLE: int = AccountCode.refundable
ACCOUNT_PAYMENTS_CONTROL: int = AccountCode.payments_control
ACCOUNT_LOAN_PRINCIPAL: int = AccountCode.loan_principal  # a credit line's, when it paid
_LINKED = int(TransferFlags.linked)
_PENDING = int(TransferFlags.pending)


class PayResult(enum.IntEnum):
    ok = 0
    qr_malformed = 1
    qr_crc_invalid = 2  # misread or tampered: never pay it
    qr_not_ours = 3  # another scheme's code (interoperability comes with partner wallets)
    unknown_merchant = 4
    unknown_wallet = 5
    currencies_differ = 6  # cross-border payments come with FX
    amount_required = 7  # a static code: the payer types the amount
    amount_differs_from_code = 8  # a dynamic code fixes the amount
    amount_must_be_positive = 9
    insufficient_funds = 10
    daily_outflow_cap_exceeded = 11
    refused_before = 12
    id_reused_differently = 13
    unknown_payment = 14
    refund_exceeds_payment = 15  # refunds may not add up to more than was paid
    balance_cap_exceeded = 16  # the payer's wallet cannot take the money back now
    not_an_authorisation = 17  # captured or voided only if it was authorised first
    capture_exceeds_authorisation = 18
    already_captured = 19
    already_voided = 20
    authorisation_expired = 21  # the hold ran out: authorise again
    code_malformed = 22
    code_unknown_device = 23  # retired: an unknown device answers code_wrong (docs/adr/0030)
    code_expired = 24  # ask the customer to refresh the code
    code_already_used = 25  # a replay
    code_wrong = 26  # no such code now: a wrong password, or no such (active) device
    pin_required = 27  # above the no-PIN limit: the customer must confirm with a PIN
    # Cross-border, with an FX quote (payments/cross_border.py), checked in this order:
    quote_unknown = 28  # no such quote, or another wallet's
    quote_currencies_differ = 29  # the quote must sell the wallet's currency, buy the merchant's
    quote_amount_differs = 30  # the quote's buy side must be the payment's amount
    rate_stale = 31  # the quote's rate grew older than the age limit since it was made
    quote_already_used = 32  # by another payment
    quote_expired = 33  # ask for a new quote
    refund_too_small = 34  # it would give the payer back less than one minor unit
    code_attempts_exceeded = 35  # the merchant sent too many failed codes lately: wait
    wallet_frozen = 36  # the operator froze the payer's wallet: nothing may leave it
    # Paid with the credit line (payments/credit_line.py, docs/adr/0052):
    no_credit_line = 37  # the wallet has no credit line in its currency
    credit_line_frozen = 38  # overdue, or charged off: the line makes no new purchases
    credit_limit_exceeded = 39  # more than the line has available
    # Risk control (colony.risk, docs/adr/0055), before any money moves:
    risk_blocked = 40  # refused: the reasons are in the assessment kept beside the payment
    risk_challenge_required = 41  # the payer must confirm with the PIN (step-up)
    merchant_suspended = 42  # the operator suspended the merchant: it takes no payment now


# What a payment's chain outcome (named in the wallets' terms) means for the payment: an
# explicit table, so renaming a member on either side is a type error here, not a KeyError
# at run time.
PAY_RESULT_OF_CHAIN = {
    WalletResult.ok: PayResult.ok,
    WalletResult.insufficient_funds: PayResult.insufficient_funds,
    WalletResult.balance_cap_exceeded: PayResult.balance_cap_exceeded,
    WalletResult.daily_outflow_cap_exceeded: PayResult.daily_outflow_cap_exceeded,
    WalletResult.id_reused_differently: PayResult.id_reused_differently,
    WalletResult.refused_before: PayResult.refused_before,
}


# What risk control's decision means for a payment refused before its record; a review is
# paid as a hold instead (`_hold_steps`), an allow as asked.
_RISK_REFUSALS = {
    Decision.block: PayResult.risk_blocked,
    Decision.challenge: PayResult.risk_challenge_required,
}


def no_pin_limit_minor(currency: str) -> int:
    """The most a payment in `currency` takes without the payer's PIN, in its minor units."""
    return no_pin_limit_usd * minor_per_usd(currency)


# Merchants' registered cities whose places are kept (`_risk_where`).
risk_places_kept_max = 4_096


@functools.lru_cache(maxsize=risk_places_kept_max)
def _risk_where(country: str, city: str) -> tuple[MerchantPlace | None, Place | None]:
    """A merchant's place (`place_of`) and its city's centre as risk control's place (None
    when the city is not known): found once per city, not at each of a shop's payments."""
    where = place_of(country, city)
    if where is None or where.lat_micro is None or where.lon_micro is None:
        return where, None
    return where, Place(where.lat_micro, where.lon_micro)


def risk_refusal(assessment: Assessment | None, stepped_up: bool) -> PayResult | None:
    """What risk control's assessment refuses a payment as, before its record (None: it goes
    on, paid or held); a challenge is answered when the payer confirmed with the PIN."""
    refused = _RISK_REFUSALS.get(assessment.decision) if assessment else None
    if refused is PayResult.risk_challenge_required and stepped_up:
        return None
    return refused


# What the credit line's standing means for a payment paid with it.
PAY_RESULT_OF_LINE = {
    LineStanding.no_line: PayResult.no_credit_line,
    LineStanding.frozen: PayResult.credit_line_frozen,
}


# What a payment code's check means for the payment. An unknown device answers as a wrong
# code does, so that a merchant's terminal cannot tell which device numbers exist.
PAY_RESULT_OF_CODE = {
    CodeResult.malformed: PayResult.code_malformed,
    CodeResult.unknown_device: PayResult.code_wrong,
    CodeResult.expired: PayResult.code_expired,
    CodeResult.already_used: PayResult.code_already_used,
    CodeResult.wrong: PayResult.code_wrong,
    CodeResult.attempts_exceeded: PayResult.code_attempts_exceeded,
}


@dataclass(frozen=True)
class PayOutcome:
    result: PayResult
    payment_id: int | None = None
    merchant: Merchant | None = None
    amount_minor: int = 0
    fee_minor: int = 0
    # The payment's record, and whether its money moved just now (not by an earlier attempt):
    # then what the payment looks like is known without reading it back.
    record: PaymentRecord | None = None
    moved_now: bool = False
    cross_border: CrossBorderRecord | None = None  # the payer's side, when it paid by FX
    risk: Assessment | None = None  # risk control's, when it asked for more than allow


def payments_control_account_id(ledger: int) -> int:
    """The other side of every payment's refundable allowance, per currency."""
    return IdPrefix.payments_control.account_id(ledger)


def discount_fee(amount_minor: int, discount_bps: int) -> int:
    """The merchant's fee: half up to the minor unit, integers only."""
    return (amount_minor * discount_bps + 5_000) // 10_000


class PaymentService:
    def __init__(
        self,
        ledger: LedgerPort,
        wallets: WalletService,
        wallet_store: WalletStore,
        merchants: MerchantService,
        ids: IdGenerator,
        records: PaymentStore | None = None,
        clock: Clock | None = None,
        clearing: Clearing | None = None,
    ) -> None:
        """With `records` (and the `clock` that dates them), every payment and refund is
        recorded, intent first, before the ledger moves its money (ADR 0003, ADR 0005).
        With `clearing`, a payment across partners also books what one owes the other."""
        if records is not None and clock is None:
            raise ValueError("payment records need a clock")
        self._ledger = ledger
        self._wallets = wallets
        self._wallet_store = wallet_store
        self._merchants = merchants
        self._ids = ids
        self.records = records
        self._clock = clock
        self.clearing = clearing
        # The credit line, when Colony runs one: a payment may be paid with it.
        self.credit_lines: CreditLineSource | None = None
        # Accounts found imported by a simulated market (`_imported_alike`).
        self._imported: set[int] = set()
        # Risk control, when Colony runs it: every payment is scored before its record.
        self.risk: RiskCheck | None = None

    def merchant_qr(
        self, merchant: Merchant, amount_minor: int | None = None, reference: str | None = None
    ) -> str:
        """The merchant's code: static without an amount, dynamic (one order) with one."""
        amount = None
        if amount_minor is not None:
            amount = f"{Money(amount_minor, merchant.currency).to_decimal():f}"
        return generate(
            MerchantQr(
                QR_SCHEME_GUI,
                merchant.id,
                merchant.mcc,
                f"{merchant.ledger:03d}",
                merchant.country,
                merchant.display_name,
                merchant.city,
                amount,
                reference,
            )
        )

    def resolve(
        self,
        phone: str,
        currency: str,
        payload: str,
        amount_minor: int | None,
        *,
        cross_border: bool = False,
    ) -> tuple[Wallet, Merchant, int, str | None] | PayResult:
        """Who pays whom how much, from a scanned code; or why not, before any money moves.
        The amount is in the merchant's currency, which is the wallet's unless `cross_border`."""
        qr = scanned(payload)
        if qr is None:
            return PayResult.qr_malformed
        if not qr.crc_valid:
            return PayResult.qr_crc_invalid
        if qr.account_gui != QR_SCHEME_GUI:
            return PayResult.qr_not_ours
        merchant = self._merchants.by_id(qr.merchant_id)
        if merchant is None:
            return PayResult.unknown_merchant
        if self._merchants.is_suspended(merchant.id):
            return PayResult.merchant_suspended
        wallet = self._wallet_store.by_phone(phone, currency.upper())
        if wallet is None:
            return PayResult.unknown_wallet
        if self._wallets.is_frozen(wallet.id):
            return PayResult.wallet_frozen
        if qr.transaction_currency != f"{merchant.ledger:03d}" or (
            merchant.ledger != wallet.ledger and not cross_border
        ):
            return PayResult.currencies_differ
        amount = self._amount(qr.transaction_amount, merchant.currency, amount_minor)
        if isinstance(amount, PayResult):
            return amount
        return wallet, merchant, amount, qr.reference_label

    def intent_steps(
        self,
        pid: int,
        resolved: tuple[Wallet, Merchant, int, str | None],
        method: Method,
        capture: CaptureMethod,
        description: str | None,
        reference: str | None,
        request_sha256: str | None = None,
    ) -> Steps[PaymentRecord | PayResult | None]:
        """Write the payment's record before its money moves: the record as stored (None
        without a store), or why not (the id was used for another payment). A dynamic
        code's own order reference wins over one given. As steps that wait for the record's
        commit (kernel/steps.py); `intent` waits for it on this thread."""
        if self.records is None or self._clock is None:
            return None
        wallet, merchant, amount, qr_reference = resolved
        record = PaymentRecord(
            pid,
            merchant.id,
            wallet.id,
            amount,
            merchant.currency,
            method,
            capture,
            description,
            qr_reference or reference,
            self._clock.now_ns(),
            request_sha256,
        )
        stored: PaymentRecord = yield self.records.add_later(record)
        return stored if stored.same_payment(record) else PayResult.id_reused_differently

    intent = blocking(request_timeout_s)(intent_steps)

    def pay_by_qr_steps(
        self,
        phone: str,
        currency: str,
        payload: str,
        amount_minor: int | None = None,
        payment_id: int | None = None,
        *,
        description: str | None = None,
        reference: str | None = None,
        method: Method = Method.qr,
        request_sha256: str | None = None,
        funding: Funding = Funding.wallet,
        stepped_up: bool = False,
    ) -> Steps[PayOutcome]:
        """Pay at once: the money, the payer's limits, the refundable amount and the fee
        (steps that wait for the record's and the journal's commits: `pay_by_qr` waits
        for them on this thread). With `funding` the credit line, the line pays instead of
        the wallet's balance (`_line_chain`). `stepped_up`: the payer confirmed it with
        the PIN just now, which answers risk control's challenge."""
        if funding is Funding.credit_line and self.credit_lines is None:
            return PayOutcome(PayResult.no_credit_line)
        begun = yield from self._recorded_steps(
            (phone, currency, payload, amount_minor, payment_id),
            method,
            CaptureMethod.automatic,
            (description, reference, request_sha256),
            holdable=funding is not Funding.credit_line,
            stepped_up=stepped_up,
            plain=funding is Funding.wallet,
        )
        if isinstance(begun, PayOutcome):
            return begun
        wallet, merchant, amount, pid, recorded, held = begun
        if held is not None:
            # Held for review: an authorisation an analyst captures or voids, or that
            # expires back to the payer (docs/adr/0055). The credit line cannot hold: its
            # review was refused as a block before the record (`holdable`).
            assert funding is not Funding.credit_line
            outcome = yield from self._hold_steps(begun[:5], review_hold_s)
            return self.risk_counted(dataclasses.replace(outcome, risk=held))
        refundable, accounts = self.submit_refundable_account(pid, wallet.ledger)
        if funding is Funding.credit_line:
            return self.risk_counted(
                (
                    yield from self._line_steps(
                        wallet, merchant, amount, pid, (refundable, accounts), recorded
                    )
                )
            )
        outflow, today_made = self._wallets.submit_today(wallet)
        legs = [
            *self._wallets.legs_from(outflow, wallet, amount, pid),
            *self._clearing_legs(pid, wallet, merchant, amount),
        ]
        chain = self._paid_chain(pid, wallet.account_id, merchant, amount, legs, refundable)
        results = yield from self.transfers_after_steps(accounts, chain)
        # The day's account was made right before the chain: checked now.
        yield from WalletService.spent_after_today(today_made, results)
        result = PAY_RESULT_OF_CHAIN[WalletService.outcome(results, receiver_at=None)]
        return self.risk_counted(self._paid(result, results, pid, merchant, amount, recorded))

    def risk_counted(self, outcome: PayOutcome) -> PayOutcome:
        """Tell risk control the ledger took the payment (paid or held); a refused try
        counts as an attempt only (docs/adr/0060)."""
        if self.risk is not None and outcome.result is PayResult.ok and outcome.payment_id:
            self.risk.succeeded(outcome.payment_id)
        return outcome

    def _paid_chain(
        self,
        pid: int,
        payer_account_id: int,
        merchant: Merchant,
        amount: int,
        legs: list[Transfer],
        refundable: int,
    ) -> list[Transfer]:
        """A payment captured at once: the payer's money to the merchant, the payer's legs
        (a wallet's limits, or the credit line's), then the refundable allowance and fee."""
        ledger = merchant.ledger
        return [
            Transfer(
                pid,
                payer_account_id,
                merchant.account_id,
                amount,
                ledger,
                TRANSFER_PAYMENT,
                _LINKED,
                user_data_32=merchant.discount_bps,
            ),
            *legs,
            *self.settlement_legs(
                pid, ledger, merchant.account_id, amount, merchant.discount_bps, refundable
            ),
        ]

    @staticmethod
    def _paid(
        result: PayResult,
        results: list[RT],
        pid: int,
        merchant: Merchant,
        amount: int,
        recorded: PaymentRecord | None,
    ) -> PayOutcome:
        fee = discount_fee(amount, merchant.discount_bps)
        moved_now = all(r is RT.ok for r in results)
        return PayOutcome(result, pid, merchant, amount, fee, recorded, moved_now)

    def _line_steps(
        self,
        wallet: Wallet,
        merchant: Merchant,
        amount: int,
        pid: int,
        submitted: tuple[int, tuple[list[Account], Future[list[int]]]],
        recorded: PaymentRecord | None,
    ) -> Steps[PayOutcome]:
        """The payment paid with the wallet's credit line: the line's principal pays the
        merchant, its available limit is drawn in the same chain, then the refundable
        allowance and the fee as for a wallet's payment."""
        assert self.credit_lines is not None
        yield ON_THREAD  # the line is read from its store
        source = self.credit_lines.purchase(wallet, amount, pid)
        if source.standing is not LineStanding.ok:
            return PayOutcome(PAY_RESULT_OF_LINE[source.standing])
        refundable, accounts = submitted
        # Across partners the payer's partner owes the merchant's as for a wallet's payment:
        # the lender's money reached the payer as a funding partner's top-up does
        # (docs/adr/0058).
        legs = [*source.legs, *self._clearing_legs(pid, wallet, merchant, amount)]
        chain = self._paid_chain(
            pid, source.principal_account_id, merchant, amount, legs, refundable
        )
        results = yield from self.transfers_after_steps(accounts, chain)
        return self._paid(line_result(results), results, pid, merchant, amount, recorded)

    def authorise_steps(
        self,
        phone: str,
        currency: str,
        payload: str,
        amount_minor: int | None = None,
        payment_id: int | None = None,
        hold_s: int = authorisation_hold_s,
        *,
        description: str | None = None,
        reference: str | None = None,
        request_sha256: str | None = None,
        stepped_up: bool = False,
    ) -> Steps[PayOutcome]:
        """Hold the money (and the payer's limits) for a later capture, void or expiry (as
        steps: `authorise` waits for them on this thread)."""
        begun = yield from self._recorded_steps(
            (phone, currency, payload, amount_minor, payment_id),
            Method.qr,
            CaptureMethod.manual,
            (description, reference, request_sha256),
            stepped_up=stepped_up,
        )
        if isinstance(begun, PayOutcome):
            return begun
        outcome = yield from self._hold_steps(begun[:5], hold_s)
        return self.risk_counted(dataclasses.replace(outcome, risk=begun[5]))

    def _hold_steps(
        self, begun: tuple[Wallet, Merchant, int, int, PaymentRecord | None], hold_s: int
    ) -> Steps[PayOutcome]:
        """The money and the payer's limits held as pending transfers for `hold_s`."""
        wallet, merchant, amount, pid, recorded = begun
        _, accounts = self.submit_refundable_account(pid, wallet.ledger)
        hold = _LINKED | int(TransferFlags.pending)
        chain = [
            Transfer(
                pid,
                wallet.account_id,
                merchant.account_id,
                amount,
                wallet.ledger,
                TRANSFER_PAYMENT,
                hold,
                timeout=hold_s,
                user_data_32=merchant.discount_bps,
            ),
            *self._wallets.spend_legs(wallet, amount, pid, hold_timeout_s=hold_s),
            *self._clearing_legs(pid, wallet, merchant, amount, hold_s),
        ]
        chain[-1].flags &= ~_LINKED
        results = yield from self.transfers_after_steps(accounts, chain)
        result = WalletService.outcome(results, receiver_at=None)
        moved_now = all(r is RT.ok for r in results)
        return PayOutcome(
            PAY_RESULT_OF_CHAIN[result], pid, merchant, amount, 0, recorded, moved_now
        )

    pay_by_qr = blocking(request_timeout_s)(pay_by_qr_steps)
    authorise = blocking(request_timeout_s)(authorise_steps)

    def _recorded_steps(
        self,
        asked: tuple[str, str, str, int | None, int | None],
        method: Method,
        capture: CaptureMethod,
        noted: tuple[str | None, str | None, str | None],
        *,
        holdable: bool = True,
        stepped_up: bool = False,
        plain: bool = False,
    ) -> Steps[
        PayOutcome | tuple[Wallet, Merchant, int, int, PaymentRecord | None, Assessment | None]
    ]:
        """What a payment or an authorisation does before its money moves: who pays whom
        how much (`asked`: phone, currency, payload, amount, payment id), and its record
        written with what is `noted` (description, reference, the request's hash); then, if
        its legs need the ledger first, the rest goes to a thread. Risk control scores it
        first: refused, or held for review (the assessment last; None unless review); a
        payment that cannot be held (not `holdable`) is refused for a review, before its
        record is written, so it leaves nothing behind; a challenge is answered when the
        payer confirmed with the PIN (`stepped_up`). `plain`: paid at once from the
        wallet's balance, if not held (no hold, no credit line)."""
        phone, currency, payload, amount_minor, payment_id = asked
        description, reference, request_sha256 = noted
        resolved = self.resolve(phone, currency, payload, amount_minor)
        if isinstance(resolved, PayResult):
            return PayOutcome(resolved)
        wallet, merchant, amount, _ = resolved
        pid = payment_id if payment_id is not None else self._ids.new_id()
        assessment, kept = yield from self.assessed_steps(
            pid, wallet, merchant, (amount, merchant.currency), method, holdable
        )
        refused = risk_refusal(assessment, stepped_up)
        if refused is not None:
            yield kept
            return PayOutcome(refused, pid, merchant, amount, risk=assessment)
        held = assessment if assessment and assessment.decision is Decision.review else None
        if held is not None:
            capture = CaptureMethod.manual
        # The assessment's commit and the record's are made together, not one after the
        # other; both are durable before any money moves (docs/adr/0070).
        recorded = yield from self.intent_steps(
            pid, resolved, method, capture, description, reference, request_sha256
        )
        yield kept
        if isinstance(recorded, PayResult):
            return PayOutcome(recorded)
        # A plain payment queues the wallet's outflow account for the day right ahead of
        # its chain (`WalletService.submit_today`); a hold or the credit line makes it first.
        if not self._legs_ready(wallet, merchant, today_queued=plain and held is None):
            yield ON_THREAD
        return wallet, merchant, amount, pid, recorded, held

    def assessed_steps(
        self,
        pid: int,
        wallet: Wallet,
        merchant: Merchant,
        paid: tuple[int, str],
        method: Method,
        holdable: bool = True,
    ) -> Steps[tuple[Assessment | None, Future[None]]]:
        """Risk control's assessment of the payment (None without risk control) of `paid`
        (an amount in minor units of its currency: what leaves the wallet), and the future
        of its keeping, for the caller to wait for before any money moves; a review is a
        block when the payment cannot be held (`Assessment.unheld`). The payment happens
        where the shop is: its place and local hour are the merchant's city's
        (docs/adr/0063)."""
        if self.risk is None or self._clock is None:
            return None, DONE
        channel = Channel.payment_code if method is Method.code else Channel.qr
        amount, currency = paid
        at_ns = self._clock.now_ns()
        where, place = _risk_where(merchant.country, merchant.city)
        event = RiskEvent(
            channel, wallet.id, merchant.id, amount, currency, at_ns,
            place=place,
            utc_offset_min=where.utc_offset_min(at_ns) if where is not None else None,
        )  # fmt: skip
        assessment = yield from self.risk.payment_steps(pid, event)
        if not holdable:
            assessment = assessment.unheld()
        return assessment, self.risk.keep_later(pid, event, assessment)

    def _legs_ready(self, wallet: Wallet, merchant: Merchant, *, today_queued: bool) -> bool:
        """Whether a payment's legs are made without waiting on the ledger: the wallet's
        outflow account for today is known made (or queued ahead of the chain:
        `today_queued`), and the payment stays within one partner (a clearing leg makes its
        accounts first)."""
        crosses = self.clearing is not None and self.clearing.crosses(wallet.id, merchant.id)
        return (today_queued or self._wallets.spends_ready(wallet)) and not crosses

    def capture(self, payment_id: int, amount_minor: int | None = None) -> PayOutcome:
        """Take all or part of an authorisation; the rest of every hold goes back at once. A
        suspended merchant captures nothing: its holds expire, or it voids them."""
        held = self._authorisation(payment_id)
        if isinstance(held, PayResult):
            return PayOutcome(held)
        record = self.records.by_id(payment_id) if self.records is not None else None
        if record is not None and self._merchants.is_suspended(record.merchant_id):
            return PayOutcome(PayResult.merchant_suspended)
        amount = held.amount if amount_minor is None else amount_minor
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return PayOutcome(PayResult.amount_must_be_positive)
        post = int(TransferFlags.post_pending_transfer) | _LINKED
        legs = [payment_id, *WalletService.spend_leg_ids(payment_id), *self._held(payment_id)]
        chain = [
            Transfer(Slots.capture_leg.of(leg), 0, 0, amount, 0, 0, post, pending_id=leg)
            for leg in legs
        ]
        refundable, accounts = self.submit_refundable_account(payment_id, held.ledger)
        chain += self.settlement_legs(
            payment_id, held.ledger, held.credit_account_id, amount, held.user_data_32, refundable
        )
        result = _settle_result(self.transfers_after(accounts, chain))
        fee = discount_fee(amount, held.user_data_32)
        return PayOutcome(result, payment_id, amount_minor=amount, fee_minor=fee)

    def void(self, payment_id: int) -> PayOutcome:
        """Release an authorisation in full: nothing is charged, the payer's limits come back."""
        held = self._authorisation(payment_id)
        if isinstance(held, PayResult):
            return PayOutcome(held)
        void = int(TransferFlags.void_pending_transfer)
        legs = [payment_id, *WalletService.spend_leg_ids(payment_id), *self._held(payment_id)]
        chain = [
            Transfer(Slots.void_leg.of(leg), 0, 0, 0, 0, 0, void | _LINKED, pending_id=leg)
            for leg in legs
        ]
        chain[-1].flags &= ~_LINKED
        return PayOutcome(_settle_result(self._ledger.create_transfers(chain)), payment_id)

    def pay_by_code(
        self,
        merchant_id: str,
        code: str,
        amount_minor: int,
        verifier: PaymentCodeVerifier,
        now_ns: int,
        payment_id: int | None = None,
        *,
        description: str | None = None,
        reference: str | None = None,
    ) -> PayOutcome:
        """A merchant's terminal charges the code a customer's phone shows (made offline)."""
        merchant = self._merchants.by_id(merchant_id)
        if merchant is None:
            return PayOutcome(PayResult.unknown_merchant)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return PayOutcome(PayResult.amount_must_be_positive)
        if amount_minor > no_pin_limit_minor(merchant.currency):
            return PayOutcome(PayResult.pin_required)  # checked before the code is spent
        made = self._code_charge_made(merchant, amount_minor, payment_id, description, reference)
        if made is not None:
            # This charge, made before with a code spent or expired since: a retry whose
            # stored answer is gone (kept 30 days, docs/adr/0080) is answered from its record
            # and the ledger, whatever would refuse a new charge now (the payer's wallet
            # frozen since, docs/adr/0081). Looked for before the code is checked: a
            # month-old code is not recognised any more, and checking it would count a
            # failure against the payer's device.
            return made
        if self._merchants.is_suspended(merchant.id):
            return PayOutcome(PayResult.merchant_suspended)  # before the code is spent
        # Anything else, a record whose money never moved included, needs a good code.
        check = verifier.check(code, now_ns, merchant.id)
        if check.result is not CodeResult.ok or check.device is None:
            return PayOutcome(PAY_RESULT_OF_CODE[check.result])
        wallet = self._wallet_store.by_id(check.device.wallet_id)
        if wallet is None:
            return PayOutcome(PayResult.unknown_wallet)
        payload = self.merchant_qr(merchant, amount_minor)  # the same path as a dynamic code
        return self.pay_by_qr(
            wallet.phone,
            wallet.currency,
            payload,
            payment_id=payment_id,
            description=description,
            reference=reference,
            method=Method.code,
        )

    def _code_charge_made(
        self,
        merchant: Merchant,
        amount_minor: int,
        payment_id: int | None,
        description: str | None,
        reference: str | None,
    ) -> PayOutcome | None:
        """The charge under `payment_id`, as made, when its record is this merchant's code
        charge of the same amount, description and reference and its money moved (`made`);
        else None."""
        records = self.records
        recorded = records.by_id(payment_id) if records and payment_id is not None else None
        if recorded is None or (
            recorded.method,
            recorded.merchant_id,
            recorded.amount_minor,
            recorded.description,
            recorded.reference,
        ) != (Method.code, merchant.id, amount_minor, description, reference):
            return None
        return self.made(recorded)

    def made(self, record: PaymentRecord) -> PayOutcome | None:
        """The recorded payment as made (ok, not moved now), when the ledger holds, under the
        record's id, a payment (or authorisation) of the record's amount to its merchant;
        else None: a try refused after its record was written, or the id used by another
        route (a key's id is shared by a wallet's routes). A payment across currencies
        comes with its payer's side (its quote and what the wallet paid). A ledger lookup
        waits for the ledger to be durable: for retries about to be refused, not for every
        payment."""
        merchant = self._merchants.by_id(record.merchant_id)
        found = self._ledger.lookup_transfers([record.id])
        if merchant is None or not found:
            return None
        paid = (found[0].code, found[0].credit_account_id, found[0].amount)
        if paid != (TRANSFER_PAYMENT, merchant.account_id, record.amount_minor):
            return None
        fee = discount_fee(record.amount_minor, merchant.discount_bps)
        across = None
        if self.records is not None and is_treasury_account(found[0].debit_account_id):
            # Paid by FX: the merchant was paid from its ledger's treasury (cross_border.py).
            across = self.records.cross_border_of(record.id)
        amount = record.amount_minor
        return PayOutcome(
            PayResult.ok, record.id, merchant, amount, fee, record, cross_border=across
        )

    def captured_minor(self, payment: Transfer) -> int:
        """What the merchant got, from the ledger: all of a payment made at once, what was
        posted of an authorisation, nothing while it is held or once it was released."""
        return self.captured_of([payment])[payment.id]

    def captured_of(self, payments: Sequence[Transfer]) -> dict[int, int]:
        """`captured_minor` of each payment, by its id: the ledger asked once, for the
        authorisations' captures only."""
        legs = {Slots.capture_leg.of(p.id): p.id for p in payments if p.flags & _PENDING}
        posted = {legs[t.id]: t.amount for t in self._ledger.lookup_transfers(list(legs))}
        return {p.id: posted.get(p.id, 0) if p.flags & _PENDING else p.amount for p in payments}

    def refunded_minor(self, payment_id: int) -> int:
        """What was given back, from the ledger: every refund draws on the payment's
        refundable account."""
        return self.refunded_of([payment_id])[payment_id]

    def refunded_of(self, payment_ids: Sequence[int]) -> dict[int, int]:
        """`refunded_minor` of each payment, by its id: the ledger asked once."""
        refunded = {pid: a.debits_posted for pid, a in self._refundable(payment_ids).items()}
        return {pid: refunded.get(pid, 0) for pid in payment_ids}

    def granted_of(self, payment_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """Of the payments whose money reached the merchant, by id: what was paid or
        captured, and what was refunded. The refundable grant is in the same linked chain
        as the money (`settlement_legs`), so a credited refundable account is a payment made;
        accounts are held in memory, so this reads no transfer (old ones are on disk)."""
        found = self._refundable(payment_ids).items()
        return {pid: (a.credits_posted, a.debits_posted) for pid, a in found if a.credits_posted}

    def _refundable(self, payment_ids: Sequence[int]) -> dict[int, Account]:
        accounts = {Slots.refundable_account.of(pid): pid for pid in payment_ids}
        return {accounts[a.id]: a for a in self._ledger.lookup_accounts(list(accounts))}

    def _authorisation(self, payment_id: int) -> Transfer | PayResult:
        found = self._ledger.lookup_transfers([payment_id])
        if not found or found[0].code != TRANSFER_PAYMENT:
            return PayResult.unknown_payment
        if not found[0].flags & TransferFlags.pending:
            return PayResult.not_an_authorisation
        return found[0]

    def _clearing_legs(
        self, pid: int, wallet: Wallet, merchant: Merchant, amount: int, hold_s: int | None = None
    ) -> list[Transfer]:
        """What the payer's partner owes the merchant's (partners/clearing.py): none within one."""
        if self.clearing is None:
            return []
        return self.clearing.legs(
            pid, wallet.id, merchant.id, amount, wallet.ledger, hold_timeout_s=hold_s
        )

    def _held(self, payment_id: int) -> list[int]:
        """An authorisation's clearing leg, posted or voided with it."""
        return [] if self.clearing is None else self.clearing.held_leg_ids(payment_id)

    def settlement_legs(
        self,
        pid: int,
        ledger: int,
        merchant_account_id: int,
        amount: int,
        discount_bps: int,
        refundable_account_id: int,
    ) -> list[Transfer]:
        """What follows money reaching a merchant: the refundable allowance, then the fee."""
        legs = [
            # What may be refunded later: exactly what was paid, drawn down by each refund.
            Transfer(
                Slots.refundable_grant.of(pid),
                payments_control_account_id(ledger),
                refundable_account_id,
                amount,
                ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
        ]
        fee = discount_fee(amount, discount_bps)
        if fee:
            legs.append(
                Transfer(
                    Slots.fee_leg.of(pid),
                    merchant_account_id,
                    revenue_account_id(ledger),
                    fee,
                    ledger,
                    TRANSFER_DISCOUNT_FEE,
                    _LINKED,
                )
            )
        legs[-1].flags &= ~_LINKED  # the chain ends here
        return legs

    def submit_refundable_account(
        self, pid: int, ledger: int, also: list[Account] | None = None
    ) -> tuple[int, tuple[list[Account], Future[list[int]]]]:
        """Queue the payment's refundable account (and the control account, and any `also`
        needed): its id, and the submission to check with `transfers_after`."""
        account_id = Slots.refundable_account.of(pid)
        no_overdraft = int(AccountFlags.debits_must_not_exceed_credits)
        accounts = [
            *(also or []),
            Account(payments_control_account_id(ledger), ledger, ACCOUNT_PAYMENTS_CONTROL),
            Account(account_id, ledger, ACCOUNT_REFUNDABLE, no_overdraft),
        ]
        return account_id, (accounts, self._ledger.submit_accounts(accounts))

    def transfers_after_steps(
        self, accounts: tuple[list[Account], Future[list[int]]], chain: list[Transfer]
    ) -> Steps[list[RT]]:
        """Submit the chain right behind the accounts it needs, without waiting for them: the
        ledger applies submissions in order, so they exist when the chain is applied, and
        both share a commit. Then check the accounts were made. As steps that wait for the
        journal's commit; `transfers_after` waits for it on this thread."""
        transfers = self._ledger.submit_transfers(chain)
        events, made = accounts
        account_results: list[int] = yield made
        for account, result in zip(events, account_results, strict=True):
            if result not in _ACCOUNT_THERE and not self._imported_alike(account, result):
                raise RuntimeError(f"account {account.id} refused: {RA(result).name}")
        transfer_results: list[int] = yield transfers
        return [_TRANSFER_RESULT[r] for r in transfer_results]

    def _imported_alike(self, account: Account, result: int) -> bool:
        """Whether a simulated market imported the account as asked (ledger/imported.py).
        Every payment makes sure of its currency's control account, so those found are
        remembered: the lookup is made once per account, not once per payment."""
        if RA(result) is not RA.exists_with_different_flags:
            return False
        if account.id in self._imported:
            return True
        if not exists_imported(self._ledger, account, RA(result)):
            return False
        if len(self._imported) < imported_accounts_kept_max:
            self._imported.add(account.id)
        return True

    transfers_after = blocking(request_timeout_s)(transfers_after_steps)

    def refund(
        self, payment_id: int, amount_minor: int, refund_id: int | None = None
    ) -> PayOutcome:
        """Give (part of) a payment back: a new transfer pointing at the payment, never an edit.
        The discount fee stays with the operator (the service was rendered)."""
        found = self._ledger.lookup_transfers([payment_id])
        if not found or found[0].code != TRANSFER_PAYMENT:
            return PayOutcome(PayResult.unknown_payment)
        payment = found[0]
        if is_treasury_account(payment.debit_account_id):
            raise ValueError("a cross-border payment is refunded by CrossBorderPayments.refund")
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
            return PayOutcome(PayResult.amount_must_be_positive)
        rid = refund_id if refund_id is not None else self._ids.new_id()
        if not self.record_refund(rid, payment_id, amount_minor):
            return PayOutcome(PayResult.id_reused_differently)
        ledger = payment.ledger
        chain = [
            Transfer(
                rid,
                payment.credit_account_id,
                payment.debit_account_id,
                amount_minor,
                ledger,
                TRANSFER_REFUND,
                _LINKED,
                user_data_128=payment_id,
            ),
            Transfer(
                Slots.refundable_drawdown.of(rid),
                Slots.refundable_account.of(payment_id),
                payments_control_account_id(ledger),
                amount_minor,
                ledger,
                TRANSFER_REFUNDABLE,
                _LINKED,
            ),
            *self.money_back_legs(payment, amount_minor, rid),
        ]
        chain[-1].flags &= ~_LINKED
        results = self._ledger.create_transfers(chain)
        result = refund_result(results, headroom_at=headroom_at(chain, rid))
        if results[0] is RT.ok:  # made now, not found made by an earlier try
            self.risk_counts_refund(payment_id)
        return PayOutcome(result, rid, amount_minor=amount_minor)

    def risk_counts_refund(self, payment_id: int) -> None:
        """Merchant risk counts the refund (docs/adr/0059): the payee's refund rate, the
        payer's refunds; once, however often the refund is retried."""
        if self.risk is None or self.records is None or self._clock is None:
            return
        record = self.records.by_id(payment_id)
        if record is not None:
            self.risk.refunded(record.wallet_id, record.merchant_id, self._clock.now_ns())

    def money_back_legs(self, payment: Transfer, amount_minor: int, back_id: int) -> list[Transfer]:
        """What follows money given back to a payment's payer (a refund, a chargeback), after
        the refundable drawdown: the payer's legs, then the partners' clearing legs when the
        payer's partner is not the merchant's. Linked to each other, the last closing the
        chain; ids derived from `back_id`."""
        legs = self._payer_legs(payment, amount_minor, back_id)
        if self.clearing is not None:
            legs += self.clearing.refund_legs(payment.id, back_id, amount_minor)
        for leg in legs[:-1]:
            leg.flags |= _LINKED
        if legs:
            legs[-1].flags &= ~_LINKED
        return legs

    def _payer_legs(self, payment: Transfer, amount_minor: int, refund_id: int) -> list[Transfer]:
        """What follows money back to the payer: the wallet's balance headroom, or, when the
        credit line paid, the line's legs (its limit given back, and what is more than the
        line is owed paid on into the wallet)."""
        payer = payment.debit_account_id
        if self.credit_lines is not None and self._is_line(payer):
            return self.credit_lines.refund_legs(payer, amount_minor, refund_id, payment.id)
        return self._wallets.receive_legs(payer, payment.ledger, amount_minor, refund_id)

    def _is_line(self, account_id: int) -> bool:
        found = self._ledger.lookup_accounts([account_id])
        return bool(found) and found[0].code == ACCOUNT_LOAN_PRINCIPAL

    def record_refund(self, refund_id: int, payment_id: int, amount_minor: int) -> bool:
        """Write the refund's record before its money moves; False if the id was used for
        another refund."""
        if self.records is None or self._clock is None:
            return True
        record = RefundRecord(refund_id, payment_id, amount_minor, self._clock.now_ns())
        stored = self.records.add_refund(record)
        return (stored.payment_id, stored.amount_minor) == (payment_id, amount_minor)

    @staticmethod
    def _amount(written: str | None, currency: str, given: int | None) -> int | PayResult:
        if written is not None:
            try:
                fixed = Money.parse(written, currency).amount_minor
            except InvalidInput:
                return PayResult.qr_malformed
            if given is not None and given != fixed:
                return PayResult.amount_differs_from_code
            return fixed
        if given is None:
            return PayResult.amount_required
        if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
            return PayResult.amount_must_be_positive
        return given


def headroom_at(chain: list[Transfer], back_id: int) -> int | None:
    """Where a chain giving money back has the wallet's headroom leg: after the drawdown, or
    after the line's legs when part of it goes on into the wallet (None: all of it stays with
    the credit line)."""
    headroom = Slots.headroom_leg.of(back_id)
    return next((i for i, t in enumerate(chain) if t.id == headroom), None)


def refund_result(results: list[RT], headroom_at: int | None = 2) -> PayResult:
    """Name a refund chain's outcome by the event that failed: 1 is the payment's refundable
    allowance, `headroom_at` the payer's balance headroom (2 in a refund to a wallet)."""
    over = {1: PayResult.refund_exceeds_payment}
    if headroom_at is not None:
        over[headroom_at] = PayResult.balance_cap_exceeded
    return _chain_result(results, over, "refund chain")


def line_result(results: list[RT]) -> PayResult:
    """Name the outcome of a payment paid with the credit line: event 1 is the line's
    available limit."""
    return _chain_result(results, {1: PayResult.credit_limit_exceeded}, "credit line payment")


def _chain_result(results: list[RT], over: dict[int, PayResult], chain: str) -> PayResult:
    """Name a chain's outcome by the event that failed; `over` names what exceeding the
    credits at each event means. Anything else refused is a bug, not an outcome."""
    if results[0] is RT.exists or all(r is RT.ok for r in results):
        return PayResult.ok  # done now, or by an earlier attempt with the same id
    failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
    result = results[failing]
    if result is RT.id_already_failed:
        return PayResult.refused_before
    if result.name.startswith("exists_with_different"):
        return PayResult.id_reused_differently
    if result is RT.exceeds_credits and failing in over:
        return over[failing]
    raise RuntimeError(f"{chain} refused at event {failing}: {result.name}")


def _settle_result(results: list[RT]) -> PayResult:
    """Name a capture's or void's outcome by the first event's result (all legs share it)."""
    if results[0] is RT.exists or all(r is RT.ok for r in results):
        return PayResult.ok  # done now, or by an earlier attempt with the same id
    failing = next(i for i, r in enumerate(results) if r is not RT.linked_event_failed)
    result = results[failing]
    named = {
        RT.exceeds_pending_transfer_amount: PayResult.capture_exceeds_authorisation,
        RT.pending_transfer_already_posted: PayResult.already_captured,
        RT.pending_transfer_already_voided: PayResult.already_voided,
        RT.pending_transfer_expired: PayResult.authorisation_expired,
        RT.exists_with_different_amount: PayResult.id_reused_differently,
        RT.exists_with_different_flags: PayResult.id_reused_differently,
    }.get(result)
    if named is None:
        raise RuntimeError(f"settlement chain refused at event {failing}: {result.name}")
    return named
