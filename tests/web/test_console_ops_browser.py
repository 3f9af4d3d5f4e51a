"""The operator console's operations and staff pages in a real browser, against one
`colony serve --demo` and one chromium for the whole module (each test's pages are signed in
once, shared): a merchant onboarded, shown with its QR code; a merchant's credit score asked
for and read with its reasons; a payment found and refunded in
part on the merchant's behalf with a reason; a failed webhook delivery retried and then
delivered; a day's settlement and its CSV; and an admin, made by the command line, adding a
member who sets up through their link, changing their role, disabling them and reading it
all in the audit log. Each page on a desktop and a phone window, with screenshots, axe-core's
checks and the CSP in force (a violation is a console error, and fails the test)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyotp
import pytest

from colony.webhooks import Attempt, open_webhook_store
from colony.webhooks.dispatcher import attempts_max
from colony.webhooks.model import EventStatus
from tests.browser import Browser, Page, expect, launched_chromium
from tests.cli.demo_server import DemoServer, colony_command, demo_server
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _shot, _watched
from tests.web.test_console_browser import _staff, signed_in
from tests.webhooks.receiver import Received, receiver

ADMIN_EMAIL, ADMIN_PASSWORD = "ada@colony.example", "ada's own long password"
NEWCOMER_EMAIL, NEWCOMER_PASSWORD = "nia@colony.example", "nia's own long password"
# How long the server's webhook relay may take to try a delivery on a busy machine, seconds.
relay_wait_s = 30.0
# Answers the merchant's endpoint gives before the test lets it answer 200.
failing_answers = 100


@dataclass
class Seat:
    """A staff member signed in once, at a desktop and on a phone (the same session)."""

    desktop: Page
    phone: Page
    # Per window: the requests that left the server, and the console's errors.
    watched: list[tuple[list[str], list[str]]]

    def check(self) -> None:
        assert all(not refused and not errors for refused, errors in self.watched), self.watched


@pytest.fixture(scope="module")
def hook() -> Iterator[Received]:
    """The hawker's webhook endpoint, on loopback: it answers 500 until the test says."""
    with receiver([500] * failing_answers) as got:
        yield got


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    database = tmp_path_factory.mktemp("console-ops") / "demo.db"
    with demo_server(database, "--allow-loopback-webhooks") as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


def _seat(chromium: Browser, server: DemoServer, email: str, password: str, secret: str) -> Seat:
    desktop_context = chromium.new_context(**DESKTOP, locale="en-GB")
    desktop = desktop_context.new_page()
    refused, errors = _watched(desktop, server)
    signed_in(desktop, server, email, password, pyotp.TOTP(secret).now())
    # The phone carries the same session's cookies: one sign-in, one TOTP code taken.
    phone_context = chromium.new_context(**PHONE, storage_state=desktop_context.storage_state())
    phone = phone_context.new_page()
    return Seat(desktop, phone, [(refused, errors), _watched(phone, server)])


def _closed(seat: Seat) -> None:
    seat.desktop.context.close()
    seat.phone.context.close()


@pytest.fixture(scope="module")
def ops(chromium: Browser, server: DemoServer) -> Iterator[Seat]:
    """The demo's operations member, as the demo printed them."""
    seat = _seat(chromium, server, *_staff(server))
    yield seat
    _closed(seat)


