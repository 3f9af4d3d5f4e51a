"""Every outcome of adding staff and signing them in: a result, never an exception."""

from __future__ import annotations

import enum


class StaffResult(enum.IntEnum):
    """A password check reports, in this order: no such active staff member (an unknown
    email reads the same as a wrong password on the page), locked, wrong. A code check: locked
    after too many tries, wrong, then reused (a code already taken, or older than it)."""

    ok = 0
    invalid_email = 1
    invalid_name = 2
    email_taken = 3
    malformed_password = 4  # outside credentials' length limits
    weak_password = 5
    unknown_staff = 6
    inactive = 7
    wrong_password = 8
    locked = 9  # too many wrong passwords in a row
    totp_wrong = 10
    totp_reused = 11  # a code is good once: a replay, even within its 30 seconds, is refused
    totp_locked = 12  # too many wrong codes in a row
