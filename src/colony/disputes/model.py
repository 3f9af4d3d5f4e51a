"""Complaints and disputes: what a person raised, the states it passed through, and who moved
it there; and the ledger codes their money moves under."""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass

from colony.chart import AccountCode, TransferCode
from colony.kernel.clock import NS_PER_S

# Ledger codes: the chart's (docs/chart-of-accounts.md), under the names this package uses.
ACCOUNT_GOODWILL: int = AccountCode.goodwill
TRANSFER_GOODWILL: int = TransferCode.goodwill_credit
TRANSFER_CHARGEBACK: int = TransferCode.chargeback
TRANSFER_REFUNDABLE: int = TransferCode.refundable
# The longest complaint, answer or reason, in characters: a page of text.
text_chars_max = 2_000
# Photos a complaint may carry, and the largest one, in bytes.
attachments_max = 3
attachment_bytes_max = 512 * 1024
# What an attachment may be, by the bytes it starts with (its magic number), not by the type
# the sender declares: a declared type is checked against them.
ATTACHMENT_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class Category(enum.StrEnum):
    """What a complaint is about: a fixed list, so rates per kind can be counted."""

    not_received = "not_received"  # paid, but the goods or service never came
    not_as_described = "not_as_described"
    charged_wrongly = "charged_wrongly"  # the wrong amount, or charged twice
    refund_not_received = "refund_not_received"
    unauthorised = "unauthorised"  # a payment the person says they did not make
    service = "service"  # how the merchant treated them
    other = "other"


class Status(enum.StrEnum):
    open = "open"  # filed; the merchant must acknowledge it within 2 business days
    acknowledged = "acknowledged"  # the merchant has it; the final answer is due in 15
    holding = "holding"  # a holding reply said why it needs longer: due in 35
    escalated = "escalated"  # support staff handle it in the console
    resolved = "resolved"  # upheld: the person got what they asked for (or enough)
    rejected = "rejected"  # not upheld, with the reason


FINAL = frozenset({Status.resolved, Status.rejected})


class Actor(enum.StrEnum):
    person = "person"  # the wallet's holder who filed it
    merchant = "merchant"  # a merchant's user, or its API key
    staff = "staff"  # support staff in the console
    rule = "rule"  # one of Colony's own rules


class DisputeStatus(enum.StrEnum):
    needs_response = "needs_response"  # the merchant must send its evidence by the deadline
    under_review = "under_review"  # evidence in; the operator decides
    won = "won"  # the merchant keeps the money
    lost = "lost"  # charged back to the wallet


DISPUTE_FINAL = frozenset({DisputeStatus.won, DisputeStatus.lost})


def utc(ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ns // NS_PER_S, dt.UTC)


@dataclass(frozen=True)
class Complaint:
    id: str  # "cmp_" + 32 hex: a time-ordered id, also the base of the ids it derives
    wallet_id: str
    merchant_id: str
    payment_id: int | None  # the payment complained of; None for the merchant as a whole
    category: Category
    text: str
    status: Status
    country: str  # the merchant's: whose business days the clocks count
    received_at_ns: int
    due_ns: int  # the deadline that applies now: acknowledgement while open, then the answer
    answer_due_ns: int  # the final answer's (35 business days after a holding reply)
    updated_at_ns: int

    @property
    def number(self) -> int:
        return int(self.id.removeprefix("cmp_"), 16)

    def overdue(self, now_ns: int) -> bool:
        return self.status not in FINAL and now_ns >= self.due_ns


@dataclass(frozen=True)
class Event:
    """One state change of a complaint or a dispute (`subject_id`), never edited: who moved
    it, when, and why."""

    subject_id: str
    seq: int  # 1, 2, ... per subject
    at_ns: int
    actor: Actor
    actor_id: str  # a wallet's, merchant user's, API key's or staff member's id; a rule's name
    from_status: str  # "" for the first
    to_status: str
    note: str  # why, in the actor's words
    detail: str = "{}"  # JSON: a refund's id and amount, a goodwill credit's


@dataclass(frozen=True)
class Attachment:
    complaint_id: str
    number: int  # 1, 2, ...
    content_type: str
    size_bytes: int
    sha256: str
    added_at_ns: int


@dataclass(frozen=True)
class Dispute:
    id: str  # "dsp_" + 32 hex: time-ordered; also the id of its chargeback transfer
    payment_id: int
    merchant_id: str
    wallet_id: str
    complaint_id: str | None
    amount_minor: int  # what is disputed, in the payment's currency
    currency: str
    reason: str
    status: DisputeStatus
    respond_by_ns: int  # the merchant's deadline for its evidence
    evidence: str | None  # submitted once
    opened_at_ns: int
    updated_at_ns: int

    @property
    def number(self) -> int:
        return int(self.id.removeprefix("dsp_"), 16)


@dataclass(frozen=True)
class Review:
    """A merchant put under review by the repeated-complaints rule: what it saw and did."""

    id: str  # "rev_" + hex
    merchant_id: str
    category: Category
    complaints: int  # how many of that kind in the window
    window_days: int
    action: str  # what changed, in words
    at_ns: int


def case_event(
    at_ns: int, subject: str, actor: Actor, actor_id: str, before: str, after: str, note: str,
    detail: dict[str, object] | None = None,
) -> Event:  # fmt: skip
    """A new event of a complaint or dispute; its place is the store's to take."""
    text = json.dumps(detail or {}, separators=(",", ":"), sort_keys=True)
    return Event(subject, 0, at_ns, actor, actor_id, before, after, note.strip(), text)