@pytest.fixture(scope="module")
def admin(chromium: Browser, server: DemoServer) -> Iterator[Seat]:
    """The first admin, made as a new installation makes one: by the command line."""
    made = subprocess.run(
        [colony_command(), "staff", "create", "--email", ADMIN_EMAIL, "--name", "Ada Admin",
         "--role", "admin", "--password-stdin", "--database", server.database_url],
        input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    secret = re.search(r"secret: ([A-Z2-7]+)", made.stdout)
    assert secret is not None, made.stdout
    seat = _seat(chromium, server, ADMIN_EMAIL, ADMIN_PASSWORD, secret.group(1))
    yield seat
    _closed(seat)


def _shots(seat: Seat, tmp_path: Path, name: str) -> None:
    """The page the desktop shows, checked by axe and photographed there and on the phone."""
    _accessible(seat.desktop)
    _shot(seat.desktop, tmp_path, f"desktop-console-{name}")
    seat.phone.goto(seat.desktop.url)
    _accessible(seat.phone)
    _shot(seat.phone, tmp_path, f"phone-console-{name}")


def _hawker(server: DemoServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.secret('mk_')}"}


def _pay(server: DemoServer, amount_minor: int, reference: str) -> tuple[str, str]:
    """Alice pays the hawker's static code with her printed wallet token: the payment's id
    and the hawker's."""
    code = httpx.get(f"{server.url}/v1/merchants/me/qr_code", headers=_hawker(server)).json()
    paid = httpx.post(
        f"{server.url}/v1/payments",
        json={"payload": code["payload"], "amount_minor": amount_minor, "reference": reference},
        headers={"Authorization": f"Bearer {server.secret('wtok_')}", "Idempotency-Key": reference},
    )
    assert paid.status_code == 201, paid.text
    return str(paid.json()["id"]), str(paid.json()["merchant"])


# Waits for the image to load (being visible does not): decode() settles once it has, and
# rejects a broken one.
_DRAWN = "img => img.decode().then(() => img.naturalWidth > 0, () => false)"


def test_a_merchant_is_onboarded_and_shown_with_its_qr_code(ops: Seat, tmp_path: Path) -> None:
    page = ops.desktop
    page.get_by_role("link", name="Merchants").click()
    expect(page.get_by_test_id("merchants")).to_contain_text("mer_")
    _shots(ops, tmp_path, "merchants")
    page.get_by_role("link", name="Onboard a merchant").click()
    page.get_by_label("Legal name").fill("Arctic Circle Coffee Oy")
    page.get_by_label("Display name (on the QR code, up to 25 characters)").fill("Arctic Coffee")
    page.get_by_label("Merchant category code (MCC)").fill("5814")
    page.get_by_label("Country (ISO code)").fill("FI")
    page.get_by_label("City (up to 15 characters)").fill("Rovaniemi")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Discount (basis points)").fill("120")
    _accessible(page)
    page.get_by_role("button", name="Onboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arctic Coffee")
    expect(page.get_by_test_id("details")).to_contain_text("Arctic Circle Coffee Oy")
    qr = page.get_by_role("img", name="The QR code payers scan to pay Arctic Coffee")
    expect(qr).to_be_visible()
    assert qr.evaluate(_DRAWN)  # the SVG drew
    _shots(ops, tmp_path, "merchant")
    ops.phone.get_by_role("link", name="Merchants").click()
    ops.phone.get_by_label("Find a merchant by id or name").fill("arctic")
    ops.phone.get_by_role("button", name="Find").click()
    expect(ops.phone.get_by_test_id("merchants")).to_contain_text("Arctic Coffee")
    ops.check()


def test_a_merchants_credit_score_is_asked_for_and_read(
    ops: Seat, server: DemoServer, tmp_path: Path
) -> None:
    _, merchant_id = _pay(server, 3_50, "score-1")
    page = ops.desktop
    page.goto(f"{server.url}/console/merchants/{merchant_id}")
    expect(page.get_by_test_id("credit-score")).to_have_count(0)
    page.get_by_role("button", name="Score now").click()
    expect(page.get_by_test_id("credit-score")).to_have_text(re.compile(r"^\d{3}$"))
    expect(page.get_by_test_id("credit-reasons")).to_contain_text("M01")
    _shots(ops, tmp_path, "merchant-score")
    ops.check()
    page.goto(f"{server.url}/console")  # the next journey starts from the console's home


def test_a_payment_is_found_and_refunded_in_part_with_a_reason(
    ops: Seat, server: DemoServer, tmp_path: Path
) -> None:
    payment_id, hawker_id = _pay(server, 1_250, "table-7")
    page = ops.desktop
    page.get_by_role("link", name="Payments").click()
    page.get_by_label("Payment id, merchant id or wallet id").fill(hawker_id)
    page.get_by_label("Reference (of a merchant's payments)").fill("table-7")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_test_id("payments")).to_contain_text("SGD 12.50")
    _shots(ops, tmp_path, "payments")
    page.get_by_role("link", name=payment_id).click()
    expect(page.get_by_test_id("status")).to_have_text("Paid")
    page.get_by_label("Amount to give back").fill("2.50")
    page.get_by_label("Reason (the audit log keeps it)").fill("One dish never came")
    page.get_by_role("button", name="Refund").click()
    expect(page.get_by_test_id("refunded")).to_have_text("SGD 2.50")
    expect(page.get_by_test_id("refunds")).to_contain_text("One dish never came")
    _shots(ops, tmp_path, "payment")
    ops.check()


