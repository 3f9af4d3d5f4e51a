"""The loans' store on both backends: lenders, loans paged by status, statuses changed in one
transaction, repayments idempotent by id, loans to merchants; ids kept whole (u128)."""

from __future__ import annotations

from dataclasses import replace

from colony.loans import (
    ChargeOffBearer,
    InterestMethod,
    Lender,
    Loan,
    LoanStatus,
    MerchantLoan,
    Repayment,
    loan_id_of,
    open_loan_store,
)

BIG = (1 << 127) | 12345  # a derived id: past 64 bits


def _loan(n: int, status: LoanStatus = LoanStatus.open) -> Loan:
    account = (n << 64) | n
    return Loan(
        loan_id_of(account), account, f"wal_{n:032x}", BIG, "harbour_bank", "cash_3m",
        InterestMethod.daily, "SGD", 702, 1_000_00, 1_800, 20_513, (20_544, 20_574, 20_605),
        (33_333, 33_333, 33_334), (1_500, 1_000, 500), status, None, 0, n,
    )  # fmt: skip


def test_the_store_keeps_what_the_loans_need(store_url: str) -> None:
    store = open_loan_store(store_url)
    try:
        lender = Lender("harbour_bank", "SGD", 702, 6_000, ChargeOffBearer.house, 1)
        store.add_lender(lender)
        store.add_lender(replace(lender, income_share_bps=1))  # the first stands
        assert store.lender("harbour_bank", "SGD") == lender and store.lenders() == [lender]
        assert store.lender("harbour_bank", "USD") is None

        loans = [_loan(n) for n in range(1, 6)]
        store.insert_loans(loans[:4])
        store.insert_loan(loans[4])
        store.insert_loan(loans[4])  # again: left as it is
        assert store.loan(loans[0].id) == loans[0]
        by_id = sorted(loans, key=lambda x: x.id)
        first = store.loans_page(LoanStatus.open, "", 2)
        assert first == by_id[:2]
        assert store.loans_page(LoanStatus.open, first[-1].id, 10) == by_id[2:]
        store.set_statuses([(by_id[0].id, LoanStatus.charged_off, 20_700, 1_234),
                            (by_id[1].id, LoanStatus.repaid, None, 0)])  # fmt: skip
        assert [x.id for x in store.loans_page(LoanStatus.open, "", 10)] == [
            x.id for x in by_id[2:]
        ]
        written = store.loan(by_id[0].id)
        assert written is not None and (written.charged_off_day, written.charged_off_minor) == (
            20_700, 1_234,
        )  # fmt: skip
        assert len(store.loans_page(None, "", 10)) == 5
        assert store.loans_of_wallet(loans[2].wallet_id) == [loans[2]]

        paid = Repayment("lrp_1", loans[0].id, BIG, 500, 100, 400, False, True, 7)
        store.add_repayments([paid, paid])
        store.add_repayment(paid)
        assert store.repayments(loans[0].id) == [paid]
        assert store.repayments_page("", 10) == [paid]

        lent = MerchantLoan(f"mln_{BIG:032x}", BIG, "mer_1", BIG - 1, "harbour_bank", "SGD",
                            702, 1_000_00, 50_00, 1_000, 20_513, LoanStatus.open, 3)  # fmt: skip
        store.insert_merchant_loan(lent)
        store.insert_merchant_loan(lent)
        assert store.merchant_loan(lent.id) == lent
        assert store.merchant_loans_of("mer_1") == [lent]
        assert store.merchant_loans_page(LoanStatus.open, "", 10) == [lent]
        store.set_merchant_loan_status(lent.id, LoanStatus.repaid)
        assert store.merchant_loans_page(LoanStatus.open, "", 10) == []
    finally:
        store.close()
