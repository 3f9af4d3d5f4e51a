"""Money requests' store on both backends: open ones listed to the payer, settled once."""

from __future__ import annotations

from colony.wallets import MoneyRequest, RequestStatus, open_request_store


def _request(n: int, status: RequestStatus = RequestStatus.open) -> MoneyRequest:
    return MoneyRequest(f"mrq_{n:032x}", "wal_a", "+6581230001", "SGD", 100 * n, f"n{n}",
                        status, 10**30 + n, 1_000 + n)  # fmt: skip


def test_requests_are_listed_to_the_payer_and_settled_once(store_url: str) -> None:
    store = open_request_store(store_url)
    try:
        for n in (1, 2, 3):
            store.add(_request(n))
        assert [r.id for r in store.to_payer("+6581230001", "SGD", 10)] == [
            _request(3).id,
            _request(2).id,
            _request(1).id,
        ]
        assert store.to_payer("+6581230001", "EUR", 10) == []
        assert store.open_count("wal_a") == 3
        assert store.settle(_request(2).id, RequestStatus.paid, 5_000)
        assert not store.settle(_request(2).id, RequestStatus.declined, 6_000)  # once
        got = store.get(_request(2).id)
        assert got is not None and got.status is RequestStatus.paid
        assert got.settled_at_ns == 5_000 and got.transfer_id == 10**30 + 2
        assert [r.id for r in store.to_payer("+6581230001", "SGD", 1)] == [_request(3).id]
        assert len(store.by_requester("wal_a", 10)) == 3 and store.open_count("wal_a") == 2
    finally:
        store.close()
