"""The operator console's merchants, payments, webhooks and settlement over real HTTP on
loopback, without script: onboarding a merchant and seeing it listed with its QR code, a
payment found and refunded in part on the merchant's behalf (once, however often the form is
sent), what a read-only member may not do, a day's settlement as CSV, and a failed webhook
delivery shown and tried again."""

from __future__ import annotations

import re

import httpx
import pytest

from colony.api.context import ApiContext
from colony.api.idempotency import transfer_id_for
from colony.kernel.clock import ManualClock, utc_from_ns
from colony.merchants import Merchant, MerchantUserService
from colony.partners import MemberKind
from colony.staff import AuditAction, Role, StaffService
from colony.staff.payment_pages import payments_page_rows
from colony.webhooks import Endpoint, WebhookDispatcher
from colony.webhooks.dispatcher import Answer, attempts_max, retry_cap_s
from colony.webhooks.model import EventStatus
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import visitor_for, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
PAYER = "+6581239101"
SHOP = {
    "legal_name": "Hawker Chan Pte Ltd", "display_name": "Hawker Chan", "mcc": "5812",
    "country": "sg", "city": "Singapore", "currency": "SGD", "discount_bps": "150",
}  # fmt: skip
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _actions(ctx: ApiContext) -> list[AuditAction]:
    return [e.action for e in reversed(ctx.service(StaffService).audit(None, 500))]


def _shop(ctx: ApiContext) -> Merchant:
    _, merchant = ctx.merchants.onboard(
        "Kopi Stall Pte Ltd", "Kopi Stall", "5814", "SG", "Singapore", "SGD", 200
    )
    assert merchant is not None
    return merchant


def _paid(ctx: ApiContext, merchant: Merchant, amount_minor: int, reference: str) -> int:
    if ctx.wallet_store.by_phone(PAYER, "SGD") is None:
        assert ctx.wallets.open_wallet(PAYER, "Mei Tan", "SGD")[0].name == "ok"
        assert ctx.wallets.cash_in(PAYER, "SGD", 100_000).result.name == "ok"
    pid = transfer_id_for("test", reference)
    payload = ctx.payments.merchant_qr(merchant)
    outcome = ctx.payments.pay_by_qr(PAYER, "SGD", payload, amount_minor, pid, reference=reference)
    assert outcome.result.name == "ok", outcome.result
    return pid


def test_onboard_a_merchant_see_it_listed_and_its_qr_code(served_at: Served) -> None:
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx))
    form = "/console/merchants/new"
    bad = staff.post(form, SHOP | {"mcc": "58"})
    assert bad.status_code == 400 and "The MCC is four digits" in words(bad.text)
    hidden = dict(_HIDDEN.findall(staff.get(form).text))
    made = staff.client.post(form, data=hidden | SHOP)
    assert made.status_code == 303, made.text[:500]
    page_path = made.headers["location"]
    merchant_id = page_path.rsplit("/", 1)[1]
    assert ctx.merchants.by_id(merchant_id) is not None
    again = staff.client.post(form, data=hidden | SHOP)  # the same form again: onboarded once
    assert again.headers.get("location") == page_path
    listed = staff.text("/console/merchants")
    assert merchant_id in listed and "Hawker Chan" in listed
    assert staff.get("/console/merchants?q=hawker").headers.get("location") is None
    assert merchant_id in staff.text("/console/merchants?q=hawker")
    by_id = staff.get(f"/console/merchants?q={merchant_id}")
    assert by_id.headers.get("location") == page_path
    page = staff.text(page_path)
    assert "Hawker Chan Pte Ltd" in page and "5812" in page and "No payments yet." in page
    qr = staff.get(f"{page_path}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert f'src="{page_path}/qr.svg"' in staff.get(page_path).text
    assert _actions(ctx).count(AuditAction.merchant_onboarded) == 1


@pytest.mark.parametrize("typed", ["\u00b2", "\u0663", "9" * 5_000, "10001", "-1", ""])
def test_a_discount_that_is_no_number_in_range_is_refused_on_the_form(
    served_at: Served, typed: str
) -> None:
    """Other scripts' digits pass str.isdigit() and 5,000 digits pass int()'s limit no more:
    the form again naming the range, a 400, never a 500, and no merchant made."""
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx))
    bad = staff.post("/console/merchants/new", SHOP | {"discount_bps": typed})
    assert bad.status_code == 400, bad.text[:300]
    assert "The discount is from 0 to 10000 basis points." in words(bad.text)
    assert ctx.merchants.page(None, 10) == []


