"""Outcomes of wallet operations: enumerated, never exceptions."""

from __future__ import annotations

import enum


class WalletResult(enum.IntEnum):
    ok = 0
    invalid_phone = 1
    phone_taken = 2
    unknown_currency = 3
    unknown_wallet = 4
    same_wallet = 5
    amount_must_be_positive = 6
    insufficient_funds = 7
    balance_cap_exceeded = 8  # the receiver's tier caps its balance
    daily_outflow_cap_exceeded = 9  # the sender's tier caps what leaves per day
    currencies_differ = 10
    already_verified = 11
    id_reused_differently = 12  # a retry with the same id but another amount or party
    refused_before = 13  # a retry of a refused payment: a new attempt needs a new id
    unknown_funding_source = 14
    top_up_not_found = 15
    top_up_expired = 16  # the partner did not confirm in time: the hold has gone
    top_up_already_settled = 17  # confirmed or declined before
    invalid_name = 18  # empty, blank, over 100 characters, or with control or bidi characters
    withdrawal_not_found = 19
    withdrawal_expired = 20  # the partner did not confirm in time: the money went back
    withdrawal_already_settled = 21  # confirmed or failed before
    invalid_partner_name = 22  # 2-40 of a-z, 0-9 and _, starting with a letter
    invalid_partner_kind = 23  # "bank" or "card_issuer"
    partner_registered_differently = 24  # that name and currency already have another kind
    wallet_frozen = 25  # the operator froze it: no money may leave it (it may still receive)
    invalid_reason = 26  # a freeze needs a reason: not blank, at most freeze_reason_chars_max
    already_frozen = 27
    not_frozen = 28
    invalid_note = 29  # a money request's note past its length
    too_many_open_requests = 30  # open_requests_per_wallet_max asked and not settled
    request_not_found = 31  # none, or another's
    request_closed = 32  # paid, declined or cancelled before
    # Risk control (colony.risk, docs/adr/0055), before any money moves. A P2P transfer or
    # a withdrawal that risk control would hold for review is refused as blocked for now.
    risk_blocked = 33
    risk_challenge_required = 34  # the sender must confirm with the PIN (step-up)
    # A money request past requests_to_one_payer_max to that number in requests_window_s:
    # each request texts the payer (docs/adr/0110).
    too_many_requests_to_payer = 35
