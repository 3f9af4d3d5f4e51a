"""What products and the API need of a ledger, whichever process holds it.

`Ledger` (service.py) is the ledger itself, in the process that owns the journal. Where several
API worker processes share one database, only the elected writer holds a `Ledger`; the others
reach it through `colony.workers.RemoteLedger`. Both satisfy this protocol, so products are
written once against it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Protocol

from colony.ledger.model import (
    Account,
    AccountBalance,
    Balances,
    Transfer,
    TransferPendingStatus,
)
from colony.ledger.results import CreateAccountResult, CreateTransferResult

if TYPE_CHECKING:
    from colony.ledger.service import LedgerTotals, StatementPage


class LedgerPort(Protocol):
    def create_accounts(self, events: Sequence[Account]) -> list[CreateAccountResult]: ...

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]: ...

    def submit_accounts(self, events: Sequence[Account]) -> Future[list[int]]: ...

    def submit_transfers(self, events: Sequence[Transfer]) -> Future[list[int]]: ...

    def pulse(self) -> int: ...

    @property
    def journal_seq(self) -> int: ...

    def lookup_accounts(self, ids: Sequence[int]) -> list[Account]: ...

    def lookup_balances(self, ids: Sequence[int]) -> dict[int, Balances]:
        """The balances of the accounts among `ids` that exist, by id."""
        ...

    def lookup_transfers(self, ids: Sequence[int]) -> list[Transfer]: ...

    def pending_status(self, transfer_id: int) -> TransferPendingStatus | None: ...

    def expired_at(self, transfer_id: int) -> int | None: ...

    def statement(
        self,
        account_id: int,
        *,
        after_timestamp: int = 0,
        before_timestamp: int | None = None,
        limit: int = ...,
        reverse: bool = False,
    ) -> StatementPage: ...

    def balance_at(self, account_id: int, timestamp: int) -> AccountBalance | None: ...

    def totals(self) -> list[LedgerTotals]: ...

    def all_accounts(self) -> Iterator[Account]: ...

    def all_transfers(self) -> Iterator[Transfer]: ...

    def snapshot_for_verify(
        self,
    ) -> tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]: ...

    def close(self) -> None: ...
