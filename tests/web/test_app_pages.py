"""The wallet app over real HTTP on loopback, without script: sign-up and sign-in with a
texted code and a PIN, home, top-up confirmed by the bank, sending money, receipts, and what
guards it (CSRF, sessions, headers, the PIN's lock)."""

from __future__ import annotations

import re

import httpx
import pytest

from colony.api.context import ApiContext
from colony.credentials import attempts_max
from colony.kernel.clock import ManualClock
from colony.phones import PhoneProofService
from colony.wallets import WalletResult
from colony.wallets.requests import requests_to_one_payer_max, requests_window_s
from colony.web.guard import CONTENT_SECURITY_POLICY
from colony.web.shell import local_path
from tests.api.test_wallet_api import OPERATOR
from tests.web.visitor import Visitor, code_sent_to, signed_up, visitor_for, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
MEI = "+6581230001"
ALI = "+6581230002"


_visitor = visitor_for


def _balance(ctx: ApiContext, phone: str) -> int:
    wallet = ctx.wallet_store.by_phone(phone, "SGD")
    assert wallet is not None
    return ctx.wallets.balance(wallet)


def test_sign_up_with_a_code_and_a_pin_opens_a_wallet_for_one_coin(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _visitor(api)
    signed_up(mei, api, MEI)
    home = mei.text("/app")
    assert "Balance SGD 0.01" in home  # the coin it cost
    assert "Mei Tan · +6581230001" in home
    assert "Tier: Phone only" in home
    assert "Spent today SGD 0.00 / SGD 500.00" in home
    assert "Wallet opened" in home
    assert _balance(ctx, MEI) == 1
    # Cash paid in later at an agent is a cash-in, not the wallet opening again.
    assert ctx.wallets.cash_in(MEI, "SGD", 65_000).result is WalletResult.ok
    home = mei.text("/app")
    assert home.count("Wallet opened") == 1
    assert re.search(r"Cash in [^+]* \+SGD 650\.00", home), home


def test_a_number_typed_with_spaces_is_the_same_number(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    assert mei.post("/app/signin", {"phone": "+65 8123-0001"}).status_code == 303
    assert mei.post("/app/signin/code", {"code": code_sent_to(api, MEI)}).status_code == 303


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("81230001", "Type the number with its country code"),
        ("+65 abc", "Type the number with its country code"),
        ("", "Type the number with its country code"),
    ],
)
def test_a_malformed_number_is_refused_with_what_to_type(
    served_at: Served, typed: str, message: str
) -> None:
    api, _, _ = served_at
    answer = _visitor(api).post("/app/signin", {"phone": typed})
    assert answer.status_code == 400
    assert message in words(answer.text)
    assert 'aria-invalid="true"' in answer.text


