"""Whether a ledger holds only what the chart declares: the check behind `colony chart check`
and the tests that run every product's worked examples.

It reads accounts and transfers as they are (any object with the ledger's field names), so it
needs nothing of the ledger's own code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from colony.chart.codes import AccountCode, TransferCode
from colony.chart.ids import LEDGER_FIELD_BITS
from colony.chart.ledgers import held_ledgers
from colony.chart.prefixes import LEGACY, IdPrefix, Layout

# How many findings a check reports at most: the first ones tell what is wrong.
findings_max = 100


class AccountLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def ledger(self) -> int: ...
    @property
    def code(self) -> int: ...


class TransferLike(AccountLike, Protocol):
    @property
    def debit_account_id(self) -> int: ...
    @property
    def credit_account_id(self) -> int: ...


_PREFIX_OF_CODE = {p.code: p for p in IdPrefix}
_ACCOUNT_CODES: dict[int, AccountCode] = {int(c): c for c in AccountCode}
_TRANSFER_CODES: dict[int, TransferCode] = {int(c): c for c in TransferCode}


def _prefix_problem(account: AccountLike, code: AccountCode) -> str | None:
    """Why the account's id is not one its code's prefix makes, if its code has one."""
    prefix = _PREFIX_OF_CODE.get(code)
    if prefix is None:
        return None
    if prefix.layout is Layout.owner_ledger:
        legacy = any(old.code is code and old.holds(account.id) for old in LEGACY)
        low = account.id & ((1 << LEDGER_FIELD_BITS) - 1)
        if (prefix.holds(account.id) or legacy) and low == account.ledger:
            return None
    elif account.id == prefix.account_id(account.ledger):
        return None
    return f"account {account.id:#x} ({code.name}) is not under prefix {prefix.name}"


def account_problems(account: AccountLike) -> list[str]:
    """What in one account the chart does not declare."""
    found = []
    if account.ledger not in held_ledgers():
        found.append(f"account {account.id:#x} is on ledger {account.ledger}: no currency's")
    code = _ACCOUNT_CODES.get(account.code)
    if code is None:
        return [*found, f"account {account.id:#x} has undeclared account code {account.code}"]
    problem = _prefix_problem(account, code)
    if problem is not None:
        found.append(problem)
    for prefix in IdPrefix:
        if prefix.layout is Layout.ledger and prefix.holds(account.id) and prefix.code is not code:
            found.append(f"account {account.id:#x} ({code.name}) is under prefix {prefix.name}")
    return found


def transfer_problems(transfer: TransferLike, accounts: dict[int, AccountLike]) -> list[str]:
    """What in one transfer the chart does not declare: its code, or the kinds of account
    it moves money between."""
    code = _TRANSFER_CODES.get(transfer.code)
    if code is None:
        return [f"transfer {transfer.id:#x} has undeclared transfer code {transfer.code}"]
    found = []
    for side, account_id, allowed in (
        ("debits", transfer.debit_account_id, code.debits),
        ("credits", transfer.credit_account_id, code.credits),
    ):
        account = accounts.get(account_id)
        if account is None or account.code not in allowed:
            what = "an unknown account" if account is None else f"account code {account.code}"
            found.append(f"transfer {transfer.id:#x} ({code.name}) {side} {what}")
    return found


def undeclared(accounts: Iterable[AccountLike], transfers: Iterable[TransferLike]) -> list[str]:
    """Everything in these accounts and transfers that the chart does not declare (at most
    `findings_max`): empty for a ledger that keeps to the chart."""
    by_id: dict[int, AccountLike] = {}
    found: list[str] = []
    for account in accounts:
        by_id[account.id] = account
        found += account_problems(account)
    for transfer in transfers:
        found += transfer_problems(transfer, by_id)
        if len(found) >= findings_max:
            break
    return found[:findings_max]


def legacy_counts(accounts: Iterable[AccountLike]) -> dict[str, int]:
    """How many accounts each legacy layout holds (read, never opened again)."""
    counts = {old.name: 0 for old in LEGACY}
    for account in accounts:
        for old in LEGACY:
            if account.code == old.code and old.holds(account.id):
                counts[old.name] += 1
    return counts
