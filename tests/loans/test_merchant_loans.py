"""A loan to a merchant, worked through its ledger: granted from the merchant's score, paid
into its account with a 5% fee, repaid by 10% of each day's net sales (fee first), a day
collected once however often it is run, refusals named, and a trial balance of zero."""

from __future__ import annotations

from colony.chart import IdPrefix, lender_available_account_id, lender_capital_account_id
from colony.credit import CreditScores
from colony.ledger.verify import verify
from colony.loans import LoanResult, LoanStatus, MerchantLoans
from colony.loans.merchant_loans import fee_income_id
from colony.merchants import TakingsBook
from colony.payments.service import PayResult
from tests.loans.world import ALICE, LENDER, World, scored_well

SGD = 702


def test_a_loan_to_a_merchant_repaid_from_its_sales(world: World) -> None:
    ctx = world.ctx
    ctx.service(CreditScores).model = scored_well()
    world.person(cash_minor=15_000_00)  # Alice buys at the shop every day
    world.fund(1_000_000_00)
    _, shop = ctx.merchants.onboard("Kopi Pte Ltd", "Kopi", "5814", "SG", "Singapore", "SGD", 100)
    assert shop is not None
    for _ in range(2):  # sales of 200.00 the day before: the score's limit reads them
        code = ctx.payments.merchant_qr(shop, 100_00)
        assert ctx.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
    world.clock.advance(86_400)
    loans = MerchantLoans(ctx.ledger, ctx.service(CreditScores), world.lenders, world.store,
                          ctx.service(TakingsBook), world.clock)  # fmt: skip
    assert loans.grant(shop, 99_99, 1 << 126 | 1)[0] is LoanResult.amount_out_of_range
    result, loan = loans.grant(shop, 1_000_00, 1 << 126 | 2)
    assert result is LoanResult.ok and loan is not None, result
    assert loans.grant(shop, 1_000_00, 1 << 126 | 2)[1] == loan  # the same id: once
    assert loans.grant(shop, 1_000_00, 1 << 126 | 3)[0] is LoanResult.too_many_open_loans
    assert loan.fee_minor == 50_00 and loan.share_bps == 1_000
    assert world.balance(loan.account_id) == 1_000_00
    assert world.balance(loan.interest_account_id) == 50_00
    assert world.balance(fee_income_id(SGD)) == -50_00
    assert world.balance(lender_available_account_id(LENDER, SGD)) == -(1_000_000_00 - 1_000_00)

    day = loan.made_day + 1  # collected from the day after it was made
    world.clock.advance(86_400)
    code = ctx.payments.merchant_qr(shop, 1_000_00)  # a day of sales: 1,000.00 less 1% fee
    assert ctx.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
    world.clock.advance(86_400)
    collected = loans.collect_day(day)
    assert (collected.collected, collected.collected_minor) == (1, 99_00)  # 10% of 990.00
    assert world.balance(loan.interest_account_id) == 50_00 - 50_00  # the fee first
    assert world.balance(loan.account_id) == 1_000_00 - 49_00
    assert world.balance(lender_capital_account_id(LENDER, SGD)) == -(1_000_000_00 + 30_00)
    again = loans.collect_day(day)
    assert again.made_before == 1 and world.balance(loan.account_id) == 1_000_00 - 49_00
    quiet = loans.collect_day(day + 1)  # no sales: nothing taken
    assert quiet.collected == 0 and quiet.not_collected == 0

    for later in range(day + 1, day + 12):  # eleven more days of the same sales repay it
        code = ctx.payments.merchant_qr(shop, 1_000_00)  # sold on `later`, collected after
        assert ctx.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
        world.clock.advance(86_400)
        loans.collect_day(later)
    closed = world.store.merchant_loan(loan.id)
    assert closed is not None and closed.status is LoanStatus.repaid
    assert world.balance(loan.account_id) == 0
    assert world.balance(lender_available_account_id(LENDER, SGD)) == -1_000_000_00
    assert world.balance(IdPrefix.fee_income.account_id(SGD, "sme")) == -(50_00 - 30_00)
    assert set(world.trial_balance().values()) == {0}
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
