"""PINs and passwords: what may be set, the argon2id hash kept (never the secret), tries
counted in the database and the lock they lead to, on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from colony.credentials import (
    CredentialResult,
    CredentialService,
    SecretKind,
    argon2_hasher,
    attempts_max,
    lock_s,
    open_credential_store,
)
from colony.credentials.service import refusal_of
from colony.credentials.sql_store import SqlCredentialStore
from colony.kernel.clock import ManualClock

R = CredentialResult
# A cheaper argon2id for the tests that hash many times: the same algorithm and checks.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlCredentialStore]:
    opened = open_credential_store(store_url)
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("kind", "secret", "expected"),
    [
        (SecretKind.pin, "482915", R.ok),
        (SecretKind.pin, "48291", R.malformed_secret),
        (SecretKind.pin, "4829150", R.malformed_secret),
        (SecretKind.pin, "48a915", R.malformed_secret),
        (SecretKind.pin, "４８２９１５", R.malformed_secret),  # full-width digits
        (SecretKind.pin, "111111", R.weak_secret),
        (SecretKind.pin, "123456", R.weak_secret),
        (SecretKind.pin, "654321", R.weak_secret),
        (SecretKind.pin, "345678", R.weak_secret),
        (SecretKind.password, "correct horse battery", R.ok),
        (SecretKind.password, "short", R.malformed_secret),
        (SecretKind.password, "x" * 129, R.malformed_secret),
        (SecretKind.password, "aaaaabbbbbb", R.weak_secret),
    ],
)
def test_what_may_be_set(kind: SecretKind, secret: str, expected: R) -> None:
    assert refusal_of(kind, secret) is expected


def test_the_hash_is_argon2id_at_colonys_cost_and_never_the_secret(
    store: SqlCredentialStore,
) -> None:
    service = CredentialService(store, ManualClock(), argon2_hasher())
    assert service.set("phone:+6581234567", SecretKind.pin, "482915") is R.ok
    kept = store.secret("phone:+6581234567")
    assert kept is not None
    assert kept.hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "482915" not in kept.hash
    assert service.check("phone:+6581234567", "482915").result is R.ok


def test_wrong_tries_lock_the_subject_then_the_lock_passes(store: SqlCredentialStore) -> None:
    clock = ManualClock()
    service = CredentialService(store, clock, CHEAP)
    service.set("s", SecretKind.pin, "482915")
    lefts = [service.check("s", "000001") for _ in range(attempts_max - 1)]
    assert [o.result for o in lefts] == [R.wrong_secret] * (attempts_max - 1)
    assert [o.attempts_left for o in lefts] == list(range(attempts_max - 1, 0, -1))
    last = service.check("s", "000001")
    assert last.result is R.locked
    assert last.locked_until_ns == clock.now_ns() + lock_s * 1_000_000_000
    # Locked: even the right PIN is refused, and no try is counted.
    assert service.check("s", "482915").result is R.locked
    clock.advance(lock_s - 1)
    assert service.check("s", "482915").result is R.locked
    clock.advance(1)
    assert service.check("s", "482915").result is R.ok
    # The count started again after the lock, and a right PIN clears it.
    assert service.check("s", "000001").attempts_left == attempts_max - 1


def test_a_right_secret_clears_the_count(store: SqlCredentialStore) -> None:
    service = CredentialService(store, ManualClock(), CHEAP)
    service.set("s", SecretKind.pin, "482915")
    for _ in range(attempts_max - 1):
        service.check("s", "000001")
    assert service.check("s", "482915").result is R.ok
    assert service.check("s", "000001").attempts_left == attempts_max - 1


def test_no_secret_set_is_its_own_answer(store: SqlCredentialStore) -> None:
    service = CredentialService(store, ManualClock(), CHEAP)
    assert service.check("nobody", "482915").result is R.not_set
    assert not service.is_set("nobody")


def test_setting_again_replaces_the_secret_and_clears_the_lock(store: SqlCredentialStore) -> None:
    service = CredentialService(store, ManualClock(), CHEAP)
    service.set("s", SecretKind.pin, "482915")
    for _ in range(attempts_max):
        service.check("s", "000001")
    assert service.check("s", "482915").result is R.locked
    assert service.set("s", SecretKind.pin, "730194") is R.ok
    assert service.check("s", "482915").result is R.wrong_secret
    assert service.check("s", "730194").result is R.ok


def test_concurrent_guesses_share_one_budget(store_url: str) -> None:
    """Sixteen threads, each with its own connection (as many processes would), guess at
    once: at most `attempts_max` guesses are ever compared before the lock."""
    first = open_credential_store(store_url)
    CredentialService(first, ManualClock(), CHEAP).set("s", SecretKind.pin, "482915")
    results: list[R] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def guess(n: int) -> None:
        own = open_credential_store(store_url)
        try:
            service = CredentialService(own, ManualClock(), CHEAP)
            start.wait()
            for i in range(4):
                outcome = service.check("s", f"{n:03d}{i:03d}")
                with lock:
                    results.append(outcome.result)
        finally:
            own.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.close()
    compared = [r for r in results if r is R.wrong_secret]
    assert len(compared) < attempts_max
    assert results.count(R.locked) == len(results) - len(compared)
    assert len(results) == 64
