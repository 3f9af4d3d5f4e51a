"""What the loans context keeps outside the ledger: lenders, loans and repayments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from colony.loans.model import DayRecord, Lender, Loan, LoanStatus, MerchantLoan, Repayment, RunLoan


class LoanStore(Protocol):
    def add_lender(self, lender: Lender) -> None: ...

    def lender(self, name: str, currency: str) -> Lender | None: ...

    def lenders(self) -> list[Lender]: ...

    def insert_loan(self, loan: Loan) -> None:
        """Idempotent by id: a loan stored already is left as it is."""
        ...

    def insert_loans(self, loans: Sequence[Loan]) -> None:
        """Many new loans in one transaction (a benchmark's seeding)."""
        ...

    def loan(self, loan_id: str) -> Loan | None: ...

    def loans_of_wallet(self, wallet_id: str) -> list[Loan]:
        """Newest first."""
        ...

    def loans_page(self, status: LoanStatus | None, after_id: str, limit: int) -> list[Loan]:
        """Loans (of `status`, or all) with ids after `after_id`, by id."""
        ...

    def run_page(self, after: str, limit: int) -> tuple[list[RunLoan], str]:
        """Up to `limit` open loans after position `after` ("": the first), in the order
        cheapest to read them all (as stored on SQLite, by id on PostgreSQL), and the position
        of the last. A position is opaque and holds only for one walk."""
        ...

    def day_record(self, day: int) -> DayRecord | None:
        """The daily run's record of `day`, if it finished."""
        ...

    def record_day(self, record: DayRecord) -> None:
        """Idempotent by day: a day recorded already keeps its first record."""
        ...

    def set_status(
        self, loan_id: str, status: LoanStatus, day: int | None = None, written_off: int = 0
    ) -> None: ...

    def add_repayment(self, repayment: Repayment) -> None:
        """Idempotent by id."""
        ...

    def add_repayments(self, repayments: Sequence[Repayment]) -> None:
        """Many in one transaction (the daily run's collections), idempotent by id."""
        ...

    def set_statuses(self, changes: Sequence[tuple[str, LoanStatus, int | None, int]]) -> None:
        """(loan id, status, charge-off day, written off) for many loans in one transaction."""
        ...

    def repayments_page(self, after_id: str, limit: int) -> list[Repayment]:
        """Every loan's repayments with ids after `after_id`, by id."""
        ...

    def repayments(self, loan_id: str) -> list[Repayment]:
        """Oldest first."""
        ...

    def insert_merchant_loan(self, loan: MerchantLoan) -> None:
        """Idempotent by id."""
        ...

    def merchant_loan(self, loan_id: str) -> MerchantLoan | None: ...

    def merchant_loans_of(self, merchant_id: str) -> list[MerchantLoan]:
        """Newest first."""
        ...

    def merchant_loans_page(
        self, status: LoanStatus, after_id: str, limit: int
    ) -> list[MerchantLoan]:
        """Loans to merchants of `status` with ids after `after_id`, by id."""
        ...

    def set_merchant_loan_status(self, loan_id: str, status: LoanStatus) -> None: ...

    def close(self) -> None: ...