def test_a_wrong_code_is_refused_and_the_right_one_then_works(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    mei.post("/app/signin", {"phone": MEI})
    code = code_sent_to(api, MEI)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = mei.post("/app/signin/code", {"code": wrong})
    assert refused.status_code == 400
    assert "That code is wrong" in words(refused.text)
    assert mei.post("/app/signin/code", {"code": code}).headers["location"] == "/app/signup"


@pytest.mark.parametrize(
    "name",
    ["Ann\u202eevil", "Ann\u2066evil", "Ann\x1bevil", "Ann\x00", "   ", "A" * 101],
)
def test_a_name_that_reorders_what_people_read_opens_no_wallet(
    served_at: Served, name: str
) -> None:
    """A name is shown beside money: a right-to-left override showed the wallet's number
    reversed on its home screen. The form refuses what the API does."""
    api, ctx, _ = served_at
    mei = _visitor(api)
    mei.post("/app/signin", {"phone": MEI})
    mei.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    refused = mei.post("/app/signup", {"name": name, "currency": "SGD"})
    assert refused.status_code == 400
    assert "Type your name (up to 100 characters)." in words(refused.text)
    assert ctx.wallets.refusal_to_open(MEI, name, "SGD") is WalletResult.invalid_name
    opened = mei.post("/app/signup", {"name": "Ann \u0645\u0631\u064a\u0645", "currency": "SGD"})
    assert opened.status_code == 303  # right-to-left letters carry their own direction


def test_a_weak_or_mistyped_pin_is_refused_before_any_is_set(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    mei.post("/app/signin", {"phone": MEI})
    mei.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    mei.post("/app/signup", {"name": "Mei Tan", "currency": "SGD"})
    weak = mei.post("/app/pin/new", {"pin": "123456", "pin_again": "123456"})
    assert weak.status_code == 400 and "too easy to guess" in words(weak.text)
    differ = mei.post("/app/pin/new", {"pin": "482915", "pin_again": "482916"})
    assert differ.status_code == 400 and "The two PINs differ" in words(differ.text)
    short = mei.post("/app/pin/new", {"pin": "4829", "pin_again": "4829"})
    assert short.status_code == 400 and "A PIN is six digits" in words(short.text)
    assert mei.get("/app").headers["location"] == "/app/signin"  # not signed in yet


def test_signing_in_again_asks_the_code_then_the_pin(served_at: Served) -> None:
    api, _, _ = served_at
    signed_up(_visitor(api), api, MEI)
    again = _visitor(api)
    again.post("/app/signin", {"phone": MEI})
    proved = again.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    assert proved.headers["location"] == "/app/signin/pin"
    # A texted code alone never replaces a PIN that is set.
    replaced = again.post(
        "/app/pin/new", {"pin": "730194", "pin_again": "730194"}, form_at="/app/signin/pin"
    )
    assert replaced.headers["location"] == "/app/signin/pin"
    assert again.post("/app/signin/pin", {"pin": "482915"}).headers["location"] == "/app"
    assert "Balance" in again.text("/app")


def test_wrong_pins_lock_sign_in_for_fifteen_minutes(served_at: Served) -> None:
    api, _, clock = served_at
    signed_up(_visitor(api), api, MEI)
    again = _visitor(api)
    again.post("/app/signin", {"phone": MEI})
    again.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    said = [words(again.post("/app/signin/pin", {"pin": "000001"}).text)
            for _ in range(attempts_max)]  # fmt: skip
    assert "4 tries left" in said[0]
    assert "Too many wrong PINs: try again in 15 min." in said[-1]
    locked = again.post("/app/signin/pin", {"pin": "482915"})
    assert locked.status_code == 400 and "Too many wrong PINs" in words(locked.text)
    clock.advance(15 * 60)
    # The session of the steps before sign-in has expired meanwhile: start again.
    again.post("/app/signin", {"phone": MEI})
    again.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    assert again.post("/app/signin/pin", {"pin": "482915"}).headers["location"] == "/app"


def test_top_up_waits_for_the_bank_then_shows_in_the_balance(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _visitor(api)
    signed_up(mei, api, MEI)
    asked = mei.post("/app/topup", {"partner": "dbs", "amount": "50.00"})
    assert asked.status_code == 303
    receipt = mei.text(asked.headers["location"])
    assert "Top-up" in receipt and "+SGD 50.00" in receipt and "Waiting for the bank" in receipt
    movement = re.search(r"tu_[0-9a-f]{32}", receipt)
    assert movement is not None
    assert _balance(ctx, MEI) == 1  # held, not yet posted
    confirmed = api.post(
        f"/v1/top_ups/{movement.group()}/confirm",
        headers=OPERATOR | {"Idempotency-Key": "confirm-1"},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "Done" in mei.text(asked.headers["location"])
    assert "Balance SGD 50.01" in mei.text("/app")
    comma = mei.post("/app/topup", {"partner": "dbs", "amount": "12,50"})  # a decimal comma
    assert "+SGD 12.50" in mei.text(comma.headers["location"])
    # Past what the wallet's tier holds: Colony's limit, said as such.
    capped = mei.post("/app/topup", {"partner": "dbs", "amount": "3000"})
    assert capped.status_code == 400
    assert "Your wallet cannot hold that much: verify your identity." in words(capped.text)
    assert "The bank refused it" not in words(capped.text)


def _funded(api: httpx.Client, ctx: ApiContext, visitor: Visitor, amount: str) -> None:
    asked = visitor.post("/app/topup", {"partner": "dbs", "amount": amount})
    movement = re.search(r"tu_[0-9a-f]{32}", visitor.text(asked.headers["location"]))
    assert movement is not None
    confirmed = api.post(f"/v1/top_ups/{movement.group()}/confirm",
                         headers=OPERATOR | {"Idempotency-Key": movement.group()})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text


def _mei_funded_and_ali(api: httpx.Client, ctx: ApiContext) -> Visitor:
    """Mei with SGD 40.01 and Ali with his coin, both signed up; Mei's visitor."""
    mei = _visitor(api)
    signed_up(mei, api, MEI)
    signed_up(_visitor(api), api, ALI, name="Ali Rahman", pin="730194")
    _funded(api, ctx, mei, "40")
    return mei


def test_send_money_by_phone_number_with_the_pin(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei, ali = _visitor(api), _visitor(api)
    signed_up(mei, api, MEI)
    signed_up(ali, api, ALI, name="Ali Rahman", pin="730194")
    _funded(api, ctx, mei, "40")
    sent = mei.post("/app/send", {"to_phone": "+65 8123 0002", "amount": "12.50", "pin": "482915"})
    assert sent.status_code == 303, words(sent.text)
    receipt = mei.text(sent.headers["location"])
    assert "Money sent" in receipt and "−SGD 12.50" in receipt
    assert "Fee none: paying is free" in receipt
    assert _balance(ctx, MEI) == 4_001 - 1_250
    assert _balance(ctx, ALI) == 1 + 1_250
    assert "Money received" in ali.text("/app") and "+SGD 12.50" in ali.text("/app")
    assert "Spent today SGD 12.50 / SGD 500.00" in mei.text("/app")


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"to_phone": ALI, "amount": "12.50", "pin": "000001"}, 400, "That PIN is wrong"),
        ({"to_phone": ALI, "amount": "0", "pin": "482915"}, 400, "Type an amount above zero"),
        ({"to_phone": ALI, "amount": "-3", "pin": "482915"}, 400, "Type an amount above zero"),
        ({"to_phone": ALI, "amount": "1.234", "pin": "482915"}, 400, "Type an amount above zero"),
        ({"to_phone": ALI, "amount": "lots", "pin": "482915"}, 400, "Type an amount above zero"),
        ({"to_phone": ALI, "amount": "41", "pin": "482915"}, 400, "Not enough money"),
        ({"to_phone": "+6581239999", "amount": "1", "pin": "482915"}, 400, "Nobody with that"),
        ({"to_phone": MEI, "amount": "1", "pin": "482915"}, 400, "That is your own number"),
        ({"to_phone": "garbage", "amount": "1", "pin": "482915"}, 400, "with its country code"),
        ({"to_phone": "", "amount": "1", "pin": "482915"}, 400, "with its country code"),
        (
            {"to_phone": ALI, "amount": "99999999999999999999999", "pin": "482915"},
            400,
            "Type an amount above zero",
        ),  # past what storage holds: said, not failed deeper
    ],
)
def test_a_send_that_cannot_be_done_moves_nothing_and_says_why(
    served_at: Served, fields: dict[str, str], status: int, message: str
) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)
    answer = mei.post("/app/send", fields)
    assert answer.status_code == status
    assert message in words(answer.text)
    assert _balance(ctx, MEI) == 4_001 and _balance(ctx, ALI) == 1


