"""Outcomes of registering causes and giving to them: enumerated, never exceptions."""

from __future__ import annotations

import enum


class DonationResult(enum.IntEnum):
    ok = 0
    invalid_name = 1  # empty, blank or over 100 characters
    unknown_currency = 2
    cause_not_found = 3
    currencies_differ = 4  # the wallet's currency is not the cause's
    amount_must_be_positive = 5
    insufficient_funds = 6
    daily_outflow_cap_exceeded = 7  # the wallet's tier caps what leaves it per day
    id_reused_differently = 8  # a retry with the same id but another amount or cause
    refused_before = 9  # a retry of a refused donation: a new attempt needs a new id
    wallet_frozen = 10  # the operator froze the wallet: nothing may leave it
