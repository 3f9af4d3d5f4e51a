"""A merchant suspended in the operator console (docs/adr/0114): a role that may, with a reason
the audit log keeps; its owners are texted; the merchant's portal says so on every screen; a
payer in the wallet app is told before anything is priced or paid; reinstated, everything is
as before."""

from __future__ import annotations

import html
import json
import re

import pytest

from colony.merchants import SuspensionResult
from colony.staff import AuditAction, Role, StaffService, merchant_pages
from colony.webhooks import Endpoint
from tests.api.test_wallet_api import OPERATOR, operator_headers
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.test_merchant_pages import OWNER, SHOP, Shop, shop, signed_in
from tests.web.test_pay_pages import _confirm, _reviewed
from tests.web.visitor import Visitor, signed_up, words

__all__ = ["shop"]
MEI = "+6581230077"


def _audited(shop: Shop) -> list[tuple[AuditAction, str, str]]:
    """The audit log's entries, newest first: what, to whom, why."""
    return [(e.action, e.target, e.reason) for e in shop.ctx.service(StaffService).audit(None, 50)]


def _texts_to(shop: Shop, phone: str) -> list[str]:
    """The texts in the outbox for `phone`, the newest first."""
    page = shop.api.get("/v1/sms_outbox", params={"phone": phone, "limit": 10}, headers=OPERATOR)
    assert page.status_code == 200, page.text
    return [str(message["text"]) for message in page.json()["data"]]


def test_a_risk_member_suspends_and_reinstates_a_merchant_with_a_reason(shop: Shop) -> None:
    ctx, merchant = shop.ctx, shop.merchant
    hooks = "https://hawker.example/hooks"
    ctx.webhook_store.set_endpoint(Endpoint(merchant.id, hooks, "whsec_01", 1, 0))
    staff = _signed_in(shop.api, shop.clock, _staff(ctx, Role.risk))
    shown = f"/console/merchants/{merchant.id}"
    page = words(staff.text(shown))
    assert "Status active" in page and "Suspend" in page

    blank = staff.post(f"{shown}/suspend", {"reason": "   "}, form_at=shown)
    assert blank.status_code == 400 and "Give a reason" in words(blank.text)
    for hidden in ("bad\x1bctl", "bad\x00", "bad\u202ectl"):  # kept for good: nothing hidden
        refused = staff.post(f"{shown}/suspend", {"reason": hidden}, form_at=shown)
        assert refused.status_code == 400 and "Give a reason" in words(refused.text)
    assert ctx.merchants.suspend(merchant.id, "two lines:\nfirst\tsecond") is (
        SuspensionResult.ok
    )  # tabs and line breaks are a person's text
    assert ctx.merchants.reinstate(merchant.id, "test") is SuspensionResult.ok
    assert not ctx.merchants.is_suspended(merchant.id)
    made = staff.post(f"{shown}/suspend", {"reason": "card testing at the till"}, form_at=shown)
    assert made.status_code == 303 and made.headers["location"].startswith(shown)
    page = words(staff.text(shown))
    assert "Status suspended" in page and "Why card testing at the till" in page
    assert "Reinstate" in page
    again = staff.post(f"{shown}/suspend", {"reason": "twice"}, form_at=shown)
    assert again.status_code == 409 and "suspended already" in words(again.text)

    texts = _texts_to(shop, OWNER)
    assert texts[0] == (
        "Colony: Hawker Chan is suspended and cannot take payments now. Refunds still reach"
        " your customers. Ask Colony's support why."
    )  # the owner hears of it at once; the staff's reason stays in the log
    lifted = staff.post(f"{shown}/reinstate", {"reason": "the bank cleared it"}, form_at=shown)
    assert lifted.status_code == 303
    assert not ctx.merchants.is_suspended(merchant.id)
    assert _texts_to(shop, OWNER)[:2] == ["Colony: Hawker Chan can take payments again.", texts[0]]
    # Its systems are told too, by its webhook endpoint: the status, not the staff's reason.
    events, _ = ctx.webhook_store.events(merchant.id, 10, None)
    told = [(e.type, json.loads(e.body)["data"]["object"]) for e in events]
    assert told == [
        ("merchant.reinstated", {"object": "merchant", "id": merchant.id, "status": "active"}),
        ("merchant.suspended", {"object": "merchant", "id": merchant.id, "status": "suspended"}),
    ]
    assert "Status active" in words(staff.text(shown))
    logged = [entry for entry in _audited(shop) if entry[1] == merchant.id]
    assert logged[:2] == [
        (AuditAction.merchant_reinstated, merchant.id, "the bank cleared it"),
        (AuditAction.merchant_suspended, merchant.id, "card testing at the till"),
    ]