def test_a_form_sent_twice_moves_the_money_once(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)
    shown = mei.get("/app/send").text
    hidden = dict(re.findall(r'name="(csrf|op)" value="([0-9a-f]+)"', shown))
    fields = hidden | {"to_phone": ALI, "amount": "5", "pin": "482915"}
    first = mei.client.post("/app/send", data=fields)
    second = mei.client.post("/app/send", data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _balance(ctx, ALI) == 501


def test_a_forged_form_is_refused_and_moves_nothing(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)
    op = re.search(r'name="op" value="([0-9a-f]+)"', mei.get("/app/send").text)
    assert op is not None
    fields = {"op": op.group(1), "to_phone": ALI, "amount": "5", "pin": "482915"}
    for csrf in ("", "00" * 32):
        forged = mei.client.post("/app/send", data=fields | {"csrf": csrf})
        assert forged.status_code == 403
        assert "did not come from Colony" in words(forged.text)
    # Another browser's token does not fit this browser's cookie.
    stranger = _visitor(api)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', stranger.get("/app/signin").text)
    assert token is not None
    assert mei.client.post("/app/send", data=fields | {"csrf": token.group(1)}).status_code == 403
    assert _balance(ctx, ALI) == 1


def test_every_screen_behind_sign_in_sends_a_stranger_to_sign_in(served_at: Served) -> None:
    api, _, _ = served_at
    stranger = _visitor(api)
    for path in ("/app", "/app/send", "/app/topup", "/app/withdraw", "/app/activity",
                 "/app/activity/" + "0" * 32):  # fmt: skip
        answer = stranger.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/app/signin"), path


def test_a_receipt_of_another_wallet_is_not_found(served_at: Served) -> None:
    api, _, _ = served_at
    mei, ali = _visitor(api), _visitor(api)
    signed_up(mei, api, MEI)
    signed_up(ali, api, ALI, pin="730194")
    asked = mei.post("/app/topup", {"partner": "dbs", "amount": "5"})
    assert mei.get(asked.headers["location"]).status_code == 200
    assert ali.get(asked.headers["location"]).status_code == 404
    assert ali.get("/app/activity/not-hex").status_code == 404


def test_session_ids_change_at_every_step_and_sign_out_ends_them(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    ids = []
    mei.post("/app/signin", {"phone": MEI})
    ids.append(mei.client.cookies.get("colony_app_session"))
    mei.post("/app/signin/code", {"code": code_sent_to(api, MEI)})
    ids.append(mei.client.cookies.get("colony_app_session"))
    mei.post("/app/signup", {"name": "Mei", "currency": "SGD"})
    mei.post("/app/pin/new", {"pin": "482915", "pin_again": "482915"})
    ids.append(mei.client.cookies.get("colony_app_session"))
    assert len(set(ids)) == 3 and None not in ids
    signed_in = ids[-1]
    assert mei.get("/app").status_code == 200
    mei.post("/app/signout", {}, form_at="/app")
    assert mei.get("/app").status_code == 303
    # The old id is dead on the server, not only forgotten by this browser.
    replay = _visitor(api)
    replay.client.cookies.set("colony_app_session", signed_in or "", path="/app")
    assert replay.get("/app").status_code == 303


def test_cookies_are_http_only_and_same_site_strict(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    page = mei.get("/app/signin")
    sent = mei.client.post("/app/signin", data=dict(
        re.findall(r'name="(csrf)" value="([0-9a-f]+)"', page.text)) | {"phone": MEI})  # fmt: skip
    for answer in (page, sent):
        for cookie in answer.headers.get_list("set-cookie"):
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie, cookie
    assert "Path=/app" in sent.headers["set-cookie"]


def test_pages_carry_a_strict_content_security_policy(served_at: Served) -> None:
    api, _, _ = served_at
    page = _visitor(api).get("/app/signin")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text
    # The JSON API keeps its own lean answers.
    assert "content-security-policy" not in api.get("/v1/fx/rates").headers


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "您的钱包"),
        ("fi-FI,fi;q=0.9", "Lompakkosi"),
        ("de-DE,de;q=0.9", "Your wallet"),
        ("fr;q=0.2,fi;q=0.8", "Lompakkosi"),
        ("", "Your wallet"),
        ("garbage;q=x,,;", "Your wallet"),
    ],
)
def test_the_language_follows_the_browser(served_at: Served, accept: str, expected: str) -> None:
    api, _, _ = served_at
    assert expected in _visitor(api, **{"Accept-Language": accept}).text("/app/signin")


