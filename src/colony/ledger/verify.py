"""Verification that money is conserved: balances recomputed from the transfers alone.

This is the second half of the ledger's pair assertion. The state machine checks every rule
before it changes a balance; this module ignores the stored balances, rebuilds them from the
transfers (and what became of each pending transfer) by a separate, simpler path, and compares.
It also checks that each ledger balances (debits equal credits) and that no account breaks the
limit its flags set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from colony.ledger.model import (
    Account,
    AccountFlags,
    Transfer,
    TransferFlags,
    TransferPendingStatus,
)

_BALANCE_FIELDS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


@dataclass(frozen=True)
class Mismatch:
    account_id: int
    field: str
    expected: int
    actual: int


@dataclass(frozen=True)
class LedgerSums:
    ledger: int
    accounts: int
    transfers: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int

    @property
    def balanced(self) -> bool:
        return (
            self.debits_pending == self.credits_pending
            and self.debits_posted == self.credits_posted
        )


@dataclass
class VerifyReport:
    accounts: int = 0
    transfers: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ledgers: list[LedgerSums] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.problems and all(s.balanced for s in self.ledgers)


def verify(
    accounts: Iterable[Account],
    transfers: Iterable[Transfer],
    pending_status: dict[int, TransferPendingStatus],
) -> VerifyReport:
    report = VerifyReport()
    by_id = {a.id: a for a in accounts}
    report.accounts = len(by_id)
    recomputed = {account_id: [0, 0, 0, 0] for account_id in by_id}
    transfer_counts: dict[int, int] = {}
    for t in transfers:
        report.transfers += 1
        transfer_counts[t.ledger] = transfer_counts.get(t.ledger, 0) + 1
        debit = recomputed.get(t.debit_account_id)
        credit = recomputed.get(t.credit_account_id)
        if debit is None or credit is None:
            report.problems.append(f"transfer {t.id} names an account that does not exist")
            continue
        for account_id in (t.debit_account_id, t.credit_account_id):
            if by_id[account_id].ledger != t.ledger:
                report.problems.append(
                    f"transfer {t.id} is on ledger {t.ledger}, account {account_id} is not"
                )
        if t.flags & TransferFlags.pending:
            # A pending transfer holds its amount only while nothing has become of it.
            if pending_status.get(t.id) == TransferPendingStatus.pending:
                debit[0] += t.amount
                credit[2] += t.amount
        elif t.flags & TransferFlags.post_pending_transfer:
            debit[1] += t.amount
            credit[3] += t.amount
        elif t.flags & TransferFlags.void_pending_transfer:
            pass
        else:
            debit[1] += t.amount
            credit[3] += t.amount

    sums: dict[int, list[int]] = {}
    for account_id, account in by_id.items():
        expected = recomputed[account_id]
        for name, value in zip(_BALANCE_FIELDS, expected, strict=True):
            actual = getattr(account, name)
            if actual != value:
                report.mismatches.append(Mismatch(account_id, name, value, actual))
        s = sums.setdefault(account.ledger, [0, 0, 0, 0, 0])
        s[0] += 1
        for i, name in enumerate(_BALANCE_FIELDS):
            s[i + 1] += getattr(account, name)
        _check_limits(account, report)
    report.ledgers = [
        LedgerSums(ledger, s[0], transfer_counts.get(ledger, 0), s[1], s[2], s[3], s[4])
        for ledger, s in sorted(sums.items())
    ]
    return report


def _check_limits(a: Account, report: VerifyReport) -> None:
    if (
        a.flags & AccountFlags.debits_must_not_exceed_credits
        and a.debits_pending + a.debits_posted > a.credits_posted
    ):
        report.problems.append(f"account {a.id}: debits exceed credits despite its limit flag")
    if (
        a.flags & AccountFlags.credits_must_not_exceed_debits
        and a.credits_pending + a.credits_posted > a.debits_posted
    ):
        report.problems.append(f"account {a.id}: credits exceed debits despite its limit flag")
