"""An account's movements over a window ending at one moment (`as_of_ns`), never after it:
what a score is computed from (features.py).

The statement is read newest first from `as_of_ns` back to the start of the window; each
line's posted balances give what came in, what went out and the balance after, whatever the
transfer was (a hold counts when it is posted, a voided one never). The line just before the
window gives the balances it opens with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from colony.kernel.clock import NS_PER_DAY
from colony.ledger import LedgerPort, StatementLine

# How far back a score looks, in days: eight weeks.
window_days = 56
# The most statement lines read for one score: a busy shop's eight weeks may hold more, and
# then the window is cut to the newest lines read (a decision's time is bounded, not its
# subject's history). Two of the ledger's largest pages.
statement_lines_max = 16_380
# Lines asked of the ledger at a time. The ledger builds every line of a page it is asked for
# (about 30 µs each, measured), so a long-lived account is read a window's worth at a time,
# not a page of its largest size (8,190 lines, a quarter of a second) reaching years back.
statement_page_lines = 256


@dataclass(frozen=True, slots=True)
class Movement:
    """One statement line as money: what it added to the account's posted credits and debits,
    and the posted balance after it (credits less debits)."""

    timestamp: int
    code: int
    in_minor: int
    out_minor: int
    balance_minor: int


@dataclass(frozen=True)
class History:
    """An account's movements inside a window: oldest first, with the balance at its start."""

    start_ns: int  # the window's start (later than asked when the lines ran past the limit)
    as_of_ns: int
    opening_balance_minor: int
    movements: tuple[Movement, ...]

    @property
    def days(self) -> int:
        return max(1, -(-(self.as_of_ns - self.start_ns) // NS_PER_DAY))

    def day_of(self, timestamp: int) -> int:
        return (timestamp - self.start_ns) // NS_PER_DAY


def _lines_newest_first(
    ledger: LedgerPort, account_id: int, as_of_ns: int, lines_max: int
) -> Iterator[StatementLine]:
    before: int | None = as_of_ns
    read = 0
    while before is not None and read < lines_max:
        page = ledger.statement(
            account_id,
            before_timestamp=before,
            limit=min(statement_page_lines, lines_max - read),
            reverse=True,
        )
        yield from page.lines
        read += len(page.lines)
        before = page.next_cursor


def read_history(
    ledger: LedgerPort,
    account_id: int,
    as_of_ns: int,
    *,
    opened_at_ns: int = 0,
    days: int = window_days,
    lines_max: int = statement_lines_max,
) -> History:
    """The account's movements from `days` before `as_of_ns` (or from its opening, when that
    is later: days before it are not days of an empty account) up to (not at) `as_of_ns`."""
    start = max(as_of_ns - days * NS_PER_DAY, min(opened_at_ns, as_of_ns))
    newest_first: list[StatementLine] = []
    # Posted credits and debits as the window opens: the line before it says (none: the
    # account was opened inside the window, at zero).
    credits, debits = 0, 0
    for line in _lines_newest_first(ledger, account_id, as_of_ns, lines_max + 1):
        if line.timestamp < start:
            credits, debits = line.balance.credits_posted, line.balance.debits_posted
            break
        newest_first.append(line)
    else:
        if len(newest_first) > lines_max:
            # Past the limit: the oldest line read only gives the balance the window opens at.
            oldest = newest_first.pop()
            credits, debits = oldest.balance.credits_posted, oldest.balance.debits_posted
            start = newest_first[-1].timestamp
    opening = credits - debits
    movements = []
    for line in reversed(newest_first):
        after_in, after_out = line.balance.credits_posted, line.balance.debits_posted
        movements.append(
            Movement(
                line.timestamp,
                line.transfer.code,
                after_in - credits,
                after_out - debits,
                after_in - after_out,
            )
        )
        credits, debits = after_in, after_out
    return History(start, as_of_ns, opening, tuple(movements))
