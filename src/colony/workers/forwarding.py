"""The ledger calls a worker passes on to whoever holds the ledger, written once.

`ElectedLedger` passes them to its local ledger or to the writer; `RemoteLedger` sends them
over the writer's socket. Each only says how one call travels (`_forward`); the typed
signatures callers check against `LedgerPort` live here. What travels differently (futures,
the `journal_seq` property, closing) each class writes itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from colony.ledger import (
    Account,
    AccountBalance,
    Balances,
    CreateAccountResult,
    CreateTransferResult,
    LedgerTotals,
    StatementPage,
    Transfer,
    TransferPendingStatus,
)
from colony.ledger.service import statement_page_default


class ForwardingLedger(ABC):
    @abstractmethod
    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the ledger method `name` wherever the ledger is, and return its answer."""

    # ---------------------------------------------------------------------------- writes
    # Batches and ids travel as plain lists: that is what crosses the writer's socket.

    def create_accounts(self, events: Sequence[Account]) -> list[CreateAccountResult]:
        return cast("list[CreateAccountResult]", self._forward("create_accounts", list(events)))

    def create_transfers(self, events: Sequence[Transfer]) -> list[CreateTransferResult]:
        return cast("list[CreateTransferResult]", self._forward("create_transfers", list(events)))

    def pulse(self) -> int:
        return cast(int, self._forward("pulse"))

    # ---------------------------------------------------------------------------- queries

    def lookup_accounts(self, ids: Sequence[int]) -> list[Account]:
        return cast("list[Account]", self._forward("lookup_accounts", list(ids)))

    def lookup_balances(self, ids: Sequence[int]) -> dict[int, Balances]:
        return cast("dict[int, Balances]", self._forward("lookup_balances", list(ids)))

    def lookup_transfers(self, ids: Sequence[int]) -> list[Transfer]:
        return cast("list[Transfer]", self._forward("lookup_transfers", list(ids)))

    def pending_status(self, transfer_id: int) -> TransferPendingStatus | None:
        return cast("TransferPendingStatus | None", self._forward("pending_status", transfer_id))

    def expired_at(self, transfer_id: int) -> int | None:
        return cast("int | None", self._forward("expired_at", transfer_id))

    def statement(
        self,
        account_id: int,
        *,
        after_timestamp: int = 0,
        before_timestamp: int | None = None,
        limit: int = statement_page_default,
        reverse: bool = False,
    ) -> StatementPage:
        page = self._forward(
            "statement",
            account_id,
            after_timestamp=after_timestamp,
            before_timestamp=before_timestamp,
            limit=limit,
            reverse=reverse,
        )
        return cast(StatementPage, page)

    def balance_at(self, account_id: int, timestamp: int) -> AccountBalance | None:
        return cast("AccountBalance | None", self._forward("balance_at", account_id, timestamp))

    def totals(self) -> list[LedgerTotals]:
        return cast("list[LedgerTotals]", self._forward("totals"))

    # The socket carries these whole, as lists; a local ledger already answers an iterator,
    # which `iter` hands back unchanged.

    def all_accounts(self) -> Iterator[Account]:
        return iter(cast("Iterable[Account]", self._forward("all_accounts")))

    def all_transfers(self) -> Iterator[Transfer]:
        return iter(cast("Iterable[Transfer]", self._forward("all_transfers")))

    def snapshot_for_verify(
        self,
    ) -> tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]:
        snapshot = self._forward("snapshot_for_verify")
        return cast(
            "tuple[list[Account], list[Transfer], dict[int, TransferPendingStatus]]", snapshot
        )
