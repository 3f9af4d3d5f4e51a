"""Every outcome of proving a phone number or an email address: a result, never an
exception."""

from __future__ import annotations

import enum


class ProofResult(enum.IntEnum):
    """Numbers are never reused. A check reports, in this order: the verification is unknown
    (or is another number's, or for another purpose: the same answer, so an id tells a
    stranger nothing), it is dead after too many tries, it expired, the code is wrong."""

    ok = 0
    invalid_phone = 1
    too_many_codes = 2  # codes_per_phone_max in the window: wait
    verification_not_found = 3
    attempts_exhausted = 4
    code_expired = 5
    code_wrong = 6
    invalid_email = 7
