"""How Colony's ledger ids are made: the four id spaces, and the two ways of deriving an id.

A ledger id is an unsigned 128-bit integer. Its top bits say which space it is in, so an id of
one space never meets an id of another:

- **time-ordered** (top two bits 00): `kernel.ids.IdGenerator`, milliseconds in the high 48
  bits and randomness below; wallets, merchants, payments, P2P transfers.
- **request-derived** (top bits 01): a transfer id the HTTP API fixes from a request's
  Idempotency-Key (`api/idempotency.py`), so a retried request moves money once.
- **derived** (top bit 1): a hash of a base id and a slot (`derived_id`) or a tag
  (`tagged_id`); the same inputs give the same id, so a retry after a crash resubmits the very
  same events (docs/adr/0003). Every slot and tag is declared in `chart/slots.py`.
- **prefixed** (top byte 0xF0 and above, inside the derived space): an account the platform
  keeps per currency (or per partner and currency), readable from its id; every prefix is
  declared in `chart/prefixes.py`. A hash lands on one with probability 2**-104 or less.
"""

from __future__ import annotations

import hashlib

ID_BITS = 128
DERIVED_BIT = 1 << 127  # set on every derived and prefixed id
REQUEST_DERIVED_BIT = 1 << 126  # set, with the top bit clear, on every request-derived id
PREFIX_SHIFT = 120  # a prefix is the top byte
LEDGER_FIELD_BITS = 16  # how many low bits of a prefixed id carry its ledger number
SLOT_BITS = 64  # a slot number is a u64


# An empty 16-byte blake2b, copied for each id: a copy costs half of setting up a new hash,
# and the daily runs derive several ids for each of a million loans.
_BLAKE2B_16 = hashlib.blake2b(digest_size=16)


def derived_id(base: int, n: int) -> int:
    """The id in slot `n` of `base`: a 127-bit hash with the top bit set, so it never collides
    with a time-ordered or request-derived id (top bit clear), nor is 0 or 2**128-1."""
    digest = _BLAKE2B_16.copy()
    digest.update(base.to_bytes(16, "big") + n.to_bytes(8, "big"))
    return (int.from_bytes(digest.digest(), "big") >> 1) | DERIVED_BIT


def tagged_id(base: int, tag: bytes) -> int:
    """The id a `tag` names under `base`: as `derived_id`, but keyed by bytes longer than a
    slot number, so its hash input is never a numbered slot's."""
    if len(tag) <= 8:
        raise ValueError(f"a tag must be longer than a slot number's 8 bytes: {tag!r}")
    digest = hashlib.blake2b(base.to_bytes(16, "big") + tag, digest_size=16).digest()
    return (int.from_bytes(digest, "big") >> 1) | DERIVED_BIT


def name_hash(name: str, bits: int) -> int:
    """A name (a partner's, a funding partner's) as a number of `bits` bits, to key its ids."""
    if bits % 8 or not 0 < bits <= 128:
        raise ValueError(f"a name hash is whole bytes, at most 16: {bits}")
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=bits // 8).digest(), "big")
