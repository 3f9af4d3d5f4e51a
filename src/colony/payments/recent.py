"""Payments over the last minutes, per currency and per second, read from the ledger alone.

Every payment that reaches a merchant grants its refundable amount by debiting its currency's
payments control account (`settlement_legs`): one `refundable` line per payment, for exactly
the amount paid, cross-border ones included (in the merchant's currency). So the control
account's statement is the list of payments in time order, and a window of it is read with
the ledger's index by timestamp, not by scanning transfers. Refund drawdowns credit the same
account and are left out.

`PaymentsWindow` keeps what it has read and, on each `refresh`, reads only the lines after
its watermark: a stream polling every second or two reads a window once, then only what is
new. Each page (or stream) holds its own: nothing is shared between requests or workers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from colony.chart import TransferCode
from colony.kernel.clock import NS_PER_S
from colony.kernel.money import currency_of_ledger
from colony.ledger import LedgerPort
from colony.payments.service import payments_control_account_id

# How far back the live figures reach, in seconds.
live_window_s = 300
# Statement lines read per call: the ledger's page limit, so a busy window takes few calls.
_PAGE_LINES = 8190
# How often the list of currencies (one pass over every account) is read again, in seconds:
# a currency's first payment shows within this.
ledgers_refresh_s = 60


@dataclass(frozen=True, slots=True)
class CurrencyWindow:
    """One currency's payments in the window: counts and minor units per second, oldest first."""

    currency: str
    counts: list[int]
    amounts_minor: list[int]

    @property
    def payments(self) -> int:
        return sum(self.counts)

    @property
    def amount_minor(self) -> int:
        return sum(self.amounts_minor)


@dataclass(frozen=True, slots=True)
class Window:
    start_s: int  # the first second's Unix time
    seconds: int
    currencies: list[CurrencyWindow]


class PaymentsWindow:
    def __init__(self, ledger: LedgerPort, window_s: int = live_window_s) -> None:
        if window_s < 1:
            raise ValueError(f"window_s must be 1 or more, not {window_s}")
        self._ledger = ledger
        self.window_s = window_s
        self._read_through: dict[int, int] = {}  # ledger -> the last timestamp read
        self._seen: dict[int, deque[tuple[int, int]]] = {}  # ledger -> (timestamp ns, minor)
        self._ledgers: list[int] = []
        self._ledgers_read_ns: int | None = None

    def refresh(self, now_ns: int) -> Window:
        """Read what is new up to now and give the window ending at `now_ns`."""
        since_ns = now_ns - self.window_s * NS_PER_S
        for ledger in self._currencies(now_ns):
            self._read(ledger, max(self._read_through.get(ledger, 0), since_ns))
        for seen in self._seen.values():
            while seen and seen[0][0] <= since_ns:
                seen.popleft()
        return self._window(now_ns)

    def _currencies(self, now_ns: int) -> list[int]:
        stale = self._ledgers_read_ns is None or (
            now_ns - self._ledgers_read_ns >= ledgers_refresh_s * NS_PER_S
        )
        if stale:
            held = (t.ledger for t in self._ledger.totals())
            self._ledgers = [ledger for ledger in held if currency_of_ledger(ledger)]
            self._ledgers_read_ns = now_ns
        return self._ledgers

    def _read(self, ledger: int, after_ns: int) -> None:
        control = payments_control_account_id(ledger)
        seen = self._seen.setdefault(ledger, deque())
        while True:
            page = self._ledger.statement(control, after_timestamp=after_ns, limit=_PAGE_LINES)
            for line in page.lines:
                transfer = line.transfer
                granted = transfer.code == TransferCode.refundable and (
                    transfer.debit_account_id == control
                )
                if line.kind == "transfer" and granted:
                    seen.append((line.timestamp, transfer.amount))
                after_ns = line.timestamp
            if page.next_cursor is None or not page.lines:
                break
        self._read_through[ledger] = after_ns

    def _window(self, now_ns: int) -> Window:
        end_s = now_ns // NS_PER_S
        start_s = end_s - self.window_s + 1
        currencies = []
        for ledger in self._ledgers:
            counts, amounts = [0] * self.window_s, [0] * self.window_s
            for timestamp, amount in self._seen.get(ledger, ()):
                # The ledger's timestamps are unique, so one may run a little past the clock.
                i = min(max(timestamp // NS_PER_S, start_s), end_s) - start_s
                counts[i] += 1
                amounts[i] += amount
            currencies.append(CurrencyWindow(str(currency_of_ledger(ledger)), counts, amounts))
        currencies.sort(key=lambda c: c.currency)
        return Window(start_s, self.window_s, currencies)
