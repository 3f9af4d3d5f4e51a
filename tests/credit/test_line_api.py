"""The credit line over HTTP on both backends: no line without consent; opened with a limit
from the score; a merchant's QR paid with the line through `POST /v1/payments` (the
merchant paid as by a wallet, the line's limit drawn, the wallet untouched); a refund back to
the line; the bill on the 1st; a repayment with an Idempotency-Key moving money once; a plan;
and the refusals, each naming what is wrong."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx

from colony.kernel.clock import NS_PER_S, ns_from_utc, utc_from_ns
from colony.ledger.verify import verify
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import merchant_headers, onboard, operator_headers
from tests.api.test_wallet_api import auth, open_wallet

PHONE = "+6591110001"


def _midnight(day: dt.date) -> int:
    return ns_from_utc(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)) + NS_PER_S


def test_a_line_opened_spent_billed_and_repaid_over_http(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    wallet = open_wallet(client, PHONE)
    me = auth(wallet)
    assert ctx.wallets.verify_identity(str(wallet["id"])).name == "ok"
    for _ in range(4):
        assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
        clock.advance(7 * 86_400)
    shop = onboard(client, ctx)

    assert client.get("/v1/wallets/me/credit_line", headers=me).status_code == 404
    refused = post(client, "/v1/wallets/me/credit_line", me, "l-0", {"due_day": 9})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "consent_required"
    assert post(client, "/v1/credit/consent", me, "c-1").status_code == 201
    bad_day = post(client, "/v1/wallets/me/credit_line", me, "l-1", {"due_day": 15})
    assert bad_day.status_code == 400 and bad_day.json()["error"]["param"] == "due_day"
    opened = post(client, "/v1/wallets/me/credit_line", me, "l-2", {"due_day": 9})
    assert opened.status_code == 201, opened.text
    line = opened.json()
    limit = line["limit"]["amount_minor"]
    assert line["state"] == "open" and limit > 0 and line["available"] == line["limit"]
    assert line["owed"]["amount_minor"] == 0 and line["bill"] is None

    person = ctx.wallet_store.by_id(str(wallet["id"]))
    assert person is not None
    balance_before = ctx.wallets.balance(person)
    merchant = ctx.merchants.by_id(str(shop["id"]))
    assert merchant is not None
    payload = ctx.payments.merchant_qr(merchant)  # as printed at the hawker's stall
    body = {"payload": payload, "amount_minor": 120_00, "funding_source": "credit_line"}
    paid = post(client, "/v1/payments", me, "p-1", body)
    assert paid.status_code == 201, paid.text
    assert post(client, "/v1/payments", me, "p-1", body).json() == paid.json()  # once
    too_much = post(client, "/v1/payments", me, "p-2", body | {"amount_minor": limit})
    assert too_much.status_code == 402
    assert too_much.json()["error"]["code"] == "credit_limit_exceeded"
    held = post(client, "/v1/payments", me, "p-3", body | {"capture": False})
    assert held.status_code == 400 and held.json()["error"]["param"] == "funding_source"
    after = client.get("/v1/wallets/me/credit_line", headers=me).json()
    assert after["owed"]["amount_minor"] == 120_00
    assert after["available"]["amount_minor"] == limit - 120_00
    assert ctx.wallets.balance(person) == balance_before  # the lender paid, not the wallet

    payment_id = paid.json()["id"]
    refund = client.post(
        f"/v1/payments/{payment_id}/refunds",
        json={"amount_minor": 20_00},
        headers=merchant_headers(shop, "r-1"),
    )
    assert refund.status_code == 201, refund.text
    after = client.get("/v1/wallets/me/credit_line", headers=me).json()
    assert after["owed"]["amount_minor"] == 100_00
    assert after["available"]["amount_minor"] == limit - 100_00

    plan = post(client, "/v1/wallets/me/credit_line/plans", me, "s-1",
                {"amount_minor": 30_00, "instalments": 6})  # fmt: skip
    assert plan.status_code == 201 and plan.json()["status"] == "asked"
    no_plan = post(client, "/v1/wallets/me/credit_line/plans", me, "s-2",
                   {"amount_minor": 30_00, "instalments": 4})  # fmt: skip
    assert no_plan.status_code == 400 and no_plan.json()["error"]["param"] == "instalments"

    # The nights up to the 1st: the bill.
    today = utc_from_ns(clock.now_ns()).date()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    clock.set_ns(_midnight(first))
    run = {"day": first.isoformat()}
    ran = client.post("/v1/credit_lines/runs", json=run,
                      headers=operator_headers(ctx) | {"Idempotency-Key": "run-1"})  # fmt: skip
    assert ran.status_code == 201 and ran.json()["lines"] == 1, ran.text
    bad = client.post("/v1/credit_lines/runs", json={"day": "2026-02-30"},
                      headers=operator_headers(ctx) | {"Idempotency-Key": "run-2"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "day"
    ahead = client.post("/v1/credit_lines/runs", json={"day": str(first + dt.timedelta(days=1))},
                        headers=operator_headers(ctx) | {"Idempotency-Key": "run-3"})  # fmt: skip
    assert ahead.status_code == 400 and "not begun" in ahead.json()["error"]["message"]
    billed = client.get("/v1/wallets/me/credit_line", headers=me).json()
    bill = billed["bill"]
    assert bill is not None and bill["billed"] == first.isoformat()
    assert bill["due"] == first.replace(day=9).isoformat()
    assert bill["purchases"]["amount_minor"] == 70_00  # 120 - 20 refunded - 30 in the plan
    assert bill["instalments"]["amount_minor"] == 5_00 and bill["fees"]["amount_minor"] > 0
    total = bill["total"]["amount_minor"]

    split = post(client, "/v1/wallets/me/credit_line/plans", me, "s-3",
                 {"what": "bill", "instalments": 3})  # fmt: skip
    assert split.status_code == 201 and split.json()["what"] == "bill", split.text
    assert split.json()["amount"] is None
    no_amount = post(client, "/v1/wallets/me/credit_line/plans", me, "s-4", {"instalments": 3})
    assert no_amount.status_code == 400 and no_amount.json()["error"]["param"] == "amount_minor"
    too_big = post(client, "/v1/wallets/me/credit_line/repayments", me, "r-0",
                   {"amount_minor": 10**9})  # fmt: skip
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "more_than_owed"
    repaid = post(client, "/v1/wallets/me/credit_line/repayments", me, "r-1",
                  {"amount_minor": total})  # fmt: skip
    assert repaid.status_code == 201, repaid.text
    again = post(client, "/v1/wallets/me/credit_line/repayments", me, "r-1",
                 {"amount_minor": total})  # fmt: skip
    assert again.json() == repaid.json()
    owed = client.get("/v1/wallets/me/credit_line", headers=me).json()["owed"]["amount_minor"]
    assert owed == 25_00  # the plan's five instalments still to come
    _in_the_portfolio(client, operator_headers(ctx))
    for totals in ctx.ledger.totals():
        assert totals.debits_posted == totals.credits_posted
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def _in_the_portfolio(client: httpx.Client, operator: dict[str, str]) -> None:
    """The operator's portfolio report holds the line: its principal all in the plan, current,
    1% expected lost; the provision the night raised on the 100.00 owed then."""
    report = client.get("/v1/loan_portfolio", headers=operator)
    assert report.status_code == 200, report.text
    (book,) = [b for b in report.json()["books"] if b["product"] == "line"]
    assert book["currency"] == "SGD" and book["loans"] == 1
    assert book["principal_outstanding"]["amount_minor"] == 25_00
    assert {k: v["amount_minor"] for k, v in book["principal_parts"].items()} == {
        "billed": 0, "unbilled": 0, "instalment_plans": 25_00,
    }  # fmt: skip
    assert (book["par30"], book["par90"]) == ("0.0000", "0.0000")
    assert book["expected_loss"]["amount_minor"] == 25  # 1% of 25.00, current
    assert book["by_bucket"]["current"]["amount_minor"] == 25_00
    (losses,) = [x for x in report.json()["losses"] if x["product"] == "line"]
    assert (
        losses["provision"]["amount_minor"] == 1_00 and losses["charged_off"]["amount_minor"] == 0
    )
    (vintage,) = [v for v in report.json()["vintages"] if v["product"] == "line"]
    assert set(vintage["shares_30_plus"]) == {"0.0000"}
    as_csv = client.get("/v1/loan_portfolio", params={"format": "csv"}, headers=operator)
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    (line_row,) = [r for r in rows if r[:3] == ["book", "line", "SGD"]]
    assert line_row[4] == "2500" and line_row[-3:] == ["0", "0", "2500"]
    assert ["losses", "line", "SGD", "0", "0", "100"] in rows
