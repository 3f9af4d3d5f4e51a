"""The wallet app's journeys in a real browser (Debian's chromium, headless), against
`colony serve --demo` as a newcomer runs it: sign up with a texted code, set a PIN, top up,
send money, switch language; on a phone-sized and a desktop window, with screenshots, an
automated accessibility check (axe-core, vendored with the tests) and the page's own
Content-Security-Policy in force (a violation is a console error, and fails the test)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser import Browser, Page, expect, loopback_only, page_timeout_ms
from tests.cli.demo_server import DemoServer, demo_server

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}  # fmt: skip
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
NEWCOMER = "+6581237777"
BALA = "+6598765432"  # a demo wallet in SGD


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("app") / "demo.db") as running:
        yield running


def _operator(server: DemoServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.secret('opk_')}"}


def _code(server: DemoServer, phone: str) -> str:
    page = httpx.get(f"{server.url}/v1/sms_outbox", params={"phone": phone, "limit": 1},
                     headers=_operator(server))  # fmt: skip
    found = re.match(r"[0-9]{6}\b", str(page.json()["data"][0]["text"]))
    assert found is not None, page.text
    return found.group()


def _hawker(server: DemoServer) -> str:
    """The demo's hawker stall's API key (printed by the demo)."""
    return server.secret("mk_")


def _lapland(server: DemoServer) -> str:
    """A shop in Rovaniemi that takes EUR, onboarded by the operator: its API key."""
    shop = {"legal_name": "Arctic Circle Crafts Oy", "display_name": "Arctic Circle Crafts",
            "mcc": "5947", "country": "FI", "city": "Rovaniemi", "currency": "EUR",
            "discount_bps": 150}  # fmt: skip
    made = httpx.post(f"{server.url}/v1/merchants", json=shop,
                      headers=_operator(server) | {"Idempotency-Key": "crafts"})  # fmt: skip
    assert made.status_code in (200, 201), made.text
    return str(made.json()["api_key"])


def _code_photo(server: DemoServer, tmp_path: Path, key: str, amount_minor: int) -> str:
    """A picture of the merchant's code for an amount, as a phone's photo of the till."""
    image = httpx.get(f"{server.url}/v1/merchants/me/qr_code.png",
                      params={"amount_minor": amount_minor},
                      headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert image.status_code == 200, image.text
    path = tmp_path / f"code-{amount_minor}.png"
    path.write_bytes(image.content)
    return str(path)


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    """A full-page screenshot: kept with the test's files, and in $COLONY_SCREENSHOTS when
    set (to look at)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page, not a blank
    keep = os.environ.get("COLONY_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def _accessible(page: Page) -> None:
    """axe-core's WCAG 2 A and AA rules (contrast, labels, names, landmarks): no violation."""
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']}))"
        ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert found == [], f"{page.url}: {found}"


def _watched(page: Page, server: DemoServer) -> tuple[list[str], list[str]]:
    """What left the server (refused), and the console's errors (a CSP violation is one)."""
    refused: list[str] = []
    errors: list[str] = []
    loopback_only(page, server.url, refused)
    # A refused form is answered 400 with the form again, which chromium also logs.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "status of 400" not in m.text else None)  # fmt: skip
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(page_timeout_ms)
    return refused, errors


def _sign_in_steps(page: Page, server: DemoServer, phone: str) -> None:
    page.goto(server.url + "/app")
    expect(page).to_have_url(server.url + "/app/signin")
    page.get_by_label("Phone number").fill(phone[:3] + " " + phone[3:7] + " " + phone[7:])
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", name="Type the code")).to_be_visible()
    page.get_by_label("Code").fill(_code(server, phone))
    page.get_by_role("button", name="Continue").click()


def _wallet_with_money(page: Page, server: DemoServer, phone: str, name: str, pin: str) -> None:
    """A newcomer signs in, opens an SGD wallet with a PIN and tops up 50, confirmed by the
    operator: the start of every journey that pays."""
    _sign_in_steps(page, server, phone)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Currency").select_option("SGD")
    page.get_by_role("button", name="Open my wallet").click()
    page.get_by_label("PIN", exact=True).fill(pin)
    page.get_by_label("The same PIN again").fill(pin)
    page.get_by_role("button", name="Set PIN").click()
    page.get_by_role("link", name="Top up").click()
    page.get_by_label("Amount in SGD").fill("50")
    page.get_by_role("button", name="Top up").click()
    movement = page.get_by_test_id("movement-id").inner_text()
    confirmed = httpx.post(f"{server.url}/v1/top_ups/{movement}/confirm",
                           headers=_operator(server) | {"Idempotency-Key": movement})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text


def test_a_newcomer_signs_up_tops_up_and_sends_money_on_a_phone(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)

    _sign_in_steps(page, server, NEWCOMER)
    _shot(page, tmp_path, "phone-signup")
    page.get_by_label("Your name").fill("Siti Nur")
    page.get_by_label("Currency").select_option("SGD")
    page.get_by_role("button", name="Open my wallet").click()
    page.get_by_label("PIN", exact=True).fill("123456")
    page.get_by_label("The same PIN again").fill("123456")
    page.get_by_role("button", name="Set PIN").click()
    expect(page.get_by_role("alert")).to_contain_text("too easy to guess")
    _accessible(page)
    page.get_by_label("PIN", exact=True).fill("592730")
    page.get_by_label("The same PIN again").fill("592730")
    page.get_by_role("button", name="Set PIN").click()

    expect(page).to_have_url(server.url + "/app")
    expect(page.get_by_test_id("balance")).to_have_text("SGD 0.01")
    _accessible(page)

    page.get_by_role("link", name="Top up").click()
    page.get_by_label("Amount in SGD").fill("50")
    page.get_by_role("button", name="Top up").click()
    expect(page.get_by_test_id("movement-status")).to_have_text("Waiting for the bank")
    movement = page.get_by_test_id("movement-id").inner_text()
    confirmed = httpx.post(f"{server.url}/v1/top_ups/{movement}/confirm",
                           headers=_operator(server) | {"Idempotency-Key": movement})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    page.reload()
    expect(page.get_by_test_id("movement-status")).to_have_text("Done")

    page.get_by_role("link", name="Send").click()
    page.get_by_label("To phone number").fill(BALA)
    page.get_by_label("Amount in SGD").fill("12.50")
    page.get_by_label("PIN").fill("592730")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("SGD 12.50")
    expect(page.get_by_role("heading", level=1)).to_have_text("Money sent")
    _accessible(page)

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("balance")).to_have_text("SGD 37.51")
    expect(page.get_by_test_id("activity").get_by_role("listitem")).to_have_count(3)

    # Pay the hawker's code for SGD 3.50 from a photo of it (decoded on the phone).
    page.get_by_role("link", name="Pay", exact=True).click()
    _accessible(page)
    page.locator("#photo").set_input_files(_code_photo(server, tmp_path, _hawker(server), 350))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay Hawker Chan")
    expect(page.get_by_test_id("merchant-amount")).to_have_text("SGD 3.50")
    _accessible(page)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Hawker Chan")

    # Across borders: a shop in Rovaniemi asks EUR 10.00; the quote counts down, and once
    # its rate expires the payer asks for a new one where Pay was.
    page.clock.install()
    page.get_by_role("link", name="Pay", exact=True).click()
    page.locator("#photo").set_input_files(_code_photo(server, tmp_path, _lapland(server), 1000))
    expect(page.get_by_test_id("wallet-amount")).to_contain_text("SGD")
    expect(page.locator("#quote-clock")).to_contain_text(re.compile(r"holds for [1-5]?\d s"))
    page.clock.run_for(61_000)
    expect(page.get_by_role("button", name="Pay", exact=True)).to_be_disabled()
    _shot(page, tmp_path, "phone-pay-abroad-expired")
    page.get_by_test_id("new-rate").click()
    expect(page.locator("#quote-clock")).to_contain_text(re.compile(r"holds for [1-5]?\d s"))
    expect(page.get_by_role("button", name="Pay", exact=True)).to_be_enabled()
    page.clock.set_system_time(time.time())  # the page's clock back to the real one's
    _shot(page, tmp_path, "phone-pay-abroad")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid Arctic Circle Crafts")
    expect(page.get_by_test_id("receipt")).to_contain_text("€10.00")

    # The payment code: turned on for this phone, computed by it, charged by the hawker.
    page.get_by_role("link", name="Code", exact=True).click()
    page.get_by_role("button", name="Turn on the payment code on this phone").click()
    digits = page.get_by_test_id("code-digits")
    expect(digits).to_have_text(re.compile(r"^28( \d{4}){4}$"))
    expect(page.locator("#code-qr svg")).to_be_visible()
    expect(page.locator("#code-barcode rect").first).to_be_attached()
    expect(page.get_by_role("button", name="Turn on the payment code on this phone")).to_be_hidden()
    _accessible(page)
    _shot(page, tmp_path, "phone-code")
    charged = httpx.post(f"{server.url}/v1/payments/code",
                         json={"code": digits.inner_text().replace(" ", ""), "amount_minor": 200},
                         headers={"Authorization": f"Bearer {_hawker(server)}",
                                  "Idempotency-Key": "till-1"})  # fmt: skip
    assert charged.status_code == 201, charged.text
    page.reload()  # the phone keeps its key: the code is shown again at once
    expect(digits).to_have_text(re.compile(r"^28( \d{4}){4}$"))
    expect(page.get_by_test_id("devices").get_by_role("listitem")).to_have_count(1)
    _accessible(page)
    _shot(page, tmp_path, "phone-code-devices")
    page.get_by_role("button", name="Turn off on this phone").click()
    expect(
        page.get_by_role("button", name="Turn on the payment code on this phone")
    ).to_be_visible()
    expect(page.get_by_test_id("devices")).to_have_count(0)  # off on the server too

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("activity").get_by_role("listitem")).to_have_count(6)
    _shot(page, tmp_path, "phone-home")

    # Credit: consent on the score screen, then the score and what holds it back.
    page.get_by_test_id("credit-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credit score")
    _accessible(page)
    page.get_by_role("button", name="I agree: score me").click()
    expect(page.get_by_test_id("score")).to_have_text(re.compile(r"^[3-9][0-9]{2}$"))
    expect(page.get_by_test_id("reasons")).to_contain_text("Your identity is not verified.")
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(1)
    _accessible(page)
    _shot(page, tmp_path, "phone-credit")
    page.get_by_role("link", name="Home").click()

    # The choice applies at once through the shell's deferred script: wait until it has run
    # (the load event), or a quick choice lands before its listener and nothing is sent.
    page.wait_for_load_state("load")
    page.get_by_label("Language").select_option("zh_Hans")  # applies at once (script)
    expect(page.get_by_role("heading", name="账单")).to_be_visible()
    _shot(page, tmp_path, "phone-home-zh")
    assert refused == [], f"the app asked for something off the server: {refused}"
    assert errors == [], f"the browser reported errors: {errors}"
    context.close()


