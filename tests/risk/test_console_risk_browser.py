"""The console's risk page in a real browser, against `colony serve --demo`: a risk analyst
(added by the command line) makes a rule hold every payment for review, sees Alice's
payment held, approves it, then makes another rule block and sees the refusal listed with
its reason; on a desktop and a phone window, no wider than the window, with screenshots,
axe-core's checks and the CSP in force."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from tests.browser import Browser, expect, fits_its_window, launched_chromium
from tests.cli.demo_server import DemoServer, colony_command, demo_server
from tests.web.test_app_browser import DESKTOP, PHONE, _accessible, _shot, _watched
from tests.web.test_console_browser import _pay, signed_in

RITA, RITA_PASSWORD = "rita@colony.example", "rita's own long password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    database = tmp_path_factory.mktemp("console-risk") / "demo.db"
    with demo_server(database) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


def _analyst(server: DemoServer) -> str:
    """Rita, of the risk role, added by the command line: her TOTP secret."""
    made = subprocess.run(
        [colony_command(), "staff", "create", "--email", RITA, "--name", "Rita", "--role",
         "risk", "--password-stdin", "--database", server.database_url],
        input=RITA_PASSWORD + "\n", capture_output=True, text=True, check=True,
    )  # fmt: skip
    return made.stdout.split("secret: ", 1)[1].split()[0]


def _rule(page, name: str, threshold: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    form = page.get_by_test_id(f"rule-{name}")
    form.get_by_label("Threshold").fill(threshold)
    form.get_by_label("Mode").select_option(mode)
    form.get_by_role("button", name="Save").click()


def test_an_analyst_holds_approves_and_blocks(
    chromium: Browser, server: DemoServer, tmp_path: Path
) -> None:
    secret = _analyst(server)
    desktop_context = chromium.new_context(**DESKTOP, locale="en-GB")
    desktop = desktop_context.new_page()
    refused, errors = _watched(desktop, server)
    signed_in(desktop, server, RITA, RITA_PASSWORD, pyotp.TOTP(secret).now())
    desktop.goto(server.url + "/console/risk")
    expect(desktop.get_by_role("heading", name="Rules, version 1")).to_be_visible()
    _rule(desktop, "velocity_1h", "0", "active")
    expect(desktop.get_by_role("heading", name="Rules, version 2")).to_be_visible()
    held = _pay(server, "risk-held")
    assert held.status_code == 201 and held.json()["status"] == "requires_capture", held.text
    desktop.reload()
    queue = desktop.get_by_test_id("queue")
    expect(queue).to_contain_text("velocity_1h")
    _accessible(desktop)
    fits_its_window(desktop)
    _shot(desktop, tmp_path, "desktop-console-risk-held")
    phone_context = chromium.new_context(**PHONE, storage_state=desktop_context.storage_state())
    phone = phone_context.new_page()
    phone_refused, phone_errors = _watched(phone, server)
    phone.goto(server.url + "/console/risk")
    expect(phone.get_by_test_id("queue")).to_contain_text("velocity_1h")
    _accessible(phone)
    fits_its_window(phone)
    _shot(phone, tmp_path, "phone-console-risk-held")

    queue.get_by_role("button", name="Approve").click()
    expect(desktop.get_by_text("No payment is held for review.")).to_be_visible()
    _rule(desktop, "velocity_1h", "120", "shadow")
    _rule(desktop, "amount_large", "0", "active")
    blocked = _pay(server, "risk-blocked")
    assert blocked.status_code == 402 and blocked.json()["error"]["code"] == "risk_blocked"
    desktop.reload()
    expect(desktop.get_by_test_id("assessments")).to_contain_text("block")
    expect(desktop.get_by_test_id("changes")).to_contain_text("amount_large")
    fits_its_window(desktop)
    _shot(desktop, tmp_path, "desktop-console-risk-blocked")
    phone.reload()
    fits_its_window(phone)
    _shot(phone, tmp_path, "phone-console-risk-blocked")
    assert refused == errors == phone_refused == phone_errors == [], (refused, errors)
    phone_context.close()
    desktop_context.close()
