"""Sealing secrets: what is sealed opens only under its key and for its row; keys rotate by
their ids; anything else is a clear error, never a wrong secret."""

from __future__ import annotations

import base64

import pytest

from colony.kernel.errors import InvalidInput
from colony.kernel.secret_box import (
    SealedSecretInvalid,
    SecretBox,
    SecretKeyUnknown,
    is_sealed,
    key_id_of,
    parse_key,
)

OLD, NEW = b"\x01" * 32, b"\x02" * 32
SECRET = bytes(range(32))


def test_a_sealed_secret_opens_for_its_row_only() -> None:
    box = SecretBox(NEW)
    sealed = box.seal(SECRET, "payment_devices/7/wal_a")
    assert is_sealed(sealed) and sealed.isascii() and SECRET.hex() not in sealed
    assert sealed.split(".")[1] == box.key_id == key_id_of(NEW)
    assert box.open(sealed, "payment_devices/7/wal_a") == SECRET
    assert box.seal(SECRET, "payment_devices/7/wal_a") != sealed  # a fresh nonce each time
    with pytest.raises(SealedSecretInvalid, match="copied from another row"):
        box.open(sealed, "payment_devices/8/wal_b")


def test_keys_rotate_by_their_ids() -> None:
    sealed_before = SecretBox(OLD).seal(SECRET, "row")
    with pytest.raises(SecretKeyUnknown, match=key_id_of(OLD)):
        SecretBox(NEW).open(sealed_before, "row")
    rotated = SecretBox(NEW, retired=[OLD])
    assert rotated.open(sealed_before, "row") == SECRET
    assert rotated.seal(SECRET, "row").split(".")[1] == key_id_of(NEW)  # the new key seals


@pytest.mark.parametrize(
    "tampered",
    [
        lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1],  # a flipped bit of the tag
        lambda s: s.rsplit(".", 1)[0] + ".!!notbase64",
        lambda s: "cs1." + s.split(".")[1],  # no ciphertext
        lambda s: "plain",
    ],
    ids=["altered", "garbled", "truncated", "not-sealed"],
)
def test_anything_else_is_refused(tampered: object) -> None:
    box = SecretBox(NEW)
    sealed = box.seal(SECRET, "row")
    with pytest.raises(SealedSecretInvalid):
        box.open(tampered(sealed), "row")  # type: ignore[operator]


def test_keys_are_32_bytes_of_base64() -> None:
    text = base64.b64encode(NEW).decode()
    assert parse_key(text, "K") == NEW
    assert parse_key(base64.urlsafe_b64encode(NEW).decode() + "\n", "K") == NEW
    with pytest.raises(InvalidInput, match="K holds 16 bytes"):
        parse_key(base64.b64encode(b"x" * 16).decode(), "K")
    with pytest.raises(InvalidInput, match="K is not base64"):
        parse_key("not base64 at all!", "K")
    with pytest.raises(InvalidInput):
        SecretBox(b"short")


def test_derived_keys_belong_to_the_current_key_and_their_purpose() -> None:
    pepper = SecretBox(NEW).derived_key("phone verification codes")
    assert len(pepper) == 32 and pepper not in (NEW, OLD)
    assert SecretBox(NEW, retired=[OLD]).derived_key("phone verification codes") == pepper
    assert SecretBox(OLD).derived_key("phone verification codes") != pepper
    assert SecretBox(NEW).derived_key("something else") != pepper
