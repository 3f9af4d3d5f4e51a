"""A verification (a one-time code sent to a phone number or an email address, to prove the
person holds it) and the messages the operator's outboxes keep: texts and mail.

The code itself is never stored: only an HMAC-SHA256 of it and a salt drawn for that
verification, keyed by a pepper derived from the secrets key (codes.py), so a copy of the
database does not show codes waiting to be typed, nor lets them be found by trying all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Digits in a one-time code.
code_digits = 6
# How long a code may be typed after it was sent, in seconds.
code_ttl_s = 600
# Tries at a verification's code, the right one included; after them it is dead.
code_attempts_max = 5
# Codes sent to one number per window: a flood of texts to a stranger's phone is refused.
codes_per_phone_max = 5
codes_per_phone_window_s = 3600
# Bytes of salt drawn for each verification's code hash.
code_salt_bytes = 16


class Purpose(enum.StrEnum):
    """What proving the number is for: a code proved for one purpose proves nothing else."""

    open_wallet = "open_wallet"
    sign_in = "sign_in"  # the wallet app's sign-in and sign-up (src/colony/web)
    # The merchant portal's (merchants/signin_pages.py), by a number or an email address.
    merchant_sign_in = "merchant_sign_in"


@dataclass(frozen=True)
class PhoneVerification:
    id: str  # "pv_" + 32 random hex digits: unguessable, so nobody can spend another's tries
    address: str  # where the code went: an E.164 number, or an email address in lower case
    purpose: Purpose
    salt: bytes
    code_sha256: bytes  # HMAC-SHA256(pepper, salt + code)
    created_at_ns: int
    expires_at_ns: int
    attempts: int = 0
    proved_at_ns: int | None = None


@dataclass(frozen=True)
class SmsMessage:
    id: str  # "sms_" + a time-ordered id: the outbox pages by it
    phone: str
    text: str
    created_at_ns: int


@dataclass(frozen=True)
class EmailMessage:
    id: str  # "eml_" + a time-ordered id: the outbox pages by it
    address: str  # lower case
    subject: str
    text: str
    created_at_ns: int
