"""Payments across currencies and across partners are scored in the payment path
(docs/adr/0062), over real HTTP on loopback.

A CNY wallet paying a EUR shop with an FX quote is scored on what leaves the wallet, in its
currency (CNY 270.09 for EUR 34.90), before the quote is used or the record written: a block
leaves the quote open and the wallet whole; a challenge is answered by the same request with
the PIN; a review is a block (the payment is captured at once, it cannot be held); what was
paid counts in the wallet's history in its own currency, and a refund in the merchant's risk.
A wallet of one partner paying another partner's merchant in one currency takes the payment
path at home, scored there."""

from __future__ import annotations

import dataclasses

import httpx

from colony.api.context import ApiContext
from colony.credentials import CredentialService, SecretKind
from colony.risk import Channel, Decision, Reason, RiskCheck, RiskEvent
from colony.web.wallet_access import pin_subject
from tests.api.test_cross_border_api import (
    LI_WEI,
    Served,
    lapland_sqlite,
    onboard,
    open_wallet,
    qr,
    quote,
)
from tests.api.test_funding_api import post
from tests.api.test_partner_api import across_partners
from tests.api.test_wallet_api import auth
from tests.risk.test_challenge_api import PIN, _refused
from tests.risk.test_risk_api import Served as ServedAtHome
from tests.risk.test_risk_api import _rules

__all__ = ["lapland_sqlite"]  # the fixture, found by pytest here
MUG_EUR, MUG_CNY = 3_490, 27_009


@dataclasses.dataclass(frozen=True)
class Tourist:
    """Li Wei's CNY wallet with money, and Aurora Gifts (its key, its code for the mug)."""

    client: httpx.Client
    ctx: ApiContext
    li: dict[str, str]
    shop: dict[str, str]
    code: str
    check: RiskCheck


def _tourist(served: Served) -> Tourist:
    client, ctx, *_ = served
    li = open_wallet(client, LI_WEI, "CNY")
    assert ctx.wallets.cash_in(LI_WEI, "CNY", 100_000).result.name == "ok"
    shop = onboard(client, ctx)
    return Tourist(client, ctx, li, shop, qr(client, shop, MUG_EUR), ctx.service(RiskCheck))


def _buy_mug(
    client: httpx.Client, li: dict[str, str], code: str, key: str, pin: str | None = None
) -> tuple[httpx.Response, str]:
    mug = quote(client, li, "CNY", "EUR", MUG_EUR, f"q-{key}")
    body = {"payload": code, "quote_id": mug["id"]} | ({} if pin is None else {"pin": pin})
    return post(client, "/v1/payments", li, key, body), str(mug["id"])


def _cny(ctx: ApiContext) -> int:
    wallet = ctx.wallet_store.by_phone(LI_WEI, "CNY")
    assert wallet is not None
    return ctx.wallets.balances(wallet)[1]


def test_a_payment_across_currencies_is_scored_in_the_wallets_currency(
    lapland_sqlite: Served,
) -> None:
    t = _tourist(lapland_sqlite)
    client, ctx, li, code, check = t.client, t.ctx, t.li, t.code, t.check
    # USD 40: CNY 266.00 (CNY 270.09 is above it); EUR 36.00 (EUR 34.90 would not be).
    check.use_rules(_rules(Reason.amount_large, Decision.block, 40))
    start = _cny(ctx)
    refused, quote_id = _buy_mug(client, li, code, "blocked")
    assert _refused(refused, 402) == "risk_blocked"
    assert "amount_large" in refused.json()["error"]["message"]
    assert client.get(f"/v1/fx/quotes/{quote_id}", headers=li).json()["status"] == "open"
    assert _cny(ctx) == start
    assert check.store is not None
    (kept,) = check.store.recent()
    assert (kept.event.amount_minor, kept.event.currency) == (MUG_CNY, "CNY")
    check.use_rules(_rules(Reason.amount_large, Decision.block, 41))  # CNY 272.65
    paid, _ = _buy_mug(client, li, code, "paid")
    assert paid.status_code == 201, paid.text
    assert _cny(ctx) == start - MUG_CNY
    probe = RiskEvent(Channel.qr, kept.event.wallet_id, kept.event.payee, 1, "CNY", 0)
    seen = check.features.features(dataclasses.replace(probe, at_ns=ctx.clock.now_ns()))
    assert (seen.history_count, seen.history_sum_minor, seen.merchant_payments) == (
        1,
        MUG_CNY,
        1,
    )
    refund = post(
        client, f"/v1/payments/{paid.json()['id']}/refunds", t.shop, "re", {"amount_minor": 1_000}
    )
    assert refund.status_code == 201, refund.text
    seen = check.features.features(dataclasses.replace(probe, at_ns=ctx.clock.now_ns()))
    assert (seen.merchant_refunds, seen.wallet_refunds) == (1, 1)


def test_a_challenge_across_currencies_is_answered_with_the_pin(lapland_sqlite: Served) -> None:
    t = _tourist(lapland_sqlite)
    client, ctx, li, code, check = t.client, t.ctx, t.li, t.code, t.check
    credentials = ctx.service(CredentialService)
    assert credentials.set(pin_subject(LI_WEI), SecretKind.pin, PIN).name == "ok"
    check.use_rules(_rules(Reason.amount_large, Decision.challenge, 40))
    mug = quote(client, li, "CNY", "EUR", MUG_EUR, "q-mug")
    body = {"payload": code, "quote_id": mug["id"]}
    asked = post(client, "/v1/payments", li, "mug", body)
    assert _refused(asked, 402) == "risk_challenge_required"
    paid = post(client, "/v1/payments", li, "mug", body | {"pin": PIN})
    assert paid.status_code == 201, paid.text
    assert paid.json()["fx"]["wallet_amount"]["amount_minor"] == MUG_CNY
    assert post(client, "/v1/payments", li, "mug", body).json() == paid.json()  # replayed
    assert client.get(f"/v1/fx/quotes/{mug['id']}", headers=li).json()["status"] == "used"


def test_a_review_across_currencies_is_a_block(lapland_sqlite: Served) -> None:
    t = _tourist(lapland_sqlite)
    check = t.check
    check.use_rules(_rules(Reason.amount_large, Decision.review, 40))
    refused, _ = _buy_mug(t.client, t.li, t.code, "reviewed")
    assert _refused(refused, 402) == "risk_blocked"
    assert check.store is not None
    assert [k.assessment.decision for k in check.store.recent()] == [Decision.block]
    assert check.store.held(0) == []  # no review waits for money never held


def test_a_wallet_of_one_partner_paying_anothers_merchant_is_scored(
    served_at: ServedAtHome,
) -> None:
    client, ctx, _ = served_at
    across = across_partners(client, ctx)
    wallet, code = across.wallet, across.code
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.block, 15))
    body = {"payload": code, "amount_minor": 25_00}
    assert _refused(post(client, "/v1/payments", auth(wallet), "p1", body), 402) == "risk_blocked"
    small = post(client, "/v1/payments", auth(wallet), "p2", body | {"amount_minor": 10_00})
    assert small.status_code == 201, small.text
