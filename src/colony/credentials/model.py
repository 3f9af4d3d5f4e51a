"""A secret (a PIN or a password) as it is kept: its hash, and the tries counted against it.

The hash is argon2id (RFC 9106): memory-hard, so a copy of the database does not let 10^6
PINs be tried on a GPU in a second. A 6-digit PIN alone is still only a million guesses, which
is why tries are counted here and the lock follows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.credentials.results import CredentialResult


class SecretKind(enum.StrEnum):
    pin = "pin"  # a wallet's: 6 digits
    password = "password"  # a merchant's or a staff member's


# Digits in a PIN.
pin_digits = 6
# A password's length, in characters: long enough to be worth hashing, short enough that
# hashing it costs what it should.
password_chars_min = 10
password_chars_max = 128
# Wrong tries in a row before the subject is locked, and how long the lock lasts, in seconds.
attempts_max = 5
lock_s = 15 * 60
# argon2id's cost: OWASP's floor for argon2id (19 MiB, 2 passes, 1 lane), in KiB and passes.
argon2_memory_kib = 19 * 1024
argon2_passes = 2
argon2_lanes = 1


@dataclass(frozen=True)
class StoredSecret:
    subject: str  # who the secret belongs to: "wallet:wal_...", "staff:stf_...", ...
    kind: SecretKind
    hash: str  # argon2id's PHC string: parameters, salt and digest
    failed: int  # wrong tries since the last right one or lock
    locked_until_ns: int  # 0: not locked
    updated_at_ns: int


@dataclass(frozen=True)
class CheckOutcome:
    result: CredentialResult
    attempts_left: int  # before the lock; 0 once locked
    locked_until_ns: int  # 0 unless result is locked
