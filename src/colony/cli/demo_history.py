"""The demo's Singapore people's weeks before the day the demo is seeded (docs/adr/0058).

A person a scorecard lends to has used their wallet for weeks: money in regularly, spending
less than comes in, an account older than a month. The demo's Alice does that here, as a
real user would, so the shipped scorecard reads her history as anyone's and gives her a
limit: her wallet opened nine or ten weeks ago, her wage paid in at a cash agent every Friday,
and twice a week her share of dinner and of the groceries sent to Bala; Bala's own cash
comes in weekly too. Nothing in scoring knows who she is.

The weeks are imported into the ledger at the past moments they happened (ADR 0031): the
wallets' own service runs at a clock set back (`SimulatedClock`), over a ledger port that
imports every event at that clock's time, so the wallets' records and the ledger agree on
when each thing was done. Imported events must come before every live one, so the weeks go
only into an empty ledger, before the rest of the seed; on a database already in use (a
second start, or `colony demo`'s ledger story first) they are not added.
"""

from __future__ import annotations

import random

from colony.api.context import ApiContext
from colony.api.idempotency import transfer_id_for
from colony.kernel.clock import NS_PER_DAY, NS_PER_S
from colony.kernel.ids import IdGenerator
from colony.simulator import ImportingLedger, SimulatedClock
from colony.wallets import Tier, WalletResult, WalletService

# The weeks of history before the seeded day: the credit score's whole window (8 weeks).
history_weeks = 8
NS_PER_HOUR = 3_600 * NS_PER_S
NS_PER_WEEK = 7 * NS_PER_DAY
# Alice's weekly wage, and what she sends Bala twice a week (dinner, groceries), in cents.
ALICE_WAGE_MINOR = 650_00
ALICE_SHARES_MINOR = (18_50, 27_30)
# Bala's weekly cash paid in (his wallet is phone-only: a cap of 2,000.00 held).
BALA_CASH_MINOR = 60_00
_SCOPE = "demo-history"  # the idempotency scope of the history's ledger ids
# A week's last event after its Friday 09:00: the groceries sent, Wednesday 19:00.
_week_last_event_ns = 5 * NS_PER_DAY + 10 * NS_PER_HOUR


def history_span_ns() -> int:
    return history_weeks * NS_PER_WEEK


def alice_history_net_minor() -> int:
    """What Alice's weeks leave in her wallet: wages less what she sent Bala."""
    return history_weeks * (ALICE_WAGE_MINOR - sum(ALICE_SHARES_MINOR))


def bala_history_net_minor() -> int:
    return history_weeks * (BALA_CASH_MINOR + sum(ALICE_SHARES_MINOR))


def import_history(ctx: ApiContext, alice: tuple[str, str], bala: tuple[str, str]) -> bool:
    """Open Alice's and Bala's wallets (phone, name) weeks ago and live their weeks, into an
    empty ledger only: whether it did (False: the ledger holds something already)."""
    now = ctx.clock.now_ns()
    if ctx.ledger.journal_seq or next(iter(ctx.ledger.all_accounts()), None) is not None:
        return False
    # The weeks start on the latest Friday, 09:00 UTC, from which they all lie in the past
    # (an hour before now at the latest): every wage falls on a Friday. The first Friday
    # after eight weeks and a day ago put the last week's events in the future on a Sunday
    # to a Wednesday, and the ledger refuses to import those.
    latest = now - NS_PER_HOUR - _week_last_event_ns - (history_weeks - 1) * NS_PER_WEEK
    start = latest - 9 * NS_PER_HOUR
    start -= start % NS_PER_DAY
    friday = 1  # 1970-01-01 was a Thursday
    start -= ((start // NS_PER_DAY - friday) % 7) * NS_PER_DAY
    start += 9 * NS_PER_HOUR
    clock = SimulatedClock(start - NS_PER_WEEK)  # opened a week before the first wage
    port = ImportingLedger(ctx.ledger, clock)
    wallets = WalletService(port, ctx.wallet_store, clock, IdGenerator(clock, random.Random(58)))
    for phone, name in (alice, bala):
        opened, wallet = wallets.open_wallet(phone, name, "SGD")
        _ok(opened)
        assert wallet is not None
        if phone == alice[0]:
            _ok(wallets.verify_identity(wallet.id))
            assert ctx.wallet_store.by_id(wallet.id) is not None
    for week in range(history_weeks):
        clock.set_ns(start + week * NS_PER_WEEK + NS_PER_HOUR)
        _ok(wallets.cash_in(alice[0], "SGD", ALICE_WAGE_MINOR, _id(f"wage:{week}")).result)
        _ok(wallets.cash_in(bala[0], "SGD", BALA_CASH_MINOR, _id(f"bala:{week}")).result)
        for day, share in zip((2, 5), ALICE_SHARES_MINOR, strict=True):
            clock.set_ns(start + week * NS_PER_WEEK + day * NS_PER_DAY + 10 * NS_PER_HOUR)
            sent = wallets.p2p(alice[0], bala[0], "SGD", share, _id(f"share:{week}:{day}"))
            _ok(sent.result)
    found = ctx.wallet_store.by_phone(alice[0], "SGD")
    assert found is not None and found.tier is Tier.identity_verified
    return True


def _id(name: str) -> int:
    return transfer_id_for(_SCOPE, name)


def _ok(result: WalletResult) -> None:
    if result is not WalletResult.ok:
        raise RuntimeError(f"demo history refused: {result.name}")
