"""A tourist from Shanghai pays a gift shop in Santa Claus Village, Lapland, from a CNY wallet;
the shop is paid in EUR. The worked example, through the HTTP API, to a trial balance per
currency (docs/adr/0016).

Rates (the operator's file, per EUR): CNY 7.7, so 1 CNY = 0.129870129870 EUR (mid); less
50 bps, the customer rate is 0.1292207792.

Li Wei opens a CNY wallet (0.01) and tops up 1,000.00 from ICBC. At Aurora Gifts she asks for
a quote buying EUR 34.90 (a reindeer mug): she pays CNY 270.09 (34.90 / 0.1292207792 = 270.0804,
rounded up). At the mid rate EUR 34.90 costs 268.74 (rounded up): the treasury keeps that,
the spread of 1.35 is FX revenue. The shop gets EUR 34.90 and pays its 1.50 % fee, 0.52.

The rates move (CNY 8.1 per EUR). The shop refunds EUR 10.00 (the mug was chipped): at the
payment's own rate that is CNY 77.38 (10.00 / 0.1292207792 = 77.386, rounded down), of which
the spread's share, 77.38 * 1.35 / 270.09 = 0.38 (rounded down), comes back from FX revenue
and 77.00 from the treasury.

    CNY  Li Wei        0.01 + 1,000.00 - 270.09 + 77.38               =    807.30
         ICBC          top-up paid in                                 = -1,000.00
         cash-in agent the opening coin                               =     -0.01
         treasury      270.09 - 1.35 - 77.00                          =    191.74
         FX revenue    1.35 - 0.38                                    =      0.97
    EUR  Aurora Gifts  34.90 - 0.52 - 10.00                           =     24.38
         fee revenue   0.52                                           =      0.52
         treasury      -34.90 + 10.00 (the liquidity provider funds it) =  -24.90
         refundable    34.90 - 10.00, against the payments control    = ±24.90
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.api.answer_retention import answer_retention_s
from colony.api.context import ApiContext
from colony.cli.fx_commands import quote_service
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock, ns_from_utc
from colony.kernel.money import ledger_of
from colony.ledger.verify import verify
from colony.merchants.model import ACCOUNT_MERCHANT, ACCOUNT_REVENUE
from colony.payments.service import ACCOUNT_PAYMENTS_CONTROL, ACCOUNT_REFUNDABLE
from colony.payments.treasury import ACCOUNT_FX_REVENUE, ACCOUNT_TREASURY
from colony.wallets import model as wallet_model
from tests.api.test_funding_api import post
from tests.api.test_payment_api import operator_headers
from tests.api.test_wallet_api import auth, on_loopback, proof_of

# Monday in Advent, mid-morning in Rovaniemi.
MONDAY = dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC)
RATES = (
    "date,currency,rate\n"
    "2026-12-14,CNY,7.7\n2026-12-14,JPY,162.5\n2026-12-14,KWD,0.32\n2026-12-14,BHD,0.41\n"
)
MOVED = "date,currency,rate\n2026-12-14,CNY,8.1\n2026-12-14,JPY,150\n2026-12-14,KWD,0.35\n"
LI_WEI = "+8613812345678"
AURORA_GIFTS = {
    "legal_name": "Aurora Gifts Oy",
    "display_name": "Aurora Gifts",
    "mcc": "5947",  # gift, card, novelty and souvenir shops
    "country": "FI",
    "city": "Rovaniemi",
    "currency": "EUR",
    "discount_bps": 150,
}
# The limit accounts (allowances and headroom) move among themselves, never money.
LIMIT_CODES = {
    wallet_model.ACCOUNT_BALANCE_HEADROOM,
    wallet_model.ACCOUNT_DAILY_OUTFLOW,
    wallet_model.ACCOUNT_LIMIT_CONTROL,
}
Served = tuple[httpx.Client, ApiContext, ManualClock, str, Path]


def price_from(ctx: ApiContext, url: str, clock: ManualClock, rates: Path) -> None:
    """Quote from an operator's rates file from now on (the server's own rates are stale)."""
    assert ctx.fx is not None
    ctx.fx.store.close()
    ctx.fx = quote_service(url, clock, rates, max_age_days=3)
    ctx.table_stores.append(ctx.fx.store)


def serve(url: str, tmp_path: Path, start: dt.datetime = MONDAY) -> Iterator[Served]:
    clock = ManualClock(ns_from_utc(start))
    ctx = build_context(url, clock=clock)
    (tmp_path / "rates.csv").write_text(RATES)
    price_from(ctx, url, clock, tmp_path / "rates.csv")
    with on_loopback(ctx) as client:
        yield client, ctx, clock, url, tmp_path


@pytest.fixture
def lapland(store_url: str, tmp_path: Path) -> Iterator[Served]:
    """The server on a moving clock, pricing from a rates file, on each backend."""
    yield from serve(store_url, tmp_path)


@pytest.fixture
def lapland_sqlite(tmp_path: Path) -> Iterator[Served]:
    yield from serve(f"sqlite:///{tmp_path}/api.db", tmp_path)


def open_wallet(client: httpx.Client, phone: str, currency: str) -> dict[str, str]:
    body = {"phone": phone, "name": "Li Wei", "currency": currency} | proof_of(
        client, phone, f"prove-{phone}-{currency}"
    )
    opened = post(client, "/v1/wallets", {}, f"open-{phone}", body)
    assert opened.status_code == 201, opened.text
    return auth(opened.json())


def onboard(client: httpx.Client, ctx: ApiContext, currency: str = "EUR") -> dict[str, str]:
    body = AURORA_GIFTS | {"currency": currency}
    made = post(client, "/v1/merchants", operator_headers(ctx), f"shop-{currency}", body)
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['api_key']}"}


def qr(client: httpx.Client, shop: dict[str, str], amount_minor: int) -> str:
    params = {"amount_minor": amount_minor, "reference": "GIFT-1"}
    return str(
        client.get("/v1/merchants/me/qr_code", params=params, headers=shop).json()["payload"]
    )


def quote(
    client: httpx.Client, wallet: dict[str, str], sell: str, buy: str, buy_minor: int, key: str
) -> dict[str, object]:
    body = {"sell_currency": sell, "buy_currency": buy, "buy_amount_minor": buy_minor}
    made = post(client, "/v1/fx/quotes", wallet, key, body)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def trial_balance(ctx: ApiContext, currency: str) -> dict[int, int]:
    """A ledger's net balance (credits less debits) per account code, the limit accounts
    apart; every ledger's debits equal its credits, and so do the limit accounts' alone."""
    ledger = ledger_of(currency)
    (totals,) = [t for t in ctx.ledger.totals() if t.ledger == ledger]
    assert totals.debits_posted == totals.credits_posted
    assert totals.debits_pending == totals.credits_pending == 0
    by_code: dict[int, int] = defaultdict(int)
    for account in ctx.ledger.all_accounts():
        if account.ledger == ledger:
            by_code[account.code] += account.credits_posted - account.debits_posted
    assert sum(by_code[code] for code in LIMIT_CODES) == 0
    return {code: net for code, net in by_code.items() if code not in LIMIT_CODES and net}


def test_a_shanghai_tourist_pays_a_lapland_gift_shop(lapland: Served) -> None:
    client, ctx, clock, url, tmp_path = lapland
    operator = operator_headers(ctx)
    li = open_wallet(client, LI_WEI, "CNY")
    bank = {"name": "icbc", "kind": "bank", "currency": "CNY"}
    assert post(client, "/v1/funding_partners", operator, "icbc", bank).status_code == 201
    money = {"partner": "icbc", "amount_minor": 100_000}
    top_up = post(client, "/v1/wallets/me/top_ups", li, "tu", money).json()
    assert post(client, f"/v1/top_ups/{top_up['id']}/confirm", operator, "ok").status_code == 200
    shop = onboard(client, ctx)

    mug = quote(client, li, "CNY", "EUR", 3_490, "q-mug")
    assert (mug["rate"], mug["mid_rate"]) == ("0.1292207792", "0.129870129870")
    assert mug["sell"] == {"amount_minor": 27_009, "currency": "CNY", "formatted": "CN¥270.09"}
    body = {"payload": qr(client, shop, 3_490), "quote_id": mug["id"]}
    paid = post(client, "/v1/payments", li, "pay-mug", body)
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert (payment["amount_minor"], payment["currency"], payment["status"]) == (
        3_490,
        "EUR",
        "succeeded",
    )
    assert payment["fx"] == {
        "quote": mug["id"],
        "wallet_amount": {"amount_minor": 27_009, "currency": "CNY", "formatted": "CN¥270.09"},
        "rate": "0.1292207792",
        "mid_rate": "0.129870129870",
        "spread_minor": 135,
    }
    assert post(client, "/v1/payments", li, "pay-mug", body).json() == payment  # a replay
    assert client.get(f"/v1/payments/{payment['id']}", headers=shop).json() == payment
    for lister in (shop, li):  # a listed page shows the payer's side too
        assert client.get("/v1/payments", headers=lister).json()["data"] == [payment]
    used = client.get(f"/v1/fx/quotes/{mug['id']}", headers=li).json()
    assert used["status"] == "used"

    (tmp_path / "moved.csv").write_text(MOVED)
    price_from(ctx, url, clock, tmp_path / "moved.csv")
    clock.advance(3_600)
    refund = post(
        client, f"/v1/payments/{payment['id']}/refunds", shop, "re-chipped", {"amount_minor": 1_000}
    )
    assert refund.status_code == 201, refund.text
    assert refund.json()["wallet_amount"] == {
        "amount_minor": 7_738,
        "currency": "CNY",
        "formatted": "CN¥77.38",
    }
    seen = client.get(f"/v1/payments/{payment['id']}", headers=li).json()
    assert seen["amount_refunded_minor"] == 1_000

    me = client.get("/v1/wallets/me", headers=li).json()
    assert me["balance"]["amount_minor"] == 80_730
    assert trial_balance(ctx, "CNY") == {
        wallet_model.ACCOUNT_WALLET: 80_730,
        wallet_model.ACCOUNT_FUNDING_PARTNER: -100_000,
        wallet_model.ACCOUNT_FUNDING: -1,
        ACCOUNT_TREASURY: 19_174,
        ACCOUNT_FX_REVENUE: 97,
    }
    assert trial_balance(ctx, "EUR") == {
        ACCOUNT_MERCHANT: 2_438,
        ACCOUNT_REVENUE: 52,
        ACCOUNT_TREASURY: -2_490,
        ACCOUNT_REFUNDABLE: 2_490,
        ACCOUNT_PAYMENTS_CONTROL: -2_490,
    }
    positions = client.get("/v1/treasury/positions", headers=operator)
    assert positions.status_code == 200, positions.text
    assert [
        (p["currency"], p["treasury"]["formatted"], p["fx_revenue"]["formatted"])
        for p in positions.json()["data"]
    ] == [("CNY", "CN¥191.74", "CN¥0.97"), ("EUR", "-€24.90", "€0.00")]
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def payer(client: httpx.Client, ctx: ApiContext, phone: str, currency: str) -> dict[str, str]:
    wallet = open_wallet(client, phone, currency)
    assert ctx.wallets.cash_in(phone, currency, 40_000).result.name == "ok"
    return wallet


def pay(
    client: httpx.Client, wallet: dict[str, str], payload: str, key: str, **extra: object
) -> httpx.Response:
    return post(client, "/v1/payments", wallet, key, {"payload": payload, **extra})


def balance(client: httpx.Client, wallet: dict[str, str]) -> int:
    return int(client.get("/v1/wallets/me", headers=wallet).json()["balance"]["amount_minor"])


def position(client: httpx.Client, ctx: ApiContext, currency: str) -> tuple[int, int]:
    listed = client.get("/v1/treasury/positions", headers=operator_headers(ctx)).json()["data"]
    (books,) = [p for p in listed if p["currency"] == currency]
    return books["treasury"]["amount_minor"], books["fx_revenue"]["amount_minor"]


# Per EUR: JPY 162.5, KWD 0.32, BHD 0.41, CNY 7.7; 50 bps spread. Each row: the merchant's
# amount b, what the wallet pays s (rounded up at the customer rate), the mid part (rounded
# up at the mid rate), and what a full refund gives back (rounded down at the customer rate).
@pytest.mark.parametrize(
    ("sell", "buy", "b", "s", "mid_part", "full_refund"),
    [
        ("JPY", "EUR", 2_000, 3_267, 3_250, 3_266),  # EUR 20.00 = 3,250 yen at mid
        ("EUR", "JPY", 3_000, 1_856, 1_847, 1_855),  # 3,000 yen = EUR 18.4615 at mid
        ("KWD", "EUR", 4_550, 14_634, 14_560, 14_633),  # EUR 45.50 = KWD 14.560 at mid
        ("CNY", "BHD", 12_345, 23_302, 23_185, 23_301),  # BHD 12.345 = CNY 231.846 at mid
        ("JPY", "KWD", 7_777, 3_970, 3_950, 3_969),  # KWD 7.777 = 3,949.3 yen at mid
    ],
)
def test_currencies_with_0_and_3_decimals(
    lapland_sqlite: Served, sell: str, buy: str, b: int, s: int, mid_part: int, full_refund: int
) -> None:
    client, ctx, _, _, _ = lapland_sqlite
    wallet = payer(client, ctx, LI_WEI, sell)
    shop = onboard(client, ctx, buy)
    q = quote(client, wallet, sell, buy, b, "q")
    assert q["sell"]["amount_minor"] == s  # type: ignore[index]
    paid = pay(client, wallet, qr(client, shop, b), "p", quote_id=q["id"])
    assert paid.status_code == 201, paid.text
    assert paid.json()["fx"]["spread_minor"] == s - mid_part
    assert balance(client, wallet) == 40_001 - s
    assert position(client, ctx, sell) == (mid_part, s - mid_part)
    assert position(client, ctx, buy) == (-b, 0)

    refunds = f"/v1/payments/{paid.json()['id']}/refunds"
    whole = post(client, refunds, shop, "r", {"amount_minor": b})
    assert whole.status_code == 201 and whole.json()["wallet_amount"]["amount_minor"] == full_refund
    more = post(client, refunds, shop, "r2", {"amount_minor": 1})
    assert (more.status_code, more.json()["error"]["code"]) == (400, "refund_exceeds_payment")
    assert balance(client, wallet) == 40_001 - s + full_refund
    treasury, revenue = position(client, ctx, sell)
    assert treasury + revenue == s - full_refund  # the house keeps only the rounding
    assert 0 <= revenue <= s - mid_part
    assert position(client, ctx, buy) == (0, 0)
    for currency in (sell, buy):
        trial_balance(ctx, currency)


def test_a_payment_by_fx_retried_when_its_answer_is_gone_and_its_payer_frozen_is_made(
    lapland: Served,
) -> None:
    """A payment across currencies is answered from its record, which keeps its request's
    hash, as a payment at home is (docs/adr/0083): no answer of its own is kept, and 30 days
    on, its payer frozen since, the retry is answered as made, FX side and all; the frozen
    wallet pays nothing new."""
    client, ctx, clock, _, _ = lapland
    li = payer(client, ctx, LI_WEI, "CNY")
    shop = onboard(client, ctx)
    mug = quote(client, li, "CNY", "EUR", 3_490, "q-mug")
    body = {"payload": qr(client, shop, 3_490), "quote_id": mug["id"]}
    paid = post(client, "/v1/payments", li, "pay-mug", body)
    assert paid.status_code == 201, paid.text
    wallet_id = client.get("/v1/wallets/me", headers=li).json()["id"]
    assert ctx.api_store._stored_answer(wallet_id, "pay-mug") is None  # type: ignore[attr-defined]
    again = post(client, "/v1/payments", li, "pay-mug", body)
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == paid.content

    clock.advance(answer_retention_s + 86_400)
    assert ctx.wallets.freeze(wallet_id, "reported").name == "ok"
    late = post(client, "/v1/payments", li, "pay-mug", body)
    assert late.status_code == 201, late.text
    assert late.headers["Idempotent-Replayed"] == "true" and late.content == paid.content
    fresh = post(client, "/v1/payments", li, "pay-mug-2", body)
    assert (fresh.status_code, fresh.json()["error"]["code"]) == (409, "wallet_frozen")
    assert balance(client, li) == 40_001 - 27_009
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_quotes_that_do_not_fit_are_refused_before_money_moves(lapland_sqlite: Served) -> None:
    client, ctx, clock, _, _ = lapland_sqlite
    li = payer(client, ctx, LI_WEI, "CNY")
    other = payer(client, ctx, "+8613900000000", "CNY")
    shop = onboard(client, ctx)
    mug = qr(client, shop, 3_490)
    theirs = quote(client, other, "CNY", "EUR", 3_490, "q-theirs")
    to_yen = quote(client, li, "CNY", "JPY", 3_490, "q-yen")
    smaller = quote(client, li, "CNY", "EUR", 3_000, "q-small")
    fits = quote(client, li, "CNY", "EUR", 3_490, "q-fits")
    refused = [
        (pay(client, li, mug, "a"), 400, "currencies_differ", "payload"),
        (pay(client, li, mug, "b", quote_id=theirs["id"]), 404, "quote_unknown", "quote_id"),
        (pay(client, li, mug, "c", quote_id="fxq_nothing"), 404, "quote_unknown", "quote_id"),
        (pay(client, li, mug, "d", quote_id=to_yen["id"]), 400, "quote_currencies_differ", None),
        (pay(client, li, mug, "e", quote_id=smaller["id"]), 400, "quote_amount_differs", None),
        (pay(client, li, mug, "f", quote_id=fits["id"], capture=False), 400, None, "capture"),
    ]
    for response, status, code, param in refused:
        error = response.json()["error"]
        assert response.status_code == status, response.text
        assert code is None or error["code"] == code
        assert param is None or error["param"] == param
    assert balance(client, li) == 40_001  # nothing moved, and the quote is still open
    assert client.get(f"/v1/fx/quotes/{fits['id']}", headers=li).json()["status"] == "open"

    assert pay(client, li, mug, "g", quote_id=fits["id"]).status_code == 201
    again = pay(client, li, mug, "h", quote_id=fits["id"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "quote_already_used")
    late = quote(client, li, "CNY", "EUR", 3_490, "q-late")
    clock.advance(60)
    expired = pay(client, li, mug, "i", quote_id=late["id"])
    assert (expired.status_code, expired.json()["error"]["code"]) == (409, "quote_expired")
    assert balance(client, li) == 40_001 - 27_009
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


@pytest.fixture
def last_good_minute(tmp_path: Path) -> Iterator[Served]:
    """30 s before midnight on the last day the rates file's rates may be used (3 days old)."""
    start = dt.datetime(2026, 12, 17, 23, 59, 30, tzinfo=dt.UTC)
    yield from serve(f"sqlite:///{tmp_path}/api.db", tmp_path, start)


def test_a_rate_that_goes_stale_before_paying_is_refused(last_good_minute: Served) -> None:
    client, ctx, clock, _, _ = last_good_minute
    li = payer(client, ctx, LI_WEI, "CNY")
    shop = onboard(client, ctx)
    made = quote(client, li, "CNY", "EUR", 3_490, "q")
    clock.advance(40)  # past midnight: the rate is 4 days old, the quote not yet expired
    stale = pay(client, li, qr(client, shop, 3_490), "p", quote_id=made["id"])
    assert (stale.status_code, stale.json()["error"]["code"]) == (422, "rate_stale")
    body = {"sell_currency": "CNY", "buy_currency": "EUR", "buy_amount_minor": 3_490}
    fresh = post(client, "/v1/fx/quotes", li, "q-2", body)
    assert (fresh.status_code, fresh.json()["error"]["code"]) == (422, "rate_stale")
    assert balance(client, li) == 40_001
