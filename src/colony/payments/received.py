"""A merchant's payments as its own screens show them: each record the ledger holds, with
what was captured and refunded and its status, newest first, a page at a time; searched by
reference, amount and time. A record whose transfer the ledger does not hold is not a
payment (store.py) and is skipped."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.ledger import LedgerPort, Transfer, TransferFlags, TransferPendingStatus
from colony.payments.service import PaymentService
from colony.payments.store import PaymentRecord, PaymentSearch


class PaymentStatus(enum.StrEnum):
    held = "held"  # authorised, not yet captured
    succeeded = "succeeded"
    refunded = "refunded"  # all of it given back
    partly_refunded = "partly_refunded"
    canceled = "canceled"  # a hold released or expired


@dataclass(frozen=True)
class ReceivedPayment:
    record: PaymentRecord
    transfer: Transfer
    captured_minor: int
    refunded_minor: int
    status: PaymentStatus

    @property
    def refundable_minor(self) -> int:
        return self.captured_minor - self.refunded_minor


def received(
    payments: PaymentService,
    ledger: LedgerPort,
    merchant_id: str,
    search: PaymentSearch,
    starting_after: int | None,
    limit: int,
) -> tuple[list[ReceivedPayment], bool]:
    """Up to `limit` of the merchant's payments matching `search`, and whether more follow."""
    assert payments.records is not None, "the merchant's screens need payment records"
    shown: list[ReceivedPayment] = []
    after = starting_after
    while len(shown) <= limit:
        batch = payments.records.search(merchant_id, search, after, limit + 1)
        transfers = {t.id: t for t in ledger.lookup_transfers([r.id for r in batch])}
        shown += of_records(
            payments, ledger, [(r, transfers[r.id]) for r in batch if r.id in transfers]
        )
        if len(batch) <= limit:
            break
        after = batch[-1].id
    return shown[:limit], len(shown) > limit


def received_one(
    payments: PaymentService, ledger: LedgerPort, merchant_id: str, payment_id: int
) -> ReceivedPayment | None:
    """The payment, if it was made to this merchant and the ledger holds it."""
    record = payments.records.by_id(payment_id) if payments.records is not None else None
    if record is None or record.merchant_id != merchant_id:
        return None
    found = ledger.lookup_transfers([payment_id])
    return of_records(payments, ledger, [(record, found[0])])[0] if found else None


def of_records(
    payments: PaymentService, ledger: LedgerPort, paid: list[tuple[PaymentRecord, Transfer]]
) -> list[ReceivedPayment]:
    """Each record with its transfer, as the merchant's screens show it. The ledger is asked
    for the whole batch at once (what was refunded; what was captured of authorisations),
    and for a hold's fate only for authorisations: a list or an export of thousands of
    payments makes a few reads, not a few per payment (most of them on disk when old)."""
    transfers = [t for _, t in paid]
    captured = payments.captured_of(transfers)
    refunded = payments.refunded_of([t.id for t in transfers])
    shown = []
    for record, transfer in paid:
        hold = TransferPendingStatus.none
        if transfer.flags & TransferFlags.pending:
            hold = ledger.pending_status(transfer.id) or TransferPendingStatus.none
        status = _status(hold, captured[transfer.id], refunded[transfer.id])
        shown.append(
            ReceivedPayment(record, transfer, captured[transfer.id], refunded[transfer.id], status)
        )
    return shown


def _status(hold: TransferPendingStatus, captured: int, refunded: int) -> PaymentStatus:
    if hold is TransferPendingStatus.pending:
        return PaymentStatus.held
    if hold in (TransferPendingStatus.voided, TransferPendingStatus.expired):
        return PaymentStatus.canceled
    if refunded and refunded >= captured:
        return PaymentStatus.refunded
    if refunded:
        return PaymentStatus.partly_refunded
    return PaymentStatus.succeeded
