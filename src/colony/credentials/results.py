"""Every outcome of setting and checking a secret: a result, never an exception."""

from __future__ import annotations

import enum


class CredentialResult(enum.IntEnum):
    """A check reports, in this order: no secret is set, the subject is locked, the secret is
    wrong (the try that reaches `attempts_max` answers `locked`: the lock starts there)."""

    ok = 0
    malformed_secret = 1  # not 6 digits for a PIN; too short or too long for a password
    weak_secret = 2  # a PIN anyone would try first (123456, 111111, ...)
    not_set = 3
    locked = 4
    wrong_secret = 5
