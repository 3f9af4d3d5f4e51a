"""The API's idempotency records: claims held while a request runs, answers written once and
committed together, visible after a reopen."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from colony.storage.sqlite_api import SqliteApiStore


def test_a_claim_then_its_answer(tmp_path: Path) -> None:
    store = SqliteApiStore(tmp_path / "api.db")
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
    reopened = SqliteApiStore(tmp_path / "api.db")
    assert reopened.begin("w1", "k", "h1", 5) == ("same", 201, '{"ok": true}')
    # A claim does not outlive its process: after a crash the request may run again.
    assert reopened.begin("w2", "k", "h3", 5) == ("new", None, None)
    reopened.close()


def test_answers_finished_together_are_all_written(tmp_path: Path) -> None:
    store = SqliteApiStore(tmp_path / "api.db")
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
    reopened = SqliteApiStore(tmp_path / "api.db")
    for n in range(16):
        for i in range(25):
            assert reopened.begin("s", f"{n}-{i}", "h", 2) == ("same", 200, str(i))
    reopened.close()


def test_a_claim_left_by_an_earlier_version_is_dropped_on_open(tmp_path: Path) -> None:
    store = SqliteApiStore(tmp_path / "api.db")
    store.close()
    db = sqlite3.connect(tmp_path / "api.db")
    db.execute("INSERT INTO api_idempotency VALUES ('w', 'k', 'h', NULL, NULL, 1)")
    db.commit()
    db.close()
    reopened = SqliteApiStore(tmp_path / "api.db")
    assert reopened.begin("w", "k", "h", 2) == ("new", None, None)  # not "in progress" forever
    reopened.close()
