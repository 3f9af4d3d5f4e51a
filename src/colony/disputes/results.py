"""Outcomes of complaints and disputes: enumerated, never exceptions; numbers never reused."""

from __future__ import annotations

import enum


class ComplaintResult(enum.IntEnum):
    ok = 0
    unknown_payment = 1  # no such payment, or another wallet's
    unknown_merchant = 2
    invalid_category = 3
    text_required = 4  # empty or blank
    text_too_long = 5
    complaint_not_found = 6  # no such complaint, or not the caller's
    not_allowed_now = 7  # the complaint's state does not allow that step
    not_yours_to_take = 8  # that kind of actor may not take that step
    too_many_attachments = 9
    attachment_too_large = 10
    attachment_type_not_allowed = 11  # not a JPEG nor a PNG
    attachment_not_what_it_says = 12  # its bytes are not of the type declared
    attachment_empty = 13
    amount_must_be_positive = 14
    refund_exceeds_payment = 15
    balance_cap_exceeded = 16  # the wallet cannot take the money now (its tier's cap)
    id_reused_differently = 17
    refused_before = 18
    no_payment_to_refund = 19  # a complaint about a merchant, not a payment
    cross_border_not_supported = 20  # a chargeback of a payment paid across currencies
    dispute_not_found = 21
    evidence_already_submitted = 22  # evidence goes in once
    response_overdue = 23  # the dispute's deadline for evidence has passed
    dispute_open_already = 24  # one dispute per payment
