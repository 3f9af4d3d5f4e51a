"""FX quotes over HTTP: a wallet locks a rate, reads it back, watches it expire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.cli.fx_commands import quote_service
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock, ns_from_utc
from tests.api.test_funding_api import ALICE, BOB, post
from tests.api.test_wallet_api import auth, on_loopback, open_wallet

MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
RATES = "date,currency,rate\n2026-11-23,SGD,1.5\n2026-11-23,KWD,0.32\n2026-11-23,JPY,162.5\n"
Served = tuple[httpx.Client, ApiContext, ManualClock]


@pytest.fixture
def fx_served(tmp_path: Path) -> Iterator[Served]:
    """The server on a moving clock, pricing from an operator's rates file."""
    clock = ManualClock(ns_from_utc(MONDAY))
    url = f"sqlite:///{tmp_path}/api.db"
    ctx = build_context(url, clock=clock)
    (tmp_path / "rates.csv").write_text(RATES)
    assert ctx.fx is not None
    ctx.fx.store.close()
    ctx.fx = quote_service(url, clock, tmp_path / "rates.csv", max_age_days=3)
    with on_loopback(ctx) as client:
        yield client, ctx, clock


def test_a_wallet_locks_a_rate_and_reads_it_back(fx_served: Served) -> None:
    client, _, clock = fx_served
    alice = auth(open_wallet(client, ALICE))
    body = {"sell_currency": "SGD", "buy_currency": "KWD", "sell_amount_minor": 10_000}
    made = post(client, "/v1/fx/quotes", alice, "q1", body)
    assert made.status_code == 201, made.text
    quote = made.json()
    # 1 SGD = 0.32 / 1.5 KWD = 0.213333333333 mid; less 50 bps: 0.2122666666 (rounded down).
    assert quote["rate"] == "0.2122666666" and quote["mid_rate"] == "0.213333333333"
    assert quote["sell"] == {"amount_minor": 10_000, "currency": "SGD", "formatted": "SGD100.00"}
    assert quote["buy"] == {"amount_minor": 21_226, "currency": "KWD", "formatted": "KWD21.226"}
    assert (quote["rate_date"], quote["rate_source"]) == ("2026-11-23", "file:rates.csv")
    assert quote["expires_at"] - quote["created"] == 60 and quote["status"] == "open"
    assert post(client, "/v1/fx/quotes", alice, "q1", body).json() == quote  # a replay
    path = f"/v1/fx/quotes/{quote['id']}"
    assert client.get(path, headers=alice).json() == quote
    clock.advance(60)
    assert client.get(path, headers=alice).json()["status"] == "expired"
    bob = auth(open_wallet(client, BOB))
    other = client.get(path, headers=bob)
    assert other.status_code == 404 and other.json()["error"]["param"] == "quote_id"


def test_the_buy_side_rounds_the_sell_up(fx_served: Served) -> None:
    client, _, _ = fx_served
    alice = auth(open_wallet(client, ALICE))
    body = {"sell_currency": "KWD", "buy_currency": "JPY", "buy_amount_minor": 1}
    quote = post(client, "/v1/fx/quotes", alice, "q", body).json()
    assert (quote["sell"]["amount_minor"], quote["buy"]["amount_minor"]) == (2, 1)


def ask(sell: str, buy: str, **amount: float) -> dict[str, object]:
    return {"sell_currency": sell, "buy_currency": buy, **amount}


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        (ask("SGD", "XYZ", sell_amount_minor=1), 400, "unknown_currency", "buy_currency"),
        (ask("XAU", "SGD", sell_amount_minor=1), 400, "unknown_currency", "sell_currency"),
        (ask("SGD", "sgd", sell_amount_minor=1), 400, "same_currency", "buy_currency"),
        (ask("SGD", "KWD"), 400, "amount_on_one_side", "sell_amount_minor"),
        (ask("SGD", "KWD", buy_amount_minor=0), 400, "parameter_invalid", "buy_amount_minor"),
        (ask("SGD", "KWD", sell_amount_minor=1.5), 400, "parameter_invalid", "sell_amount_minor"),
        (ask("JPY", "SGD", sell_amount_minor=1), 400, "amount_too_small", "sell_amount_minor"),
        (ask("SGD", "USD", sell_amount_minor=100), 422, "rate_missing", None),
    ],
)
def test_refusals(
    fx_served: Served, body: dict[str, object], status: int, code: str, param: str | None
) -> None:
    client, _, _ = fx_served
    alice = auth(open_wallet(client, ALICE))
    refused = post(client, "/v1/fx/quotes", alice, "q", body)
    assert refused.status_code == status, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == (code, param)


def test_a_stale_rate_is_refused(fx_served: Served) -> None:
    client, _, clock = fx_served
    alice = auth(open_wallet(client, ALICE))
    clock.advance(4 * 86_400)  # Friday: Monday's rates are four days old, the limit three
    body = {"sell_currency": "SGD", "buy_currency": "JPY", "sell_amount_minor": 100}
    refused = post(client, "/v1/fx/quotes", alice, "q", body)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "rate_stale"
    assert "4 days before 2026-11-27; the limit is 3 days" in refused.json()["error"]["message"]
