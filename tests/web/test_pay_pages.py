"""The wallet app's Pay screen over HTTP: a merchant's code pasted as a phone's scanner
would fill it, the review (merchant, city, amount; the FX quote across currencies), the
PIN above the no-PIN limit, the receipt; and every refusal moving nothing.

Rates (the operator's file, per EUR): SGD 1.45. The house's spread is the default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.payments.payment_code import password
from tests.api.test_cross_border_api import onboard, price_from, qr, serve
from tests.web.visitor import Visitor, signed_up, words

Market = tuple[httpx.Client, ApiContext, ManualClock, str, Path]
MEI = "+6581230001"
RATES = "date,currency,rate\n2026-12-14,SGD,1.45\n2026-12-14,CNY,7.7\n"


@pytest.fixture
def market(tmp_path: Path) -> Iterator[Market]:
    for served in serve(f"sqlite:///{tmp_path}/api.db", tmp_path):
        _client, ctx, clock, url, _ = served
        (tmp_path / "sgd.csv").write_text(RATES)
        price_from(ctx, url, clock, tmp_path / "sgd.csv")
        yield served


@pytest.fixture
def mei(market: Market) -> Iterator[Visitor]:
    client, ctx, _, _, _ = market
    visitor = Visitor(str(client.base_url))
    signed_up(visitor, client, MEI)
    assert ctx.wallets.cash_in(MEI, "SGD", 100_000).result.name == "ok"  # SGD 1,000.00
    yield visitor
    visitor.close()


def _balance(ctx: ApiContext) -> int:
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    return ctx.wallets.balance(wallet)


def _static(client: httpx.Client, shop: dict[str, str]) -> str:
    return str(client.get("/v1/merchants/me/qr_code", headers=shop).json()["payload"])


def _reviewed(mei: Visitor, payload: str, amount: str = "") -> httpx.Response:
    return mei.post("/app/pay", {"payload": payload, "amount": amount})


def _confirm(mei: Visitor, review: httpx.Response, **fields: str) -> httpx.Response:
    """Send the review's form as shown (every field it holds), with `fields` typed in."""
    shown = {}
    for tag in re.findall(r"<input[^>]*>", review.text):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            shown[name.group(1)] = unescape(value.group(1))
    return mei.client.post("/app/pay/confirm", data=shown | fields)


