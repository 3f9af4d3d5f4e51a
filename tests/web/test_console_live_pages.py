"""The console's Live, FX and Treasury pages over real HTTP, without script: payments made
through the API counted per currency in the live window (and in its event stream), the
trial balance balanced, today's reference rates and the treasury positions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.payments import PaymentsWindow, live_window_s
from colony.staff import Role
from tests.api import test_cross_border_api as cross_border
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import auth, open_wallet
from tests.web.test_console_pages import _signed_in, _staff, _visitor
from tests.web.visitor import Visitor, events_of, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
PAYER = "+6591230077"
PAGES = ["/console/live", "/console/live/events", "/console/fx", "/console/treasury"]


@pytest.mark.parametrize("path", PAGES)
def test_a_stranger_is_sent_to_sign_in(served_at: Served, path: str) -> None:
    api, _, _ = served_at
    answer = _visitor(api).get(path)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/console/signin")


def _pay(api: httpx.Client, ctx: ApiContext, amounts: list[int]) -> None:
    """A wallet pays a hawker's static code each amount, through the API."""
    merchant = onboard(api, ctx)
    payer = open_wallet(api, PAYER)
    assert ctx.wallets.cash_in(PAYER, "SGD", 100_000).result.name == "ok"
    code = static_code(api, merchant)
    for n, amount in enumerate(amounts):
        paid = api.post(
            "/v1/payments",
            json={"payload": code, "amount_minor": amount},
            headers=auth(payer) | {"Idempotency-Key": f"live-{n}"},
        )
        assert paid.status_code == 201, paid.text


def test_live_counts_the_payments_and_the_ledger_balances(served_at: Served) -> None:
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx, Role.read_only))
    _pay(api, ctx, [1_000, 250, 1_250])
    page = staff.text("/console/live")
    assert "SGD 3 0.01 SGD 25.00" in page  # 3 payments, 3/300 a second, SGD 25.00
    assert 'data-testid="balanced-SGD">yes' in staff.get("/console/live").text
    with staff.client.stream("GET", "/console/live/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        first = next(events_of(stream.iter_lines(), "payments"))
    series = first["series"]
    assert isinstance(series, dict) and sum(series["SGD"]) == 3
    assert len(series["SGD"]) == live_window_s
    assert first["rows"] == [
        {"currency": "SGD", "payments": "3", "per_s": "0.01", "value": "SGD\xa025.00"}
    ]
    # The per-minute table has a row for the one minute with payments, none for quiet ones.
    assert first["minutes"] == [
        {"from": first["minutes"][0]["from"], "currency": "SGD", "payments": "3",
         "value": "SGD\xa025.00"}
    ]  # fmt: skip
    assert [row.split()[-4:] for row in _minute_rows(staff)] == [["SGD", "3", "SGD", "25.00"]]
    clock.advance(live_window_s + 1)
    assert "SGD 0 0.00 SGD 0.00" in staff.text("/console/live")  # out of the window now
    assert _minute_rows(staff) == ["No payments in the last 5 minutes."]


def test_live_shows_the_servers_load(served_at: Served) -> None:
    """The payments this server process serves now, its bound, and those it turned away as
    busy (docs/adr/0108): its own count, the edge's that served the page."""
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx, Role.read_only))
    _pay(api, ctx, [1_000])
    assert _load(staff) == "In flight At most Turned away 0 128 0"
    load = ctx.payments_in_flight
    # The bound reached, as it is under a festival's overload: the next is turned away.
    places = [load.enter() for _ in range(load.in_flight_max + 1)]
    assert places.count(False) == 1
    assert _load(staff) == "In flight At most Turned away 128 128 1"


def _load(staff: Visitor) -> str:
    page = staff.get("/console/live").text
    table = page.split('data-testid="server-load">', 1)[1].split("</table>", 1)[0]
    return words(table)


def _minute_rows(staff: Visitor) -> list[str]:
    """The rows of the Live page's per-minute table, each as its words."""
    page = staff.get("/console/live").text
    table = page.split('data-testid="live-minutes"', 1)[1].split("</table>", 1)[0]
    return [words(row) for row in table.split("<tbody", 1)[1].split("<tr>")[1:]]


def test_the_window_reads_on_from_where_it_stopped(served_at: Served) -> None:
    api, ctx, clock = served_at
    _pay(api, ctx, [500])
    window = PaymentsWindow(ctx.ledger)
    first = window.refresh(clock.now_ns())
    assert [(c.currency, c.payments, c.amount_minor) for c in first.currencies] == [("SGD", 1, 500)]
    clock.advance(live_window_s - 1)
    code = static_code(api, onboard(api, ctx, "Second Shop"))
    payer = open_wallet(api, "+6591230078")
    assert ctx.wallets.cash_in("+6591230078", "SGD", 1_000).result.name == "ok"
    paid = api.post(
        "/v1/payments",
        json={"payload": code, "amount_minor": 300},
        headers=auth(payer) | {"Idempotency-Key": "second"},
    )
    assert paid.status_code == 201, paid.text
    later = window.refresh(clock.now_ns())
    assert [(c.payments, c.amount_minor) for c in later.currencies] == [(2, 800)]
    assert later.currencies[0].counts[-1] == 1  # the newest second
    clock.advance(2)  # the first payment leaves the window
    assert [c.payments for c in window.refresh(clock.now_ns()).currencies] == [1]


@pytest.fixture
def lapland(tmp_path: Path) -> Iterator[cross_border.Served]:
    """The cross-border example's server: pricing from a rates file (CNY 7.7 per EUR)."""
    yield from cross_border.serve(f"sqlite:///{tmp_path}/api.db", tmp_path)


def test_fx_shows_todays_rates_and_treasury_the_positions(lapland: cross_border.Served) -> None:
    api, ctx, clock, _, _ = lapland
    staff = _signed_in(api, clock, _staff(ctx, Role.finance))
    assert "No treasury positions" in staff.text("/console/treasury")
    # Li Wei pays EUR 34.90 from CNY: CNY 270.09, of which 1.35 is the spread.
    wallet = cross_border.payer(api, ctx, cross_border.LI_WEI, "CNY")
    shop = cross_border.onboard(api, ctx, "EUR")
    quote = cross_border.quote(api, wallet, "CNY", "EUR", 3_490, "q")
    payload = cross_border.qr(api, shop, 3_490)
    paid = cross_border.pay(api, wallet, payload, "p", quote_id=quote["id"])
    assert paid.status_code == 201, paid.text

    fx = staff.text("/console/fx")
    assert "CNY 7.7 2026-12-14 file:" in fx and "0 days" in fx
    assert f"{quote['id']}" in fx and "CN¥270.09 €34.90" in fx and "used" in fx
    assert "/console/fx?before=" not in fx  # one quote: one page
    assert staff.get("/console/fx?before=nonsense").status_code == 400
    treasury = staff.text("/console/treasury")
    assert "CNY CN¥268.74 CN¥1.35" in treasury
    assert "EUR -€34.90 €0.00" in treasury
    live = staff.text("/console/live")
    assert "EUR 1 0.00 €34.90" in live  # counted once, in the merchant's currency
    assert "CNY 0 0.00 CN¥0.00" in live