def _first_attempt(server: DemoServer) -> str:
    """The id of the hawker's newest event once the relay's first delivery was refused."""
    deadline = time.monotonic() + relay_wait_s
    while time.monotonic() < deadline:
        events = httpx.get(
            f"{server.url}/v1/merchants/me/webhook_events", headers=_hawker(server)
        ).json()["data"]
        if events and events[0]["deliveries"]:
            return str(events[0]["id"])
        time.sleep(0.1)
    raise AssertionError("the relay tried no delivery in time")


def _back_off_spent(server: DemoServer, event_id: str) -> None:
    """The relay's later tries, each refused (its back-off spends 21 minutes on them),
    recorded as the relay records them, the last marking the event failed."""
    store = open_webhook_store(server.database_url)
    try:
        now_ns = time.time_ns()
        for number in range(2, attempts_max + 1):
            last = number == attempts_max
            status = EventStatus.failed if last else EventStatus.pending
            attempt = Attempt(event_id, number, now_ns, 500, "endpoint answered 500", 3)
            store.record_attempt(attempt, status, 0 if last else now_ns + 86_400 * 10**9)
    finally:
        store.close()


def test_a_failed_webhook_delivery_is_retried_and_delivered(
    ops: Seat, server: DemoServer, hook: Received, tmp_path: Path
) -> None:
    endpoint = httpx.post(
        f"{server.url}/v1/merchants/me/webhook_endpoint", json={"url": hook.url},
        headers=_hawker(server) | {"Idempotency-Key": "console-hook"},
    )  # fmt: skip
    assert endpoint.status_code == 201, endpoint.text
    _, hawker_id = _pay(server, 300, "kopi-1")
    event_id = _first_attempt(server)
    _back_off_spent(server, event_id)

    page = ops.desktop
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Merchant id").fill(hawker_id)
    page.get_by_role("button", name="Show the delivery log").click()
    row = page.get_by_role("row").filter(has_text=event_id)
    expect(row.get_by_test_id("event-status")).to_have_text("failed")
    expect(row).to_contain_text("endpoint answered 500")
    _shots(ops, tmp_path, "webhooks")
    hook.script.clear()  # the merchant fixed their server
    row.get_by_role("button", name="Retry").click()
    deadline = time.monotonic() + relay_wait_s
    while "delivered" not in row.get_by_test_id("event-status").inner_text():
        assert time.monotonic() < deadline, "the retried event was not delivered"
        time.sleep(0.5)
        page.reload()
    assert hook.headers[-1]["Colony-Event-Id"] == event_id
    ops.check()


def test_a_days_settlement_and_its_csv(ops: Seat, tmp_path: Path) -> None:
    page = ops.desktop
    page.get_by_role("link", name="Settlement").click()
    today = datetime.now(UTC).strftime("%Y-%m-%d")  # the demo's cross-partner payment
    page.get_by_label("Day (UTC)").fill(today)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("settlement")).to_contain_text("PHP")
    expect(page.get_by_test_id("settlement")).to_contain_text("SGD")
    _shots(ops, tmp_path, "settlement")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download as CSV").click()
    download = downloading.value
    assert download.suggested_filename == f"settlement-{today}.csv"
    rows = Path(download.path()).read_text().splitlines()
    assert rows[0].startswith("window,partner_id,currency") and len(rows) >= 3
    ops.check()


