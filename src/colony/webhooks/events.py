"""Which changes to a merchant's ledger account are announced, and how they read.

The merchant's account statement is the feed: every payment, capture, void, expiry and refund
touches that account, in ledger order. A change becomes at most one event, with an id derived
from the change itself, so reading the same change twice makes the same event.
"""

from __future__ import annotations

import hashlib
import json

from colony.kernel.clock import NS_PER_S
from colony.ledger import StatementLine, Transfer, TransferFlags
from colony.merchants import Merchant
from colony.payments import TRANSFER_PAYMENT, TRANSFER_REFUND
from colony.webhooks.model import Event
from colony.webhooks.store import WebhookStore

# A merchant's own status changed by the operator (docs/adr/0114).
MERCHANT_SUSPENDED = "merchant.suspended"
MERCHANT_REINSTATED = "merchant.reinstated"
_PENDING = int(TransferFlags.pending)
_POST = int(TransferFlags.post_pending_transfer)
_VOID = int(TransferFlags.void_pending_transfer)


def payment_ref(transfer_id: int) -> str:
    return f"pay_{transfer_id:032x}"


def event_id(change_id: int, kind: str) -> str:
    digest = hashlib.sha256(f"{change_id}:{kind}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


def events_for(merchant: Merchant, lines: list[StatementLine]) -> list[Event]:
    """The events these statement lines of the merchant's account announce, in order."""
    events = []
    for line in lines:
        found = _describe(merchant, line)
        if found is None:
            continue
        kind, change_id, obj = found
        events.append(new_event(merchant.id, kind, change_id, obj, line.timestamp))
    return events


def new_event(
    merchant_id: str, kind: str, change_id: int, obj: dict[str, object], created_ns: int
) -> Event:
    """The event announcing `obj` to a merchant: its id derived from the change (a ledger
    transfer's id, or another product's record's), so announcing it twice makes one event.
    Other products announce their own records with it (`WebhookStore.add_events`)."""
    eid = event_id(change_id, kind)
    body = {
        "id": eid,
        "object": "event",
        "type": kind,
        "created": created_ns // NS_PER_S,
        "data": {"object": obj},
    }
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)
    return Event(eid, merchant_id, kind, text, created_ns)


def _describe(merchant: Merchant, line: StatementLine) -> tuple[str, int, dict[str, object]] | None:
    t: Transfer = line.transfer
    if t.credit_account_id != merchant.account_id and t.debit_account_id != merchant.account_id:
        return None
    if line.kind == "expiry":
        if t.code != TRANSFER_PAYMENT:
            return None
        payment = _payment(merchant, t.id, t.amount, "canceled")
        return "payment.canceled", t.id, payment | {"cancellation_reason": "expired"}
    if t.code == TRANSFER_REFUND:
        refund = {
            "id": f"re_{t.id:032x}",
            "object": "refund",
            "payment": payment_ref(t.user_data_128),
            "amount_minor": t.amount,
            "currency": merchant.currency,
            "merchant": merchant.id,
        }
        return "payment.refunded", t.id, refund
    if t.code != TRANSFER_PAYMENT or t.credit_account_id != merchant.account_id:
        return None  # the merchant's own fee, for one, is not news to announce
    if t.flags & _POST:
        return "payment.succeeded", t.id, _payment(merchant, t.pending_id, t.amount, "succeeded")
    if t.flags & _VOID:
        payment = _payment(merchant, t.pending_id, t.amount, "canceled")
        return "payment.canceled", t.id, payment | {"cancellation_reason": "voided"}
    if t.flags & _PENDING:
        return (
            "payment.requires_capture",
            t.id,
            _payment(merchant, t.id, t.amount, "requires_capture"),
        )
    return "payment.succeeded", t.id, _payment(merchant, t.id, t.amount, "succeeded")


def _payment(merchant: Merchant, payment_id: int, amount: int, status: str) -> dict[str, object]:
    return {
        "id": payment_ref(payment_id),
        "object": "payment",
        "status": status,
        "amount_minor": amount,
        "currency": merchant.currency,
        "merchant": merchant.id,
    }


def announce_status(store: WebhookStore, merchant: Merchant, suspended: bool, at_ns: int) -> None:
    """Tell the merchant's endpoint, if it has one, that the operator suspended it or
    reinstated it at `at_ns`: the event's id derives from the merchant and that moment, so
    announcing one change twice announces it once."""
    if store.endpoint(merchant.id) is None:
        return
    kind = MERCHANT_SUSPENDED if suspended else MERCHANT_REINSTATED
    digest = hashlib.sha256(f"{merchant.id}:{at_ns}".encode()).digest()
    obj: dict[str, object] = {
        "object": "merchant",
        "id": merchant.id,
        "status": "suspended" if suspended else "active",
    }
    event = new_event(merchant.id, kind, int.from_bytes(digest[:16], "big"), obj, at_ns)
    store.add_events(merchant.id, [event], 0)  # the watermark stays
