"""Time-based one-time codes (RFC 6238) from an authenticator app.

`matching_step` tries the step now and one either side, as `pyotp.TOTP.verify` does with
`valid_window=1`, but says which step matched: the service keeps the last one taken per staff
member, so the same code (or an older one) is never taken twice.
"""

from __future__ import annotations

import hmac
import io

import pyotp
import segno

from colony.staff.model import TOTP_ISSUER, totp_digits, totp_step_s, totp_window_steps


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps take them (RFC 4226's length)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The `otpauth://` URI an authenticator app reads (shown once, as a QR code or text)."""
    return _totp(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def code_at(secret: str, now_s: int) -> str:
    """The code at `now_s` (tests and the demo's printout)."""
    return _totp(secret).generate_otp(now_s // totp_step_s)


def matching_step(secret: str, code: str, now_s: int) -> int | None:
    """The time step whose code `code` is, within the window around `now_s`; None if none."""
    if len(code) != totp_digits or not code.isascii() or not code.isdigit():
        return None
    totp, current = _totp(secret), now_s // totp_step_s
    for step in range(current - totp_window_steps, current + totp_window_steps + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=totp_digits, interval=totp_step_s)


def provisioning_qr_svg(secret: str, email: str) -> bytes:
    """The `otpauth://` URI as a QR code (SVG) for the app's camera, on the set-up page."""
    code = segno.make(provisioning_uri(secret, email), error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=4, xmldecl=False, svgclass=None, lineclass=None)
    return out.getvalue()