def test_the_console_lists_the_suspended_merchants_newest_first(shop: Shop) -> None:
    ctx = shop.ctx
    staff = _signed_in(shop.api, shop.clock, _staff(ctx, Role.risk))
    listed = "/console/merchants?suspended=true"
    assert "No merchant is suspended." in words(staff.text(listed))
    other = shop.api.post(
        "/v1/merchants",
        json=SHOP | {"display_name": "Kopi Corner"},
        headers=operator_headers(ctx) | {"Idempotency-Key": "kopi"},
    ).json()["id"]
    assert ctx.merchants.suspend(other, "closed") is SuspensionResult.ok
    shop.clock.advance(60)
    assert ctx.merchants.suspend(shop.merchant.id, "chargebacks") is SuspensionResult.ok
    shown = words(staff.text(listed))
    assert shown.index("Hawker Chan") < shown.index("Kopi Corner")  # the newest first
    assert shown.count("suspended") >= 2
    assert ctx.merchants.reinstate(other, "reopened") is SuspensionResult.ok
    shown = words(staff.text(listed))
    assert "Hawker Chan" in shown and "Kopi Corner" not in shown
    everyone = words(staff.text("/console/merchants"))
    assert "Kopi Corner" in everyone and "Hawker Chan suspended" in everyone
    assert "Kopi Corner suspended" not in everyone


def _page(visitor: Visitor, path: str) -> str:
    got = visitor.get(path)
    assert got.status_code == 200, (path, got.text[:300])
    return got.text


