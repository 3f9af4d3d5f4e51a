"""What a merchant took, per UTC day, read from its own account in the ledger: payments in,
refunds and the discount fee out. The ledger is the record of money (ADR 0003), so the
numbers a shop sees are the numbers it is paid on.

A hold (an authorisation) counts once it is captured, when money reaches the account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from colony.chart import TransferCode
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


def day_of(timestamp_ns: int) -> int:
    """The UTC midnight on or before `timestamp_ns`."""
    return timestamp_ns - timestamp_ns % DAY_NS


def lines_between(
    ledger: LedgerPort, account_id: int, from_ns: int, to_ns: int | None = None
) -> list[StatementLine]:
    """The account's lines after `from_ns` - 1 and before `to_ns`, oldest first."""
    lines: list[StatementLine] = []
    after: int | None = from_ns - 1
    while after is not None:
        page = ledger.statement(account_id, after_timestamp=after, limit=statement_lines_per_read)
        for line in page.lines:
            if to_ns is not None and line.timestamp >= to_ns:
                return lines
            lines.append(line)
        after = page.next_cursor
    return lines


def takings_since(ledger: LedgerPort, account_id: int, from_ns: int) -> Takings:
    """Everything after `from_ns` - 1 summed as one span (today's, from its midnight)."""
    summed = Takings(day_of(from_ns))
    for line in lines_between(ledger, account_id, from_ns):
        summed.count(line, account_id)
    return summed


def takings_by_day(
    ledger: LedgerPort, account_id: int, first_day_ns: int, days: int
) -> list[Takings]:
    """Each UTC day's takings from `first_day_ns` on, `days` of them, newest first."""
    by_day = {first_day_ns + n * DAY_NS: Takings(first_day_ns + n * DAY_NS) for n in range(days)}
    for line in lines_between(ledger, account_id, first_day_ns, first_day_ns + days * DAY_NS):
        by_day[day_of(line.timestamp)].count(line, account_id)
    return sorted(by_day.values(), key=lambda t: t.day_ns, reverse=True)
