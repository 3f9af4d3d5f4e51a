"""Complaints' and disputes' money for the chart's check (tests/chart/test_ledger_keeps_to_
the_chart.py): a goodwill credit meets the goodwill account and its transfer, a lost dispute
the chargeback."""

from __future__ import annotations

from colony.api.context import ApiContext
from colony.cli.demo_data import ALICE
from colony.disputes import ComplaintResult, ComplaintService, DisputeService, Outcomes


def move(ctx: ApiContext) -> None:
    _, shop = ctx.merchants.onboard(
        "Complaint Shop Pte Ltd", "Complaint Shop", "5999", "SG", "Singapore", "SGD", 100
    )
    alice = ctx.wallet_store.by_phone(ALICE.phone, "SGD")
    assert shop is not None and alice is not None
    paid = ctx.payments.pay_by_qr(ALICE.phone, "SGD", ctx.payments.merchant_qr(shop), 3_00)
    assert paid.result.name == "ok" and paid.payment_id is not None, paid.result
    result, complaint = ctx.service(ComplaintService).file(
        alice, "not_received", "It never came", payment_id=paid.payment_id
    )
    assert result is ComplaintResult.ok and complaint is not None
    outcomes = ctx.service(Outcomes)
    assert outcomes.goodwill(complaint, 50, "our delay", "stf_chart") is ComplaintResult.ok
    disputes = ctx.service(DisputeService)
    _, dispute = disputes.open(paid.payment_id, "not received", "stf_chart")
    assert dispute is not None
    _, dispute = disputes.submit_evidence(dispute, "mus_chart", "a receipt")
    result, _ = disputes.decide(dispute, False, "stf_chart", "no proof of delivery")
    assert result is ComplaintResult.ok, result
