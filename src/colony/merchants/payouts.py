"""Paying merchants out (docs/adr/0041): a merchant's balance at the end of a UTC day, moved
from its account to a funding partner's settlement account, the partner's bank paying it on
to the merchant's.

One payout per merchant and day: its transfer id is derived from the merchant's account and
the day (`Slots.payout`), so running a day again submits the very same event and the ledger
answers `exists`; nothing is paid twice. The amount is the account's posted balance as it
stood at the day's end (a payout of the day before, made during this day, is already out of
it), sent with `balancing_debit` so that the ledger itself pays no more than the account
holds when the payout is applied: a refund made since the day ended is honoured first, and
the payout never takes the account below zero.

Payouts go forward in time: a day whose later day is already paid out is refused, since
that later payout was of a balance that held this day's money.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from colony.chart import Slots, TransferCode, funding_partner_account_id
from colony.kernel.clock import Clock, date_named, ns_from_utc
from colony.kernel.errors import InvalidInput
from colony.ledger import LedgerPort, Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult as RT
from colony.merchants.model import Merchant
from colony.merchants.takings import DAY_NS, day_of

# How far back a day may be paid out, in days before today: a run missed for longer is a
# matter for the operator to look into, not for a catch-up run to guess.
payout_days_back_max = 31
# Days whose payouts one lookup asks the ledger for (well under its batch of 8,190 ids).
payout_lookup_days_max = 366
# Merchants read from their store at a time during a day's run.
merchants_per_read = 500

TRANSFER_PAYOUT: int = TransferCode.payout
# A page of merchants by id after a cursor (`MerchantService.page`).
PageOfMerchants = Callable[[str | None, int], list[Merchant]]


class PayoutResult(enum.IntEnum):
    """What a merchant's payout for a day came to. Numbers are never reused."""

    ok = 0  # paid now
    already_paid = 1  # paid by an earlier run of the same day: nothing moved this time
    nothing_to_pay = 2  # the balance at the day's end (or now) was zero or less
    day_not_over = 3  # the day is today or later: its balance is not final
    day_too_old = 4  # more than `payout_days_back_max` days ago
    later_day_paid = 5  # a later day is paid out already, and with it this day's money
    unknown_partner = 6  # no settlement account of that partner in the merchant's currency


@dataclass(frozen=True)
class Payout:
    """One merchant's payout for one day, or why there is none."""

    merchant_id: str
    day_ns: int  # the UTC midnight the day paid out starts at
    result: PayoutResult
    transfer_id: int  # the payout's ledger id, whether or not it was made
    amount_minor: int = 0  # what the transfer moved (0 when there is none)
    currency: str = ""


def day_index(day_ns: int) -> int:
    """Days since 1970-01-01 of the UTC day starting at `day_ns`."""
    assert day_ns % DAY_NS == 0, day_ns
    return day_ns // DAY_NS


def day_named(text: str) -> int:
    """The UTC midnight of a day named `YYYY-MM-DD`; anything else is refused, saying why."""
    day = date_named(text)
    if day is None:
        raise InvalidInput(f"a day is YYYY-MM-DD, not {text!r}")
    return ns_from_utc(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))


def payout_id(account_id: int, day_ns: int) -> int:
    """The ledger id of the payout of a merchant's account for a day."""
    return Slots.payout.of(account_id, day_index(day_ns))


def payout_reference(transfer_id: int) -> str:
    """How a payout is named to people: on the merchant's report and in the console."""
    return f"po_{transfer_id:032x}"


@dataclass(frozen=True)
class PaidOut:
    """A payout made, as the ledger holds it."""

    day_ns: int  # the day paid out (the payout itself is made on a later one)
    amount_minor: int
    transfer_id: int
    made_at_ns: int

    @property
    def reference(self) -> str:
        return payout_reference(self.transfer_id)


def paid_out(
    ledger: LedgerPort, account_id: int, first_day_ns: int, days: int
) -> dict[int, PaidOut]:
    """The payouts made for each of `days` UTC days from `first_day_ns` on, by day: their
    ids are derived from the account and the day, so one lookup finds them all without
    reading the account's lines."""
    assert 0 <= days <= payout_lookup_days_max, days
    day_of_id = {payout_id(account_id, first_day_ns + n * DAY_NS): n for n in range(days)}
    found = ledger.lookup_transfers(list(day_of_id))
    made = [
        PaidOut(first_day_ns + day_of_id[t.id] * DAY_NS, t.amount, t.id, t.timestamp) for t in found
    ]
    return {p.day_ns: p for p in made}