def test_the_language_switch_wins_over_the_browser_and_formats_follow(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api, **{"Accept-Language": "en"})
    signed_up(mei, api, MEI)
    switched = mei.post("/app/language", {"locale": "fi", "next": "/app"}, form_at="/app")
    assert switched.headers["location"] == "/app"
    home = mei.text("/app")
    assert "Saldo 0,01 SGD" in home  # Finnish words and Finnish money
    mei.post("/app/language", {"locale": "zh_Hans", "next": "https://evil.example/"},
             form_at="/app")  # fmt: skip
    assert mei.last is not None and mei.last.headers["location"] == "/app"
    assert "余额" in mei.text("/app")


@pytest.mark.parametrize("zone", ["America", "Asia", "Mars/Olympus_Mons"])
def test_a_time_zone_cookie_that_names_no_zone_shows_the_page_in_utc(
    served_at: Served, zone: str
) -> None:
    """The cookie is the visitor's own to write: a region's folder of tzdata is no zone."""
    api, _, _ = served_at
    visitor = _visitor(api, Cookie=f"colony_tz={zone}")
    assert "Your wallet" in visitor.text("/app/signin")


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/app/send", "/app/send"),
        ("https://evil.example/", "/app"),
        ("//evil.example/", "/app"),
        ("/\\evil.example", "/app"),
        ("/app\r\nSet-Cookie: x=1", "/app"),
        ("", "/app"),
        (None, "/app"),
    ],
)
def test_next_never_leaves_the_site(location: str | None, expected: str) -> None:
    assert local_path(location, "/app") == expected


