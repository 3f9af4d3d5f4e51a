"""What a merchant took, per UTC day, read from its own account in the ledger: payments in,
refunds and the discount fee out. The ledger is the record of money (ADR 0003), so the
numbers a shop sees are the numbers it is paid on.

A hold (an authorisation) counts once it is captured, when money reaches the account.

The portal's screens read them through a `TakingsBook`, which keeps each merchant's days as
counted: its home, polled every second or two by the live stream, and its reports then read
only the lines written since they last looked, not the whole day (a busy shop's is thousands
of lines) nor two weeks of them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from colony.chart import TransferCode
from colony.kernel import lock_order
from colony.kernel.clock import NS_PER_S
from colony.ledger import LedgerPort, StatementLine, TransferFlags

# Nanoseconds in a UTC day.
DAY_NS = 86_400 * NS_PER_S
# Statement lines read from the ledger at a time.
statement_lines_per_read = 1_000


@dataclass
class Takings:
    """One day's (or any span's) movements on a merchant's account."""

    day_ns: int  # the UTC midnight the span starts at
    payments: int = 0
    gross_minor: int = 0
    refunds: int = 0
    refunded_minor: int = 0
    fees_minor: int = 0
    # A loan's share of the day's sales, taken before the day's payout (docs/adr/0051).
    loan_repaid_minor: int = 0
    # The ledger timestamp of the newest line counted: where a live view goes on from.
    last_timestamp: int = field(default=0, compare=False)

    @property
    def net_minor(self) -> int:
        """What the merchant keeps: payments less refunds and the discount fee."""
        return self.gross_minor - self.refunded_minor - self.fees_minor

    def count(self, line: StatementLine, account_id: int) -> None:
        transfer = line.transfer
        self.last_timestamp = max(self.last_timestamp, line.timestamp)
        if line.kind != "transfer" or transfer.flags & TransferFlags.void_pending_transfer:
            return
        captured = bool(transfer.flags & TransferFlags.post_pending_transfer)
        if transfer.credit_account_id == account_id and (
            captured or transfer.code == TransferCode.payment
        ):
            if not transfer.flags & TransferFlags.pending:  # a hold is not money yet
                self.payments += 1
                self.gross_minor += transfer.amount
        elif transfer.debit_account_id == account_id and transfer.code == TransferCode.refund:
            self.refunds += 1
            self.refunded_minor += transfer.amount
        elif transfer.debit_account_id == account_id and transfer.code == TransferCode.discount_fee:
            self.fees_minor += transfer.amount
        elif transfer.debit_account_id == account_id and transfer.code == TransferCode.repayment:
            self.loan_repaid_minor += transfer.amount


def day_counted(line: StatementLine, account_id: int) -> int:
    """The UTC midnight of the day a line counts in: its own, but a loan's repayment from a
    merchant's sales counts in the day of those sales (its `user_data_32`), made the day
    after, before that day's payout."""
    transfer = line.transfer
    if (line.kind == "transfer" and transfer.code == TransferCode.repayment
            and transfer.debit_account_id == account_id and transfer.user_data_32):  # fmt: skip
        return transfer.user_data_32 * DAY_NS
    return day_of(line.timestamp)


def day_of(timestamp_ns: int) -> int:
    """The UTC midnight on or before `timestamp_ns`."""
    return timestamp_ns - timestamp_ns % DAY_NS


# Merchants whose days a book keeps; past it, the one read least recently is forgotten (and
# counted again from the ledger when next asked for).
book_accounts_max = 10_000
# Days a book keeps per merchant, newest first: the portal's reports show 14.
book_days_max = 31


@dataclass
class _Kept:
    """One account's days as counted: every line from `from_ns` through `read_through`."""

    from_ns: int  # a UTC midnight
    read_through: int  # the newest line's timestamp counted (from_ns - 1 before any)
    days: dict[int, Takings] = field(default_factory=dict)  # by the day's UTC midnight
    lock: threading.Lock = field(default_factory=threading.Lock)


class TakingsBook:
    """Merchants' takings per UTC day, kept as counted, read on from where they stopped.

    The ledger stamps each line later than every line before it and shows commits whole and
    in order, so the lines after the newest one counted are exactly those not yet counted: a
    day once counted is never read again, and today goes on from its newest line. A book is
    one process's (each API worker keeps its own); it holds at most `book_accounts_max`
    merchants' `book_days_max` days.
    """

    def __init__(
        self,
        ledger: LedgerPort,
        accounts_max: int = book_accounts_max,
        days_max: int = book_days_max,
    ) -> None:
        if accounts_max < 1 or days_max < 1:
            raise ValueError("a takings book keeps at least one merchant's day")
        self._ledger = ledger
        self._accounts_max = accounts_max
        self._days_max = days_max
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._lock = lock_order.lock(
            "merchant takings"
        )  # over `_kept`; each account's reads hold its own

    def since(self, account_id: int, from_ns: int) -> Takings:
        """The day of `from_ns` so far (today's, from its midnight)."""
        return self.by_day(account_id, day_of(from_ns), 1)[0]

    def by_day(self, account_id: int, first_day_ns: int, days: int) -> list[Takings]:
        """Each UTC day's takings from `first_day_ns` on, `days` of them, newest first."""
        if days < 1 or days > self._days_max or first_day_ns % DAY_NS:
            raise ValueError(f"{days} days from {first_day_ns}: whole days, 1 to {self._days_max}")
        kept = self._account(account_id, first_day_ns)
        with kept.lock:
            if kept.from_ns > first_day_ns:  # older than counted: count from there again
                kept.from_ns, kept.read_through, kept.days = first_day_ns, first_day_ns - 1, {}
            self._read_on(account_id, kept)
            asked = [first_day_ns + n * DAY_NS for n in reversed(range(days))]
            found = [dataclasses.replace(kept.days[d]) if d in kept.days else Takings(d)
                     for d in asked]  # fmt: skip
            self._forget_old_days(kept)
            return found

    def _account(self, account_id: int, first_day_ns: int) -> _Kept:
        with self._lock:
            kept = self._kept.get(account_id)
            if kept is None:
                kept = self._kept[account_id] = _Kept(first_day_ns, first_day_ns - 1)
                while len(self._kept) > self._accounts_max:
                    self._kept.popitem(last=False)
            self._kept.move_to_end(account_id)
            return kept

    def _read_on(self, account_id: int, kept: _Kept) -> None:
        """Count every line after the newest counted."""
        after: int | None = kept.read_through
        while after is not None:
            page = self._ledger.statement(
                account_id, after_timestamp=after, limit=statement_lines_per_read
            )
            for line in page.lines:
                day = day_counted(line, account_id)
                takings = kept.days.get(day)
                if takings is None:
                    takings = kept.days[day] = Takings(day)
                takings.count(line, account_id)
                kept.read_through = line.timestamp
            after = page.next_cursor

    def _forget_old_days(self, kept: _Kept) -> None:
        """Keep `days_max` days at most, up to the newest counted."""
        if not kept.days:
            return
        oldest_kept = max(kept.days) - (self._days_max - 1) * DAY_NS
        if kept.from_ns < oldest_kept:
            kept.from_ns = oldest_kept
            for day in [d for d in kept.days if d < oldest_kept]:
                del kept.days[day]
