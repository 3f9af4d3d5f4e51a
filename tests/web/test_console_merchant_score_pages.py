"""A merchant's credit score in the operator console over real HTTP on loopback, without
script (docs/adr/0065): finance asks for it, the page shows the score with its reasons in
words and the earlier scores beneath; each score asked for is kept and written to the audit
log; support may read the page but not score."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.credit import CreditScores, Subject
from colony.disputes import ComplaintService
from colony.kernel.clock import ManualClock
from colony.staff import AuditAction, Role
from tests.web.test_console_ops_pages import PAYER, _actions, _paid, _shop
from tests.web.test_console_pages import _signed_in, _staff

Served = tuple[httpx.Client, ApiContext, ManualClock]


def test_finance_scores_a_merchant_and_reads_its_reasons(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    lunch = _paid(ctx, merchant, 50_00, "kopi-1")
    page = f"/console/merchants/{merchant.id}"
    finance = _signed_in(api, clock, _staff(ctx, Role.finance))
    assert "No score yet." in finance.text(page)
    scored = finance.post(f"{page}/score", {}, form_at=page)
    assert scored.status_code == 303, scored.text[:500]
    (first,) = ctx.service(CreditScores).history(Subject.merchant, merchant.id)
    shown = finance.text(page)
    assert f"Score {first.score}" in shown and "The shop is new on Colony." in shown

    wallet = ctx.wallet_store.by_phone(PAYER, "SGD")
    assert wallet is not None
    filed, _ = ctx.service(ComplaintService).file(
        wallet, "not_as_described", "Cold coffee", payment_id=lunch
    )
    assert filed.name == "ok"
    clock.advance(60)
    assert finance.post(f"{page}/score", {}, form_at=page).status_code == 303
    latest, earlier = ctx.service(CreditScores).history(Subject.merchant, merchant.id)
    assert latest.score < earlier.score  # one complaint over one sale costs points
    shown = finance.text(page)
    assert "People often complain about the shop." in shown and "Earlier scores" in shown
    assert _actions(ctx).count(AuditAction.merchant_scored) == 2


def test_support_reads_a_merchants_score_but_may_not_score(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    page = f"/console/merchants/{merchant.id}"
    support = _signed_in(api, clock, _staff(ctx, Role.support))
    assert "Credit score" in support.text(page) and "Score now" not in support.text(page)
    assert support.post(f"{page}/score", {}, form_at=page).status_code == 403
    assert ctx.service(CreditScores).history(Subject.merchant, merchant.id) == []
    assert AuditAction.merchant_scored not in _actions(ctx)
