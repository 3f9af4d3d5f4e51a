"""The ledger: double-entry accounts and transfers, TigerBeetle's semantics, one write path.

Public API: `Ledger` (service.py), the records (model.py) and the result codes (results.py).
Products never touch `state` directly: they submit events to a `Ledger`.
"""

from colony.ledger.archive import ArchivePolicy
from colony.ledger.imported import exists_imported
from colony.ledger.model import (
    AMOUNT_MAX,
    Account,
    AccountBalance,
    AccountFlags,
    Balances,
    StatementLine,
    Transfer,
    TransferFlags,
    TransferPendingStatus,
    batch_events_max,
)
from colony.ledger.port import LedgerPort
from colony.ledger.results import CreateAccountResult, CreateTransferResult
from colony.ledger.service import Ledger, LedgerTotals, StatementPage

__all__ = [
    "AMOUNT_MAX",
    "Account",
    "AccountBalance",
    "AccountFlags",
    "ArchivePolicy",
    "Balances",
    "CreateAccountResult",
    "CreateTransferResult",
    "Ledger",
    "LedgerPort",
    "LedgerTotals",
    "StatementLine",
    "StatementPage",
    "Transfer",
    "TransferFlags",
    "TransferPendingStatus",
    "batch_events_max",
    "exists_imported",
]
