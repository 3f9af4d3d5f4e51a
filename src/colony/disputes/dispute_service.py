"""Disputes of a payment: opened by the operator (from a complaint, or a scheme's notice),
answered by the merchant with its evidence once before a deadline, decided by the operator:
won (the merchant keeps the money) or lost (charged back, `Outcomes.chargeback`)."""

from __future__ import annotations

from colony.disputes import business_days as days
from colony.disputes.model import Actor, Dispute, DisputeStatus, case_event, utc
from colony.disputes.outcomes import Outcomes
from colony.disputes.results import ComplaintResult
from colony.disputes.service import check_text
from colony.disputes.store import ComplaintStore
from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.ids import IdGenerator
from colony.ledger import LedgerPort
from colony.merchants import MerchantService
from colony.payments import PaymentStore

R = ComplaintResult
_D = DisputeStatus
# Business days the merchant has to send its evidence, in its country's calendar.
evidence_business_days = 10


class DisputeService:
    def __init__(
        self,
        ledger: LedgerPort,
        merchants: MerchantService,
        payments: PaymentStore,
        outcomes: Outcomes,
        store: ComplaintStore,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._merchants = merchants
        self._payments = payments
        self._outcomes = outcomes
        self._store = store
        self._clock = clock
        self._ids = ids

    def open(
        self, payment_id: int, reason: str, staff_id: str, *, amount_minor: int | None = None,
        complaint_id: str | None = None,
    ) -> tuple[ComplaintResult, Dispute | None]:  # fmt: skip
        """A dispute of the payment (all of it, or `amount_minor`): the merchant must
        answer within `evidence_business_days`."""
        record = self._payments.by_id(payment_id)
        found = self._ledger.lookup_transfers([payment_id]) if record is not None else []
        merchant = None if record is None else self._merchants.by_id(record.merchant_id)
        if record is None or not found or merchant is None:
            return R.unknown_payment, None
        checked = check_text(reason)
        if checked is not R.ok:
            return checked, None
        amount = found[0].amount if amount_minor is None else amount_minor
        if isinstance(amount, bool) or amount <= 0:
            return R.amount_must_be_positive, None
        now_ns = self._clock.now_ns()
        due = days.due_at(utc(now_ns), evidence_business_days, days.calendar_for(merchant.country))
        dispute = Dispute(
            f"dsp_{self._ids.new_id():032x}", payment_id, merchant.id, record.wallet_id,
            complaint_id, amount, merchant.currency, reason.strip(), _D.needs_response,
            int(due.timestamp()) * NS_PER_S, None, now_ns, now_ns,
        )  # fmt: skip
        first = case_event(
            self._clock.now_ns(), dispute.id, Actor.staff, staff_id, "", _D.needs_response, reason
        )
        if not self._store.insert_dispute(dispute, first):
            return R.dispute_open_already, None
        return R.ok, dispute

    def submit_evidence(
        self, dispute: Dispute, merchant_user: str, evidence: str
    ) -> tuple[ComplaintResult, Dispute]:
        """The merchant's evidence, once, before the deadline: the dispute goes to review."""
        if dispute.evidence is not None:
            return R.evidence_already_submitted, dispute
        if dispute.status is not _D.needs_response:
            return R.not_allowed_now, dispute
        checked = check_text(evidence)
        if checked is not R.ok:
            return checked, dispute
        now_ns = self._clock.now_ns()
        if now_ns >= dispute.respond_by_ns:
            return R.response_overdue, dispute
        after = _moved(dispute, _D.under_review, now_ns, evidence.strip())
        event = case_event(
            self._clock.now_ns(),
            dispute.id,
            Actor.merchant,
            merchant_user,
            dispute.status,
            after.status,
            "evidence",
        )
        if not self._store.change_dispute(dispute, after, event):
            return R.not_allowed_now, dispute
        return R.ok, after

    def decide(
        self, dispute: Dispute, won: bool, staff_id: str, note: str
    ) -> tuple[ComplaintResult, Dispute]:
        """The operator's decision: under review, or past the deadline without evidence. A
        lost dispute is charged back first; it is marked lost once the money moved."""
        overdue = self._clock.now_ns() >= dispute.respond_by_ns
        if not (
            dispute.status is _D.under_review or (dispute.status is _D.needs_response and overdue)
        ):
            return R.not_allowed_now, dispute  # fmt: skip
        checked = check_text(note)
        if checked is not R.ok:
            return checked, dispute
        to = _D.won if won else _D.lost
        detail: dict[str, object] = {}
        if not won:
            charged = self._outcomes.chargeback(dispute, staff_id)
            if charged is not R.ok:
                return charged, dispute
            detail = {"chargeback": f"{dispute.number:032x}", "amount_minor": dispute.amount_minor}
        now_ns = self._clock.now_ns()
        after = _moved(dispute, to, now_ns, dispute.evidence)
        event = case_event(
            self._clock.now_ns(),
            dispute.id,
            Actor.staff,
            staff_id,
            dispute.status,
            to,
            note,
            detail,
        )
        if not self._store.change_dispute(dispute, after, event):
            return R.not_allowed_now, dispute
        return R.ok, after

    def by_id(self, dispute_id: str) -> Dispute | None:
        return self._store.dispute(dispute_id)


def _moved(d: Dispute, to: DisputeStatus, now_ns: int, evidence: str | None) -> Dispute:
    return Dispute(
        d.id, d.payment_id, d.merchant_id, d.wallet_id, d.complaint_id, d.amount_minor,
        d.currency, d.reason, to, d.respond_by_ns, evidence, d.opened_at_ns, now_ns,
    )  # fmt: skip
