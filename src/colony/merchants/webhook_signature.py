"""Signing merchant webhooks, and the helper a merchant uses to check them.

Every webhook carries `Colony-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the MAC taken
over "<t>.<raw body>" with the endpoint's secret (Stripe's scheme, which integrators know).
The timestamp inside the MAC stops an old delivery being replayed later: a receiver refuses
signatures older than `tolerance_s`. During a secret rotation the header carries one `v1`
per live secret, and a receiver accepts any of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re

HEADER = "Colony-Signature"
# How old a signature a receiver accepts by default, in seconds (clock skew plus retries).
tolerance_s = 300
# The longest timestamp a header may carry, in digits (Unix seconds need 10 until 2286).
timestamp_digits_max = 12
# A v1 signature: the hex digest of HMAC-SHA256, in ASCII.
_V1 = re.compile(r"[0-9a-f]{64}")


class SignatureError(ValueError):
    """The webhook is not from Colony, was altered, or is too old. The message says which."""


def sign(body: bytes, secrets: list[bytes], timestamp_s: int) -> str:
    """The header value for a delivery: one `v1` per live secret."""
    if not secrets:
        raise ValueError("an endpoint needs at least one secret")
    macs = ",".join(f"v1={_mac(secret, timestamp_s, body)}" for secret in secrets)
    return f"t={timestamp_s},{macs}"


def verify(
    body: bytes, header: str, secret: bytes, now_s: int, tolerance: int = tolerance_s
) -> int:
    """Check a delivery as a merchant would; returns its timestamp or raises SignatureError.

    Whatever the header holds, the answer is a timestamp or a SignatureError: a malformed
    header is a forged one. Only ASCII digits make a timestamp (str.isdigit and int() would
    take other scripts' digits too), and a signature that is not 64 lowercase hex digits is
    no candidate.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            if not (value.isascii() and value.isdigit() and len(value) <= timestamp_digits_max):
                raise SignatureError("malformed timestamp (t=) in the signature header")
            timestamp = int(value)
        elif key == "v1" and _V1.fullmatch(value):
            candidates.append(value)
    if timestamp is None:
        raise SignatureError("no timestamp (t=) in the signature header")
    if not candidates:
        raise SignatureError("no v1 signature in the signature header")
    if abs(now_s - timestamp) > tolerance:
        raise SignatureError(f"signature is {now_s - timestamp} s old, more than {tolerance} s")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches this secret and body")
    return timestamp


def _mac(secret: bytes, timestamp_s: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp_s}.".encode() + body, hashlib.sha256).hexdigest()