def test_the_suspended_merchants_are_listed_a_page_at_a_time(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every suspended merchant is reached, once, newest first, ties by id, however many."""
    monkeypatch.setattr(merchant_pages, "merchants_page_rows", 2)
    ctx = shop.ctx
    staff = _signed_in(shop.api, shop.clock, _staff(ctx, Role.risk))
    names = ["Kopi Corner", "Roti Prata", "Nasi Lemak", "Teh Tarik"]
    ids = {}
    for name in names:
        ids[name] = shop.api.post(
            "/v1/merchants",
            json=SHOP | {"display_name": name},
            headers=operator_headers(ctx) | {"Idempotency-Key": name},
        ).json()["id"]
    for name in names[:2]:  # suspended at the same moment: their ids break the tie
        assert ctx.merchants.suspend(ids[name], "closed") is SuspensionResult.ok
    for name in names[2:]:
        shop.clock.advance(60)
        assert ctx.merchants.suspend(ids[name], "closed") is SuspensionResult.ok
    tied = sorted(names[:2], key=ids.__getitem__)
    expected = ["Teh Tarik", "Nasi Lemak", *tied]
    seen: list[str] = []
    pages = 0
    page = _page(staff, "/console/merchants?suspended=true")
    while True:
        pages += 1
        seen += re.findall(r'data-label="Name">([^<]+)', page)
        more = re.search(r'href="/console/merchants\?([^"]+)">More suspended merchants', page)
        if more is None:
            break
        page = _page(staff, "/console/merchants?" + html.unescape(more.group(1)))
    assert [name.strip() for name in seen] == expected
    assert pages == 2  # two full pages, and no "More" on the last of them
    past = staff.text(f"/console/merchants?suspended=true&after={ids[tied[-1]]}&at=1")
    assert "No more suspended merchants." in past
    half = staff.get(f"/console/merchants?suspended=true&after={ids['Teh Tarik']}")
    assert half.status_code == 400
    assert "asked for with both after and at" in words(half.text)
    bad = staff.get(f"/console/merchants?suspended=true&after={ids['Teh Tarik']}&at=soon")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "at: Input should be a valid integer" in words(bad.text)  # a page, not JSON
    maybe = staff.get("/console/merchants?suspended=maybe")
    assert maybe.status_code == 400 and "suspended: Input should be a valid boolean" in words(
        maybe.text
    )
    api = shop.api.get("/v1/sms_outbox", params={"phone": OWNER, "limit": "abc"}, headers=OPERATOR)
    assert api.status_code == 400 and api.json()["error"]["param"] == "limit"  # the API: JSON


def test_a_support_member_reads_the_page_but_is_refused_403_on_suspending(shop: Shop) -> None:
    staff = _signed_in(shop.api, shop.clock, _staff(shop.ctx, Role.support))
    shown = f"/console/merchants/{shop.merchant.id}"
    assert "Your role may not suspend or reinstate merchants" in words(staff.text(shown))
    refused = staff.post(f"{shown}/suspend", {"reason": "I think so"}, form_at=shown)
    assert refused.status_code == 403
    assert not shop.ctx.merchants.is_suspended(shop.merchant.id)


def test_the_portal_says_the_shop_is_suspended_on_every_screen(shop: Shop) -> None:
    owner = signed_in(shop)
    assert "suspended" not in words(owner.text("/merchant"))
    assert shop.ctx.merchants.suspend(shop.merchant.id, "court order 2026/7") is SuspensionResult.ok
    for path in ("/merchant", "/merchant/payments", "/merchant/charge"):
        shown = words(owner.text(path))
        assert "Colony has suspended this shop: it cannot take payments now." in shown, path
    assert "court order" not in words(owner.text("/merchant"))  # the reason is the staff's
    till = owner.get("/merchant/charge?amount=4.50")
    assert till.status_code == 409 and 'data-testid="payload"' not in till.text
    assert "No code is shown while Colony has suspended this shop." in words(till.text)
    assert owner.get("/merchant/charge.png?amount_minor=450").status_code == 409
    assert shop.ctx.merchants.reinstate(shop.merchant.id, "lifted") is SuspensionResult.ok
    assert "suspended" not in words(owner.text("/merchant"))
    assert 'data-testid="payload"' in owner.get("/merchant/charge?amount=4.50").text


def test_a_payer_is_told_before_paying_a_suspended_merchant_and_nothing_moves(
    shop: Shop,
) -> None:
    ctx = shop.ctx
    mei = Visitor(str(shop.api.base_url))
    shop.opened.append(mei)
    signed_up(mei, shop.api, MEI)
    assert ctx.wallets.cash_in(MEI, "SGD", 10_000).result.name == "ok"
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    payload = ctx.payments.merchant_qr(shop.merchant, 1_250)
    review = _reviewed(mei, payload)
    assert review.status_code == 200 and "Amount SGD 12.50" in words(review.text)
    assert ctx.merchants.suspend(shop.merchant.id, "fraud ring") is SuspensionResult.ok
    # Confirmed on a review shown before the suspension: refused, nothing paid.
    confirmed = _confirm(mei, review)
    assert confirmed.status_code == 400
    assert "This merchant cannot take payments now" in words(confirmed.text)
    # Scanned again: refused at the review.
    again = _reviewed(mei, payload)
    assert again.status_code == 400
    assert "This merchant cannot take payments now" in words(again.text)
    assert ctx.wallets.balances(wallet) == (10_001, 10_001)
