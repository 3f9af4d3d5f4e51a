"""Complaints and disputes (docs/adr/0053): a person's complaint about a payment or a merchant
with its business-day clocks, the merchant's answer, support staff's handling; disputes of a
payment with evidence and a deadline; outcomes that move money only through the ledger
(refund, goodwill credit, chargeback); and the figures and rule that act on repeat causes."""

from __future__ import annotations

from colony.disputes.business_days import Calendar, calendar_for, due_at
from colony.disputes.complaint_texts import (
    ACTOR_TEXTS,
    CATEGORY_TEXTS,
    DISPUTE_STATUS_TEXTS,
    STATUS_TEXTS,
)
from colony.disputes.dispute_service import DisputeService, evidence_business_days
from colony.disputes.model import (
    ATTACHMENT_MAGIC,
    FINAL,
    Actor,
    Attachment,
    Category,
    Complaint,
    Dispute,
    DisputeStatus,
    Event,
    Review,
    Status,
    attachment_bytes_max,
    attachments_max,
    text_chars_max,
)
from colony.disputes.outcomes import Outcomes, goodwill_account_id
from colony.disputes.rates import MerchantFigures, figures, figures_window_days
from colony.disputes.results import ComplaintResult
from colony.disputes.review_rule import repeat_threshold, repeat_window_days
from colony.disputes.service import (
    COMPLAINT_CREATED,
    ComplaintService,
    complaint_object,
    complaints_listed_max,
)
from colony.disputes.sql_store import SqlComplaintStore, open_complaint_store
from colony.disputes.steps import next_steps
from colony.disputes.store import ComplaintStore

__all__ = [
    "ACTOR_TEXTS",
    "ATTACHMENT_MAGIC",
    "CATEGORY_TEXTS",
    "COMPLAINT_CREATED",
    "DISPUTE_STATUS_TEXTS",
    "FINAL",
    "STATUS_TEXTS",
    "Actor",
    "Attachment",
    "Calendar",
    "Category",
    "Complaint",
    "ComplaintResult",
    "ComplaintService",
    "ComplaintStore",
    "Dispute",
    "DisputeService",
    "DisputeStatus",
    "Event",
    "MerchantFigures",
    "Outcomes",
    "Review",
    "SqlComplaintStore",
    "Status",
    "attachment_bytes_max",
    "attachments_max",
    "calendar_for",
    "complaint_object",
    "complaints_listed_max",
    "due_at",
    "evidence_business_days",
    "figures",
    "figures_window_days",
    "goodwill_account_id",
    "next_steps",
    "open_complaint_store",
    "repeat_threshold",
    "repeat_window_days",
    "text_chars_max",
]
