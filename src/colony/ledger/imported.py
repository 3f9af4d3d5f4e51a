"""Accounts a simulated market imported (docs/adr/0031). The ledger keeps each imported
account's `imported` flag, which no service asks for, so a service making sure of such an
account again (as every payment does of its currency's control account) is answered
`exists_with_different_flags`: it is the same account all the same."""

from __future__ import annotations

from colony.ledger.model import Account, AccountFlags
from colony.ledger.port import LedgerPort
from colony.ledger.results import CreateAccountResult

_IMPORTED = int(AccountFlags.imported)


def exists_imported(ledger: LedgerPort, account: Account, result: CreateAccountResult) -> bool:
    """Whether `result` answered `account` because the ledger holds it, as asked, imported."""
    if result is not CreateAccountResult.exists_with_different_flags:
        return False
    found = ledger.lookup_accounts([account.id])
    if not found:
        return False
    held = found[0]
    return (held.flags & ~_IMPORTED, held.ledger, held.code) == (
        account.flags,
        account.ledger,
        account.code,
    )
