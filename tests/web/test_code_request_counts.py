"""The merchant portal's count of sign-in code requests per address (docs/adr/0112), at the
store: requests for one address from several workers at one moment are counted one after
another, so no more than the limit pass; rows past their window go a bounded number per
request. On both backends; "another worker" is a store on a connection of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from colony.web import sessions
from colony.web.sessions import SqlSessionStore, open_session_store

WINDOW_NS = 15 * 60 * 10**9
LIMIT = 5


@pytest.fixture
def workers(store_url: str) -> Iterator[list[SqlSessionStore]]:
    made = [open_session_store(store_url) for _ in range(4)]
    yield made
    for store in made:
        store.close()


def test_requests_at_one_moment_from_several_workers_pass_the_limit_no_more(
    workers: list[SqlSessionStore],
) -> None:
    taken: list[bool] = []
    start = threading.Barrier(len(workers) * 5)

    def ask(store: SqlSessionStore) -> None:
        start.wait()
        taken.append(store.take_code_request("+6590001111", 10**12, WINDOW_NS, LIMIT))

    threads = [threading.Thread(target=ask, args=(s,)) for s in workers for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(True) == LIMIT and len(taken) == 20
    assert not workers[0].take_code_request("+6590001111", 10**12 + 1, WINDOW_NS, LIMIT)
    assert workers[0].take_code_request("+6590002222", 10**12 + 1, WINDOW_NS, LIMIT)


def _rows(store: SqlSessionStore) -> int:
    with store._tables.session() as db:  # what the table holds
        (count,) = db.execute("SELECT COUNT(*) FROM sign_in_code_requests").fetchone()
    return int(count)


def test_rows_past_the_window_go_a_bounded_number_a_request(
    workers: list[SqlSessionStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = workers[0]
    monkeypatch.setattr(sessions, "expired_code_request_rows_max", 3)
    for n in range(7):  # a flood of addresses, each asked once
        assert store.take_code_request(f"+659000{n:04d}", 1_000 + n, WINDOW_NS, LIMIT)
    later = 1_000 + WINDOW_NS + 100
    assert store.take_code_request("+6591110000", later, WINDOW_NS, LIMIT)
    assert _rows(store) == 7 - 3 + 1  # three of the seven gone, the new one in
    assert store.take_code_request("+6591110001", later, WINDOW_NS, LIMIT)
    assert store.take_code_request("+6591110002", later, WINDOW_NS, LIMIT)
    assert _rows(store) == 3  # the rest gone: only the window's three remain
    # A row past its window never counts, deleted yet or not.
    for _ in range(LIMIT):
        assert store.take_code_request("+6591110009", later + 1, WINDOW_NS, LIMIT)
    assert not store.take_code_request("+6591110009", later + 2, WINDOW_NS, LIMIT)
    assert store.take_code_request("+6591110009", later + WINDOW_NS + 2, WINDOW_NS, LIMIT)
