"""Setting and checking PINs and passwords.

A check counts the try in the database before it compares (so concurrent guesses from many
processes share one budget of `attempts_max`), and the try that uses the budget up locks the
subject for `lock_s`. A right secret clears the count. Comparing is argon2's own
(constant-time over the digest).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from colony.credentials.model import (
    CheckOutcome,
    SecretKind,
    StoredSecret,
    argon2_lanes,
    argon2_memory_kib,
    argon2_passes,
    attempts_max,
    lock_s,
    password_chars_max,
    password_chars_min,
    pin_digits,
)
from colony.credentials.results import CredentialResult
from colony.credentials.store import CredentialStore
from colony.kernel.clock import NS_PER_S, Clock

_DIGITS = "0123456789"


def argon2_hasher() -> PasswordHasher:
    """argon2id at Colony's cost (model.py); tests may pass a cheaper one."""
    return PasswordHasher(
        time_cost=argon2_passes, memory_cost=argon2_memory_kib, parallelism=argon2_lanes
    )


def _weak_pin(pin: str) -> bool:
    """The PINs tried first: one digit six times, or a run up or down (123456, 987654)."""
    return len(set(pin)) == 1 or pin in _DIGITS or pin in _DIGITS[::-1]


def refusal_of(kind: SecretKind, secret: str) -> CredentialResult:
    """Whether `secret` may be set as a `kind` (ok, or why not)."""
    if kind is SecretKind.pin:
        if len(secret) != pin_digits or not secret.isascii() or not secret.isdigit():
            return CredentialResult.malformed_secret
        return CredentialResult.weak_secret if _weak_pin(secret) else CredentialResult.ok
    if not password_chars_min <= len(secret) <= password_chars_max:
        return CredentialResult.malformed_secret
    return CredentialResult.weak_secret if len(set(secret)) < 4 else CredentialResult.ok


class CredentialService:
    def __init__(self, store: CredentialStore, clock: Clock, hasher: PasswordHasher) -> None:
        self._store = store
        self._clock = clock
        self._hasher = hasher
        # A hash of a random secret nobody knows, made at the first `check_nobody`.
        self._nobody_hash: str | None = None

    def is_set(self, subject: str) -> bool:
        return self._store.secret(subject) is not None

    def set(self, subject: str, kind: SecretKind, secret: str) -> CredentialResult:
        """Set or replace `subject`'s secret (the caller has proved who it is)."""
        refused = refusal_of(kind, secret)
        if refused is not CredentialResult.ok:
            return refused
        hashed = self._hasher.hash(secret)
        self._store.put(StoredSecret(subject, kind, hashed, 0, 0, self._clock.now_ns()))
        return CredentialResult.ok

    def check(self, subject: str, secret: str) -> CheckOutcome:
        """One try at `subject`'s secret."""
        stored = self._store.secret(subject)
        if stored is None:
            return CheckOutcome(CredentialResult.not_set, 0, 0)
        now_ns = self._clock.now_ns()
        tries = self._store.take_try(subject, attempts_max, now_ns)
        if tries is None:
            locked = self._store.secret(subject)
            until = locked.locked_until_ns if locked and locked.locked_until_ns else now_ns
            return CheckOutcome(CredentialResult.locked, 0, until)
        if self._matches(stored.hash, secret):
            self._store.clear_tries(subject)
            return CheckOutcome(CredentialResult.ok, attempts_max, 0)
        if tries >= attempts_max:
            until = now_ns + lock_s * NS_PER_S
            self._store.lock(subject, until)
            return CheckOutcome(CredentialResult.locked, 0, until)
        return CheckOutcome(CredentialResult.wrong_secret, attempts_max - tries, 0)

    def check_nobody(self, secret: str) -> None:
        """The work of comparing `secret` when there is no secret to compare it with (a
        sign-in for someone unknown): argon2 against a hash made for that by the same hasher,
        so the answer takes as long as a wrong secret's would. It never matches."""
        if self._nobody_hash is None:
            self._nobody_hash = self._hasher.hash(secrets.token_hex(16))
        self._matches(self._nobody_hash, secret)

    def _matches(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False
