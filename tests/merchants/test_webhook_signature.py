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


def _arabic_indic(number: int) -> str:
    return "".join(chr(0x0660 + int(digit)) for digit in str(number))


_MAC = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("header", "says"),
    [
        # Digits of other scripts: str.isdigit and int() take them, a receiver must not.
        (f"t={_arabic_indic(NOW)},v1={_MAC}", "timestamp"),
        (f"t={NOW}".replace("0", "\uff10") + f",v1={_MAC}", "timestamp"),  # fullwidth zero
        (f"t=\u00b2,v1={_MAC}", "timestamp"),  # a superscript two: isdigit, but int() fails
        (f"t={'9' * 5000},v1={_MAC}", "timestamp"),  # past int()'s digit limit
        (f"t=,v1={_MAC}", "timestamp"),
        (f"t=12x,v1={_MAC}", "timestamp"),
        (f"t={NOW},v1={_MAC[:-1]}\u00e9", "no v1 signature"),  # compare_digest: TypeError
        (f"t={NOW},v1={_MAC.upper()}\u0660", "no v1 signature"),
        (f"t={NOW},v1=", "no v1 signature"),
        ("t", "malformed timestamp"),
        (",,,", "no timestamp"),
        ("=", "no timestamp"),
    ],
    ids=[
        "arabic-indic-digits",
        "fullwidth-digit",
        "superscript-digit",
        "timestamp-too-long",
        "timestamp-empty",
        "timestamp-not-a-number",
        "non-ascii-signature",
        "non-hex-signature",
        "signature-empty",
        "bare-key",
        "only-commas",
        "only-equals",
    ],
)
def test_malformed_headers_raise_signature_error(header: str, says: str) -> None:
    with pytest.raises(SignatureError, match=says):
        verify(BODY, header, SECRET, NOW)
