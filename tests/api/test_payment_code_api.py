"""The customer-presented payment code over real HTTP: a wallet binds a phone, the phone makes
codes offline from its secret, a merchant's terminal charges them once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.payments.payment_code import (
    Device,
    PaymentCodeVerifier,
    code_failure_window_s,
    code_failures_per_device_max,
    code_failures_per_merchant_max,
    code_for,
    password_digits,
    step_s,
)
from colony.payments.service import no_pin_limit_minor
from colony.payments.sql_device_store import open_device_store
from tests.api.test_payment_api import merchant_headers, onboard
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet

Shop = tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]


@pytest.fixture
def till(shop: Shop) -> tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]:
    """The shop, with the server's clock held one second into a code step."""
    client, ctx, merchant, alice = shop
    step_ns = step_s * NS_PER_S
    ctx.clock = ManualClock(time.time_ns() // step_ns * step_ns + NS_PER_S)
    return client, ctx, merchant, alice


def clock_of(ctx: ApiContext) -> ManualClock:
    assert isinstance(ctx.clock, ManualClock)
    return ctx.clock


def bind(client: httpx.Client, wallet: dict[str, object], key: str = "d1") -> httpx.Response:
    return client.post(
        "/v1/wallets/me/devices", headers=wallet_auth(wallet) | {"Idempotency-Key": key}
    )


def phone(bound: dict[str, object]) -> Device:
    """What the phone keeps from the answer: enough to make codes with no network."""
    return Device(int(str(bound["number"])), bytes.fromhex(str(bound["secret"])), "")


def charge(
    client: httpx.Client, merchant: dict[str, object], code: str, amount: int, key: str
) -> httpx.Response:
    return client.post(
        "/v1/payments/code",
        json={"code": code, "amount_minor": amount, "reference": f"till-{key}"},
        headers=merchant_headers(merchant, key),
    )


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_bind_a_phone_and_pay_at_the_till(till: Shop, tmp_path: Path) -> None:
    client, ctx, merchant, alice = till
    response = bind(client, alice)
    assert response.status_code == 201, response.text
    bound = response.json()
    assert bound["wallet"] == alice["id"] and bound["status"] == "active"
    assert (bound["algorithm"], bound["digits"], bound["period"], bound["code_prefix"]) == (
        "HMAC-SHA256",
        password_digits,
        step_s,
        "28",
    )
    assert len(str(bound["number"])) == 8 and len(bytes.fromhex(str(bound["secret"]))) == 32
    replayed = bind(client, alice)
    assert replayed.json() == {k: v for k, v in bound.items() if k != "secret"}  # shown once

    code = code_for(phone(bound), ctx.clock.now_ns())
    paid = charge(client, merchant, code, 1_250, "t1")
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert (payment["method"], payment["wallet"], payment["merchant"]) == (
        "code",
        alice["id"],
        merchant["id"],
    )
    assert (payment["status"], payment["amount_captured_minor"], payment["reference"]) == (
        "succeeded",
        1_250,
        "till-t1",
    )
    balance = client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"]
    assert balance["amount_minor"] == 20_001 - 1_250
    mine = client.get(f"/v1/payments/{payment['id']}", headers=wallet_auth(alice))
    assert mine.status_code == 200 and mine.json() == payment

    clock_of(ctx).advance(10)
    replay = charge(client, merchant, code, 1_250, "t2")
    assert (replay.status_code, error_code(replay)) == (400, "code_already_used")
    assert replay.json()["error"]["param"] == "code"
    # Spent means spent for every process on the database, and after a restart.
    elsewhere = PaymentCodeVerifier(open_device_store(f"sqlite:///{tmp_path}/api.db"))
    assert (
        elsewhere.check(code, ctx.clock.now_ns(), str(merchant["id"])).result.name == "already_used"
    )
    balance = client.get("/v1/wallets/me", headers=wallet_auth(alice)).json()["balance"]
    assert balance["amount_minor"] == 20_001 - 1_250  # the replay moved nothing


def test_each_refusal_names_its_reason(till: Shop) -> None:
    client, ctx, merchant, alice = till
    device = phone(bind(client, alice).json())
    now = ctx.clock.now_ns()
    stale = code_for(device, now - 2 * step_s * NS_PER_S)  # two steps ago
    assert error_code(charge(client, merchant, stale, 100, "e1")) == "code_expired"
    # An unknown device and a wrong password answer alike: which devices exist stays unknown.
    other = Device((device.number + 1) % 10**8, device.secret, "")
    unknown = charge(client, merchant, code_for(other, now), 100, "e2")
    good = code_for(device, now)
    wrong = charge(client, merchant, good[:-1] + str((int(good[-1]) + 1) % 10), 100, "e3")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert (wrong.status_code, error_code(wrong)) == (400, "code_wrong")
    for malformed in ("", "12345", "27" + good[2:], good + "0", good[:-1] + "x"):
        refused = charge(client, merchant, malformed, 100, f"m{malformed}")
        assert (refused.status_code, error_code(refused)) == (400, "code_malformed")
    # None of these spent the real code.
    assert charge(client, merchant, good, 100, "ok").status_code == 201
    nobody = client.post(
        "/v1/payments/code",
        json={"code": good, "amount_minor": 100},
        headers=wallet_auth(alice) | {"Idempotency-Key": "w"},
    )
    assert nobody.status_code == 401  # a wallet token is no merchant key


def test_pin_required_leaves_the_code_unspent(till: Shop) -> None:
    client, ctx, merchant, alice = till
    device = phone(bind(client, alice).json())
    code = code_for(device, ctx.clock.now_ns())
    over = charge(client, merchant, code, no_pin_limit_minor("SGD") + 1, "big")
    assert (over.status_code, error_code(over), over.json()["error"]["param"]) == (
        402,
        "pin_required",
        "amount_minor",
    )
    again = charge(client, merchant, code, 500, "small")
    assert again.status_code == 201, again.text
    future = code_for(device, ctx.clock.now_ns() + step_s * NS_PER_S)
    assert error_code(charge(client, merchant, future, 10, "x")) == "code_wrong"


def test_revoke_is_for_the_owner_and_kills_the_codes(till: Shop) -> None:
    client, ctx, merchant, alice = till
    bob = open_wallet(client, "+6598765432")
    bound = bind(client, alice).json()
    number = str(bound["number"])

    def revoke(wallet: dict[str, object], key: str, which: str = number) -> httpx.Response:
        return client.post(
            f"/v1/wallets/me/devices/{which}/revoke",
            headers=wallet_auth(wallet) | {"Idempotency-Key": key},
        )

    stolen = revoke(bob, "r1")
    assert (stolen.status_code, error_code(stolen)) == (404, "resource_missing")
    code = code_for(phone(bound), ctx.clock.now_ns())
    assert charge(client, merchant, code, 100, "before").status_code == 201  # still bound
    for bad in ("1234", "abcdefgh", "00000000"):
        assert revoke(alice, f"bad-{bad}", bad).status_code == 404
    revoked = revoke(alice, "r2")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    clock_of(ctx).advance(step_s)
    fresh = code_for(phone(bound), ctx.clock.now_ns())
    assert error_code(charge(client, merchant, fresh, 100, "after")) == "code_wrong"
    assert revoke(alice, "r3").status_code == 404  # once
    assert bind(client, bob, "bob-d").status_code == 201


def wrong_code(device: Device, now_ns: int) -> str:
    good = code_for(device, now_ns)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def devices_of(client: httpx.Client, wallet: dict[str, object]) -> list[dict[str, object]]:
    listed = client.get("/v1/wallets/me/devices", headers=wallet_auth(wallet))
    assert listed.status_code == 200, listed.text
    return listed.json()["data"]  # type: ignore[no-any-return]


def test_guessing_one_devices_codes_locks_it_and_tells_its_owner(till: Shop) -> None:
    client, ctx, merchant, alice = till
    bound = bind(client, alice).json()
    device = phone(bound)
    # Each guess from another shop, so that the device's own limit is what stops them.
    shops = [onboard(client, ctx, f"Guesser {n}") for n in range(code_failures_per_device_max)]
    for n, guesser in enumerate(shops):
        guess = charge(client, guesser, wrong_code(device, ctx.clock.now_ns()), 100, f"g{n}")
        assert error_code(guess) == "code_wrong"
    (listed,) = devices_of(client, alice)
    assert (listed["number"], listed["status"]) == (bound["number"], "locked")
    assert listed["locked_reason"] == "too_many_failed_codes"
    assert listed["locked_at"] == ctx.clock.now_ns() // NS_PER_S
    assert "secret" not in listed
    # Locked: even the right code is refused, and in the same words as a wrong one.
    right = charge(client, merchant, code_for(device, ctx.clock.now_ns()), 100, "right")
    assert (right.status_code, error_code(right)) == (400, "code_wrong")
    clock_of(ctx).advance(code_failure_window_s + step_s)
    later = charge(client, merchant, code_for(device, ctx.clock.now_ns()), 100, "later")
    assert error_code(later) == "code_wrong"  # a lock stays until the owner binds anew
    fresh = phone(bind(client, alice, "d2").json())
    assert (
        charge(client, merchant, code_for(fresh, ctx.clock.now_ns()), 100, "new").status_code == 201
    )
    assert [d["status"] for d in devices_of(client, alice)] == ["locked", "active"]


def test_failures_under_the_limit_lock_nothing_once_the_window_passes(till: Shop) -> None:
    client, ctx, merchant, alice = till
    device = phone(bind(client, alice).json())
    for round_ in range(3):
        for n in range(code_failures_per_device_max - 1):
            guess = charge(
                client, merchant, wrong_code(device, ctx.clock.now_ns()), 1, f"{round_}-{n}"
            )
            assert error_code(guess) == "code_wrong"
        clock_of(ctx).advance(code_failure_window_s + 1)
    good = charge(client, merchant, code_for(device, ctx.clock.now_ns()), 100, "good")
    assert good.status_code == 201, good.text
    assert [d["status"] for d in devices_of(client, alice)] == ["active"]


def test_a_merchant_that_keeps_guessing_is_stopped(till: Shop) -> None:
    client, ctx, merchant, alice = till
    device = phone(bind(client, alice).json())
    now = ctx.clock.now_ns()
    for n in range(code_failures_per_merchant_max):
        stranger = Device(n, device.secret, "")  # numbers nobody holds, one guess each
        assert error_code(charge(client, merchant, code_for(stranger, now), 1, f"u{n}")) == (
            "code_wrong"
        )
    stopped = charge(client, merchant, code_for(device, now), 100, "real")
    assert (stopped.status_code, error_code(stopped)) == (429, "code_attempts_exceeded")
    assert stopped.json()["error"]["type"] == "rate_limit_error"
    assert stopped.headers["Retry-After"] == str(code_failure_window_s)
    # Only that merchant: another shop charges the same code, and it was not spent.
    other = onboard(client, ctx, "Honest Shop")
    assert charge(client, other, code_for(device, now), 100, "honest").status_code == 201
    clock_of(ctx).advance(code_failure_window_s + step_s)
    # The refusal was for then, not the key's answer: the same request, retried, is served.
    retried = charge(client, merchant, code_for(device, ctx.clock.now_ns()), 100, "real")
    assert retried.status_code == 201, retried.text
