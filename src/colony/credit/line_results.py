"""What a person's or the operator's request of the credit line comes to: ok, or why not."""

from __future__ import annotations

import enum


class CreditLineResult(enum.IntEnum):
    ok = 0
    consent_required = 1  # a limit comes from a score, given only with consent
    declined = 2  # the score gives no limit
    invalid_due_day = 3  # not the 8th, 9th or 10th
    no_line = 4  # the wallet has no line in its currency
    amount_must_be_positive = 5
    more_than_owed = 6  # a repayment larger than all the line is owed
    nothing_owed = 7
    insufficient_funds = 8
    daily_outflow_cap_exceeded = 9
    id_reused_differently = 10
    refused_before = 11
    plan_not_offered = 12  # not 3, 6 or 12 instalments
    line_frozen = 13  # overdue or charged off: no plans, no limit changes
    wallet_frozen = 14  # the operator froze the wallet: nothing may leave it
    nothing_to_split = 15  # no bill whose due day is still to come, or nothing of it to split
