"""The page at `/`: Colony is alive, and what its ledger holds.

Plain server-rendered HTML with a little CSS; every value is escaped. The figures come from
the ledger alone: the totals it keeps per currency and account code (`Ledger.totals`).
Wallets and merchants are counted by their ledger accounts' codes (the chart of accounts), so
the page needs no store of its own.

Anyone may read it, so it shows totals only: no payment, no merchant, nothing a payer wrote.
It used to list the newest payments with their descriptions, which told a stranger who paid
whom for what; single payments belong behind a sign-in (the console).
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from colony import __version__
from colony.api.context import ApiContext
from colony.api.deps import Ctx
from colony.api.ledger_figures import balanced, gather
from colony.kernel.money import Money, currency_of_ledger
from colony.merchants import ACCOUNT_MERCHANT, ACCOUNT_REVENUE
from colony.wallets import ACCOUNT_WALLET

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.8rem; }
h1 .dot { color: #1a9850; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.meta { color: #5b6675; margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { padding: .4rem .6rem; border-bottom: 1px solid #e3e6ea; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.nowrap { white-space: nowrap; }
code { font-size: .8em; }
.scroll { overflow-x: auto; }
ul.counts { display: flex; gap: 1rem; list-style: none; padding: 0; margin: 0; }
ul.counts li { background: #fff; padding: .6rem 1rem; border: 1px solid #e3e6ea; }
ul.counts strong { font-size: 1.4rem; display: block; }
nav a { margin-right: 1rem; }
"""


def _amount(amount_minor: int, ledger: int) -> str:
    currency = currency_of_ledger(ledger)
    if currency is None:
        return f"{amount_minor:,} (ledger {ledger})"
    return Money(amount_minor, currency).format("en_US")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render(ctx: ApiContext) -> str:
    figures = gather(ctx)
    money_rows = (
        "".join(
            "<tr>"
            f"<td>{_e(currency_of_ledger(c.ledger) or c.ledger)}</td>"
            f"<td class='n'>{c.accounts:,}</td>"
            f"<td class='n'>{_e(_amount(c.by_code.get(ACCOUNT_WALLET, 0), c.ledger))}</td>"
            f"<td class='n'>{_e(_amount(c.by_code.get(ACCOUNT_MERCHANT, 0), c.ledger))}</td>"
            f"<td class='n'>{_e(_amount(c.by_code.get(ACCOUNT_REVENUE, 0), c.ledger))}</td>"
            f"<td class='n'>{c.debits_posted:,}</td><td class='n'>{c.credits_posted:,}</td>"
            f"<td>{'yes' if balanced(c) else 'NO'}</td>"
            "</tr>"
            for c in figures.currencies
        )
        or "<tr><td colspan='8'>No money yet.</td></tr>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Colony</title><style>{_STYLE}</style></head>
<body><main>
<h1><span class="dot">●</span> Colony is running</h1>
<p class="meta">Version <span id="version">{_e(__version__)}</span>,
journal entry <span id="journal">{ctx.ledger.journal_seq:,}</span>.</p>
<nav><p><a href="/docs">API documentation</a><a href="/openapi.json">OpenAPI (JSON)</a>
<a href="/redoc">ReDoc</a></p></nav>
<ul class="counts" id="counts">
<li><strong id="wallets">{figures.wallets:,}</strong>wallets</li>
<li><strong id="merchants">{figures.merchants:,}</strong>merchants</li>
</ul>
<h2>Money per currency</h2>
<div class="scroll"><table id="totals"><thead><tr><th>currency</th><th class="n">accounts</th>
<th class="n">in wallets</th><th class="n">owed to merchants</th><th class="n">fee revenue</th>
<th class="n">debits posted</th><th class="n">credits posted</th><th>balanced</th></tr></thead>
<tbody>{money_rows}</tbody></table></div>
<p class="meta">Debits and credits posted are in minor units and include the ledger's limit
accounts (caps are enforced as balances); every currency's debits equal its credits.</p>
</main></body></html>
"""


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def alive(ctx: Ctx) -> str:
    return render(ctx)
