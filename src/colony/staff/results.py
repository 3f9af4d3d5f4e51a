"""Every outcome of adding staff and signing them in: a result, never an exception."""

from __future__ import annotations

import enum


class StaffResult(enum.IntEnum):
    """A password check reports, in this order: no such active staff member (an unknown
    email reads the same as a wrong password on the page), locked, wrong, then a set-up not
    finished. A code check: locked after too many tries, wrong, then reused (a code already
    taken, or older than it).

    A change to a staff member's access reports, in this order: no such member, a reason
    missing, their own account (an admin may not disable themselves nor reset their own
    TOTP), a disabled account (its TOTP is not reset), no change (same role, already
    disabled or active), then the last active admin. Using a set-up link: unknown (used,
    replaced or never made), expired, disabled, then the password's and the code's own."""

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
    invalid_reason = 13  # blank, or longer than staff_reason_chars_max
    own_account = 14
    same_role = 15
    already_disabled = 16
    already_active = 17
    last_admin = 18  # the change would leave no active admin
    setup_unknown = 19  # no such set-up link: used already, replaced by a newer one, or never made
    setup_expired = 20
    setup_pending = 21  # the right password, but the set-up link is not used yet
