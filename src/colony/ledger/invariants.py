"""The state machine's own invariants, checked as it runs (TigerBeetle's assertions).

Two kinds, as in TigerBeetle's `state_machine.zig`:

- **Cheap** checks run always, inline where a balance changes: a pending balance never goes
  below zero, an account with a limit flag never passes its limit, the per-kind timestamps
  never pass the ledger's last one. They cost a comparison or two per event.
- **Expensive** checks (`check_state`) walk the whole state after every batch: debits equal
  credits per ledger, every pending balance is the sum of the transfers still pending on it,
  no balance is negative or past u128, every limit holds, history lines are in time order.
  They run only when `verify` is on: `COLONY_LEDGER_VERIFY=1` in the environment, or set
  `colony.ledger.invariants.verify = True`; the test suite turns it on for every test.

A broken invariant is a bug, never bad data: `InvariantBroken` is raised explicitly (never
`assert`, which `python -O` strips), and the ledger's writer stops on it like on any bug, so a
reopen rebuilds the state from the journal.
"""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

from colony.ledger.model import U128_MAX, Account, AccountFlags, TransferPendingStatus

if TYPE_CHECKING:
    from colony.ledger.state import LedgerState

# The one switch for the expensive checks. Read once at import; tests set it directly.
verify: bool = os.environ.get("COLONY_LEDGER_VERIFY", "") == "1"

_DR_LIMIT = int(AccountFlags.debits_must_not_exceed_credits)
_CR_LIMIT = int(AccountFlags.credits_must_not_exceed_debits)


class InvariantBroken(Exception):
    """The ledger's state broke one of its invariants: a bug in the ledger, never bad input."""


def check_batch(state: LedgerState, events: int, results: int) -> None:
    """Cheap checks after every batch; the expensive walk too when `verify` is on."""
    if results != events:
        raise InvariantBroken(f"a batch of {events} events gave {results} results")
    last = state.last_timestamp
    if state.last_transfer_timestamp > last or state.last_account_timestamp() > last:
        raise InvariantBroken(
            f"an event's timestamp passes the ledger's last timestamp {last}: "
            f"transfers {state.last_transfer_timestamp}, "
            f"accounts {state.last_account_timestamp()}"
        )
    if verify:
        check_state(state)


def check_limits(a: Account) -> None:
    """Cheap: an account with a limit flag is within its limit, no pending balance is negative."""
    flags = a.flags
    dp = a.debits_pending
    cp = a.credits_pending
    if dp < 0 or cp < 0:
        raise InvariantBroken(f"account {a.id}: a pending balance is negative")
    if flags & _DR_LIMIT and dp + a.debits_posted > a.credits_posted:
        raise InvariantBroken(f"account {a.id}: debits exceed credits past its limit flag")
    if flags & _CR_LIMIT and cp + a.credits_posted > a.debits_posted:
        raise InvariantBroken(f"account {a.id}: credits exceed debits past its limit flag")


def check_state(state: LedgerState) -> None:
    """Expensive: the whole state agrees with itself. Raises InvariantBroken naming the first
    thing found wrong."""
    pending: dict[int, list[int]] = {}
    for pending_id, status in state.pending_status.items():
        if status is not TransferPendingStatus.pending:
            continue
        p = state.transfer_in_memory(pending_id)
        pending.setdefault(p.debit_account_id, [0, 0])[0] += p.amount
        pending.setdefault(p.credit_account_id, [0, 0])[1] += p.amount
    sums: dict[int, list[int]] = {}  # per ledger
    by_code: dict[tuple[int, int], list[int]] = {}  # per ledger and code, as the state keeps
    for a in state.accounts.values():
        for name in ("debits_pending", "debits_posted", "credits_pending", "credits_posted"):
            value = getattr(a, name)
            if not 0 <= value <= U128_MAX:
                raise InvariantBroken(f"account {a.id}: {name} {value} is outside u128")
        if a.debits_pending + a.debits_posted > U128_MAX:
            raise InvariantBroken(f"account {a.id}: its debits overflow u128")
        if a.credits_pending + a.credits_posted > U128_MAX:
            raise InvariantBroken(f"account {a.id}: its credits overflow u128")
        check_limits(a)
        held = pending.get(a.id, [0, 0])
        if held[0] != a.debits_pending or held[1] != a.credits_pending:
            raise InvariantBroken(
                f"account {a.id}: pending balances {a.debits_pending}/{a.credits_pending} are "
                f"not the {held[0]}/{held[1]} its pending transfers hold"
            )
        figures = (1, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        for into in (
            sums.setdefault(a.ledger, [0, 0, 0, 0, 0]),
            by_code.setdefault((a.ledger, a.code), [0, 0, 0, 0, 0]),
        ):
            for i, figure in enumerate(figures):
                into[i] += figure
        if a.sums is not state.sums.get((a.ledger, a.code)):
            raise InvariantBroken(f"account {a.id} adds to other sums than its ledger's and code's")
        lines = a.lines
        for earlier, later in itertools.pairwise(lines):
            if earlier.timestamp >= later.timestamp:
                raise InvariantBroken(f"account {a.id}: its history is out of time order")
    for ledger, (_, dp, dpo, cp, cpo) in sums.items():
        if dp != cp or dpo != cpo:
            raise InvariantBroken(
                f"ledger {ledger}: debits {dpo} posted, {dp} pending, but credits {cpo} "
                f"posted, {cp} pending"
            )
    # The sums kept as balances change are what a pass over the accounts finds (a ledger
    # and code whose only accounts a failed chain took back keep their entry, all zero).
    kept = {key: s for key, s in state.sums.items() if any(s)}
    if kept != by_code:
        raise InvariantBroken(f"the sums kept, {kept}, are not the accounts', {by_code}")
    stamps = state.account_timestamps
    if len(stamps) != len(state.accounts) or any(
        earlier >= later for earlier, later in itertools.pairwise(stamps)
    ):
        raise InvariantBroken("account timestamps are not one rising entry per account")
