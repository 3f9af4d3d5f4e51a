"""Cash loans: lenders (funding partners whose capital is lent), loans of 3, 6 or 12 months to a
wallet decided from the person's credit score, repaid early or on a monthly schedule, and the
daily run that accrues interest, collects, provides and writes off (docs/adr/0050, 0051)."""

from __future__ import annotations

from colony.loans.accrual import DailyRun, DayReport, batch_events_max, loans_page_size
from colony.loans.books import loan_accounts
from colony.loans.chains import disbursement, linked
from colony.loans.lenders import LenderBalance, Lenders
from colony.loans.merchant_loans import CollectionReport, MerchantLoans
from colony.loans.model import (
    LOAN_PRODUCTS,
    ChargeOffBearer,
    InterestMethod,
    Lender,
    Loan,
    LoanProduct,
    LoanStatus,
    MerchantLoan,
    Repayment,
    funding_minor_max,
    loan_id_of,
    product_named,
)
from colony.loans.portfolio import Book, Losses, Portfolio, Vintage, csv_lines
from colony.loans.results import LenderResult, LoanResult
from colony.loans.rules import BUCKETS, charge_off_days, penalty_rate_bps
from colony.loans.service import LoanService, LoanState, plan
from colony.loans.sql_store import SqlLoanStore, open_loan_store

__all__ = [
    "BUCKETS",
    "LOAN_PRODUCTS",
    "Book",
    "ChargeOffBearer",
    "CollectionReport",
    "DailyRun",
    "DayReport",
    "InterestMethod",
    "Lender",
    "LenderBalance",
    "LenderResult",
    "Lenders",
    "Loan",
    "LoanProduct",
    "LoanResult",
    "LoanService",
    "LoanState",
    "LoanStatus",
    "Losses",
    "MerchantLoan",
    "MerchantLoans",
    "Portfolio",
    "Repayment",
    "SqlLoanStore",
    "Vintage",
    "batch_events_max",
    "charge_off_days",
    "csv_lines",
    "disbursement",
    "funding_minor_max",
    "linked",
    "loan_accounts",
    "loan_id_of",
    "loans_page_size",
    "open_loan_store",
    "penalty_rate_bps",
    "plan",
    "product_named",
]
