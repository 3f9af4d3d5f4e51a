"""How complaints, their events, attachments, disputes and reviews map to table rows, the
same on every backend. Ledger ids (u128) are decimal text: they do not fit 64-bit columns."""

from __future__ import annotations

from colony.disputes.model import (
    Actor,
    Attachment,
    Category,
    Complaint,
    Dispute,
    DisputeStatus,
    Event,
    Review,
    Status,
)

COMPLAINT_COLUMNS = (
    "id, wallet_id, merchant_id, payment_id, category, text, status, country, received_at_ns,"
    " due_ns, answer_due_ns, updated_at_ns"
)
EVENT_COLUMNS = "subject_id, seq, at_ns, actor, actor_id, from_status, to_status, note, detail"
ATTACHMENT_COLUMNS = "complaint_id, number, content_type, size_bytes, sha256, added_at_ns"
DISPUTE_COLUMNS = (
    "id, payment_id, merchant_id, wallet_id, complaint_id, amount_minor, currency, reason,"
    " status, respond_by_ns, evidence, opened_at_ns, updated_at_ns"
)
REVIEW_COLUMNS = "id, merchant_id, category, complaints, window_days, action, at_ns"


def _int(value: object) -> int:
    return int(str(value))


def complaint_row(c: Complaint) -> tuple[object, ...]:
    payment = None if c.payment_id is None else str(c.payment_id)
    return (
        c.id, c.wallet_id, c.merchant_id, payment, c.category.value, c.text, c.status.value,
        c.country, c.received_at_ns, c.due_ns, c.answer_due_ns, c.updated_at_ns,
    )  # fmt: skip


def complaint_of(row: tuple[object, ...]) -> Complaint:
    cid, wallet, merchant, payment, category, text, status, country, *times = row
    received, due, answer_due, updated = map(_int, times)
    return Complaint(
        str(cid), str(wallet), str(merchant), None if payment is None else _int(payment),
        Category(str(category)), str(text), Status(str(status)), str(country), received, due,
        answer_due, updated,
    )  # fmt: skip


def event_row(e: Event) -> tuple[object, ...]:
    return (
        e.subject_id, e.seq, e.at_ns, e.actor.value, e.actor_id, e.from_status, e.to_status,
        e.note, e.detail,
    )  # fmt: skip


def event_of(row: tuple[object, ...]) -> Event:
    subject, seq, at, actor, actor_id, before, after, note, detail = row
    return Event(
        str(subject), _int(seq), _int(at), Actor(str(actor)), str(actor_id), str(before),
        str(after), str(note), str(detail),
    )  # fmt: skip


def attachment_row(a: Attachment) -> tuple[object, ...]:
    return (a.complaint_id, a.number, a.content_type, a.size_bytes, a.sha256, a.added_at_ns)


def attachment_of(row: tuple[object, ...]) -> Attachment:
    cid, number, content_type, size, sha, added = row
    return Attachment(str(cid), _int(number), str(content_type), _int(size), str(sha), _int(added))


def dispute_row(d: Dispute) -> tuple[object, ...]:
    return (
        d.id, str(d.payment_id), d.merchant_id, d.wallet_id, d.complaint_id, d.amount_minor,
        d.currency, d.reason, d.status.value, d.respond_by_ns, d.evidence, d.opened_at_ns,
        d.updated_at_ns,
    )  # fmt: skip


def dispute_of(row: tuple[object, ...]) -> Dispute:
    did, payment, merchant, wallet, complaint, amount, currency, reason, status, *rest = row
    respond_by, evidence, opened, updated = rest
    return Dispute(
        str(did), _int(payment), str(merchant), str(wallet),
        None if complaint is None else str(complaint), _int(amount), str(currency), str(reason),
        DisputeStatus(str(status)), _int(respond_by), None if evidence is None else str(evidence),
        _int(opened), _int(updated),
    )  # fmt: skip


def review_row(r: Review) -> tuple[object, ...]:
    return (r.id, r.merchant_id, r.category.value, r.complaints, r.window_days, r.action, r.at_ns)


def review_of(row: tuple[object, ...]) -> Review:
    rid, merchant, category, count, window, action, at = row
    return Review(
        str(rid), str(merchant), Category(str(category)), _int(count), _int(window),
        str(action), _int(at),
    )  # fmt: skip
