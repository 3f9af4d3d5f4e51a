"""`colony demo`, part two: the market's two cross-border stories, told from its records.

On the same database as the ledger story (demo.py), it seeds the demo market once
(demo_data.seed_market: the same data `colony serve --demo` serves) and prints:

- Li Wei, a tourist from Shanghai with a CNY wallet, buying a reindeer mug at Aurora Gifts in
  Rovaniemi, paid in EUR: the quote's rates and date, what each side paid and got, and the
  refund for a chip at the payment's own rate;
- Maria, a Manila user of the Bayanihan Pay partner wallet, paying in PHP a satay stall in
  Singapore that Merlion Pay acquired, in SGD: the same, then what each partner owes the
  other per currency, through the house's exchange (docs/adr/0019);
- the settlement report of the window Maria's payment fell in;
- the trial balance per currency, and the verifier's verdict on the whole ledger.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from colony.api.context import ApiContext
from colony.cli import demo_data
from colony.kernel.money import Money, currency_of_ledger, ledger_of
from colony.ledger import LedgerPort
from colony.ledger.verify import verify
from colony.partners import HOUSE_PARTNER_ID, Clearing
from colony.payments import CrossBorderPayments
from colony.settlement import SettlementService, window_of


def run_market(ctx: ApiContext, out: Console) -> bool:
    """Seed the market (once), tell both stories, and verify the ledger: whether it holds."""
    out.rule("Colony demo: two cross-border stories in the market")
    market = demo_data.seed_market(ctx)
    if market.rate_age_days is not None:
        out.print(
            f"FX rates: the newest that ship with Colony are older than the usual limit; the "
            f"demo accepts rates up to {market.rate_age_days} days old.",
            highlight=False,
        )
    _story(
        ctx,
        out,
        "Li Wei (Shanghai, CNY wallet) buys a reindeer mug at Aurora Gifts (Rovaniemi, EUR)",
        "pay:liwei:gifts",
        "refund:liwei:gifts",
    )
    _story(
        ctx,
        out,
        "Maria (Manila, PHP wallet at Bayanihan Pay) pays Lau Pa Sat Satay (Singapore, SGD, "
        "acquired by Merlion Pay)",
        "pay:maria:satay:php",
        None,
    )
    _owed(ctx, out)
    _settlement(ctx, out)
    print_trial_balance(
        ctx.ledger,
        out,
        "Trial balance per currency, the whole database (wallet limits are granted as"
        " headroom, hence the large totals)",
    )
    report = verify(*ctx.ledger.snapshot_for_verify())
    out.print(f"verify: {'ok' if report.ok else 'FAILED'}")
    return report.ok


def money(minor: int, ledger_number: int) -> str:
    return Money(minor, str(currency_of_ledger(ledger_number))).format("en_US")


def print_trial_balance(ledger: LedgerPort, out: Console, title: str) -> None:
    """Per currency: debits and credits, posted and pending, and whether each pair balances."""
    table = Table(title=title, title_justify="left")
    for column in (
        "currency",
        "accounts",
        "debits posted",
        "credits posted",
        "debits pending",
        "credits pending",
        "balanced",
    ):
        table.add_column(column, justify="right")
    for s in ledger.totals():
        balanced = s.debits_posted == s.credits_posted and s.debits_pending == s.credits_pending
        table.add_row(
            str(currency_of_ledger(s.ledger) or s.ledger),
            str(s.accounts),
            money(s.debits_posted, s.ledger),
            money(s.credits_posted, s.ledger),
            money(s.debits_pending, s.ledger),
            money(s.credits_pending, s.ledger),
            "yes" if balanced else "[red]NO[/red]",
        )
    out.print(table)


def _story(ctx: ApiContext, out: Console, title: str, payment: str, refund: str | None) -> None:
    records = ctx.payments.records
    assert records is not None and ctx.fx is not None, "build_context keeps records and quotes"
    pid = demo_data.ledger_id(payment)
    record, paid = records.by_id(pid), records.cross_border_of(pid)
    assert record is not None and paid is not None, f"the demo's {payment} is missing"
    quote = ctx.fx.store.get(paid.quote_id)
    assert quote is not None
    shop = Money(record.amount_minor, record.currency).format("en_US")
    wallet = Money(paid.wallet_amount_minor, paid.wallet_currency).format("en_US")
    spread = Money(paid.spread_minor, paid.wallet_currency).format("en_US")
    out.print(f"\n[bold]{title}[/bold]")
    out.print(
        f"  quote {quote.id}: 1 {quote.sell_currency} = {quote.rate} {quote.buy_currency}"
        f" (mid {quote.mid_rate}, less {quote.spread_bps} bps), {quote.rate_source}"
        f" rates of {quote.rate_date}",
        highlight=False,
    )
    out.print(
        f"  the merchant got {shop} ({record.description}); the wallet paid {wallet},"
        f" of which {spread} is the house's spread",
        highlight=False,
    )
    if refund is None:
        return
    rid = demo_data.ledger_id(refund)
    (given,) = ctx.ledger.lookup_transfers([rid])
    cross = CrossBorderPayments(ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, ctx.fx)
    back = Money(cross.refunded_to_wallet_minor(rid), paid.wallet_currency).format("en_US")
    out.print(
        f"  refunded {Money(given.amount, record.currency).format('en_US')} at the payment's"
        f" own rate: the wallet got {back} back",
        highlight=False,
    )


def _owed(ctx: ApiContext, out: Console) -> None:
    """Each partner's clearing account per currency: what the platform owes it."""
    assert ctx.partners is not None
    clearing = Clearing(ctx.ledger, ctx.partners.store)
    names = {p.id: p.brand for p in ctx.partners.store.page(None, 100)}
    out.print()
    table = Table(title="What the platform owes each partner, negative: what it is owed")
    for column in ("partner", "PHP", "SGD"):
        table.add_column(column, justify="right")
    for partner_id in [*names, HOUSE_PARTNER_ID]:
        nets = [clearing.net_minor(partner_id, ledger_of(c)) for c in ("PHP", "SGD")]
        table.add_row(
            names.get(partner_id, "the house (Colony)"),
            *(money(n, ledger_of(c)) for n, c in zip(nets, ("PHP", "SGD"), strict=True)),
        )
    out.print(table)


def _settlement(ctx: ApiContext, out: Console) -> None:
    assert ctx.partners is not None
    (paid,) = ctx.ledger.lookup_transfers([demo_data.ledger_id("pay:maria:satay:php")])
    service = SettlementService(ctx.ledger, ctx.partners.store, ctx.clock)
    report = service.report(window_of(paid.timestamp))
    state = "closed" if report.closed else "open: provisional"
    out.print(f"\n[bold]Settlement {report.window.name}[/bold] ({state}), minor units")
    names = {p.id: p.brand for p in ctx.partners.store.page(None, 100)}
    for line in report.lines:
        amounts = ", ".join(
            f"{name.removesuffix('_minor')} {value}"
            for name, value in vars(line).items()
            if name not in ("partner_id", "currency", "net_minor") and value
        )
        who = names.get(line.partner_id, "the house (Colony)")
        out.print(f"  {who} {line.currency}: net {line.net_minor} ({amounts})", highlight=False)
