"""Payment-code devices and spent codes on each backend: one spend per (device, step),
whichever connection asks, and a revoked device stays revoked."""

from __future__ import annotations

import threading

import psycopg
import pytest

from colony.kernel.errors import StorageUnavailable
from colony.payments.payment_code import (
    CodeResult,
    PaymentCodeVerifier,
    code_for,
    new_device,
    spent_memory_steps,
)
from colony.payments.sql_device_store import SqlDeviceStore, open_device_store

# Connections racing to spend one code (each a server sharing the database file).
racers = 8


def test_one_spend_wins_across_connections(store_url: str) -> None:
    stores = [open_device_store(store_url) for _ in range(racers)]
    device = new_device(12345678, "wal_a", token_bytes=lambda n: b"\x05" * n)
    assert stores[0].bind(device, 1) and not stores[1].bind(device, 2)  # a number is bound once
    code = code_for(device, 0)
    start = threading.Barrier(racers)
    results: list[CodeResult] = []

    def check(store: SqlDeviceStore) -> None:
        start.wait()
        results.append(PaymentCodeVerifier(store).check(code, 0, "mer_till").result)

    threads = [threading.Thread(target=check, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [CodeResult.ok] + [CodeResult.already_used] * (racers - 1)
    for store in stores:
        store.close()


def test_revoke_and_prune(store_url: str) -> None:
    store = open_device_store(store_url)
    device = new_device(7, "wal_a", token_bytes=lambda n: b"\x01" * n)
    assert store.bind(device, 1) and store.device(7) == device
    assert not store.revoke(7, "wal_b", 2)  # not the owner's
    assert store.revoke(7, "wal_a", 3) and store.device(7) is None
    assert not store.revoke(7, "wal_a", 4) and not store.bind(device, 5)  # never reused
    for step in range(10):
        assert store.spend(8, step)
    store.forget_spent_before(10 - spent_memory_steps)
    assert not store.spend(8, 9) and store.spend(8, 0)  # recent kept, old forgotten
    store.close()


def test_a_dropped_connection_fails_one_call_and_the_next_reconnects(postgres_url: str) -> None:
    store = open_device_store(postgres_url)
    device = new_device(9, "wal_a", token_bytes=lambda n: b"\x02" * n)
    assert store.bind(device, 1)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = 'colony-devices'"
        ).fetchall()
    assert ended == [(True,)]
    with pytest.raises(StorageUnavailable):
        store.spend(9, 0)  # cut off: this call cannot say whether it landed
    assert store.device(9) == device  # a new connection
    assert store.spend(9, 1) and not store.spend(9, 1)
    store.close()