def test_the_app_installs_as_a_pwa(served_at: Served) -> None:
    api, _, _ = served_at
    manifest = api.get("/app/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/app" and manifest.json()["display"] == "standalone"
    worker = api.get("/app/sw.js")
    assert worker.status_code == 200 and "caches" in worker.text
    assert api.get("/static/web/colony.css").status_code == 200
    assert api.get("/static/web/../../api/app.py").status_code == 404


def test_activity_pages_by_cursor_and_the_script_gets_the_next_lines(served_at: Served) -> None:
    api, ctx, clock = served_at
    mei = _mei_funded_and_ali(api, ctx)
    for n in range(25):
        clock.advance(1)
        sent = mei.post("/app/send", {"to_phone": ALI, "amount": f"0.{n + 10}", "pin": "482915"})
        assert sent.status_code == 303, words(sent.text)
    home = mei.get("/app").text
    assert home.count("<li>") == 20  # the first page: the newest 20 of 27
    more = re.search(r'href="/app/activity\?before=(\d+)"', home)
    assert more is not None
    part = mei.get(f"/app/activity?before={more.group(1)}&part=1")
    assert part.status_code == 200 and part.text.count("<li>") == 7
    assert "<html" not in part.text  # the lines alone, for the script to append
    assert "x-next-cursor" not in part.headers  # nothing older
    assert "Wallet opened" in words(part.text)
    whole = mei.text(f"/app/activity?before={more.group(1)}")
    assert "Activity" in whole and "Older activity" not in whole
    assert mei.get("/app/activity?before=-5").status_code == 400


def _request_id(visitor: Visitor) -> str:
    found = re.search(r"/app/requests/(mrq_[0-9a-f]{32})/pay", visitor.get("/app/requests").text)
    assert found is not None
    return found.group(1)


def test_ask_for_money_and_the_payer_pays_it_with_the_pin(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)  # Mei holds SGD 40.01
    ali = _visitor(api)
    ali.post("/app/signin", {"phone": ALI})
    ali.post("/app/signin/code", {"code": code_sent_to(api, ALI)})
    assert ali.post("/app/signin/pin", {"pin": "730194"}).headers["location"] == "/app"
    asked = ali.post("/app/requests", {"to_phone": "+65 8123 0001", "amount": "7.20",
                                       "note": "Dinner at the hawker centre"})  # fmt: skip
    assert asked.status_code == 303, words(asked.text)
    assert "open" in ali.text("/app/requests")
    assert "1 asking you for money" in mei.text("/app")
    page = mei.text("/app/requests")
    assert "asks you for SGD 7.20" in page and "Dinner at the hawker centre" in page
    # Mei's phone was texted, without the note: a stranger's words never go out as a text.
    texted = ctx.service(PhoneProofService).outbox(None, 1, MEI)[0].text
    assert texted.startswith("Ali Rahman asks you for 7.20 SGD on Colony."), texted
    assert "Dinner" not in texted
    request_id = _request_id(mei)
    wrong = mei.post(f"/app/requests/{request_id}/pay", {"pin": "000001"}, form_at="/app/requests")
    assert wrong.status_code == 400 and "That PIN is wrong" in words(wrong.text)
    assert _balance(ctx, ALI) == 1
    paid = mei.post(f"/app/requests/{request_id}/pay", {"pin": "482915"}, form_at="/app/requests")
    assert paid.status_code == 303
    again = mei.post(f"/app/requests/{request_id}/pay", {"pin": "482915"}, form_at="/app/requests")
    assert again.status_code == 303  # paid before: nothing moves twice
    assert _balance(ctx, ALI) == 1 + 720 and _balance(ctx, MEI) == 4_001 - 720
    assert "paid" in ali.text("/app/requests")
    assert "Nobody is asking you for money" in mei.text("/app/requests")


def test_a_request_declined_or_cancelled_moves_nothing(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)
    mei.post("/app/requests", {"to_phone": ALI, "amount": "3", "note": ""})
    mei.post("/app/requests", {"to_phone": ALI, "amount": "4", "note": ""})
    ali = _visitor(api)
    ali.post("/app/signin", {"phone": ALI})
    ali.post("/app/signin/code", {"code": code_sent_to(api, ALI)})
    ali.post("/app/signin/pin", {"pin": "730194"})
    first = _request_id(ali)
    assert (
        ali.post(f"/app/requests/{first}/decline", {}, form_at="/app/requests").status_code == 303
    )
    second = _request_id(ali)
    assert second != first
    cancelled = mei.post(f"/app/requests/{second}/cancel", {}, form_at="/app/requests")
    assert cancelled.status_code == 303
    late = ali.post(f"/app/requests/{second}/pay", {"pin": "730194"}, form_at="/app/requests")
    assert late.status_code == 400 and "settled already" in words(late.text)
    # Nobody else may act on them.
    assert mei.post(f"/app/requests/{first}/pay", {"pin": "482915"},
                    form_at="/app/requests").status_code == 400  # fmt: skip
    assert _balance(ctx, MEI) == 4_001 and _balance(ctx, ALI) == 1
    assert words(mei.get("/app/requests").text).count("declined") >= 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to_phone": "+6581239999", "amount": "1", "note": ""}, "Nobody with that number"),
        ({"to_phone": MEI, "amount": "1", "note": ""}, "That is your own number"),
        ({"to_phone": ALI, "amount": "0", "note": ""}, "Type an amount above zero"),
        ({"to_phone": ALI, "amount": "1", "note": "x" * 101}, "A note is at most 100"),
    ],
)
def test_a_request_that_cannot_be_asked_says_why(
    served_at: Served, fields: dict[str, str], message: str
) -> None:
    api, ctx, _ = served_at
    mei = _mei_funded_and_ali(api, ctx)
    answer = mei.post("/app/requests", fields)
    assert answer.status_code == 400 and message in words(answer.text)


