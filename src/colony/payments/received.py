"""A merchant's payments as its own screens show them: each record the ledger holds, with
what was captured and refunded and its status, newest first, a page at a time; searched by
reference, amount and time. A record whose transfer the ledger does not hold is not a
payment (store.py) and is skipped."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.ledger import LedgerPort, Transfer, TransferPendingStatus
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
        shown += [
            of_record(payments, ledger, r, transfers[r.id]) for r in batch if r.id in transfers
        ]
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
    return of_record(payments, ledger, record, found[0]) if found else None


def of_record(
    payments: PaymentService, ledger: LedgerPort, record: PaymentRecord, transfer: Transfer
) -> ReceivedPayment:
    captured = payments.captured_minor(transfer)
    refunded = payments.refunded_minor(transfer.id)
    hold = ledger.pending_status(transfer.id) or TransferPendingStatus.none
    if hold is TransferPendingStatus.pending:
        status = PaymentStatus.held
    elif hold in (TransferPendingStatus.voided, TransferPendingStatus.expired):
        status = PaymentStatus.canceled
    elif refunded and refunded >= captured:
        status = PaymentStatus.refunded
    elif refunded:
        status = PaymentStatus.partly_refunded
    else:
        status = PaymentStatus.succeeded
    return ReceivedPayment(record, transfer, captured, refunded, status)
