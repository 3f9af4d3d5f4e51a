"""A review where the payment cannot be held is a block, decided before anything is
written: a credit-line purchase leaves no payment record, nothing drawn from the line and
nothing in the analysts' queue; a P2P transfer, the same (docs/adr/0055, 0060)."""

from __future__ import annotations

from colony.risk import Decision, Reason, RiskCheck
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import onboard
from tests.api.test_wallet_api import auth, open_wallet
from tests.risk.test_risk_api import _rules

PHONE, BOB = "+6591110001", "+6598765432"


def _line_opened(served: Served) -> dict[str, object]:
    """A wallet with four weeks of history and a credit line opened on its score."""
    client, ctx, clock = served
    wallet = open_wallet(client, PHONE)
    assert ctx.wallets.verify_identity(str(wallet["id"])).name == "ok"
    for _ in range(4):
        assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
        clock.advance(7 * 86_400)
    me = auth(wallet)
    assert post(client, "/v1/credit/consent", me, "c-1").status_code == 201
    opened = post(client, "/v1/wallets/me/credit_line", me, "l-1", {"due_day": 9})
    assert opened.status_code == 201, opened.text
    return wallet


def test_a_line_purchase_under_review_is_refused_and_leaves_nothing(served_at: Served) -> None:
    client, ctx, _ = served_at
    wallet = _line_opened(served_at)
    me = auth(wallet)
    merchant = ctx.merchants.by_id(str(onboard(client, ctx)["id"]))
    assert merchant is not None
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.review, 90))  # USD 90: SGD 115.20
    line = client.get("/v1/wallets/me/credit_line", headers=me).json()
    body = {
        "payload": ctx.payments.merchant_qr(merchant),
        "amount_minor": 120_00,
        "funding_source": "credit_line",
    }
    refused = post(client, "/v1/payments", me, "p-1", body)
    assert refused.status_code == 402, refused.text
    assert refused.json()["error"]["code"] == "risk_blocked"
    assert post(client, "/v1/payments", me, "p-1", body).json() == refused.json()  # replayed
    assert check.store is not None
    (kept,) = check.store.recent()
    assert (kept.assessment.decision, kept.assessment.reasons) == (
        Decision.block,
        (Reason.amount_large,),
    )
    assert ctx.payments.records is not None
    assert ctx.payments.records.by_id(kept.payment_id) is None  # no record of a payment
    assert check.store.held(0) == []  # nothing for an analyst to approve
    assert client.get("/v1/payments", headers=me).json()["data"] == []
    assert client.get("/v1/wallets/me/credit_line", headers=me).json() == line


def test_a_p2p_transfer_under_review_is_a_block_not_a_review(served_at: Served) -> None:
    client, ctx, _ = served_at
    alice = open_wallet(client, PHONE)
    bob = open_wallet(client, BOB)
    assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.review, 75))  # SGD 96.00
    sent = post(client, f"/v1/wallets/{alice['id']}/transfers", auth(alice), "t-1",
                {"to_phone": bob["phone"], "amount_minor": 10_000})  # fmt: skip
    assert sent.status_code == 402 and sent.json()["error"]["code"] == "risk_blocked"
    assert check.store is not None
    (kept,) = check.store.recent()
    assert kept.assessment.decision is Decision.block
    assert check.store.held(0) == []
