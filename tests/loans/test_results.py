"""Every outcome of lending as a table: each case and the result it gives, and that a refusal
lent or moved nothing. The last test checks every result is covered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from colony.chart import lender_capital_account_id
from colony.credit import CreditScores
from colony.kernel.money import ledger_of
from colony.ledger import AMOUNT_MAX, CreateTransferResult, Transfer
from colony.loans import LenderResult, LoanResult, MerchantLoans, funding_minor_max
from colony.loans.model import TRANSFER_LENDER_FUNDING
from colony.merchants import SuspensionResult
from colony.wallets import WalletResult, WalletService
from tests.loans.world import ALICE, LENDER, World, make_world, scored_well

BOB = "+6591110002"
COVERED: set[object] = set()
# The module's tests that have run in this process: the last one checks what they covered.
RAN: set[str] = set()


@pytest.fixture(autouse=True)
def _ran(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    RAN.add(request.node.originalname)


def _apply(world: World, amount: int = 1_000_00, product: str = "cash_3m", method: str = "daily",
           phone: str = ALICE, key: int | None = None) -> LoanResult:  # fmt: skip
    wallet = world.ctx.wallet_store.by_phone(phone, "SGD")
    assert wallet is not None
    result, loan = world.loans.apply(wallet, product, method, amount, key or world.ids.new_id())
    assert (loan is not None) is (result is LoanResult.ok)
    return result


def _no_consent(world: World) -> LoanResult:
    alice = world.person()
    world.ctx.service(CreditScores).withdraw_consent(alice)
    return _apply(world)


def _frozen(world: World) -> LoanResult:
    alice = world.person()
    assert world.ctx.wallets.freeze(alice.id, "court order") is WalletResult.ok
    return _apply(world)


def _twice(world: World) -> LoanResult:
    world.person()
    assert _apply(world) is LoanResult.ok
    return _apply(world)


def _capital_short(world: World) -> LoanResult:
    world.person()
    world.fund(500_00, "small")
    return _apply(world, key=77)


def _refused_again(world: World) -> LoanResult:
    assert _capital_short(world) is LoanResult.lender_capital_exhausted
    return _apply(world, key=77)


def _key_reused(world: World) -> LoanResult:
    world.person()
    assert _apply(world, key=78) is LoanResult.ok
    return _apply(world, amount=999_00, key=78)


def _no_lender(world: World) -> LoanResult:
    _, wallet = world.ctx.wallets.open_wallet(ALICE, "Alice Tan", "USD")
    assert wallet is not None
    return world.loans.apply(wallet, "cash_3m", "daily", 1_000_00, world.ids.new_id())[0]


def _cap(world: World) -> LoanResult:
    """A phone-only wallet holds at most 2,000.00."""
    wallets = world.ctx.wallets
    _, wallet = wallets.open_wallet(ALICE, "Alice Tan", "SGD")
    assert wallet is not None
    assert wallets.cash_in(ALICE, "SGD", 1_999_00).result is WalletResult.ok
    world.ctx.service(CreditScores).give_consent(wallet)
    world.clock.advance(60)
    return _apply(world)


APPLICATIONS: list[tuple[str, Callable[[World], LoanResult], LoanResult]] = [
    ("ok", lambda w: (w.person(), _apply(w))[1], LoanResult.ok),
    (
        "ok, a year on the schedule",
        lambda w: (w.person(), _apply(w, product="cash_12m", method="schedule"))[1],
        LoanResult.ok,
    ),
    (
        "unknown product",
        lambda w: (w.person(), _apply(w, product="cash_4m"))[1],
        LoanResult.unknown_product,
    ),
    (
        "unknown method",
        lambda w: (w.person(), _apply(w, method="weekly"))[1],
        LoanResult.unknown_method,
    ),
    (
        "below 10.00",
        lambda w: (w.person(), _apply(w, amount=9_99))[1],
        LoanResult.amount_out_of_range,
    ),
    (
        "above 5,000.00",
        lambda w: (w.person(), _apply(w, amount=5_000_01))[1],
        LoanResult.amount_out_of_range,
    ),
    (
        "over the score's limit",
        lambda w: (w.person(cash_minor=10_00), _apply(w, amount=5_000_00))[1],
        LoanResult.over_limit,
    ),
    ("no consent", _no_consent, LoanResult.consent_required),
    ("frozen", _frozen, LoanResult.wallet_frozen),
    ("a second open loan", _twice, LoanResult.too_many_open_loans),
    ("capital short", _capital_short, LoanResult.lender_capital_exhausted),
    ("a refused loan retried", _refused_again, LoanResult.refused_before),
    ("a key with another amount", _key_reused, LoanResult.id_reused_differently),
    ("no lender in USD", _no_lender, LoanResult.no_lender),
    ("the wallet's balance cap", _cap, LoanResult.balance_cap_exceeded),
]


# Cases that lend a first loan before the one refused.
LENDS_FIRST = {"a second open loan", "a key with another amount"}


@pytest.fixture
def funded(world: World) -> World:
    world.fund(1_000_000_00)
    return world


@pytest.mark.parametrize(
    ("case", "act", "expected"), APPLICATIONS, ids=[a[0] for a in APPLICATIONS]
)
def test_applying(
    world: World, case: str, act: Callable[[World], LoanResult], expected: LoanResult
) -> None:
    if case not in ("capital short", "a refused loan retried"):
        world.fund(1_000_000_00)
    before = world.balance(world.lenders_available())
    assert act(world) is expected
    COVERED.add(expected)
    lent = before - world.balance(world.lenders_available())
    assert (lent < 0) is (expected is LoanResult.ok) or case in LENDS_FIRST


def test_a_declined_score_lends_nothing(tmp_path: Path) -> None:
    world = make_world(f"sqlite:///{tmp_path}/declined.db", points=0)
    try:
        world.fund(1_000_000_00)
        world.person()
        assert _apply(world) is LoanResult.declined
        COVERED.add(LoanResult.declined)
    finally:
        world.close()


def _loan(world: World, phone: str = ALICE, cash_minor: int = 500_000, amount: int = 1_000_00
          ) -> str:  # fmt: skip
    wallet = world.person(phone, cash_minor=cash_minor)
    result, loan = world.loans.apply(wallet, "cash_3m", "daily", amount, world.ids.new_id())
    assert result is LoanResult.ok and loan is not None
    return loan.id


def _repay(world: World, loan_id: str, amount: int, phone: str = ALICE, key: int = 1) -> LoanResult:
    wallet = world.ctx.wallet_store.by_phone(phone, "SGD")
    assert wallet is not None
    return world.loans.repay(wallet, loan_id, amount, 1 << 126 | key)[0]


def test_repaying(funded: World) -> None:
    world = funded
    loan_id = _loan(world)
    cases = [
        (lambda: _repay(world, "lon_" + "0" * 32, 100), LoanResult.loan_not_found),
        (lambda: _repay(world, "not a loan", 100), LoanResult.loan_not_found),
        (lambda: _repay(world, loan_id, 0), LoanResult.amount_must_be_positive),
        (lambda: _repay(world, loan_id, -5), LoanResult.amount_must_be_positive),
        (lambda: _repay(world, loan_id, 1_000_01), LoanResult.amount_exceeds_owed),
        (lambda: _repay(world, loan_id, 100_00, key=2), LoanResult.ok),
        (lambda: _repay(world, loan_id, 100_00, key=2), LoanResult.ok),  # a retry: once
        (lambda: _repay(world, loan_id, 900_00, key=3), LoanResult.ok),
        (lambda: _repay(world, loan_id, 1, key=4), LoanResult.loan_closed),
    ]
    for act, expected in cases:
        assert act() is expected
        COVERED.add(expected)
    assert world.ctx.wallets.balance(world.ctx.wallet_store.by_phone(ALICE, "SGD")) == 5_000_01  # type: ignore[arg-type]


def test_repaying_refusals_of_the_wallet(funded: World) -> None:
    world = funded
    bob_loan = _loan(world, BOB, cash_minor=1_000_00, amount=1_000_00)
    wallets = world.ctx.wallets
    assert wallets.balance(world.ctx.wallet_store.by_phone(BOB, "SGD")) == 2_000_01  # type: ignore[arg-type]
    assert _repay(world, bob_loan, 900_00, BOB, key=5) is LoanResult.ok
    assert _repay(world, bob_loan, 100_00, BOB, key=5) is LoanResult.id_reused_differently
    COVERED.add(LoanResult.id_reused_differently)
    # a phone-only wallet may send 500.00 a day
    carol = "+6591110004"
    _, wallet = wallets.open_wallet(carol, "Carol", "SGD")
    assert wallet is not None and wallets.cash_in(carol, "SGD", 1_500_00).result is WalletResult.ok
    world.ctx.service(CreditScores).give_consent(wallet)
    world.clock.advance(60)
    _, loan = world.loans.apply(wallet, "cash_3m", "daily", 400_00, world.ids.new_id())
    assert loan is not None
    assert wallets.p2p(carol, BOB, "SGD", 200_00).result is WalletResult.ok
    assert _repay(world, loan.id, 400_00, carol, key=6) is LoanResult.daily_outflow_cap_exceeded
    assert _repay(world, loan.id, 400_00, carol, key=6) is LoanResult.refused_before
    COVERED.update({LoanResult.daily_outflow_cap_exceeded, LoanResult.refused_before})
    assert wallets.freeze(wallet.id, "fraud") is WalletResult.ok
    assert _repay(world, loan.id, 100_00, carol, key=7) is LoanResult.wallet_frozen


def test_an_empty_wallet_cannot_repay(funded: World) -> None:
    loan_id = _loan(funded)
    wallets = funded.ctx.wallets
    alice = funded.ctx.wallet_store.by_phone(ALICE, "SGD")
    assert alice is not None
    funded.person(BOB)
    assert wallets.p2p(ALICE, BOB, "SGD", wallets.balance(alice)).result is WalletResult.ok
    assert _repay(funded, loan_id, 100_00) is LoanResult.insufficient_funds
    COVERED.add(LoanResult.insufficient_funds)


LENDERS = [
    (("bay_bank", "SGD", 5_000), LenderResult.ok),
    ((LENDER, "SGD", 6_000), LenderResult.ok),  # again, on the same terms
    ((LENDER, "SGD", 5_000), LenderResult.already_registered),
    (("Bay Bank", "SGD", 5_000), LenderResult.invalid_name),
    (("bay_bank", "XXX", 5_000), LenderResult.unknown_currency),
    (("bay_bank", "SGD", 10_001), LenderResult.income_share_out_of_range),
    (("bay_bank", "SGD", -1), LenderResult.income_share_out_of_range),
]


@pytest.mark.parametrize(("args", "expected"), LENDERS)
def test_adding_lenders(world: World, args: tuple[str, str, int], expected: LenderResult) -> None:
    assert world.lenders.add(*args)[0] is expected
    COVERED.add(expected)


def test_funding_lenders(world: World) -> None:
    lenders = world.lenders
    assert lenders.fund("nobody", "SGD", 100, "x") is LenderResult.lender_not_found
    assert lenders.fund(LENDER, "USD", 100, "x") is LenderResult.lender_not_found
    assert lenders.fund(LENDER, "SGD", 0, "x") is LenderResult.amount_must_be_positive
    too_large = funding_minor_max + 1
    assert lenders.fund(LENDER, "SGD", too_large, "x") is LenderResult.amount_too_large
    assert lenders.fund(LENDER, "SGD", 100, "x") is LenderResult.ok
    assert lenders.fund(LENDER, "SGD", 100, "x") is LenderResult.ok  # once
    assert lenders.fund(LENDER, "SGD", 200, "x") is LenderResult.id_reused_differently
    (balance,) = lenders.lenders()
    assert (balance.capital_minor, balance.available_minor) == (100, 100)
    with pytest.raises(ValueError, match="reference"):
        lenders.fund(LENDER, "SGD", 100, " ")
    COVERED.update({LenderResult.lender_not_found, LenderResult.amount_must_be_positive,
                    LenderResult.amount_too_large, LenderResult.id_reused_differently})  # fmt: skip


def test_capital_the_ledger_cannot_hold_is_refused(world: World) -> None:
    """Capital paid in until the lender's balance is all but the ledger's largest: one more
    funding would overflow it, and is refused, moving nothing."""
    ledger = ledger_of("SGD")
    near_full = Transfer(
        1 << 126 | 9, WalletService.funding_partner_account_id(LENDER, ledger),
        lender_capital_account_id(LENDER, ledger), AMOUNT_MAX - 100, ledger,
        TRANSFER_LENDER_FUNDING,
    )  # fmt: skip
    assert world.ctx.ledger.create_transfers([near_full]) == [CreateTransferResult.ok]
    before = world.lenders.lenders()
    assert world.lenders.fund(LENDER, "SGD", 1_000, "y") is LenderResult.capital_overflows
    assert world.lenders.lenders() == before
    COVERED.add(LenderResult.capital_overflows)


def test_a_merchant_without_an_offer(world: World) -> None:
    """A merchant's refusals (the offer's table is tests/loans/test_merchant_terms.py)."""
    world.ctx.service(CreditScores).model = scored_well()
    world.person(cash_minor=1_000_00)
    shop = world.shop()
    loans = world.ctx.service(MerchantLoans)
    assert loans.apply(shop, 1 << 126 | 1)[0] is LoanResult.too_little_history
    for day in range(world.today(), world.today() + 20):
        world.sell(shop, 5_00, day)  # 99.00 in 20 days is 33.00 a month: too little to lend
    world.at_day(world.today() + 1)
    assert loans.apply(shop, 1 << 126 | 2)[0] is LoanResult.sales_too_small
    COVERED.update({LoanResult.too_little_history, LoanResult.sales_too_small})


def test_a_suspended_merchant_borrows_nothing_new(world: World) -> None:
    """docs/adr/0114: a loan made before is still found by its id; a new one is refused."""
    ctx = world.ctx
    ctx.service(CreditScores).model = scored_well()
    world.person(cash_minor=15_000_00)
    world.fund(1_000_000_00)
    shop = world.shop()
    for _ in range(2):  # sales of 200.00 the day before: the score's limit reads them
        paid = ctx.payments.pay_by_qr(ALICE, "SGD", ctx.payments.merchant_qr(shop, 100_00))
        assert paid.result.name == "ok"
    world.clock.advance(86_400)
    loans = ctx.service(MerchantLoans)
    made, loan = loans.grant(shop, 500_00, 1 << 126 | 7)
    assert made is LoanResult.ok and loan is not None
    assert world.ctx.merchants.suspend(shop.id, "fraud ring") is SuspensionResult.ok
    before = world.balance(shop.account_id)
    assert loans.grant(shop, 500_00, 1 << 126 | 8) == (LoanResult.merchant_suspended, None)
    assert loans.apply(shop, 1 << 126 | 9)[0] is LoanResult.merchant_suspended
    again, found = loans.grant(shop, 500_00, 1 << 126 | 7)  # a retry of the loan made before
    assert again is LoanResult.ok and found is not None and found.id == loan.id
    assert world.balance(shop.account_id) == before  # nothing more lent
    COVERED.add(LoanResult.merchant_suspended)


def test_every_result_is_covered(request: pytest.FixtureRequest) -> None:
    """Run last in this module: a result added without a case here fails. It reads what the
    module's other cases gave in this process, so without all of them (one test picked, or
    the module's tests shared out among workers) it cannot say and is skipped."""
    others = {name for name in vars(request.node.module) if name.startswith("test_")}
    if not others - {request.node.originalname} <= RAN:
        pytest.skip("reads what the module's other cases gave: run the whole module at once")
    missing = (set(LoanResult) | set(LenderResult)) - COVERED
    assert not missing, f"no case gives {sorted(m.name for m in missing)}"
