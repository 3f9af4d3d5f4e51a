"""One-time codes: drawn from passed-in randomness, kept only as a salted HMAC."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from colony.phones.model import code_digits


def new_code(token_bytes: Callable[[int], bytes]) -> str:
    """A code of `code_digits` decimal digits. Eight random bytes reduced modulo 10^6: the
    bias (2^64 mod 10^6 values of 2^64) is far below anything a guesser could use."""
    drawn = int.from_bytes(token_bytes(8), "big") % 10**code_digits
    return f"{drawn:0{code_digits}d}"


def code_digest(salt: bytes, code: str) -> bytes:
    return hmac.new(salt, code.encode(), hashlib.sha256).digest()


def code_matches(salt: bytes, code_sha256: bytes, typed: str) -> bool:
    """Compared in constant time, so the time taken tells nothing about the digits."""
    return hmac.compare_digest(code_digest(salt, typed), code_sha256)
