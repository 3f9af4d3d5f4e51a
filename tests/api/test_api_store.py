"""The API store's contract on each backend: claims held while a request runs, answers
written once and committed together, visible after a reopen; wallet tokens and API keys
stored by hash, listed, revoked."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

from colony.api.sql_store import open_api_store
from colony.kernel.key_claims import claim_stale_s


def test_a_claim_then_its_answer(store_url: str) -> None:
    store = open_api_store(store_url)
    assert store.begin("w1", "k", "h1", 1) == ("new", None, None)
    assert store.begin("w1", "k", "h1", 2) == ("same", None, None)  # still running
    assert store.begin("w1", "k", "h2", 2) == ("different", None, None)
    assert store.begin("w2", "k", "h2", 2) == ("new", None, None)  # keys are per scope
    store.finish("w1", "k", 201, '{"ok": true}')
    assert store.begin("w1", "k", "h1", 3) == ("same", 201, '{"ok": true}')
    assert store.begin("w1", "k", "h2", 3) == ("different", None, None)
    store.release("w2", "k")  # failed for a reason not to replay: a retry runs again
    assert store.begin("w2", "k", "h3", 4) == ("new", None, None)
    store.close()
    reopened = open_api_store(store_url)
    assert reopened.begin("w1", "k", "h1", 5) == ("same", 201, '{"ok": true}')
    # A claim does not outlive its process: after a crash the request may run again.
    assert reopened.begin("w2", "k", "h3", 5) == ("new", None, None)
    reopened.close()


def test_answers_finished_together_are_all_written(store_url: str) -> None:
    store = open_api_store(store_url)
    start = threading.Barrier(16)

    def serve(n: int) -> None:
        start.wait()
        for i in range(25):
            assert store.begin("s", f"{n}-{i}", "h", 1)[0] == "new"
            store.finish("s", f"{n}-{i}", 200, str(i))

    threads = [threading.Thread(target=serve, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    reopened = open_api_store(store_url)
    for n in range(16):
        for i in range(25):
            assert reopened.begin("s", f"{n}-{i}", "h", 2) == ("same", 200, str(i))
    reopened.close()


def test_only_one_of_racing_first_requests_is_new(store_url: str) -> None:
    store = open_api_store(store_url)
    start = threading.Barrier(8)
    states: list[str] = []

    def claim(n: int) -> None:
        start.wait()
        states.append(store.begin("w", "race", "h", n)[0])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(states) == ["new"] + ["same"] * 7
    store.close()


def test_tokens_and_keys_are_found_by_hash(store_url: str) -> None:
    store = open_api_store(store_url)
    store.add_token("tok_sha", "wal_1", 1)
    assert store.wallet_for_token("tok_sha") == "wal_1"
    assert store.wallet_for_token("nope") is None
    store.add_key("b" * 64, "merchant", "mer_1", 5, scopes=("payments:write",), name="till")
    store.add_key("a" * 64, "merchant", "mer_1", 5, rate_limit_per_s=50)
    store.add_key("c" * 64, "merchant", "mer_2", 1)
    store.add_key("d" * 64, "operator", "operator", 2)
    store.close()
    store = open_api_store(store_url)
    assert store.wallet_for_token("tok_sha") == "wal_1"
    mine = store.keys_of("merchant", "mer_1")
    assert [k.key_sha256[0] for k in mine] == ["a", "b"]  # oldest first, then by hash
    till = store.key("b" * 64)
    assert till is not None and till.scopes == ("payments:write",) and till.name == "till"
    assert till.id == "key_" + "b" * 16 and till.revoked_at_ns is None
    assert store.key_owner("a" * 64) == ("merchant", "mer_1")
    assert store.key_rate_limit("a" * 64) == 50 and store.key_rate_limit("b" * 64) is None
    store.revoke_key("a" * 64, 9)
    store.revoke_key("a" * 64, 10)  # revoking twice keeps the first time
    revoked = store.key("a" * 64)
    assert revoked is not None and revoked.revoked_at_ns == 9
    assert store.key_owner("a" * 64) is None and store.key_rate_limit("a" * 64) is None
    assert store.key_owner("d" * 64) == ("operator", "operator")
    assert store.key("e" * 64) is None
    store.close()


def test_a_claim_left_by_an_earlier_version_is_dropped_on_open(tmp_path: Path) -> None:
    store = open_api_store(f"sqlite:///{tmp_path / 'api.db'}")
    store.close()
    db = sqlite3.connect(tmp_path / "api.db")
    db.execute("INSERT INTO api_idempotency VALUES ('w', 'k', 'h', NULL, NULL, 1)")
    db.commit()
    db.close()
    reopened = open_api_store(f"sqlite:///{tmp_path / 'api.db'}")
    assert reopened.begin("w", "k", "h", 2) == ("new", None, None)  # not "in progress" forever
    reopened.close()


# --- Claims shared by several processes serving one database (colony serve --workers N) ---

NS_PER_S = 1_000_000_000


def _claim_row(url: str, holder: str, claimed_at_ns: int) -> None:
    """A claim another process left in the database, as it would have written it."""
    sql = "INSERT INTO api_idempotency_claims VALUES ('w1', 'k', 'h1', '{}', {})"
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        db.execute(sql.format(holder, claimed_at_ns))
        db.commit()
        db.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.format(holder, claimed_at_ns).encode())


def test_a_claim_is_seen_by_every_process_until_its_answer(store_url: str) -> None:
    first = open_api_store(store_url, shared_claims=True)
    second = open_api_store(store_url, shared_claims=True)  # another worker's store
    try:
        assert first.begin("w1", "k", "h1", 1) == ("new", None, None)
        assert second.begin("w1", "k", "h1", 2) == ("same", None, None)  # running elsewhere
        assert second.begin("w1", "k", "h2", 2) == ("different", None, None)
        first.finish("w1", "k", 201, '{"ok": true}')
        assert second.begin("w1", "k", "h1", 3) == ("same", 201, '{"ok": true}')
        assert first.begin("w2", "k", "h1", 4) == ("new", None, None)
        first.release("w2", "k")  # failed, not to be replayed: any worker may run it again
        assert second.begin("w2", "k", "h1", 5) == ("new", None, None)
    finally:
        first.close()
        second.close()


def test_a_claim_of_a_process_gone_is_taken_over_at_once(store_url: str) -> None:
    store = open_api_store(store_url, shared_claims=True)
    store.close()  # the tables exist now
    host = socket.gethostname()
    _claim_row(store_url, f"{host}/{2**22 + 7}/1", 1)  # a pid that is not running here
    store = open_api_store(store_url, shared_claims=True)
    try:
        assert store.begin("w1", "k", "h1", 2) == ("new", None, None)
    finally:
        store.close()


def test_a_claim_from_another_machine_waits_until_it_is_stale(store_url: str) -> None:
    store = open_api_store(store_url, shared_claims=True)
    store.close()
    claimed_at = 1_000 * NS_PER_S
    _claim_row(store_url, "some-other-host/1/1", claimed_at)
    store = open_api_store(store_url, shared_claims=True)
    try:
        fresh = claimed_at + (claim_stale_s - 1) * NS_PER_S
        assert store.begin("w1", "k", "h1", fresh) == ("same", None, None)
        stale = claimed_at + (claim_stale_s + 1) * NS_PER_S
        assert store.begin("w1", "k", "h1", stale) == ("new", None, None)
    finally:
        store.close()
