"""The daily run of cash loans on a simulated portfolio (`colony bench accrual`): N loans
seeded in bulk straight into the ledger and the loans table, then one day's run timed.

Seeding builds what the service would (each loan's two receivables, the lender's capital
drawn, the principal paid into the borrower's wallet), but in batches of 8,190 events and
without the wallets' records or limit legs: each borrower is a bare wallet account with its
headroom account, so the run's collections move real money. Loans are made on the 30 days
before the day run, across the three products and both interest methods, so about one in
thirty falls due that day and is collected. Ids come from a seeded generator.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from colony.chart import AccountCode, Slots
from colony.kernel import heap
from colony.kernel.clock import NS_PER_S, SystemClock, date_of_day
from colony.kernel.ids import IdGenerator
from colony.ledger import Account, AccountFlags, LedgerPort, batch_events_max
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT
from colony.loans import (
    LOAN_PRODUCTS,
    DailyRun,
    DayReport,
    InterestMethod,
    Lenders,
    Loan,
    LoanStatus,
    SqlLoanStore,
    disbursement,
    linked,
    loan_accounts,
    loan_id_of,
    plan,
)
from colony.wallets import WalletService, WalletStore

LENDER = "bench_bank"
CURRENCY = "SGD"
# Loans seeded per ledger batch: four accounts each fit 8,190 events twice over... at 2,047.
seed_loans_per_batch = batch_events_max // 4
# The amounts lent, in minor units (SGD cents), picked at random.
AMOUNTS = (100_00, 200_00, 500_00, 1_000_00, 2_000_00)
_NO_OVERDRAFT = int(AccountFlags.debits_must_not_exceed_credits)


@dataclass(frozen=True)
class Figures:
    loans: int
    seed_seconds: float
    seconds: float
    cpu_ms_per_loan: float
    again_seconds: float  # the same day run again: answered from the day's record
    report: DayReport
    again_recorded: bool  # the second run was answered from the record, walking no loan

    @property
    def loans_per_s(self) -> float:
        return self.loans / self.seconds if self.seconds else 0.0


def _check(results: list[RA] | list[RT], what: str) -> None:
    bad = [r for r in results if r.name not in ("ok", "exists")]
    if bad:
        raise RuntimeError(f"seeding {what} refused: {bad[0].name}")


def seed(ledger: LedgerPort, store: SqlLoanStore, count: int, day: int, rng: random.Random) -> None:
    """`count` open loans made on the 30 days before `day`, lent by LENDER."""
    plans: dict[tuple[int, str, InterestMethod, int], Loan] = {}
    made = 0
    while made < count:
        size = min(seed_loans_per_batch, count - made)
        loans = [_loan(rng, day, plans) for _ in range(size)]
        accounts = [a for x in loans for a in (*_wallet(x), *loan_accounts(x))]
        _check(ledger.create_accounts(accounts), "accounts")
        transfers = [t for x in loans for t in linked(disbursement(x))]
        _check(ledger.create_transfers(transfers), "disbursements")
        store.insert_loans(loans)
        made += size


def _wallet(loan: Loan) -> list[Account]:
    return [
        Account(loan.wallet_account_id, loan.ledger, AccountCode.wallet, _NO_OVERDRAFT),
        Account(
            Slots.headroom_account.of(loan.wallet_account_id), loan.ledger,
            AccountCode.balance_headroom, _NO_OVERDRAFT,
        ),
    ]  # fmt: skip


def _loan(
    rng: random.Random, day: int, plans: dict[tuple[int, str, InterestMethod, int], Loan]
) -> Loan:
    product = rng.choice(LOAN_PRODUCTS)
    method = rng.choice(tuple(InterestMethod))
    amount = rng.choice(AMOUNTS)
    made = day - rng.randint(1, 30)
    key = (amount, product.code, method, made)
    template = plans.get(key)
    if template is None:
        schedule = plan(product, method, amount, date_of_day(made))
        template = Loan(
            "", 0, "", 0, LENDER, product.code, method, CURRENCY, 702, amount,
            product.annual_rate_bps, made,
            tuple((i.due_date - dt.date(1970, 1, 1)).days for i in schedule.instalments),
            tuple(i.principal_minor for i in schedule.instalments),
            tuple(i.interest_minor for i in schedule.instalments),
            LoanStatus.open, None, 0, made * 86_400 * NS_PER_S,
        )  # fmt: skip
        plans[key] = template
    account = rng.getrandbits(120)
    wallet = rng.getrandbits(120)
    return Loan(
        loan_id_of(account), account, f"wal_{wallet:032x}", wallet, template.lender,
        template.product, template.method, template.currency, template.ledger,
        template.principal_minor, template.annual_rate_bps, template.disbursed_day,
        template.due_days, template.principal_parts, template.interest_parts, template.status,
        None, 0, template.created_at_ns,
    )  # fmt: skip


def measure(
    ledger: LedgerPort, wallet_store: WalletStore, store: SqlLoanStore, count: int, seed_: int
) -> Figures:
    """Seed `count` loans, then time the run of yesterday (UTC) and the same day again (which
    its record answers)."""
    clock = SystemClock()
    rng = random.Random(seed_)
    wallets = WalletService(ledger, wallet_store, clock, IdGenerator(clock, rng))
    lenders = Lenders(ledger, wallets, store, clock)
    lenders.add(LENDER, CURRENCY, 6_000)
    lenders.fund(LENDER, CURRENCY, count * max(AMOUNTS), f"bench-{count}-{seed_}")
    day = clock.now_ns() // NS_PER_S // 86_400 - 1
    started = time.perf_counter()
    seed(ledger, store, count, day, rng)
    seeded = time.perf_counter() - started
    run = DailyRun(ledger, store)
    with heap.settled():  # as `colony loans accrue` runs a day
        cpu, wall = time.process_time(), time.perf_counter()
        report = run.run(day, clock.now_ns())
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    again = DailyRun(ledger, store).run(day, clock.now_ns())
    return Figures(
        count, seeded, wall, cpu * 1000 / max(count, 1), again.seconds, report,
        again.recorded is not None and again.loans == 0,
    )  # fmt: skip
