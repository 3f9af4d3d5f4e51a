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
    # The payment's transfer, read for one payment (its page, a refund); a list leaves out
    # those its refundable account answers for (`of_records`).
    transfer: Transfer | None
    captured_minor: int
    refunded_minor: int
    status: PaymentStatus

    @property
    def refundable_minor(self) -> int:
        return self.captured_minor - self.refunded_minor

    @property
    def ledger_transfer(self) -> Transfer:
        """The payment's transfer, as `received_one` reads it (a refund starts from it)."""
        if self.transfer is None:
            raise LookupError(f"payment {self.record.id} was listed: read it with received_one")
        return self.transfer


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
        shown += of_records(payments, ledger, batch)
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
    return _of_transfers(payments, ledger, [(record, found[0])])[0] if found else None


def of_records(
    payments: PaymentService, ledger: LedgerPort, records: list[PaymentRecord]
) -> list[ReceivedPayment]:
    """The records that are payments, as the merchant's screens show them, in their order.

    Money that reached the merchant is read from each payment's refundable account, which
    the payment's own chain credits with exactly what was paid or captured and each refund
    draws on (`PaymentService.settlement_legs`): accounts are all in memory, so one lookup
    answers for the batch. Only the other records (a hold, a hold released, or a payment
    the ledger refused, which is none) are looked up as transfers, whose old ones are on
    disk: a list or an export of thousands of payments reads no old transfer."""
    granted = payments.granted_of([r.id for r in records])
    rest = [r for r in records if r.id not in granted]
    transfers = {t.id: t for t in ledger.lookup_transfers([r.id for r in rest])} if rest else {}
    others = _of_transfers(
        payments, ledger, [(r, transfers[r.id]) for r in rest if r.id in transfers]
    )
    by_id = {p.record.id: p for p in others}
    shown = []
    for record in records:
        if record.id in granted:
            captured, refunded = granted[record.id]
            status = _status(TransferPendingStatus.none, captured, refunded)
            shown.append(ReceivedPayment(record, None, captured, refunded, status))
        elif record.id in by_id:
            shown.append(by_id[record.id])
    return shown


def _of_transfers(
    payments: PaymentService, ledger: LedgerPort, paid: list[tuple[PaymentRecord, Transfer]]
) -> list[ReceivedPayment]:
    """Each record with its transfer: the ledger asked once for the batch (what was
    refunded; what was captured of authorisations), and for a hold's fate only for
    authorisations."""
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
