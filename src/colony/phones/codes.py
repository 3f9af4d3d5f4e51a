"""One-time codes: drawn from passed-in randomness, kept only as a salted, peppered HMAC.

The salt is the verification's own, stored beside the hash; the pepper is a key derived from
`COLONY_SECRETS_KEY` (docs/adr/0032), never stored: with a million possible codes, a salted
hash alone gives a pending code to whoever reads the database, the pepper does not.
"""

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


def code_digest(pepper: bytes, salt: bytes, code: str) -> bytes:
    return hmac.new(pepper, salt + code.encode(), hashlib.sha256).digest()


def code_matches(pepper: bytes, salt: bytes, code_sha256: bytes, typed: str) -> bool:
    """Compared in constant time, so the time taken tells nothing about the digits."""
    return hmac.compare_digest(code_digest(pepper, salt, typed), code_sha256)
