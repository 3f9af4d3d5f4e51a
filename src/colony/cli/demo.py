"""`colony demo`: a small wallet story told through every kind of ledger transfer, then the
market's two cross-border stories (demo_market.py).

It opens a funding bank's settlement account, an operator revenue account, wallets and a
merchant in two currencies, moves money through posted, pending, posted-in-part, voided,
expired, linked, failed-and-rolled-back, balancing and refused transfers, then prints each
account's statement, a trial balance per currency, and the verifier's verdict.

Ids are fixed, so running it again on the same database changes nothing: every event answers
`exists` (the ledger's idempotency, shown for free).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from colony.chart import AccountCode, IdPrefix, TransferCode, ledger_of
from colony.cli.demo_market import money, print_trial_balance, run_market
from colony.cli.finite import finite
from colony.cli.ledger_commands import DatabaseOption, fail, opened
from colony.cli.serve import build_context
from colony.kernel.errors import ColonyError
from colony.kernel.money import Money
from colony.ledger import AMOUNT_MAX, Account, AccountFlags, Ledger, Transfer, TransferFlags
from colony.ledger.verify import verify
from colony.storage.open import database_url_from_env

USD = ledger_of("USD")  # a ledger per currency, numbered by ISO 4217 (840)
EUR = ledger_of("EUR")  # 978

# Account codes say what kind of account it is, transfer codes why money moved: the products'
# own, from the chart of accounts (docs/chart-of-accounts.md).
CODE_SETTLEMENT = AccountCode.funding_partner
CODE_REVENUE = AccountCode.fee_revenue
CODE_WALLET = AccountCode.wallet
CODE_MERCHANT = AccountCode.merchant
TOP_UP, P2P, PAYMENT = TransferCode.top_up, TransferCode.p2p, TransferCode.payment
FEE, WITHDRAWAL = TransferCode.discount_fee, TransferCode.withdrawal

WALLET = int(AccountFlags.debits_must_not_exceed_credits | AccountFlags.history)


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    ledger: int


BANK = Named(1001, "Funding bank (settlement)", USD)
# The operator's fee revenue in USD: the one account per currency the chart puts under its prefix.
REVENUE = Named(IdPrefix.fee_revenue.account_id(USD), "Operator revenue", USD)
ALICE = Named(1003, "Alice's wallet", USD)
BOB = Named(1004, "Bob's wallet", USD)
SHOP = Named(1005, "Corner shop (merchant)", USD)
BANK_EUR = Named(2001, "Funding bank (settlement)", EUR)
CHLOE = Named(2002, "Chloé's wallet", EUR)
ACCOUNTS = (BANK, REVENUE, ALICE, BOB, SHOP, BANK_EUR, CHLOE)

PENDING = int(TransferFlags.pending)
POST = int(TransferFlags.post_pending_transfer)
VOID = int(TransferFlags.void_pending_transfer)
LINKED = int(TransferFlags.linked)
BALANCING_DEBIT = int(TransferFlags.balancing_debit)

app = typer.Typer()


def usd(text: str) -> int:
    return Money.parse(text, "USD").amount_minor


def step(ledger: Ledger, out: Console, title: str, transfers: list[Transfer]) -> None:
    results = ledger.create_transfers(transfers)
    names = ", ".join(r.name for r in results)
    out.print(f"  {title}: [bold]{names}[/bold]", highlight=False)


def run_demo(ledger: Ledger, out: Console, *, expiry_wait_s: float = 1.2) -> bool:
    out.rule("Colony demo: a wallet story on the ledger")
    codes = {
        BANK: CODE_SETTLEMENT,
        BANK_EUR: CODE_SETTLEMENT,
        REVENUE: CODE_REVENUE,
        SHOP: CODE_MERCHANT,
    }
    opened_accounts = ledger.create_accounts(
        [
            Account(
                a.id, a.ledger, codes.get(a, CODE_WALLET), WALLET if a in (ALICE, BOB, CHLOE) else 0
            )
            for a in ACCOUNTS
        ]
    )
    out.print(f"  open {len(ACCOUNTS)} accounts: {', '.join(r.name for r in opened_accounts)}")

    step(
        ledger,
        out,
        "Alice tops up $100.00 by card: a pending hold at the bank",
        [Transfer(1, BANK.id, ALICE.id, usd("100.00"), USD, TOP_UP, PENDING, timeout=3600)],
    )
    step(
        ledger,
        out,
        "the card issuer confirms: post the hold in full",
        [Transfer(2, 0, 0, AMOUNT_MAX, 0, 0, POST, pending_id=1)],
    )
    step(
        ledger,
        out,
        "Bob gets $20.00 from the bank, posted at once",
        [Transfer(3, BANK.id, BOB.id, usd("20.00"), USD, TOP_UP)],
    )
    step(
        ledger,
        out,
        "Alice sends Bob $15.00 (P2P)",
        [Transfer(4, ALICE.id, BOB.id, usd("15.00"), USD, P2P)],
    )
    step(
        ledger,
        out,
        "Alice pays the shop $30.00 by QR; the shop's 3% fee, linked",
        [
            Transfer(5, ALICE.id, SHOP.id, usd("30.00"), USD, PAYMENT, LINKED),
            Transfer(6, SHOP.id, REVENUE.id, usd("0.90"), USD, FEE),
        ],
    )
    step(
        ledger,
        out,
        "a chain whose second half overdraws: both taken back",
        [
            Transfer(7, ALICE.id, SHOP.id, usd("5.00"), USD, PAYMENT, LINKED),
            Transfer(8, ALICE.id, BOB.id, usd("1000.00"), USD, P2P),
        ],
    )
    step(
        ledger,
        out,
        "the shop authorises $20.00 on Alice's wallet (a hold)",
        [Transfer(9, ALICE.id, SHOP.id, usd("20.00"), USD, PAYMENT, PENDING, timeout=600)],
    )
    step(
        ledger,
        out,
        "and captures $12.50 of it; the rest goes back to Alice",
        [Transfer(10, 0, 0, usd("12.50"), 0, 0, POST, pending_id=9)],
    )
    step(
        ledger,
        out,
        "Bob's $5.00 authorisation is voided",
        [
            Transfer(11, BOB.id, SHOP.id, usd("5.00"), USD, PAYMENT, PENDING, timeout=600),
            Transfer(12, 0, 0, 0, 0, 0, VOID, pending_id=11),
        ],
    )
    step(
        ledger,
        out,
        "a $3.00 hold with a 1-second timeout",
        [Transfer(13, ALICE.id, SHOP.id, usd("3.00"), USD, PAYMENT, PENDING, timeout=1)],
    )
    time.sleep(expiry_wait_s)
    ledger.pulse()  # the writer's own pulse may have been first; either way it is durable
    out.print(
        f"  ... {expiry_wait_s:.1f} s later the hold is [bold]{_status(ledger, 13)}[/bold] "
        "and the $3.00 is Alice's again",
        highlight=False,
    )
    step(
        ledger,
        out,
        "Bob withdraws everything: a balancing debit sweeps his wallet",
        [Transfer(14, BOB.id, BANK.id, AMOUNT_MAX, USD, WITHDRAWAL, BALANCING_DEBIT)],
    )
    step(
        ledger,
        out,
        "Alice tries to send $1,000,000.00",
        [Transfer(15, ALICE.id, BOB.id, usd("1000000.00"), USD, P2P)],
    )
    step(
        ledger,
        out,
        "the P2P request is retried with the same id",
        [Transfer(4, ALICE.id, BOB.id, usd("15.00"), USD, P2P)],
    )
    step(
        ledger,
        out,
        "in euros: Chloé tops up €50.00",
        [Transfer(16, BANK_EUR.id, CHLOE.id, 5000, EUR, TOP_UP)],
    )

    for account in ACCOUNTS:
        _print_statement(ledger, out, account)
    print_trial_balance(ledger, out, "Trial balance per currency")
    report = verify(*ledger.snapshot_for_verify())
    for problem in [*report.problems, *map(str, report.mismatches)]:
        out.print(f"  [red]{problem}[/red]")
    out.print(f"verify: {'ok' if report.ok else 'FAILED'}")
    return report.ok


def _status(ledger: Ledger, transfer_id: int) -> str:
    status = ledger.pending_status(transfer_id)
    return status.name if status is not None else "unknown"


def _print_statement(ledger: Ledger, out: Console, account: Named) -> None:
    # A prefixed id reads best in hex: its top byte names the chart's prefix.
    shown = str(account.id) if account.id < 1 << 64 else f"{account.id:#x}"
    title = f"{account.name} — account {shown}"
    table = Table(title=title, title_justify="left", min_width=len(title))
    for column in ("transfer", "what", "debit", "credit", "balance", "on hold"):
        table.add_column(column, justify="right")
    page = ledger.statement(account.id, limit=100)
    for line in page.lines:
        t, b = line.transfer, line.balance
        debit = t.debit_account_id == account.id
        expiry = line.kind == "expiry"
        kind = "hold expired" if expiry else _describe(t.flags)
        balance = b.credits_posted - b.debits_posted
        held = b.debits_pending + b.credits_pending
        amount = money(t.amount, account.ledger)
        table.add_row(
            str(t.id),
            kind,
            amount if debit and not expiry else "",
            amount if not debit and not expiry else "",
            money(balance, account.ledger),
            money(held, account.ledger) if held else "",
        )
    out.print(table)


def _describe(flags: int) -> str:
    if flags & PENDING:
        return "hold"
    if flags & POST:
        return "capture"
    if flags & VOID:
        return "void"
    if flags & BALANCING_DEBIT:
        return "sweep"
    return "posted"


def demo(
    database: DatabaseOption = None,
    expiry_wait: Annotated[
        float,
        typer.Option(
            callback=finite, min=1.0, max=10.0, help="Seconds to wait for the 1-second hold."
        ),
    ] = 1.2,
) -> None:
    """Open accounts, move money through every kind of transfer, print statements."""
    out = Console()
    with opened(database) as ledger:
        ok = run_demo(ledger, out, expiry_wait_s=expiry_wait)
    try:
        ctx = build_context(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        ok = run_market(ctx, out) and ok
    finally:
        ctx.ledger.close()
        ctx.close_stores()
    if not ok:
        raise typer.Exit(1)
