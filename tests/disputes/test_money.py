"""Worked accounting examples, on each backend: a goodwill credit from the operator, and a
lost dispute charged back from a merchant whose balance was already paid out, recovered from
its next day's takings before anything more is paid out. Each ends in a trial balance and
the ledger's own verifier."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from colony.api.payment_views import checkout
from colony.chart import AccountCode, TransferCode, funding_partner_account_id
from colony.disputes import ComplaintResult, DisputeStatus, goodwill_account_id
from colony.kernel.clock import NS_PER_S
from colony.ledger.verify import verify
from colony.merchants import DAY_NS, PayoutResult, PayoutService, day_named
from tests.api.test_funding_api import _served_at
from tests.disputes.market import Market, market

R = ComplaintResult
served = contextmanager(_served_at)
DAY_1 = day_named("2026-01-01")
HOUR_NS = 3_600 * NS_PER_S


@contextmanager
def stall_market(url: str) -> Iterator[Market]:
    with served(url) as (_, ctx, clock):
        yield market(ctx, clock)


def trial_balance_holds(m: Market) -> None:
    accounts = list(m.ctx.ledger.all_accounts())
    assert sum(a.debits_posted for a in accounts) == sum(a.credits_posted for a in accounts)
    assert verify(*m.ctx.ledger.snapshot_for_verify()).ok


def test_a_goodwill_credit_moves_the_operators_money_to_the_wallet_once(store_url: str) -> None:
    with stall_market(store_url) as m:
        _, c = m.complaints.file(m.mei, "service", "Kept waiting", merchant_id=m.stall.id)
        assert c is not None
        assert m.balance(m.mei.account_id) == 500_01  # the opening coin and the cash-in
        assert m.outcomes.goodwill(c, 5_00, " ", "stf_1") is R.text_required
        assert m.outcomes.goodwill(c, 0, "sorry", "stf_1") is R.amount_must_be_positive
        assert m.outcomes.goodwill(c, 5_00, "our agent was rude", "stf_1") is R.ok
        assert m.outcomes.goodwill(c, 5_00, "our agent was rude", "stf_1") is R.ok  # a retry
        assert m.outcomes.goodwill(c, 7_00, "more", "stf_1") is R.id_reused_differently

        #                          Dr goodwill   Cr Mei's wallet
        goodwill = goodwill_account_id(m.mei.ledger)
        assert m.balance(goodwill) == -5_00
        assert m.balance(m.mei.account_id) == 505_01
        (g,) = m.ctx.ledger.lookup_accounts([goodwill])
        assert g.code == AccountCode.goodwill and g.credits_posted == 0
        transfers = [
            t for t in m.ctx.ledger.all_transfers() if t.code == TransferCode.goodwill_credit
        ]
        assert [(t.amount, t.user_data_128) for t in transfers] == [(5_00, c.number)]
        assert m.complaints.store.outcomes_of(c.id) == [
            ("goodwill", transfers[0].id, 5_00, "SGD", "our agent was rude")
        ]
        trial_balance_holds(m)


def test_a_goodwill_credit_keeps_to_the_wallets_balance_cap(store_url: str) -> None:
    with stall_market(store_url) as m:
        _, c = m.complaints.file(m.mei, "service", "x", merchant_id=m.stall.id)
        assert c is not None
        huge = 10**9
        assert m.outcomes.goodwill(c, huge, "too generous", "stf_1") is R.balance_cap_exceeded
        assert m.balance(goodwill_account_id(m.mei.ledger)) == 0
        trial_balance_holds(m)


def test_a_lost_dispute_is_charged_back_and_recovered_from_later_takings(store_url: str) -> None:
    with stall_market(store_url) as m:
        payouts = PayoutService(m.ctx.ledger, m.clock)
        bank = funding_partner_account_id("dbs", m.stall.ledger)
        m.clock.set_ns(DAY_1 + 9 * HOUR_NS)
        dinner = m.pay(m.mei, 100_00)  # the stall gets 98.50 after its 1.5% fee
        assert m.balance(m.stall.account_id) == 98_50
        m.clock.set_ns(DAY_1 + DAY_NS + 1 * HOUR_NS)
        assert payouts.pay_out(m.stall, DAY_1, "dbs").result is PayoutResult.ok
        assert (m.balance(m.stall.account_id), m.balance(bank)) == (0, 98_50)

        # Mei disputes the dinner; the stall sends its evidence; the operator finds for Mei.
        _, c = m.complaints.file(m.mei, "not_received", "Never served", payment_id=dinner)
        assert c is not None
        result, d = m.disputes.open(dinner, "Never served", "stf_1", complaint_id=c.id)
        assert result is R.ok and d is not None and d.amount_minor == 100_00
        assert m.disputes.open(dinner, "again", "stf_1")[0] is R.dispute_open_already
        assert m.disputes.decide(d, False, "stf_1", "too soon")[0] is R.not_allowed_now
        result, d = m.disputes.submit_evidence(d, "mus_1", "CCTV still of the table")
        assert result is R.ok and d.status is DisputeStatus.under_review
        assert m.disputes.submit_evidence(d, "mus_1", "more")[0] is R.evidence_already_submitted
        result, d = m.disputes.decide(d, False, "stf_1", "the still shows another table")
        assert result is R.ok and d.status is DisputeStatus.lost

        #          Dr the stall (below zero)  Cr Mei's wallet: the whole 100.00
        assert m.balance(m.stall.account_id) == -100_00
        assert m.balance(m.mei.account_id) == 500_01
        # The payment's refundable amount is used up: no refund can pay it back twice.
        assert m.ctx.payments.refund(dinner, 1, 1 << 126 | 99).result.name == (
            "refund_exceeds_payment"
        )
        history = [e.to_status for e in m.complaints.store.events_of(d.id)]
        assert history == ["needs_response", "under_review", "lost"]
        assert [o[0] for o in m.complaints.store.outcomes_of(d.id)] == ["chargeback"]

        # Day 2: nothing to pay out while the stall is below zero.
        m.clock.set_ns(DAY_1 + DAY_NS + 10 * HOUR_NS)
        m.pay(m.raj, 60_00)  # +59.10: still -40.90
        m.clock.set_ns(DAY_1 + 2 * DAY_NS + 1 * HOUR_NS)
        assert payouts.pay_out(m.stall, DAY_1 + DAY_NS, "dbs").result is (
            PayoutResult.nothing_to_pay
        )
        # Day 3's takings recover the rest; only what is over is paid out.
        m.clock.set_ns(DAY_1 + 2 * DAY_NS + 10 * HOUR_NS)
        m.pay(m.raj, 100_00)  # +98.50: 57.60
        m.clock.set_ns(DAY_1 + 3 * DAY_NS + 1 * HOUR_NS)
        made = payouts.pay_out(m.stall, DAY_1 + 2 * DAY_NS, "dbs")
        assert (made.result, made.amount_minor) == (PayoutResult.ok, 57_60)
        assert (m.balance(m.stall.account_id), m.balance(bank)) == (0, 98_50 + 57_60)
        trial_balance_holds(m)


def test_a_dispute_past_its_deadline_without_evidence_may_be_lost(store_url: str) -> None:
    with stall_market(store_url) as m:
        lunch = m.pay(m.mei, 20_00)
        _, d = m.disputes.open(lunch, "Charged twice", "stf_1", amount_minor=10_00)
        assert d is not None
        m.clock.set_ns(d.respond_by_ns)
        assert m.disputes.submit_evidence(d, "mus_1", "late")[0] is R.response_overdue
        result, d = m.disputes.decide(d, False, "stf_1", "no answer")
        assert result is R.ok and d.status is DisputeStatus.lost
        assert m.balance(m.stall.account_id) == 20_00 - 30 - 10_00
        trial_balance_holds(m)


def test_a_won_dispute_moves_nothing(store_url: str) -> None:
    with stall_market(store_url) as m:
        lunch = m.pay(m.mei, 20_00)
        _, d = m.disputes.open(lunch, "Not mine", "stf_1")
        assert d is not None
        _, d = m.disputes.submit_evidence(d, "mus_1", "Signed receipt")
        result, d = m.disputes.decide(d, True, "stf_1", "receipt matches")
        assert result is R.ok and d.status is DisputeStatus.won
        assert m.balance(m.stall.account_id) == 20_00 - 30
        assert m.disputes.decide(d, False, "stf_1", "changed my mind")[0] is R.not_allowed_now


def test_a_refund_by_the_merchant_goes_through_payments(store_url: str) -> None:
    with stall_market(store_url) as m:
        lunch = m.pay(m.mei, 20_00)
        _, c = m.complaints.file(m.mei, "charged_wrongly", "Charged 20 not 12", payment_id=lunch)
        _, about_merchant = m.complaints.file(m.mei, "service", "x", merchant_id=m.stall.id)
        assert c is not None and about_merchant is not None
        co = checkout(m.ctx)
        refund_id = 1 << 126 | 55
        assert m.outcomes.refund(about_merchant, co, 1, refund_id, "mus_1", "x")[0] is (
            R.no_payment_to_refund
        )
        assert m.outcomes.refund(c, co, 8_00, refund_id, "mus_1", "overcharged") == (R.ok, 8_00)
        assert m.outcomes.refund(c, co, 8_00, refund_id, "mus_1", "overcharged") == (R.ok, 8_00)
        assert m.outcomes.refund(c, co, 9_00, refund_id, "mus_1", "x")[0] is (
            R.id_reused_differently
        )
        assert m.outcomes.refund(c, co, 20_00, 1 << 126 | 56, "mus_1", "x")[0] is (
            R.refund_exceeds_payment
        )
        assert m.balance(m.mei.account_id) == 500_01 - 20_00 + 8_00
        trial_balance_holds(m)
