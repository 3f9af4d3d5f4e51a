"""Outcomes of lending: enumerated, never exceptions (numbers are never reused)."""

from __future__ import annotations

import enum


class LenderResult(enum.IntEnum):
    ok = 0
    unknown_currency = 1
    invalid_name = 2  # a funding partner's name: 2-40 of a-z, 0-9 and _
    income_share_out_of_range = 3  # 0 .. 10,000 bps
    lender_not_found = 4
    amount_must_be_positive = 5
    id_reused_differently = 6  # the same reference with another amount
    already_registered = 7  # the lender exists in the currency with other terms
    amount_too_large = 8  # more than funding_minor_max in one funding
    capital_overflows = 9  # the ledger's balances cannot hold the lender's capital any larger


class LoanResult(enum.IntEnum):
    ok = 0
    unknown_product = 1
    amount_out_of_range = 2  # below or above what a product lends, in its currency
    consent_required = 3  # the person has not consented to be scored
    declined = 4  # the score's band lends nothing
    over_limit = 5  # more than the score's limit
    too_many_open_loans = 6
    no_lender = 7  # no lender lends in the wallet's currency
    lender_capital_exhausted = 8  # the lender has not that much left to lend
    balance_cap_exceeded = 9  # the wallet's tier cannot hold the money
    wallet_frozen = 10
    loan_not_found = 11
    amount_must_be_positive = 12
    amount_exceeds_owed = 13  # a repayment larger than what is owed
    insufficient_funds = 14
    daily_outflow_cap_exceeded = 15
    id_reused_differently = 16  # a retry with the same key but another request
    refused_before = 17  # a retry of a refused request: a new attempt needs a new key
    loan_closed = 18  # repaid already: nothing is owed
    unknown_method = 19
    too_little_history = 20  # a merchant that has sold on too few of the last 90 days
    sales_too_small = 21  # the share of its sales offered is less than the least one loan
    merchant_suspended = 22  # the operator suspended the merchant: nothing new is lent to it
