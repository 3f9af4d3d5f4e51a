"""Webhook signing secrets are sealed at rest, on each backend: the stored column holds no
clear secret; another key, or a secret moved to another merchant's row, is a clear error;
secrets an earlier version stored in clear are sealed when the store opens."""

from __future__ import annotations

import pytest

from colony.kernel.secret_box import SealedSecretInvalid, SecretBox, SecretKeyUnknown
from colony.storage.open import open_tables
from colony.webhooks.model import Endpoint
from colony.webhooks.sql_store import SqlWebhookStore, open_webhook_store
from tests.raw_rows import stored_value

SHOP = Endpoint("mer_shop", "https://shop.example/hooks", "whsec_" + "ab" * 32, 1, 0)
ROGUE = Endpoint("mer_rogue", "https://rogue.example/hooks", "whsec_" + "cd" * 32, 2, 0)


def stored(url: str, merchant_id: str) -> str:
    sql = "SELECT secret FROM webhook_endpoints WHERE merchant_id = ?"
    return str(stored_value(url, sql, (merchant_id,)))


def test_the_column_holds_no_clear_secret(store_url: str) -> None:
    store = open_webhook_store(store_url)
    store.set_endpoint(SHOP)
    raw = stored(store_url, SHOP.merchant_id)
    assert SHOP.secret not in raw and SHOP.secret.removeprefix("whsec_") not in raw
    assert raw.startswith("cs1.")
    assert store.endpoint(SHOP.merchant_id) == SHOP and store.endpoints() == [SHOP]
    store.close()


def test_another_key_is_a_clear_error(store_url: str) -> None:
    store = open_webhook_store(store_url)
    store.set_endpoint(SHOP)
    store.close()
    with pytest.raises(SecretKeyUnknown, match="COLONY_SECRETS_KEY"):
        SqlWebhookStore(open_tables(store_url, "colony-webhooks"), SecretBox(b"\1" * 32))


def test_a_secret_moved_to_another_row_does_not_open(store_url: str) -> None:
    store = open_webhook_store(store_url)
    store.set_endpoint(SHOP)
    store.set_endpoint(ROGUE)
    shops = stored(store_url, SHOP.merchant_id)  # read first: not a second store inside a write
    tables = open_tables(store_url, "colony-test-raw")
    with tables.write() as db:
        db.execute(
            "UPDATE webhook_endpoints SET secret = ? WHERE merchant_id = ?",
            (shops, ROGUE.merchant_id),
        )
    tables.close()
    with pytest.raises(SealedSecretInvalid):
        store.endpoint(ROGUE.merchant_id)
    assert store.endpoint(SHOP.merchant_id) == SHOP
    store.close()


def test_clear_secrets_of_an_earlier_version_are_sealed_on_open(store_url: str) -> None:
    open_webhook_store(store_url).close()
    tables = open_tables(store_url, "colony-test-raw")
    with tables.write() as db:
        db.execute(
            "INSERT INTO webhook_endpoints (merchant_id, url, secret, created_at_ns,"
            " after_timestamp) VALUES (?, ?, ?, ?, ?)",
            (SHOP.merchant_id, SHOP.url, SHOP.secret, SHOP.created_at_ns, SHOP.after_timestamp),
        )
    tables.close()
    store = open_webhook_store(store_url)
    assert stored(store_url, SHOP.merchant_id).startswith("cs1.")
    assert store.endpoint(SHOP.merchant_id) == SHOP
    assert store.seal_clear_secrets() == 0
    store.close()
