"""Which ledger changes become which events: the expiry the clock makes, and what is ignored."""

from __future__ import annotations

import json

from colony.payments.service import PayResult
from colony.webhooks.events import event_id, events_for
from tests.payments.test_qr_payment import Shop
from tests.wallets.test_wallets import ALICE


def test_an_expired_authorisation_is_announced_as_canceled(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    auth = shop.payments.authorise(ALICE, "SGD", code, amount_minor=3_000, hold_s=60)
    assert auth.result is PayResult.ok and auth.payment_id is not None
    shop.world.clock.advance(61)
    assert shop.world.ledger.pulse() == 3
    lines = shop.world.ledger.statement(shop.merchant.account_id).lines
    events = events_for(shop.merchant, lines)
    assert [e.type for e in events] == ["payment.requires_capture", "payment.canceled"]
    canceled = json.loads(events[1].body)["data"]["object"]
    assert canceled["cancellation_reason"] == "expired"
    assert canceled["id"] == f"pay_{auth.payment_id:032x}"
    assert events[1].id == event_id(auth.payment_id, "payment.canceled")


def test_the_fee_is_not_news_and_ids_are_stable(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000)
    assert paid.result is PayResult.ok and paid.fee_minor == 15
    lines = shop.world.ledger.statement(shop.merchant.account_id).lines
    assert len(lines) == 2  # the payment in, the fee out
    first = events_for(shop.merchant, lines)
    assert [e.type for e in first] == ["payment.succeeded"]
    assert events_for(shop.merchant, lines) == first  # read again, the same event
