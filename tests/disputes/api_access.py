"""Who may call complaints' and disputes' routes, for the attack on every route
(tests/api/test_access.py) and the scopes they need (tests/api/test_scopes.py).

A complaint is its wallet's and its merchant's: another wallet or merchant is answered 404.
The victim's complaint is the access test's victim wallet's (Alice's), about a shop made here;
the victim's dispute is of a payment Alice made there."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.disputes import ComplaintService, DisputeService
from tests.api.test_funding_api import ALICE

# A wallet's own: its token holds no scopes (tests/api/test_scopes.py).
WALLET_ROUTES = {
    ("POST", "/v1/complaints"),
    ("GET", "/v1/complaints"),
    ("GET", "/v1/complaints/{complaint_id}"),
    ("POST", "/v1/complaints/{complaint_id}/attachments"),
    ("POST", "/v1/complaints/{complaint_id}/escalations"),
}
# Spelled out, not imported: the scope's name is what operators' keys hold.
OPERATOR_ROUTES = {
    ("POST", "/v1/disputes"): "disputes:write",
    ("POST", "/v1/disputes/{dispute_id}/decision"): "disputes:write",
    ("POST", "/v1/complaints/{complaint_id}/goodwill_credits"): "goodwill:write",
}
# Spelled out, not imported: the scope's name is what merchants' keys hold.
MERCHANT_ROUTES = {
    ("GET", "/v1/merchants/me/complaints"): "complaints:read",
    ("GET", "/v1/merchants/me/complaints/{complaint_id}"): "complaints:read",
    ("POST", "/v1/merchants/me/complaints/{complaint_id}/answers"): "complaints:write",
    ("GET", "/v1/merchants/me/disputes"): "complaints:read",
    ("POST", "/v1/merchants/me/disputes/{dispute_id}/evidence"): "complaints:write",
}
BODIES: dict[str, object] = {
    "/v1/complaints": {"merchant": "mer_x", "category": "service", "text": "rude"},
    "/v1/complaints/{complaint_id}/attachments": {},
    "/v1/complaints/{complaint_id}/escalations": {"reason": "no answer"},
    "/v1/merchants/me/complaints/{complaint_id}/answers": {
        "action": "resolve",
        "message": "sorry",
        "refund_minor": 100,
    },
    "/v1/merchants/me/disputes/{dispute_id}/evidence": {"evidence": "a receipt"},
    "/v1/disputes": {"payment": "pay_x", "reason": "not received"},
    "/v1/disputes/{dispute_id}/decision": {"outcome": "lost", "note": "no evidence"},
    "/v1/complaints/{complaint_id}/goodwill_credits": {"amount_minor": 100, "reason": "sorry"},
}


def victims(client: httpx.Client, ctx: ApiContext, operator: dict[str, str]) -> dict[str, str]:
    """Alice's complaint about a shop she paid, and a dispute of that payment."""
    _, shop = ctx.merchants.onboard("Kopi Pte Ltd", "Kopi", "5814", "SG", "Singapore", "SGD", 100)
    alice = ctx.wallet_store.by_phone(ALICE, "SGD")
    assert shop is not None and alice is not None
    paid = ctx.payments.pay_by_qr(ALICE, "SGD", ctx.payments.merchant_qr(shop), 2_00)
    assert paid.payment_id is not None, paid.result
    _, complaint = ctx.service(ComplaintService).file(
        alice, "not_received", "No coffee", payment_id=paid.payment_id
    )
    _, dispute = ctx.service(DisputeService).open(paid.payment_id, "No coffee", "stf_victim")
    assert complaint is not None and dispute is not None
    return {"complaint_id": complaint.id, "dispute_id": dispute.id}
