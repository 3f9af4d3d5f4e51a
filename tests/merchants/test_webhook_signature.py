"""Webhook signatures: what a merchant's receiver accepts and refuses."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from colony.merchants.webhook_signature import SignatureError, sign, verify

BODY = b'{"type":"payment.succeeded","data":{"id":"pay_1"}}'
SECRET = b"whsec_test_secret"
NOW = 1_795_545_600


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    header = sign(BODY, [SECRET], NOW)
    mac = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={mac}"
    assert verify(BODY, header, SECRET, NOW + 10) == NOW


@pytest.mark.parametrize(
    ("body", "header_of", "secret", "now", "says"),
    [
        (BODY + b" ", lambda: sign(BODY, [SECRET], NOW), SECRET, NOW, "no signature matches"),
        (BODY, lambda: sign(BODY, [b"other"], NOW), SECRET, NOW, "no signature matches"),
        (BODY, lambda: sign(BODY, [SECRET], NOW), SECRET, NOW + 301, "more than 300 s"),
        (
            BODY,
            lambda: sign(BODY, [SECRET], NOW).replace(f"t={NOW}", f"t={NOW + 1}"),
            SECRET,
            NOW,
            "no signature matches",
        ),
        (BODY, lambda: "v1=abc", SECRET, NOW, "no timestamp"),
        (BODY, lambda: f"t={NOW}", SECRET, NOW, "no v1 signature"),
        (BODY, lambda: "", SECRET, NOW, "no timestamp"),
    ],
    ids=[
        "body-altered",
        "forged-with-other-secret",
        "too-old",
        "timestamp-altered",
        "no-timestamp",
        "no-signature",
        "empty",
    ],
)
def test_forged_altered_and_replayed_deliveries_are_refused(
    body: bytes, header_of: object, secret: bytes, now: int, says: str
) -> None:
    with pytest.raises(SignatureError, match=says):
        verify(body, header_of(), secret, now)  # type: ignore[operator]


def test_secret_rotation_carries_both_signatures() -> None:
    header = sign(BODY, [b"old", b"new"], NOW)
    assert header.count("v1=") == 2
    assert verify(BODY, header, b"old", NOW) == NOW
    assert verify(BODY, header, b"new", NOW) == NOW
    with pytest.raises(SignatureError):
        verify(BODY, header, b"neither", NOW)
