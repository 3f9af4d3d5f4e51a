"""Complaints reach a shop's credit score (docs/adr/0065), on each backend: counted per sale
over the score's own window, as `colony serve` wires them; a complaint older than the window
no longer counts, and one about the shop itself counts as one about a payment does."""

from __future__ import annotations

from colony.credit import CreditScores
from colony.credit.account_history import window_days
from colony.kernel.clock import NS_PER_S
from tests.credit.scorecards import hand_model
from tests.disputes.test_complaints import stall_market

DAY_NS = 86_400 * NS_PER_S


def test_complaints_per_sale_cost_the_shop_points_inside_the_window(store_url: str) -> None:
    with stall_market(store_url) as m:
        scores = m.ctx.service(CreditScores)
        # Up to one complaint a sale: 300 points; more: 100; nobody counting: 200.
        scores.model = hand_model(merchant={"complaints_per_sale": (300, 100, 200)})
        lunch = m.pay(m.mei, 12_00)
        m.pay(m.raj, 8_00)
        m.clock.advance(3_600)
        clean = scores.score_merchant(m.stall)
        assert "M07" not in [r.code for r in clean.reasons]

        filed = [
            m.complaints.file(m.mei, "not_as_described", "Cold noodles", payment_id=lunch),
            m.complaints.file(m.raj, "service", "Rude staff", merchant_id=m.stall.id),
            m.complaints.file(m.mei, "service", "Rude again", merchant_id=m.stall.id),
        ]
        assert all(result.name == "ok" for result, _ in filed)
        m.clock.advance(3_600)
        complained = scores.score_merchant(m.stall)  # 3 complaints over 2 sales: 1.5 a sale
        assert complained.score == clean.score - 200
        assert complained.reasons[0].code == "M07"

        # Past the window, the old sales and complaints are out of it; new sales, none.
        m.clock.advance(ns=(window_days + 1) * DAY_NS)
        m.pay(m.mei, 5_00)
        m.clock.advance(3_600)
        assert scores.score_merchant(m.stall).score == clean.score

        scores.merchant_complaints = None  # a server that counts no complaints
        unknown = scores.score_merchant(m.stall)
        assert unknown.score == clean.score - 100 and unknown.reasons[0].code == "M07"
