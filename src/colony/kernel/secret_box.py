"""Secrets sealed at rest: AES-256-GCM under a key the operator gives, with the key's id in
each sealed value and the row's identity bound in as associated data.

A device's secret and a webhook endpoint's signing secret must be read back in clear (a code
is checked, a delivery signed, with the secret itself), so they cannot be stored hashed as
tokens and keys are; they are sealed instead. A sealed value is ASCII text,
`cs1.<key id>.<base64url of nonce, ciphertext and tag>`: the key id says which key opens it,
so keys can rotate (a new key seals, retired keys still open what they sealed); the row's
identity (`bound_to`, e.g. the device's number and wallet) is the associated data, so a value
copied into another row does not open there.

Opening fails with an exception, never a wrong secret: a value sealed under a key this box
does not hold is `SecretKeyUnknown`; one that does not authenticate (tampered, moved from
another row) is `SealedSecretInvalid`. Both are broken infrastructure, not bad input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from colony.kernel.errors import ColonyError, InvalidInput

SEALED_PREFIX = "cs1"  # Colony sealed, format 1
# AES-256: the key's length in bytes; GCM's nonce, drawn at random for every seal.
key_bytes = 32
nonce_bytes = 12
# Hex digits of a key's id (a hash of the key: it names the key without revealing it).
key_id_hex_chars = 8


class SecretKeyUnknown(ColonyError):
    """A sealed secret names a key this process was not given (rotated away, or another
    installation's database): give it that key, as the current or a retired one."""


class SealedSecretInvalid(ColonyError):
    """A sealed secret does not open under its key for this row: altered, or copied from
    another row."""


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"colony secrets key id\x00" + key).hexdigest()[:key_id_hex_chars]


def parse_key(text: str, where: str) -> bytes:
    """A key written as base64 (standard or URL-safe) of `key_bytes` bytes; `where` names
    the setting in the error."""
    try:
        key = base64.b64decode(text.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            f"{where} is not base64: give {key_bytes} random bytes, base64"
        ) from None
    if len(key) != key_bytes:
        raise InvalidInput(f"{where} holds {len(key)} bytes; an AES-256 key is {key_bytes}")
    return key


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX + ".")


class SecretBox:
    def __init__(
        self,
        current: bytes,
        retired: Sequence[bytes] = (),
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        for key in (current, *retired):
            if len(key) != key_bytes:
                raise InvalidInput(f"a secrets key is {key_bytes} bytes, not {len(key)}")
        self.key_id = key_id_of(current)
        self._current_key = current
        self._current = AESGCM(current)
        self._keys = {key_id_of(k): AESGCM(k) for k in retired} | {self.key_id: self._current}
        self._token_bytes = token_bytes

    def seal(self, secret: bytes, bound_to: str) -> str:
        nonce = self._token_bytes(nonce_bytes)
        sealed = nonce + self._current.encrypt(nonce, secret, bound_to.encode())
        return f"{SEALED_PREFIX}.{self.key_id}.{base64.urlsafe_b64encode(sealed).decode()}"

    def derived_key(self, purpose: str) -> bytes:
        """A key for `purpose` (an HMAC pepper, say) derived from the current key: secret
        while the key is, and another after the key rotates."""
        label = b"colony derived key\x00" + purpose.encode()
        return hmac.new(self._current_key, label, hashlib.sha256).digest()

    def check_keys(self, key_ids: Iterable[str], where: str) -> None:
        """Raise `SecretKeyUnknown` unless this box holds every key in `key_ids` (those that
        sealed the secrets of `where`): a server given the wrong key stops at its start, not
        at the first payment that needs a secret."""
        for key_id in sorted(set(key_ids)):
            self._key(key_id, where)

    def open(self, sealed: str, bound_to: str) -> bytes:
        prefix, key_id, body = [*sealed.split("."), "", ""][:3]
        if prefix != SEALED_PREFIX or not body:
            raise SealedSecretInvalid(f"not a sealed secret (for {bound_to})")
        key = self._key(key_id, f"the secret for {bound_to}")
        try:
            raw = base64.urlsafe_b64decode(body)
            return key.decrypt(raw[:nonce_bytes], raw[nonce_bytes:], bound_to.encode())
        except (InvalidTag, binascii.Error, ValueError):
            raise SealedSecretInvalid(
                f"the secret for {bound_to} does not open under key {key_id}: it was altered "
                "or copied from another row"
            ) from None

    def _key(self, key_id: str, what: str) -> AESGCM:
        key = self._keys.get(key_id)
        if key is None:
            raise SecretKeyUnknown(
                f"{what} is sealed under key {key_id}, which this process was not given (it "
                f"holds {', '.join(sorted(self._keys))}): set COLONY_SECRETS_KEY, or "
                "COLONY_SECRETS_RETIRED_KEYS, to include it"
            )
        return key