def test_pay_a_static_code_at_home_typing_the_amount(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    asked = _reviewed(mei, _static(client, shop))
    assert asked.status_code == 200
    assert "Aurora Gifts" in words(asked.text) and "Rovaniemi, FI" in words(asked.text)
    assert 'name="amount"' in asked.text  # a static code: the payer types the amount
    comma = _reviewed(mei, _static(client, shop), "12,50")  # a decimal comma: 12.50
    assert "Amount SGD 12.50" in words(comma.text)
    review = _reviewed(mei, _static(client, shop), "12.50")
    assert "Amount SGD 12.50" in words(review.text)
    assert "You pay" not in words(review.text) and 'name="pin"' not in review.text
    paid = _confirm(mei, review)
    assert paid.status_code == 303, words(paid.text)
    receipt = mei.text(paid.headers["location"])
    assert "Paid Aurora Gifts" in receipt and "−SGD 12.50" in receipt
    assert "Fee none: paying is free" in receipt
    assert _balance(ctx) == 100_001 - 1_250
    assert "Payment" in mei.text("/app")


def test_a_dynamic_code_fixes_the_amount_and_above_the_limit_asks_the_pin(
    market: Market, mei: Visitor
) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    review = _reviewed(mei, qr(client, shop, 40_000), "1.00")  # typed amounts are ignored
    assert "Amount SGD 400.00" in words(review.text)
    assert 'name="pin"' in review.text  # over the no-PIN limit (SGD 320.00)
    wrong = _confirm(mei, review, pin="000001")
    assert wrong.status_code == 400 and "That PIN is wrong" in words(wrong.text)
    assert _balance(ctx) == 100_001
    paid = _confirm(mei, review, pin="482915")
    assert paid.status_code == 303, words(paid.text)
    assert _balance(ctx) == 100_001 - 40_000


def test_pay_across_borders_with_a_quote_that_counts_down(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "EUR")
    review = _reviewed(mei, qr(client, shop, 3_490))
    said = words(review.text)
    assert "Amount 34,90 €" not in said and "Amount €34.90" in said
    found = re.search(r"You pay SGD (\d+\.\d\d)", said)
    assert found is not None, said
    wallet_amount = round(float(found.group(1)) * 100)  # the page's text, to compare only
    # SGD 34.90 x 1.45 = 50.605 at the mid rate; the spread makes it a little more.
    assert 5_061 <= wallet_amount <= 5_200
    assert "Rate 1 SGD = 0.68" in said and "This rate holds for 60 s." in said
    assert "Exchange margin 0.5% below the reference rate" in said  # the price, said
    assert 'data-seconds-left="60"' in review.text
    paid = _confirm(mei, review)
    assert paid.status_code == 303, words(paid.text)
    receipt = mei.text(paid.headers["location"])
    assert f"You paid SGD {wallet_amount // 100}.{wallet_amount % 100:02d}" in receipt
    assert "Amount €34.90" in receipt and "Quote fxq_" in receipt
    assert "Rate source" in receipt and "2026-12-14" in receipt
    assert "Exchange margin 0.5% below the reference rate" in receipt
    assert _balance(ctx) == 100_001 - wallet_amount
    # The wallet's line for it, in its own currency, opens the same receipt.
    home = mei.get("/app").text
    assert f'href="{paid.headers["location"]}"' in home


def test_an_expired_quote_pays_nothing_and_asks_for_a_new_review(
    market: Market, mei: Visitor
) -> None:
    client, ctx, clock, _, _ = market
    shop = onboard(client, ctx, "EUR")
    review = _reviewed(mei, qr(client, shop, 3_490))
    clock.advance(61)
    late = _confirm(mei, review)
    assert late.status_code == 400
    assert "The exchange rate expired" in words(late.text)
    assert _balance(ctx) == 100_001


def test_a_confirmation_sent_twice_pays_once(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    review = _reviewed(mei, qr(client, shop, 500))
    first, second = _confirm(mei, review), _confirm(mei, review)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _balance(ctx) == 100_001 - 500


def test_a_confirmation_past_the_payments_in_flight_pays_nothing_and_may_be_sent_again(
    market: Market, mei: Visitor
) -> None:
    """docs/adr/0108: the pay form takes a place among the payments in flight as the API's
    payments do; with none free the same review comes back, nothing paid, and the same
    confirmation sent again is the same payment."""
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    review = _reviewed(mei, qr(client, shop, 500))
    in_flight = ctx.payments_in_flight
    in_flight.in_flight_max = 1
    assert in_flight.enter()  # the one place, taken by a payment still being served
    busy = _confirm(mei, review)
    assert busy.status_code == 503
    assert "Colony is busy with many payments: nothing was paid" in words(busy.text)
    op = re.compile(r'name="op" value="([0-9a-f]+)"')
    assert op.findall(busy.text) == op.findall(review.text) != []  # the same payment's form
    assert _balance(ctx) == 100_001 and in_flight.turned_away == 1
    in_flight.leave()
    paid = _confirm(mei, busy)  # the form as it came back: the same payment
    assert paid.status_code == 303, words(paid.text)
    again = _confirm(mei, review)
    assert again.headers["location"] == paid.headers["location"]  # one payment, not two
    assert _balance(ctx) == 100_001 - 500
    assert in_flight.in_flight == 0  # each place given back


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("hello", "That is not a payment code"),
        ("", "That is not a payment code"),
        ("0" * 600, "That is not a payment code"),
        ("00\u00b2\u00b2abcd", "That is not a payment code"),  # digits int() refuses
    ],
)
def test_what_is_not_a_code_is_refused(
    market: Market, mei: Visitor, payload: str, message: str
) -> None:
    answer = _reviewed(mei, payload)
    assert answer.status_code == 400 and message in words(answer.text)


