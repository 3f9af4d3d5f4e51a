"""Lending's results as the API's errors: the status, the error's type and the parameter
each names (shared by the wallets' and the merchants' loan routes, each raising them)."""

from __future__ import annotations

from colony.loans.results import LoanResult

REFUSALS: dict[LoanResult, tuple[int, str, str | None]] = {
    LoanResult.unknown_product: (400, "invalid_request_error", "product"),
    LoanResult.unknown_method: (400, "invalid_request_error", "method"),
    LoanResult.amount_out_of_range: (400, "invalid_request_error", "amount_minor"),
    LoanResult.amount_must_be_positive: (400, "invalid_request_error", "amount_minor"),
    LoanResult.amount_exceeds_owed: (400, "invalid_request_error", "amount_minor"),
    LoanResult.consent_required: (409, "credit_error", None),
    LoanResult.declined: (402, "credit_error", None),
    LoanResult.over_limit: (402, "credit_error", "amount_minor"),
    LoanResult.too_many_open_loans: (409, "credit_error", None),
    LoanResult.no_lender: (409, "credit_error", None),
    LoanResult.lender_capital_exhausted: (409, "credit_error", None),
    LoanResult.balance_cap_exceeded: (402, "payment_error", "amount_minor"),
    LoanResult.wallet_frozen: (409, "payment_error", None),
    LoanResult.loan_not_found: (404, "invalid_request_error", "loan_id"),
    LoanResult.insufficient_funds: (402, "payment_error", "amount_minor"),
    LoanResult.daily_outflow_cap_exceeded: (402, "payment_error", "amount_minor"),
    LoanResult.id_reused_differently: (409, "invalid_request_error", None),
    LoanResult.refused_before: (409, "payment_error", None),
    LoanResult.loan_closed: (409, "invalid_request_error", "loan_id"),
    LoanResult.too_little_history: (402, "credit_error", None),
    LoanResult.sales_too_small: (402, "credit_error", None),
    LoanResult.merchant_suspended: (409, "invalid_request_error", None),
}
