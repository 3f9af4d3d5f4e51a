"""Per-caller rate limits: a burst, then one request per refill, and a 429 that says when."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.api.rate_limit import RateLimiter
from colony.kernel.clock import ManualClock
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
