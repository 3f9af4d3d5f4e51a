"""A GCash-style partner wallet's user in Manila pays, in PHP, a Singapore hawker that another
partner acquired, in SGD: the worked example through the HTTP API, to a trial balance per
currency and a settlement report whose nets are the clearing accounts' (docs/adr/0019).

Rates (the operator's file, per EUR): PHP 64, SGD 1.5, so 1 PHP = 0.0234375 SGD (mid); less
50 bps, the customer rate is 0.0233203125.

Maria holds an identity-verified PHP wallet at GCash-like (A, PH): the opening coin (0.01)
and PHP 1,999.99 cashed in. At the Hawker,
acquired by Acquirer SG (B, SG, discount 150 bps), she quotes SGD 25.00: she pays PHP
1,072.03 (25.00 / 0.0233203125 = 1,072.0268, rounded up). At the mid rate SGD 25.00 costs
PHP 1,066.67 (rounded up): the PHP treasury keeps that, the spread of 5.36 is FX revenue.
The Hawker gets SGD 25.00 and pays its fee, 0.38; A earns a fifth of it, 0.07, as
interchange.

The rates move (PHP 70 per EUR). The Hawker refunds SGD 4.00: at the payment's own rate
Maria gets PHP 171.52 (4.00 / 0.0233203125 = 171.524, rounded down), of which the spread's
share, 171.52 * 5.36 / 1,072.03 = 0.85 (rounded down), comes back from FX revenue.

What the partners owe, from the clearing legs:

    SGD  A -> B  25.00 - 4.00 (the payment, the refund)     B is owed      21.00
         house -> A  25.00 - 4.00 (the house's exchange)    A: owes nothing in SGD
    PHP  A -> house  1,072.03 - 171.52                      A owes the house 900.51

    PHP  Maria       2,000.00 - 1,072.03 + 171.52           =  1,099.49
         cash-in     the agent's float                      = -2,000.00
         treasury    1,072.03 - 5.36 - (171.52 - 0.85)      =    896.00
         FX revenue  5.36 - 0.85                            =      4.51
         clearing    A -900.51, the house +900.51
    SGD  Hawker      25.00 - 0.38 - 4.00                    =     20.62
         fee revenue 0.38                                   =      0.38
         treasury    -25.00 + 4.00                          =    -21.00
         refundable  25.00 - 4.00, against payments control =   ±21.00
         clearing    B +21.00, A 0.00, the house -21.00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.api.context import ApiContext
from colony.kernel.money import ledger_of
from colony.ledger.verify import verify
from colony.merchants.model import ACCOUNT_MERCHANT, ACCOUNT_REVENUE
from colony.partners.clearing import ACCOUNT_PARTNER_CLEARING, clearing_account_id
from colony.partners.model import HOUSE_PARTNER_ID
from colony.payments.service import ACCOUNT_PAYMENTS_CONTROL, ACCOUNT_REFUNDABLE
from colony.payments.treasury import ACCOUNT_FX_REVENUE, ACCOUNT_TREASURY
from colony.wallets import model as wallet_model
from tests.api.test_cross_border_api import Served, price_from, quote, serve, trial_balance
from tests.api.test_funding_api import post
from tests.api.test_partner_api import (
    ACQUIRER_SG,
    GCASH,
    MANILA,
    create_partner,
    partner_merchant,
    partner_wallet,
)
from tests.api.test_payment_api import operator_headers, static_code
from tests.api.test_wallet_api import auth

DAY = dt.datetime(2026, 12, 14, 4, 0, tzinfo=dt.UTC)  # noon in Manila and Singapore
RATES = "date,currency,rate\n2026-12-14,PHP,64\n2026-12-14,SGD,1.5\n"
MOVED = "date,currency,rate\n2026-12-14,PHP,70\n2026-12-14,SGD,1.5\n"


@pytest.fixture
def manila(store_url: str, tmp_path: Path) -> Iterator[Served]:
    """The server on a moving clock, pricing PHP and SGD from a rates file, on each backend."""
    for served in serve(store_url, tmp_path, DAY):
        _, ctx, clock, url, _ = served
        (tmp_path / "interop.csv").write_text(RATES)
        price_from(ctx, url, clock, tmp_path / "interop.csv")
        yield served


def clearing_nets(ctx: ApiContext, partner_id: str) -> dict[str, int]:
    """What the platform owes a partner per currency, from its clearing accounts."""
    nets = {}
    for currency in ("PHP", "SGD"):
        found = ctx.ledger.lookup_accounts([clearing_account_id(partner_id, ledger_of(currency))])
        if found:
            nets[currency] = found[0].credits_posted - found[0].debits_posted
    return nets


def test_a_manila_wallet_pays_a_singapore_hawker_of_another_partner_in_pesos(
    manila: Served,
) -> None:
    client, ctx, clock, url, tmp_path = manila
    a, as_a = create_partner(client, ctx, GCASH)
    b, as_b = create_partner(client, ctx, ACQUIRER_SG)
    opened = partner_wallet(client, as_a, MANILA, "PHP")
    maria = auth(opened)
    # A checked her identity (its own KYC), which lifts the phone-only caps.
    assert ctx.wallets.verify_identity(str(opened["id"])).name == "ok"
    assert ctx.wallets.cash_in(MANILA, "PHP", 199_999).result.name == "ok"
    hawker = partner_merchant(client, as_b, "Hawker Chan")
    shop = {"Authorization": f"Bearer {hawker['api_key']}"}

    no_quote = post(client, "/v1/payments", maria, "p0", {"payload": static_code(client, hawker),
                                                          "amount_minor": 2_500})  # fmt: skip
    assert no_quote.status_code == 400 and no_quote.json()["error"]["code"] == "currencies_differ"
    lunch = quote(client, maria, "PHP", "SGD", 2_500, "q-lunch")
    assert (lunch["rate"], lunch["mid_rate"]) == ("0.0233203125", "0.0234375")
    assert lunch["sell"]["amount_minor"] == 107_203  # type: ignore[index]
    body = {"payload": static_code(client, hawker), "amount_minor": 2_500, "quote_id": lunch["id"]}
    paid = post(client, "/v1/payments", maria, "p-lunch", body)
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert payment["fx"]["wallet_amount"]["amount_minor"] == 107_203
    assert payment["fx"]["spread_minor"] == 536
    assert post(client, "/v1/payments", maria, "p-lunch", body).json() == payment  # a replay
    assert clearing_nets(ctx, str(a["id"])) == {"PHP": -107_203, "SGD": 0}
    assert clearing_nets(ctx, str(b["id"])) == {"SGD": 2_500}
    # Both partners see the payment; it is theirs.
    for headers in (as_a, as_b):
        seen = client.get(f"/v1/partner/payments/{payment['id']}", headers=headers)
        assert seen.status_code == 200, seen.text
        assert seen.json()["fx"] == payment["fx"]
        listed = client.get("/v1/partner/payments", headers=headers).json()["data"]
        assert listed == [seen.json()]  # the payer's side on a listed page too

    (tmp_path / "moved.csv").write_text(MOVED)
    price_from(ctx, url, clock, tmp_path / "moved.csv")
    clock.advance(3_600)
    refund = post(client, f"/v1/payments/{payment['id']}/refunds", shop, "r-1",
                  {"amount_minor": 400})  # fmt: skip
    assert refund.status_code == 201, refund.text
    assert refund.json()["wallet_amount"]["amount_minor"] == 17_152

    me = client.get("/v1/wallets/me", headers=maria).json()
    assert me["balance"]["amount_minor"] == 109_949
    assert trial_balance(ctx, "PHP") == {
        wallet_model.ACCOUNT_WALLET: 109_949,
        wallet_model.ACCOUNT_FUNDING: -200_000,
        ACCOUNT_TREASURY: 89_600,
        ACCOUNT_FX_REVENUE: 451,
    }  # the clearing accounts' nets cancel within the code; per partner below
    assert trial_balance(ctx, "SGD") == {
        ACCOUNT_MERCHANT: 2_062,
        ACCOUNT_REVENUE: 38,
        ACCOUNT_TREASURY: -2_100,
        ACCOUNT_REFUNDABLE: 2_100,
        ACCOUNT_PAYMENTS_CONTROL: -2_100,
    }
    assert clearing_nets(ctx, str(a["id"])) == {"PHP": -90_051, "SGD": 0}
    assert clearing_nets(ctx, str(b["id"])) == {"SGD": 2_100}
    assert clearing_nets(ctx, HOUSE_PARTNER_ID) == {"PHP": 90_051, "SGD": -2_100}
    clearing = [a for a in ctx.ledger.all_accounts() if a.code == ACCOUNT_PARTNER_CLEARING]
    assert len(clearing) == 5  # A and the house in both currencies, B in SGD

    report = client.get("/v1/settlements", headers=operator_headers(ctx),
                        params={"window": "2026-12-14"})  # fmt: skip
    assert report.status_code == 200, report.text
    lines = {(line["partner"], line["currency"]): line for line in report.json()["lines"]}
    a_sgd, a_php = lines[(a["id"], "SGD")], lines[(a["id"], "PHP")]
    assert (a_sgd["gross_issued_minor"], a_sgd["refunds_issued_minor"]) == (2_500, 400)
    assert (a_sgd["fx_bought_minor"], a_sgd["fx_sold_minor"]) == (2_500, 400)
    assert (a_sgd["interchange_minor"], a_sgd["net_minor"]) == (7, 7)
    assert (a_php["fx_sold_minor"], a_php["fx_bought_minor"], a_php["net_minor"]) == (
        107_203, 17_152, -90_051
    )  # fmt: skip
    b_sgd = lines[(b["id"], "SGD")]
    assert (b_sgd["gross_acquired_minor"], b_sgd["fees_minor"], b_sgd["net_minor"]) == (
        2_500, 38, 2_500 - 400 - 38
    )  # fmt: skip
    house_sgd, house_php = lines[(HOUSE_PARTNER_ID, "SGD")], lines[(HOUSE_PARTNER_ID, "PHP")]
    assert house_sgd["net_minor"] == 38 - 7 - 2_500 + 400
    assert house_php["net_minor"] == 107_203 - 17_152
    # Netting conserves each currency, and the house's peso net is its peso FX books.
    for currency in ("PHP", "SGD"):
        assert sum(v["net_minor"] for (_, c), v in lines.items() if c == currency) == 0
    assert house_php["net_minor"] == 89_600 + 451
    for (partner, _), line in lines.items():
        if partner != HOUSE_PARTNER_ID:  # a partner's net, from its line's own columns
            assert line["net_minor"] == (
                line["gross_acquired_minor"] - line["refunds_acquired_minor"]
                - line["gross_issued_minor"] + line["refunds_issued_minor"]
                - line["fees_minor"] + line["interchange_minor"]
                + line["fx_bought_minor"] - line["fx_sold_minor"]
            )  # fmt: skip
    # A's statement lists the payment and the refund in the payment's currency.
    statement = (
        f"id,amount_minor,currency\n{payment['id']},2500,SGD\n{refund.json()['id']},400,SGD\n"
    )
    checked = client.post(
        "/v1/settlements/2026-12-14/reconciliations",
        content=statement,
        headers=as_a | {"Idempotency-Key": "rec-a", "Content-Type": "text/csv"},
    )
    assert checked.status_code == 200, checked.text
    assert len(checked.json()["matched"]) == 2 and not checked.json()["different"]
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