def test_a_request_asked_reads_as_a_row_on_a_phone(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    """The list of requests asked: the number (with the request's state) and the sum side by
    side, not drawn over each other."""
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    refused, errors = _watched(page, server)
    _wallet_with_money(page, server, "+6581236666", "Nurul Huda", "592732")
    page.goto(server.url + "/app/requests")
    page.get_by_label("From phone number").fill(BALA)
    page.get_by_label("Amount in SGD").fill("5")
    page.get_by_label("Note (optional)").fill("Dinner")
    page.get_by_role("button", name="Ask").click()
    row = page.get_by_test_id("asked").get_by_role("listitem")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("SGD 5.00")
    who, how_much = row.locator(".what").bounding_box(), row.locator(".sum").bounding_box()
    assert who is not None and how_much is not None
    assert who["x"] + who["width"] <= how_much["x"], (who, how_much)
    _accessible(page)
    _shot(page, tmp_path, "phone-requests")
    assert refused == [], f"the app asked for something off the server: {refused}"
    assert errors == [], f"the browser reported errors: {errors}"
    context.close()


def test_signing_in_on_a_desktop_window(
    browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    phone = "+6581238888"
    signup = browser.new_context(**PHONE)
    page = signup.new_page()
    _watched(page, server)
    _sign_in_steps(page, server, phone)
    page.get_by_label("Your name").fill("Jonne Virtanen")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Open my wallet").click()
    page.get_by_label("PIN", exact=True).fill("592731")
    page.get_by_label("The same PIN again").fill("592731")
    page.get_by_role("button", name="Set PIN").click()
    signup.close()

    context = browser.new_context(**DESKTOP, locale="fi-FI", timezone_id="Europe/Helsinki")
    page = context.new_page()
    refused, errors = _watched(page, server)
    page.goto(server.url + "/app")
    expect(page.get_by_role("heading", name="Lompakkosi")).to_be_visible()
    _accessible(page)
    page.get_by_label("Puhelinnumero").fill(phone)
    page.get_by_role("button", name="Lähetä koodi").click()
    page.get_by_label("Koodi").fill(_code(server, phone))
    page.get_by_role("button", name="Jatka").click()
    page.get_by_label("PIN-koodi").fill("000001")
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_role("alert")).to_contain_text("4 yritystä jäljellä")
    page.get_by_label("PIN-koodi").fill("592731")
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_test_id("balance")).to_have_text("0,01\xa0€")
    # The browser's time zone reached the server: times show in Helsinki's from here on.
    zones = [c["value"] for c in context.cookies() if c["name"] == "colony_tz"]
    assert zones == ["Europe/Helsinki"], context.cookies()
    _accessible(page)
    _shot(page, tmp_path, "desktop-home-fi")
    page.get_by_test_id("credit-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Luottopisteesi")
    _accessible(page)
    _shot(page, tmp_path, "desktop-credit-fi")
    assert refused == [] and errors == [], (refused, errors)
    context.close()
