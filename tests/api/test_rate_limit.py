"""Per-caller rate limits: a burst, then one request per refill, and a 429 that says when."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from colony.api.auth import digest
from colony.api.context import ApiContext
from colony.api.rate_limit import RateLimiter, rate_limit_per_s_max
from colony.api.sql_store import open_api_store
from colony.cli.main import app as cli
from colony.kernel.clock import ManualClock
from tests.api.test_payment_api import SHOP, onboard, operator_headers
from tests.api.test_wallet_api import auth, open_wallet


def test_bucket_allows_a_burst_then_refills() -> None:
    clock = ManualClock()
    limiter = RateLimiter(clock, per_s=2, burst=3)
    assert [limiter.take("a") for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.take("b") == 0  # callers do not share a bucket
    clock.advance(0.5)  # one token back at 2 per second
    assert limiter.take("a") == 0
    assert limiter.take("a") == 1
    clock.advance(10)
    assert [limiter.take("a") for _ in range(4)] == [0, 0, 0, 1]  # never more than the burst


def test_too_many_requests_get_429(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    alice, bob = open_wallet(client, "+6591234567"), open_wallet(client, "+6598765432")
    ctx.limiter = RateLimiter(ManualClock(), per_s=1, burst=3)  # time stands still
    codes = [client.get("/v1/wallets/me", headers=auth(alice)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/v1/wallets/me", headers=auth(alice))
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert refused.json()["error"]["code"] == "rate_limited"
    assert client.get("/v1/wallets/me", headers=auth(bob)).status_code == 200  # another caller


def test_one_credential_written_differently_draws_on_one_bucket(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    alice = open_wallet(client, "+6591234567")
    ctx.limiter = RateLimiter(ManualClock(), per_s=1, burst=3)  # time stands still
    token = auth(alice)["Authorization"].removeprefix("Bearer ")
    spellings = [f"Bearer {token}", f"Bearer  {token}", f"Bearer   {token}", f"Bearer    {token}"]
    codes = [
        client.get("/v1/wallets/me", headers={"Authorization": written}).status_code
        for written in spellings
    ]
    assert codes == [200, 200, 200, 429]


def test_sprayed_made_up_tokens_are_throttled_by_address(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    ctx.address_limiter = RateLimiter(ManualClock(), per_s=1, burst=5)
    codes = [
        client.get("/v1/wallets/me", headers={"Authorization": f"Bearer wtok_fake{i}"}).status_code
        for i in range(7)
    ]
    assert codes == [401] * 5 + [429, 429]


def test_a_key_given_its_own_rate_is_not_throttled_where_a_default_one_is(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    fast = onboard(client, ctx, "Fast Shop", rate_limit_per_s=50)
    slow = onboard(client, ctx, "Slow Shop")
    assert (fast["rate_limit_per_s"], slow["rate_limit_per_s"]) == (50, None)
    # Time stands still: a default key has its burst of 3 and no more, a key at 50/s (burst
    # scaled with the rate, 150) gets far past it.
    ctx.limiter = RateLimiter(ManualClock(), per_s=1, burst=3)
    ctx.address_limiter = RateLimiter(ManualClock(), per_s=1, burst=5)

    def codes(merchant: dict[str, object], n: int) -> list[int]:
        headers = {"Authorization": f"Bearer {merchant['api_key']}"}
        return [
            client.get("/v1/merchants/me/qr_code", headers=headers).status_code for _ in range(n)
        ]

    assert codes(fast, 40) == [200] * 40  # not even the address's bucket holds it back
    assert codes(slow, 4) == [200, 200, 200, 429]
    assert codes(fast, 1) == [200]


def test_raised_rate_has_its_own_ceiling(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    fast = onboard(client, ctx, "Fast Shop", rate_limit_per_s=2)
    ctx.limiter = RateLimiter(ManualClock(), per_s=1, burst=3)  # a raised key's burst: 6
    headers = {"Authorization": f"Bearer {fast['api_key']}"}
    got = [client.get("/v1/merchants/me/qr_code", headers=headers).status_code for _ in range(7)]
    assert got == [200] * 6 + [429]


@pytest.mark.parametrize("rate", [0, -1, rate_limit_per_s_max + 1, "100"])
def test_a_merchant_rate_out_of_range_is_refused(
    served: tuple[httpx.Client, ApiContext], rate: object
) -> None:
    client, ctx = served
    response = client.post(
        "/v1/merchants",
        json=SHOP | {"rate_limit_per_s": rate},
        headers=operator_headers(ctx) | {"Idempotency-Key": f"m-{rate}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "rate_limit_per_s"


def test_operator_key_with_its_own_rate(store_url: str) -> None:
    url = store_url
    made = CliRunner().invoke(
        cli, ["keys", "create-operator", "--rate-limit", "5000", "--database", url]
    )
    plain = CliRunner().invoke(cli, ["keys", "create-operator", "--database", url])
    assert made.exit_code == 0 and plain.exit_code == 0, made.output
    store = open_api_store(url)
    assert store.key_rate_limit(digest(made.stdout.strip())) == 5000
    assert store.key_rate_limit(digest(plain.stdout.strip())) is None
    store.close()
    refused = CliRunner().invoke(
        cli, ["keys", "create-operator", "--rate-limit", "0", "--database", url]
    )
    assert refused.exit_code == 2


def test_a_database_from_before_per_key_rates_gets_the_column(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE api_keys (key_sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL,"
        " owner_id TEXT NOT NULL, created_at_ns INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO api_keys VALUES ('old', 'operator', 'operator', 1)")
    db.commit()
    db.close()
    store = open_api_store(f"sqlite:///{tmp_path / 'old.db'}")
    store.add_key("new", "operator", "operator", 2, 7)
    assert (store.key_rate_limit("old"), store.key_rate_limit("new")) == (None, 7)
    assert store.key_owner("old") == ("operator", "operator")
    store.close()


def test_a_payment_the_fast_path_hands_on_draws_on_its_bucket_once(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    """A payment's body the edge's fast path is not sure of goes on to the app, whose own
    rate limit must not take it a second time (api/app.py, `PaymentsEdge`)."""
    client, ctx = served
    alice = open_wallet(client, "+6591234567")
    ctx.limiter = RateLimiter(ManualClock(), per_s=1, burst=3)  # time stands still
    codes = [
        client.post(
            "/v1/payments",
            json={"payload": "not a code", "amount_minor": "ten"},  # refused by the route
            headers=auth(alice) | {"Idempotency-Key": f"k{n}"},
        ).status_code
        for n in range(4)
    ]
    assert codes == [400, 400, 400, 429]