def _set_up(chromium: Browser, server: DemoServer, link: str, tmp_path: Path) -> Page:
    """The newcomer opens their link on their phone, and sets up."""
    newcomer = chromium.new_context(**PHONE).new_page()
    refused, errors = _watched(newcomer, server)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Set up your account")
    qr = newcomer.get_by_test_id("totp-qr")
    assert qr.evaluate(_DRAWN)
    _accessible(newcomer)
    _shot(newcomer, tmp_path, "phone-console-setup")
    newcomer.get_by_label("Password", exact=True).fill(NEWCOMER_PASSWORD)
    newcomer.get_by_label("The same password again").fill(NEWCOMER_PASSWORD)
    key = newcomer.get_by_test_id("totp-key").inner_text().replace(" ", "")
    newcomer.get_by_label("Code", exact=True).fill(pyotp.TOTP(key).now())
    newcomer.get_by_role("button", name="Finish and sign in").click()
    expect(newcomer).to_have_url(server.url + "/console")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome, Nia Newcomer")
    assert refused == [] and errors == [], (refused, errors)
    return newcomer


def test_an_admin_adds_a_member_changes_their_role_and_disables_them(
    admin: Seat, chromium: Browser, server: DemoServer, tmp_path: Path
) -> None:
    page = admin.desktop
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_test_id("staff")).to_contain_text(ADMIN_EMAIL)
    page.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Email").fill(NEWCOMER_EMAIL)
    page.get_by_label("Name", exact=True).fill("Nia Newcomer")
    page.get_by_label("Role", exact=True).select_option("read_only")
    _accessible(page)
    page.get_by_role("button", name="Add").click()
    link = page.get_by_test_id("setup-link").input_value()
    assert link.startswith(server.url + "/console/setup/")
    _accessible(page)
    _shot(page, tmp_path, "desktop-console-setup-link")

    newcomer = _set_up(chromium, server, link, tmp_path)
    page.get_by_role("link", name="Back to Nia Newcomer").click()
    expect(page.get_by_test_id("status")).to_have_text("active")
    role = page.locator("form").filter(has=page.get_by_label("New role"))
    role.get_by_label("New role").select_option("support")
    role.get_by_label("Reason (the audit log keeps it)").fill("Joins the support desk")
    role.get_by_role("button", name="Change the role").click()
    expect(page.get_by_test_id("role")).to_have_text("Support")
    _shots(admin, tmp_path, "staff-member")

    access = page.locator("form").filter(has=page.get_by_role("button", name="Disable"))
    access.get_by_label("Reason (the audit log keeps it)").fill("Left for another team")
    access.get_by_role("button", name="Disable").click()
    expect(page.get_by_test_id("status")).to_have_text("disabled")
    newcomer.reload()  # out at once
    expect(newcomer).to_have_url(server.url + "/console/signin")
    newcomer.get_by_label("Email").fill(NEWCOMER_EMAIL)
    newcomer.get_by_label("Password").fill(NEWCOMER_PASSWORD)
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer.get_by_role("alert")).to_have_text("That email and password do not match.")
    newcomer.context.close()

    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_test_id("staff")).to_contain_text("disabled")
    _shots(admin, tmp_path, "staff")
    page.get_by_role("link", name="Audit log").click()
    log = page.get_by_test_id("audit")
    for shown in ("staff_disabled", "Left for another team", "staff_role_changed",
                  "Joins the support desk", "staff_set_up", "staff_created"):  # fmt: skip
        expect(log).to_contain_text(shown)
    _shots(admin, tmp_path, "audit")
    admin.check()