def test_a_tampered_code_is_refused_and_pays_nothing(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    code = qr(client, shop, 500)
    tampered = code.replace("5.00", "0.05")
    answer = _reviewed(mei, tampered)
    assert answer.status_code == 400 and "misread or changed" in words(answer.text)
    assert _balance(ctx) == 100_001


def test_more_than_the_wallet_holds_is_refused(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    review = _reviewed(mei, _static(client, shop), "1000.02")
    refused = _confirm(mei, review, pin="482915")
    assert refused.status_code == 400
    assert "Not enough money" in words(refused.text) or "today's limit" in words(refused.text)
    assert _balance(ctx) == 100_001


def test_another_wallets_receipt_is_not_found(market: Market, mei: Visitor) -> None:
    client, ctx, _, _, _ = market
    shop = onboard(client, ctx, "SGD")
    paid = _confirm(mei, _reviewed(mei, qr(client, shop, 500)))
    other = Visitor(str(client.base_url))
    signed_up(other, client, "+6581230002", pin="730194")
    assert other.get(paid.headers["location"]).status_code == 404
    assert other.get("/app/payments/nothex").status_code == 404
    other.close()


def test_a_phone_bound_from_the_app_makes_codes_the_till_accepts(
    market: Market, mei: Visitor
) -> None:
    client, ctx, clock, _, _ = market
    shop = onboard(client, ctx, "SGD")
    assert "Payment code" in mei.text("/app/code")
    assert "secret" not in mei.get("/app/code").text  # the page holds no key
    forged = mei.client.post("/app/code/device", data={"csrf": "00"})
    assert forged.status_code == 403
    bound = mei.post("/app/code/device", {}, form_at="/app/code")
    assert bound.status_code == 201 and bound.headers["cache-control"] == "no-store"
    device = bound.json()
    assert device["digits"] == 8 and device["period"] == 30 and len(device["secret"]) == 64
    step = clock.now_ns() // 1_000_000_000 // device["period"]
    code = (
        device["code_prefix"] + device["number"] + password(bytes.fromhex(device["secret"]), step)
    )
    charged = client.post("/v1/payments/code", json={"code": code, "amount_minor": 300},
                          headers=shop | {"Idempotency-Key": "till-1"})  # fmt: skip
    assert charged.status_code == 201, charged.text
    assert _balance(ctx) == 100_001 - 300
    stranger = Visitor(str(client.base_url))
    assert stranger.get("/app/code").headers["location"] == "/app/signin"
    stranger.close()
    # Lost: the phone is listed, and turned off from the app its codes are refused at once.
    listed = words(mei.text("/app/code"))
    assert f"Phone {device['number'][-4:]}, turned on" in listed
    action = f"/app/code/device/{device['number']}/revoke"
    assert mei.post(action, {}, form_at="/app/code").headers["location"] == "/app/code"
    assert "Phones that show your code" not in mei.text("/app/code")
    clock.advance(device["period"])
    later = clock.now_ns() // 1_000_000_000 // device["period"]
    code = (
        device["code_prefix"] + device["number"] + password(bytes.fromhex(device["secret"]), later)
    )
    refused = client.post("/v1/payments/code", json={"code": code, "amount_minor": 300},
                          headers=shop | {"Idempotency-Key": "till-2"})  # fmt: skip
    assert refused.status_code != 201 and refused.json()["error"]["code"] == "code_wrong", (
        refused.text
    )
    assert _balance(ctx) == 100_001 - 300
    # Once off, or another wallet's: nothing to turn off.
    assert mei.post(action, {}, form_at="/app/code").status_code == 404
    assert mei.post("/app/code/device/12/revoke", {}, form_at="/app/code").status_code == 404
