"""Complaints: filed by a person from the wallet app about a payment or a merchant, answered
by the merchant (portal or API), handed to support staff when it must be; every change an
appended event with who, when and why. Money moves only through `outcomes.py`."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from colony.disputes import business_days as days
from colony.disputes.model import (
    ATTACHMENT_MAGIC,
    FINAL,
    Actor,
    Attachment,
    Category,
    Complaint,
    Status,
    attachment_bytes_max,
    attachments_max,
    case_event,
    text_chars_max,
    utc,
)
from colony.disputes.results import ComplaintResult
from colony.disputes.review_rule import review_if_repeated
from colony.disputes.steps import NOTE_REQUIRED, STEPS
from colony.disputes.store import ComplaintStore
from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.ids import IdGenerator
from colony.ledger import LedgerPort
from colony.merchants import MerchantService
from colony.payments import PaymentStore
from colony.wallets import Wallet
from colony.webhooks import WebhookStore, new_event

R = ComplaintResult
_log = logging.getLogger(__name__)
# What is told of each complaint once it is stored: its id and the merchant's. Colony wires
# risk control's merchant risk here (docs/adr/0062); disputes knows nothing of who listens.
ComplaintFiled = Callable[[str, str], None]
# The most complaints one listing shows (a wallet's, a merchant's, the console's queue).
complaints_listed_max = 200
# The type of bytes that name no type of their own: a photo sent so is known by its bytes.
BYTES_UNNAMED = "application/octet-stream"
# What the webhook announces a new complaint as.
COMPLAINT_CREATED = "complaint.created"
# How far back a new ledger writer announces complaints again, in seconds, and how many at
# most: a crash between storing a complaint and its event leaves it unannounced until then.
announce_again_s = 86_400
announce_again_max = 10_000


def check_text(text: str, *, required: bool = True) -> ComplaintResult:
    if required and not text.strip():
        return R.text_required
    return R.text_too_long if len(text) > text_chars_max else R.ok


def _ns(when: dt.datetime) -> int:
    return int(when.timestamp()) * NS_PER_S


class ComplaintService:
    def __init__(
        self,
        ledger: LedgerPort,
        merchants: MerchantService,
        payments: PaymentStore,
        webhooks: WebhookStore,
        store: ComplaintStore,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._merchants = merchants
        self._payments = payments
        self._webhooks = webhooks
        self.store = store
        self._clock = clock
        self._ids = ids
        self.filed: list[ComplaintFiled] = []

    def file(
        self,
        wallet: Wallet,
        category: str,
        text: str,
        *,
        payment_id: int | None = None,
        merchant_id: str | None = None,
    ) -> tuple[ComplaintResult, Complaint | None]:
        """A person's complaint about one of their payments (`payment_id`) or a merchant."""
        if category not in Category.__members__:
            return R.invalid_category, None
        checked = check_text(text)
        if checked is not R.ok:
            return checked, None
        if payment_id is not None:
            record = self._payments.by_id(payment_id)
            held = record is not None and self._ledger.lookup_transfers([payment_id])
            if record is None or not held or record.wallet_id != wallet.id:
                return R.unknown_payment, None  # another's payment reads as no payment
            merchant_id = record.merchant_id
        merchant = None if merchant_id is None else self._merchants.by_id(merchant_id)
        if merchant is None:
            return R.unknown_merchant, None
        now_ns = self._clock.now_ns()
        calendar = days.calendar_for(merchant.country)
        received = utc(now_ns)
        complaint = Complaint(
            f"cmp_{self._ids.new_id():032x}",
            wallet.id,
            merchant.id,
            payment_id,
            Category(category),
            text.strip(),
            Status.open,
            merchant.country,
            now_ns,
            _ns(days.due_at(received, days.acknowledge_business_days, calendar)),
            _ns(days.due_at(received, days.answer_business_days, calendar)),
            now_ns,
        )
        first = case_event(
            self._clock.now_ns(), complaint.id, Actor.person, wallet.id, "", Status.open, ""
        )
        self.store.insert(complaint, first)
        self.announce(complaint)
        self._tell_filed(complaint)
        review_if_repeated(self.store, complaint, now_ns, self._ids)
        return R.ok, complaint

    def announce(self, complaint: Complaint) -> None:
        """Tell the merchant's webhook endpoint, if it has one, of a new complaint: an event
        whose id derives from the complaint's, so announcing twice announces once."""
        if self._webhooks.endpoint(complaint.merchant_id) is None:
            return
        event = new_event(
            complaint.merchant_id,
            COMPLAINT_CREATED,
            complaint.number,
            complaint_object(complaint),
            complaint.received_at_ns,
        )
        self._webhooks.add_events(complaint.merchant_id, [event], 0)  # the watermark stays

    def _tell_filed(self, complaint: Complaint) -> None:
        """Tell whoever listens of a complaint stored; a listener failing is logged, never
        the complaint's failure (it is stored, and the person is answered)."""
        for told in self.filed:
            try:
                told(complaint.id, complaint.merchant_id)
            except Exception:
                _log.exception("a listener was not told of complaint %s", complaint.id)

    def announce_again(self) -> int:
        """Announce the complaints of the last `announce_again_s` again (each event is made
        once, by its derived id): the repair after a crash, run when a process becomes the
        ledger's writer. Returns how many were looked at."""
        since = self._clock.now_ns() - announce_again_s * NS_PER_S
        recent = self.store.since(since, announce_again_max)
        for complaint in recent:
            self.announce(complaint)
        return len(recent)

    def step(
        self, complaint: Complaint, actor: Actor, actor_id: str, to: Status, note: str,
        detail: dict[str, object] | None = None,
    ) -> tuple[ComplaintResult, Complaint]:  # fmt: skip
        """Move the complaint to `to`, if the table of steps lets `actor` do so now."""
        who = STEPS.get((complaint.status, to))
        if who is None:
            return R.not_allowed_now, complaint
        if actor not in who:
            return R.not_yours_to_take, complaint
        checked = check_text(note, required=to in NOTE_REQUIRED)
        if checked is not R.ok:
            return checked, complaint
        now_ns = self._clock.now_ns()
        after = self._moved(complaint, to, now_ns)
        event = case_event(
            self._clock.now_ns(),
            complaint.id,
            actor,
            actor_id,
            complaint.status,
            to,
            note.strip(),
            detail,
        )
        if not self.store.change(complaint, after, event):
            return R.not_allowed_now, complaint  # someone moved it first: read it again
        return R.ok, after

    def _moved(self, c: Complaint, to: Status, now_ns: int) -> Complaint:
        """The complaint in state `to`, with the deadline that applies from then on."""
        calendar = days.calendar_for(c.country)
        answer_due = c.answer_due_ns
        if to is Status.holding:
            longer = days.answer_after_holding_reply_business_days
            answer_due = _ns(days.due_at(utc(c.received_at_ns), longer, calendar))
        if c.status is Status.rejected and to is Status.escalated:
            # Staff get a full answer clock of their own for a rejection taken to them.
            answer_due = _ns(days.due_at(utc(now_ns), days.answer_business_days, calendar))
        return Complaint(
            c.id, c.wallet_id, c.merchant_id, c.payment_id, c.category, c.text, to, c.country,
            c.received_at_ns, answer_due, answer_due, now_ns,
        )  # fmt: skip

    def add_attachment(
        self, complaint: Complaint, content_type: str, data: bytes
    ) -> tuple[ComplaintResult, Attachment | None]:
        """A photo for the complaint: a JPEG or PNG by its first bytes, within the size; the
        type declared must be the one they are (or `application/octet-stream`, none)."""
        declared = content_type.split(";")[0].strip().lower()
        if declared == BYTES_UNNAMED:  # no type named: the bytes say which, if any
            found = (t for t, magic in ATTACHMENT_MAGIC.items() if data.startswith(magic))
            declared = next(found, declared)
        if declared not in ATTACHMENT_MAGIC:
            return R.attachment_type_not_allowed, None
        if not data:
            return R.attachment_empty, None
        if len(data) > attachment_bytes_max:
            return R.attachment_too_large, None
        if not data.startswith(ATTACHMENT_MAGIC[declared]):
            return R.attachment_not_what_it_says, None
        if complaint.status in FINAL:
            return R.not_allowed_now, None
        number = len(self.store.attachments_of(complaint.id)) + 1
        attachment = Attachment(
            complaint.id,
            number,
            declared,
            len(data),
            hashlib.sha256(data).hexdigest(),
            self._clock.now_ns(),
        )
        if number > attachments_max or not self.store.add_attachment(
            attachment, data, attachments_max
        ):
            return R.too_many_attachments, None
        return R.ok, attachment

    def by_id(self, complaint_id: str) -> Complaint | None:
        return self.store.by_id(complaint_id)

    def photo(self, complaint: Complaint, number: int) -> tuple[bytes, str] | None:
        """A photo's bytes and the type they were checked to be, or None."""
        kept = {a.number: a for a in self.store.attachments_of(complaint.id)}
        data = self.store.attachment_data(complaint.id, number)
        return None if data is None or number not in kept else (data, kept[number].content_type)

    def of_wallet(self, wallet_id: str, complaint_id: str) -> Complaint | None:
        """The wallet's own complaint; another's reads as none."""
        found = self.store.by_id(complaint_id)
        return found if found is not None and found.wallet_id == wallet_id else None

    def of_merchant(self, merchant_id: str, complaint_id: str) -> Complaint | None:
        found = self.store.by_id(complaint_id)
        return found if found is not None and found.merchant_id == merchant_id else None

    def queue(self) -> list[Complaint]:
        """Every complaint not yet answered for good, the longest overdue first, then the
        soonest due: the console's queue."""
        return self.store.unresolved(complaints_listed_max)

    def overdue_count(self) -> int:
        return self.store.overdue_count(self._clock.now_ns())

    def now_ns(self) -> int:
        return self._clock.now_ns()


def complaint_object(c: Complaint) -> dict[str, object]:
    """A complaint as the API and webhooks show it to its merchant and its person."""
    return {
        "id": c.id,
        "object": "complaint",
        "status": c.status.value,
        "category": c.category.value,
        "text": c.text,
        "payment": None if c.payment_id is None else f"pay_{c.payment_id:032x}",
        "merchant": c.merchant_id,
        "created": c.received_at_ns // NS_PER_S,
        "answer_by": c.answer_due_ns // NS_PER_S,
        "due_by": c.due_ns // NS_PER_S,
    }
