"""Cash loans over HTTP on both backends: the products offered; a loan applied for with the
holder's consent, paid into the wallet once however often the request is retried; its
schedule and what is due; a partial and an early repayment to the end; the operator's lenders
and portfolio (JSON and CSV); refusals with the error's code; another wallet's loan is 404."""

from __future__ import annotations

import csv
import io

from colony.credit import CreditScores, Subject
from colony.credit.scorecard import CHARACTERISTICS
from colony.ledger.verify import verify
from colony.loans import Lenders, LoanService
from tests.api.test_funding_api import Served, post
from tests.api.test_wallet_api import auth, open_wallet, operator_headers
from tests.credit.scorecards import hand_model

PHONE, OTHER = "+6591110001", "+6591110002"


def test_a_loan_from_offer_to_its_last_repayment(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    ctx.service(CreditScores).model = hand_model(
        {c.name: (100, 100, 100) for c in CHARACTERISTICS[Subject.person]}
    )
    lenders = ctx.service(Lenders)
    assert lenders.add("harbour_bank", "SGD", 6_000)[0].name == "ok"
    assert lenders.fund("harbour_bank", "SGD", 100_000_00, "wire-1").name == "ok"
    wallet = open_wallet(client, PHONE)
    me = auth(wallet)
    assert ctx.wallets.cash_in(PHONE, "SGD", 1_000_00).result.name == "ok"
    clock.advance(3_600)

    offered = client.get("/v1/loan_products", headers=me)
    assert offered.status_code == 200, offered.text
    products = offered.json()["data"]
    assert [(p["id"], p["months"], p["annual_rate_bps"]) for p in products] == [
        ("cash_3m", 3, 1_800), ("cash_6m", 6, 2_000), ("cash_12m", 12, 2_400)
    ]  # fmt: skip
    assert len(products[0]["example"]) == 3 and products[0]["amount_min"]["amount_minor"] == 1_000

    body = {"product": "cash_3m", "method": "daily", "amount_minor": 500_00}
    refused = post(client, "/v1/wallets/me/loans", me, "l-0", body)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "consent_required"
    assert post(client, "/v1/credit/consent", me, "c-1").status_code == 201
    clock.advance(60)
    made = post(client, "/v1/wallets/me/loans", me, "l-1", body)
    assert made.status_code == 201, made.text
    loan = made.json()
    assert loan["status"] == "open" and loan["principal_outstanding"]["amount_minor"] == 500_00
    assert [i["principal"]["amount_minor"] for i in loan["schedule"]] == [16_666, 16_666, 16_668]
    assert post(client, "/v1/wallets/me/loans", me, "l-1", body).json() == loan  # once
    balance = client.get("/v1/wallets/me", headers=me).json()["balance"]["amount_minor"]
    assert balance == 1_000_01 + 500_00
    again = post(client, "/v1/wallets/me/loans", me, "l-2", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "too_many_open_loans"
    bad = post(client, "/v1/wallets/me/loans", me, "l-3", body | {"product": "cash_4m"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "product"
    malformed = post(client, "/v1/wallets/me/loans", me, "l-4", body | {"method": "weekly"})
    assert malformed.status_code == 400 and "method" in malformed.text

    service = ctx.service(LoanService)
    for _ in range(11):  # the day it was made, then ten of interest: 0.25 a day on 500.00
        clock.advance(86_400)
        service.daily_run().run(service.today() - 1, clock.now_ns())
    read = client.get(f"/v1/wallets/me/loans/{loan['id']}", headers=me).json()
    assert read["interest_owed"]["amount_minor"] == 10 * 25
    assert read["days_overdue"] == 0 and read["next_due_date"] == loan["schedule"][0]["due_date"]
    listed = client.get("/v1/wallets/me/loans", headers=me).json()["data"]
    assert [x["id"] for x in listed] == [loan["id"]]

    path = f"/v1/wallets/me/loans/{loan['id']}/repayments"
    part = post(client, path, me, "r-1", {"amount_minor": 100_00})
    assert part.status_code == 201, part.text
    assert (part.json()["interest"]["amount_minor"], part.json()["principal"]["amount_minor"]) == (
        250, 100_00 - 250
    )  # fmt: skip
    assert post(client, path, me, "r-1", {"amount_minor": 100_00}).json() == part.json()
    over = post(client, path, me, "r-2", {"amount_minor": 500_00})
    assert over.status_code == 400 and over.json()["error"]["code"] == "amount_exceeds_owed"
    rest = 500_00 - (100_00 - 250)
    clock.advance(86_400)  # a phone-only wallet sends 500.00 a day; no run since: no interest
    paid = post(client, path, me, "r-3", {"amount_minor": rest})
    assert paid.status_code == 201, paid.text
    closed = client.get(f"/v1/wallets/me/loans/{loan['id']}", headers=me).json()
    assert closed["status"] == "repaid" and closed["still_owed"]["amount_minor"] == 0

    other = auth(open_wallet(client, OTHER))
    assert client.get(f"/v1/wallets/me/loans/{loan['id']}", headers=other).status_code == 404
    stolen = post(client, path, other, "r-9", {"amount_minor": 1})
    assert stolen.status_code == 404 and stolen.json()["error"]["param"] == "loan_id"

    operator = operator_headers(ctx)
    lenders_seen = client.get("/v1/lenders", headers=operator).json()["data"]
    assert lenders_seen[0]["available"]["amount_minor"] == 100_000_00
    assert lenders_seen[0]["capital"]["amount_minor"] == 100_000_00 + 150  # 60% of 2.50
    assert client.get("/v1/lenders", headers=me).status_code in (401, 403)
    report = client.get("/v1/loan_portfolio", headers=operator)
    assert report.status_code == 200, report.text
    assert report.json()["object"] == "loan_portfolio" and report.json()["books"] == []
    (vintage,) = report.json()["vintages"]
    assert vintage["lent"]["amount_minor"] == 500_00 and set(vintage["shares_30_plus"]) == {
        "0.0000"
    }
    as_csv = client.get("/v1/loan_portfolio", params={"format": "csv"}, headers=operator)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][0] == "section" and ["vintage", "cash", vintage["month"], "SGD", "50000",
                                        "0", "0.0000"] in rows  # fmt: skip
    wrong = client.get("/v1/loan_portfolio", params={"format": "xml"}, headers=operator)
    assert wrong.status_code == 400
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
