"""Loans to merchants over HTTP on both backends: a merchant without sales is told why it has
no offer; after 25 days of sales it is offered half a month's sales and takes it, once however
often the request is retried; its loan shows what is repaid, what is left and this period's
minimum; a day's collection shows on it; bad requests are named; another merchant's loan is
404."""

from __future__ import annotations

from colony.credit import CreditScores
from colony.kernel.clock import NS_PER_S
from colony.loans import Lenders, MerchantLoans
from colony.merchants import Merchant
from colony.payments.service import PayResult
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import onboard
from tests.api.test_wallet_api import open_wallet, operator_headers
from tests.loans.world import scored_well

ALICE = "+6591110001"
DAY_S = 86_400


def test_a_merchant_takes_its_offer_and_watches_it_repaid(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    ctx.service(CreditScores).model = scored_well()
    lenders = ctx.service(Lenders)
    assert lenders.add("harbour_bank", "SGD", 6_000)[0].name == "ok"
    assert lenders.fund("harbour_bank", "SGD", 100_000_00, "wire-1").name == "ok"
    open_wallet(client, ALICE)
    wallet = ctx.wallet_store.by_phone(ALICE, "SGD")
    assert wallet is not None and ctx.wallets.verify_identity(wallet.id).name == "ok"
    assert ctx.wallets.cash_in(ALICE, "SGD", 5_000_00).result.name == "ok"
    made = onboard(client, ctx)
    other = onboard(client, ctx, "Kopi Corner")
    me = {"Authorization": f"Bearer {made['api_key']}"}
    them = {"Authorization": f"Bearer {other['api_key']}"}
    shop = ctx.merchants.by_id(str(made["id"]))
    assert isinstance(shop, Merchant)
    clock.set_ns((clock.now_ns() // (DAY_S * NS_PER_S) + 1) * DAY_S * NS_PER_S + 3_600 * NS_PER_S)

    none = client.get("/v1/merchants/me/loan_offer", headers=me)
    assert none.status_code == 200, none.text
    assert (none.json()["result"], none.json()["reason"]) == (
        "too_little_history", "too_little_history")  # fmt: skip
    refused = post(client, "/v1/merchants/me/loans", me, "ln-0")
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "too_little_history"

    def sell(amount_minor: int) -> None:
        code = ctx.payments.merchant_qr(shop, amount_minor)
        assert ctx.payments.pay_by_qr(ALICE, "SGD", code).result is PayResult.ok
        clock.advance(DAY_S)

    for _ in range(25):
        sell(100_00)
    offer = client.get("/v1/merchants/me/loan_offer", headers=me).json()
    assert (offer["result"], offer["reason"]) == ("ok", "sales")
    # 25 days of 98.50 (the discount fee is 1.5%) is 820.83 a month: half, in whole units
    assert offer["principal"]["amount_minor"] == 410_00 and offer["fee"]["amount_minor"] == 20_50
    assert offer["period_minimum"]["amount_minor"] == 71_75
    assert offer["repayment_share_bps"] == 1_000 and offer["periods"] == 6

    no_key = client.post("/v1/merchants/me/loans", headers=me)
    assert no_key.status_code == 400 and no_key.json()["error"]["param"] == "Idempotency-Key"
    taken = post(client, "/v1/merchants/me/loans", me, "ln-1")
    assert taken.status_code == 201, taken.text
    loan = taken.json()
    assert loan["status"] == "open" and loan["left"]["amount_minor"] == 430_50
    assert loan["repaid"]["amount_minor"] == 0 and not loan["delinquent"]
    assert loan["period"]["number"] == 1 and loan["period"]["minimum"]["amount_minor"] == 71_75
    assert post(client, "/v1/merchants/me/loans", me, "ln-1").json() == loan  # once
    again = post(client, "/v1/merchants/me/loans", me, "ln-2")
    assert again.status_code == 409 and again.json()["error"]["code"] == "too_many_open_loans"
    assert client.get("/v1/merchants/me/loan_offer", headers=me).json()["reason"] == "loan_open"

    clock.advance(DAY_S)  # sales are collected from the day after the loan was made
    sell(1_000_00)  # a day of sales, collected the day after: 10% of 985.00
    ctx.service(MerchantLoans).collect_day(clock.now_ns() // (DAY_S * NS_PER_S) - 1)
    seen = client.get(f"/v1/merchants/me/loans/{loan['id']}", headers=me)
    assert seen.status_code == 200, seen.text
    assert seen.json()["repaid"]["amount_minor"] == 98_50
    assert seen.json()["left"]["amount_minor"] == 430_50 - 98_50
    assert seen.json()["period"]["paid"]["amount_minor"] == 98_50
    listed = client.get("/v1/merchants/me/loans", headers=me).json()["data"]
    assert [x["id"] for x in listed] == [loan["id"]]

    # The operator's portfolio counts it as product sme
    book = client.get("/v1/loan_portfolio", headers=operator_headers(ctx)).json()["books"]
    sme = next(b for b in book if b["product"] == "sme")
    assert sme["currency"] == "SGD" and sme["loans"] == 1

    # Another merchant, a malformed id, a stranger: refused, naming what is wrong
    theirs = client.get(f"/v1/merchants/me/loans/{loan['id']}", headers=them)
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "loan_not_found"
    assert client.get("/v1/merchants/me/loans", headers=them).json()["data"] == []
    assert client.get("/v1/merchants/me/loans/mln_zz", headers=me).status_code == 404
    assert client.get("/v1/merchants/me/loan_offer").status_code == 401
    bearer = {"Authorization": "Bearer sk_nobody"}
    assert post(client, "/v1/merchants/me/loans", bearer, "ln-9").status_code == 401