def test_onboarding_is_refused_403_to_support_and_nothing_is_made(served_at: Served) -> None:
    api, ctx, clock = served_at
    support = _signed_in(api, clock, _staff(ctx, Role.support))
    assert support.get("/console/merchants/new").status_code == 403
    assert "Onboard a merchant" not in support.text("/console/merchants")
    hidden = dict(_HIDDEN.findall(support.get("/console/merchants").text))
    refused = support.client.post("/console/merchants/new", data=hidden | SHOP | {"op": "cd" * 16})
    assert refused.status_code == 403
    assert ctx.merchants.page(None, 10) == []
    assert AuditAction.merchant_onboarded not in _actions(ctx)


OPS_PAGES = [
    "/console/merchants", "/console/merchants/new", "/console/partners", "/console/payments",
    f"/console/payments/pay_{'0' * 32}", "/console/webhooks", "/console/settlement",
    "/console/settlement/2026-12-01.csv", f"/console/merchants/mer_{'0' * 32}/qr.svg",
]  # fmt: skip


@pytest.mark.parametrize("path", OPS_PAGES)
def test_a_stranger_is_sent_to_sign_in(served_at: Served, path: str) -> None:
    answer = visitor_for(served_at[0]).get(path)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/console/signin")


def test_a_payment_found_and_refunded_in_part_with_a_reason_once(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    pid = _paid(ctx, merchant, 2_500, "order-17")
    ref = f"pay_{pid:032x}"
    wallet = ctx.wallet_store.by_phone(PAYER, "SGD")
    assert wallet is not None
    staff = _signed_in(api, clock, _staff(ctx, Role.finance))
    assert staff.get(f"/console/payments?q={ref}").headers.get("location") == (
        f"/console/payments/{ref}"
    )
    listed = staff.text(f"/console/payments?q={merchant.id}&reference=order-17")
    assert ref in listed and "SGD 25.00" in listed
    assert ref in staff.text(f"/console/payments?q={wallet.id}")
    assert ref in staff.text(f"/console/merchants/{merchant.id}")

    before_wallet = ctx.wallets.balance(wallet)
    (before_merchant,) = ctx.ledger.lookup_accounts([merchant.account_id])
    page = f"/console/payments/{ref}"
    blank = staff.post(f"{page}/refund", {"amount": "10.00", "reason": " "}, form_at=page)
    assert blank.status_code == 400 and "Say why you refund" in words(blank.text)
    hidden = dict(_HIDDEN.findall(staff.get(page).text))
    fields = hidden | {"amount": "10.00", "reason": "cold noodles, customer called"}
    first = staff.client.post(f"{page}/refund", data=fields)
    assert first.headers.get("location") == page, first.text[:500]
    second = staff.client.post(f"{page}/refund", data=fields)  # the same form again
    assert second.headers.get("location") == page

    assert ctx.wallets.balance(wallet) == before_wallet + 1_000
    (after_merchant,) = ctx.ledger.lookup_accounts([merchant.account_id])
    assert after_merchant.debits_posted - before_merchant.debits_posted == 1_000
    shown = staff.text(page)
    assert "Refunded SGD 10.00" in shown and "cold noodles, customer called" in shown
    assert "cold noodles, customer called · finance person" in shown  # who, by name
    assert "Partly refunded" in shown
    kept = ctx.service(MerchantUserService).reasons_of(pid)
    assert [(k.user_id.startswith("stf_"), k.amount_minor) for k in kept] == [(True, 1_000)]
    entries = [e for e in ctx.service(StaffService).audit(None, 50)]
    refunds = [e for e in entries if e.action is AuditAction.payment_refunded]
    assert len(refunds) == 1 and refunds[0].target == ref
    assert refunds[0].reason == "cold noodles, customer called"
    assert refunds[0].detail["amount_minor"] == 1_000


def test_a_read_only_member_is_refused_403_on_refunding_and_nothing_moves(
    served_at: Served,
) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    ref = f"pay_{_paid(ctx, merchant, 2_500, 'order-18'):032x}"
    wallet = ctx.wallet_store.by_phone(PAYER, "SGD")
    assert wallet is not None
    reader = _signed_in(api, clock, _staff(ctx, Role.read_only))
    page = f"/console/payments/{ref}"
    assert "Your role may not refund payments." in reader.text(page)
    before, actions = ctx.wallets.balance(wallet), _actions(ctx)
    hidden = dict(_HIDDEN.findall(reader.get(page).text))
    refused = reader.client.post(
        f"{page}/refund", data=hidden | {"op": "ab" * 16, "amount": "5.00", "reason": "x"}
    )
    assert refused.status_code == 403
    assert "Your role (Read only) may not do this. Nothing was changed." in words(refused.text)
    assert ctx.wallets.balance(wallet) == before and _actions(ctx) == actions


def test_the_settlement_csv_for_a_day_has_the_payment(served_at: Served) -> None:
    api, ctx, clock = served_at
    assert ctx.partners is not None
    _, partner = ctx.partners.create("Lion Wallet Pte Ltd", "LionPay", "SG", "SGD")
    assert partner is not None
    merchant = _shop(ctx)
    assert ctx.wallets.open_wallet(PAYER, "Mei Tan", "SGD")[0].name == "ok"
    assert ctx.wallets.cash_in(PAYER, "SGD", 100_000).result.name == "ok"
    wallet = ctx.wallet_store.by_phone(PAYER, "SGD")
    assert wallet is not None
    ctx.partners.enrol(MemberKind.wallet, wallet.id, partner.id)
    _paid(ctx, merchant, 4_321, "order-19")
    today = utc_from_ns(clock.now_ns()).strftime("%Y-%m-%d")
    staff = _signed_in(api, clock, _staff(ctx, Role.finance))
    shown = staff.text(f"/console/settlement?day={today}")
    assert partner.id in shown and "SGD 43.21" in shown and "Provisional" in shown
    assert staff.get("/console/settlement").status_code == 200  # yesterday's, by default
    assert staff.get("/console/settlement?day=tomorrow").status_code == 400
    answer = staff.get(f"/console/settlement/{today}.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = [line.split(",") for line in answer.text.splitlines()]
    assert rows[0][:3] == ["window", "partner_id", "currency"]
    issued = next(r for r in rows if r[1] == partner.id)
    header = rows[0]
    assert issued[header.index("payments_issued")] == "1"
    assert issued[header.index("gross_issued_minor")] == "4321"


def test_a_failed_webhook_delivery_shown_and_retried(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    endpoint = Endpoint(merchant.id, "https://example.com/hook", "whsec_" + "ab" * 16, 0, 0)
    ctx.webhook_store.set_endpoint(endpoint)
    _paid(ctx, merchant, 1_200, "order-20")
    answers = [Answer(500)]

    def send(url: str, body: bytes, headers: dict[str, str]) -> Answer:
        return answers[-1]

    relay = WebhookDispatcher(ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, clock, send)
    assert relay.collect() == 1
    for _ in range(attempts_max):
        relay.deliver_due()
        clock.advance(retry_cap_s)
    (event,), _ = ctx.webhook_store.events(merchant.id, 10, None)
    assert event.status is EventStatus.failed

    reader = _signed_in(api, clock, _staff(ctx, Role.read_only))
    log = f"/console/webhooks?merchant={merchant.id}"
    shown = reader.text(log)
    assert event.id in shown and "failed" in shown and "endpoint answered 500" in shown
    assert f"/console/webhooks/{event.id}/retry" not in reader.get(log).text
    hidden = dict(_HIDDEN.findall(reader.get(log).text))
    refused = reader.client.post(f"/console/webhooks/{event.id}/retry", data=hidden)
    assert refused.status_code == 403
    assert ctx.webhook_store.event(event.id) == event  # still failed, not due again
    support = _signed_in(api, clock, _staff(ctx, Role.support))
    retried = support.post(f"/console/webhooks/{event.id}/retry", {}, form_at=log)
    assert retried.headers.get("location") == log
    assert ctx.webhook_store.event(event.id).status is EventStatus.pending  # type: ignore[union-attr]
    answers.append(Answer(200))
    assert relay.deliver_due() == 1
    assert "delivered" in support.text(log)
    assert _actions(ctx).count(AuditAction.webhook_retried) == 1


def test_a_merchants_payments_page_newest_first(served_at: Served) -> None:
    api, ctx, clock = served_at
    merchant = _shop(ctx)
    for n in range(payments_page_rows + 1):
        clock.advance(1)
        _paid(ctx, merchant, 100 + n, f"order {n:02d}&more")
    staff = _signed_in(api, clock, _staff(ctx, Role.read_only))
    first = staff.get(f"/console/merchants/{merchant.id}")
    assert f'href="/console/payments?merchant={merchant.id}"' in first.text
    listed = staff.get(f"/console/payments?merchant={merchant.id}")
    assert "order 25&amp;more" in listed.text and "order 00&amp;more" not in listed.text
    link = listed.text.split('href="/console/payments?q=')[1].split('"')[0].replace("&amp;", "&")
    older = staff.text(f"/console/payments?q={link}")
    assert "order 00&more" in older and "order 01&more" not in older
    found = staff.text(f"/console/payments?q={merchant.id}&reference=order+07%26more")
    assert "SGD 1.07" in found and "SGD 1.08" not in found
