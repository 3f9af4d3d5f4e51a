"""Device secrets are sealed at rest, on each backend: the stored column holds no clear
secret; another key, or a secret moved to another device's row, is a clear error; secrets an
earlier version stored in clear are sealed when the store opens."""

from __future__ import annotations

import os

import pytest

from colony.kernel.secret_box import (
    SealedSecretInvalid,
    SecretBox,
    SecretKeyUnknown,
    key_id_of,
    parse_key,
)
from colony.payments.payment_code import new_device
from colony.payments.sql_device_store import SqlDeviceStore, open_device_store
from colony.storage.open import open_tables
from tests.raw_rows import stored_value

ALICES = new_device(11111111, "wal_alice", token_bytes=lambda n: b"\xa1" * n)
MALLORYS = new_device(22222222, "wal_mallory", token_bytes=lambda n: b"\x3e" * n)


def stored(url: str, number: int) -> bytes:
    """The secret column as the database holds it, read beside the store."""
    return bytes(
        stored_value(url, "SELECT secret FROM payment_devices WHERE number = ?", (number,))
    )


def test_the_column_holds_no_clear_secret(store_url: str) -> None:
    store = open_device_store(store_url)
    assert store.bind(ALICES, 1)
    raw = stored(store_url, ALICES.number)
    assert ALICES.secret not in raw and ALICES.secret.hex().encode() not in raw
    assert raw.startswith(b"cs1.")
    assert store.device(ALICES.number) == ALICES
    store.close()


def test_another_key_is_a_clear_error(store_url: str) -> None:
    store = open_device_store(store_url)
    assert store.bind(ALICES, 1)
    store.close()
    # A server given the wrong key stops as it opens, naming the key it lacks.
    with pytest.raises(SecretKeyUnknown, match="COLONY_SECRETS_KEY"):
        SqlDeviceStore(open_tables(store_url, "colony-devices"), SecretBox(b"\x09" * 32))
    # Rotated: a new key seals, the old one, retired, still opens what it sealed.
    old = parse_key(os.environ["COLONY_SECRETS_KEY"], "COLONY_SECRETS_KEY")
    rotated = SqlDeviceStore(
        open_tables(store_url, "colony-devices"), SecretBox(b"\x09" * 32, retired=[old])
    )
    assert rotated.device(ALICES.number) == ALICES
    assert rotated.bind(MALLORYS, 2) and rotated.device(MALLORYS.number) == MALLORYS
    assert stored(store_url, MALLORYS.number).split(b".")[1] == key_id_of(b"\x09" * 32).encode()
    rotated.close()


def test_a_secret_moved_to_another_row_does_not_open(store_url: str) -> None:
    store = open_device_store(store_url)
    assert store.bind(ALICES, 1) and store.bind(MALLORYS, 2)
    # Mallory, writing to the database, gives her device Alice's sealed secret.
    alices = stored(store_url, ALICES.number)  # read first: not a second store inside a write
    tables = open_tables(store_url, "colony-test-raw")
    with tables.write() as db:
        db.execute(
            "UPDATE payment_devices SET secret = ? WHERE number = ?", (alices, MALLORYS.number)
        )
    tables.close()
    with pytest.raises(SealedSecretInvalid, match="copied from another row"):
        store.device(MALLORYS.number)
    assert store.device(ALICES.number) == ALICES
    store.close()


def test_clear_secrets_of_an_earlier_version_are_sealed_on_open(store_url: str) -> None:
    open_device_store(store_url).close()  # the tables, as an earlier version left them
    tables = open_tables(store_url, "colony-test-raw")
    with tables.write() as db:
        db.execute(
            "INSERT INTO payment_devices (number, wallet_id, secret, created_at_ns)"
            " VALUES (?, ?, ?, ?)",
            (ALICES.number, ALICES.wallet_id, ALICES.secret, 1),
        )
    tables.close()
    store = open_device_store(store_url)
    assert stored(store_url, ALICES.number).startswith(b"cs1.")
    assert store.device(ALICES.number) == ALICES
    assert store.seal_clear_secrets() == 0  # nothing left in clear
    store.close()