def _asks_texted(ctx: ApiContext, phone: str) -> int:
    outbox = ctx.service(PhoneProofService).outbox(None, 100, phone)
    return sum(" asks you for " in message.text for message in outbox)


def test_asking_one_number_is_capped_per_day_however_often_cancelled(served_at: Served) -> None:
    """Each request texts the payer: asking and cancelling in a loop would text them without
    end. The requests asked of one number in 24 hours count whatever became of them; past
    the cap the form says so and nothing is texted; a day later, asking works again."""
    api, ctx, clock = served_at
    mei = _mei_funded_and_ali(api, ctx)
    for n in range(requests_to_one_payer_max):
        asked = mei.post("/app/requests", {"to_phone": ALI, "amount": f"0.0{n + 1}", "note": ""})
        assert asked.status_code == 303, words(asked.text)
        (asked_id,) = re.findall(r"/app/requests/(mrq_[0-9a-f]{32})/cancel", mei.get(
            "/app/requests").text)  # fmt: skip
        cancelled = mei.post(f"/app/requests/{asked_id}/cancel", {}, form_at="/app/requests")
        assert cancelled.status_code == 303
    assert _asks_texted(ctx, ALI) == requests_to_one_payer_max
    refused = mei.post("/app/requests", {"to_phone": ALI, "amount": "0.09", "note": ""})
    assert refused.status_code == 400
    assert "You have asked this number 3 times in 24 hours: try again later." in words(refused.text)
    assert _asks_texted(ctx, ALI) == requests_to_one_payer_max  # no text, no request
    mei.client.cookies.set("colony_lang", "fi")
    finnish = mei.post("/app/requests", {"to_phone": ALI, "amount": "0.09", "note": ""})
    assert "Olet pyytänyt rahaa tältä numerolta 3 kertaa" in words(finnish.text)
    mei.client.cookies.set("colony_lang", "en")
    clock.advance(requests_window_s + 1)  # the three are over 24 hours old
    again = mei.post("/app/requests", {"to_phone": ALI, "amount": "0.09", "note": ""})
    assert again.status_code == 303, words(again.text)
    assert _asks_texted(ctx, ALI) == requests_to_one_payer_max + 1
