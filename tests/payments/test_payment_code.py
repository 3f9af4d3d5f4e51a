"""The customer-presented payment code: accepted once, within a minute, from a bound device."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from colony.kernel.clock import NS_PER_S, ManualClock
from colony.payments.payment_code import (
    CODE_DIGITS,
    CodeResult,
    InMemoryDeviceStore,
    PaymentCodeVerifier,
    code_for,
    new_device,
    password,
    spent_memory_steps,
)


def _setup() -> tuple[PaymentCodeVerifier, ManualClock, object]:
    rng = random.Random(7)
    device = new_device(12345678, wallet_id="wal_test", token_bytes=rng.randbytes)
    verifier = PaymentCodeVerifier()
    verifier.bind(device)
    return verifier, ManualClock(), device


def test_rfc_6238_sha256_vectors() -> None:
    # RFC 6238 appendix B, SHA-256 seed, 8 digits: T=59 s -> 46119246, T=1111111109 s -> 68084774.
    seed = b"12345678901234567890123456789012"
    assert password(seed, 59 // 30) == "46119246"
    assert password(seed, 1111111109 // 30) == "68084774"


def test_code_shape() -> None:
    _, clock, device = _setup()
    code = code_for(device, clock.now_ns())  # type: ignore[arg-type]
    assert len(code) == CODE_DIGITS == 18 and code.startswith("2812345678") and code.isdigit()


def test_accepted_once_then_replay_refused() -> None:
    verifier, clock, device = _setup()
    code = code_for(device, clock.now_ns())  # type: ignore[arg-type]
    first = verifier.check(code, clock.now_ns(), "mer_till")
    assert first.result is CodeResult.ok and first.device is device
    clock.advance(5)
    assert verifier.check(code, clock.now_ns(), "mer_till").result is CodeResult.already_used


@pytest.mark.parametrize(
    ("age_s", "expected"),
    [
        (0, CodeResult.ok),
        (29, CodeResult.ok),
        (45, CodeResult.ok),
        (61, CodeResult.expired),
        (300, CodeResult.expired),
        (900, CodeResult.wrong),
    ],
)
def test_a_code_lives_about_a_minute(age_s: int, expected: CodeResult) -> None:
    verifier, clock, device = _setup()
    clock.set_ns((clock.now_ns() // (30 * NS_PER_S)) * 30 * NS_PER_S)  # the start of a step
    code = code_for(device, clock.now_ns())  # type: ignore[arg-type]
    clock.advance(age_s)
    assert verifier.check(code, clock.now_ns(), "mer_till").result is expected


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda c: c[:-1], CodeResult.malformed),
        (lambda c: "27" + c[2:], CodeResult.malformed),
        (lambda c: c[:5] + "x" + c[6:], CodeResult.malformed),
        (lambda c: "2899999999" + c[10:], CodeResult.unknown_device),
        (lambda c: c[:-8] + f"{(int(c[-8:]) + 1) % 10**8:08d}", CodeResult.wrong),
    ],
    ids=["short", "prefix", "not-digits", "unknown-device", "wrong-password"],
)
def test_refusals_say_why(mangle: object, expected: CodeResult) -> None:
    verifier, clock, device = _setup()
    code = code_for(device, clock.now_ns())  # type: ignore[arg-type]
    assert verifier.check(mangle(code), clock.now_ns(), "mer_till").result is expected  # type: ignore[operator]


def test_unbound_device_is_unknown() -> None:
    verifier, clock, device = _setup()
    code = code_for(device, clock.now_ns())  # type: ignore[arg-type]
    verifier.unbind(12345678)
    assert verifier.check(code, clock.now_ns(), "mer_till").result is CodeResult.unknown_device


def test_another_devices_secret_does_not_verify() -> None:
    verifier, clock, _ = _setup()
    impostor = new_device(12345678, "wal_test", token_bytes=random.Random(8).randbytes)
    assert (
        verifier.check(code_for(impostor, clock.now_ns()), clock.now_ns(), "mer_till").result
        is CodeResult.wrong
    )


def test_used_set_stays_bounded() -> None:
    verifier, clock, device = _setup()
    for _ in range(100):
        assert (
            verifier.check(code_for(device, clock.now_ns()), clock.now_ns(), "mer_till").result
            is CodeResult.ok
        )  # type: ignore[arg-type]
        clock.advance(30)
    store = verifier.store
    assert isinstance(store, InMemoryDeviceStore) and len(store.used) <= spent_memory_steps


def test_password_is_hmac_sha256_truncation() -> None:
    secret = b"k" * 32
    digest = hmac.new(secret, (5).to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    assert password(secret, 5) == f"{value % 10**8:08d}"