class PayoutService:
    def __init__(self, ledger: LedgerPort, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def pay_out(self, merchant: Merchant, day_ns: int, partner: str) -> Payout:
        """Pay the merchant's balance at the end of the UTC day at `day_ns` out through
        `partner`, once: a second run finds the first's transfer and moves nothing."""
        tid = payout_id(merchant.account_id, day_ns)

        def outcome(result: PayoutResult, amount_minor: int = 0) -> Payout:
            return Payout(merchant.id, day_ns, result, tid, amount_minor, merchant.currency)

        refused = self._day_refused(day_ns)
        if refused is not None:
            return outcome(refused)
        earlier = self._ledger.lookup_transfers([tid])
        if earlier:  # the day ran before
            return outcome(_made(earlier[0].amount, PayoutResult.already_paid), earlier[0].amount)
        if self._later_day_paid(merchant.account_id, day_ns):
            return outcome(PayoutResult.later_day_paid)
        partner_account = funding_partner_account_id(partner, merchant.ledger)
        if not self._ledger.lookup_accounts([partner_account]):  # the ledger is the registry
            return outcome(PayoutResult.unknown_partner)
        owed = self._balance_at_end(merchant.account_id, day_ns)
        if owed <= 0 or self._available(merchant.account_id) <= 0:
            return outcome(PayoutResult.nothing_to_pay)
        transfer = Transfer(
            tid, merchant.account_id, partner_account, owed, merchant.ledger, TRANSFER_PAYOUT,
            int(TransferFlags.balancing_debit), user_data_32=day_index(day_ns),
        )  # fmt: skip
        (result,) = self._ledger.create_transfers([transfer])
        if result not in (RT.ok, RT.exists):
            raise RuntimeError(f"payout {tid:#x} refused: {result.name}")
        (made,) = self._ledger.lookup_transfers([tid])
        first = PayoutResult.ok if result is RT.ok else PayoutResult.already_paid
        return outcome(_made(made.amount, first), made.amount)

    def pay_out_day(
        self, merchants: Iterator[Merchant], day_ns: int, partners: dict[str, str]
    ) -> Iterator[Payout]:
        """The day's run: each merchant whose currency has a partner in `partners` (by
        currency), one after another; merchants of other currencies are left out."""
        for merchant in merchants:
            partner = partners.get(merchant.currency)
            if partner is not None:
                yield self.pay_out(merchant, day_ns, partner)

    def _day_refused(self, day_ns: int) -> PayoutResult | None:
        today = day_of(self._clock.now_ns())
        if day_ns >= today:
            return PayoutResult.day_not_over
        if day_ns < today - payout_days_back_max * DAY_NS:
            return PayoutResult.day_too_old
        return None

    def _later_day_paid(self, account_id: int, day_ns: int) -> bool:
        today = day_of(self._clock.now_ns())
        later = (today - day_ns) // DAY_NS - 1  # the days after it that are over
        return bool(later and paid_out(self._ledger, account_id, day_ns + DAY_NS, later))

    def _balance_at_end(self, account_id: int, day_ns: int) -> int:
        balance = self._ledger.balance_at(account_id, day_ns + DAY_NS - 1)
        return 0 if balance is None else balance.credits_posted - balance.debits_posted

    def _available(self, account_id: int) -> int:
        (account,) = self._ledger.lookup_accounts([account_id])
        return account.credits_posted - account.debits_posted - account.debits_pending


def _made(amount_minor: int, result: PayoutResult) -> PayoutResult:
    """A payout the ledger clamped to nothing (a refund took the balance between the check
    and the transfer) paid nothing, however it was made."""
    return result if amount_minor > 0 else PayoutResult.nothing_to_pay


def every_merchant(page: PageOfMerchants) -> Iterator[Merchant]:
    """Every merchant, `merchants_per_read` at a time, by id."""
    after: str | None = None
    while True:
        found = page(after, merchants_per_read)
        yield from found
        if len(found) < merchants_per_read:
            return
        after = found[-1].id
