"""The worked example, over HTTP on each backend: the operator registers a cause, a wallet
gives to it (a retry gives once), anyone signed in reads what it raised, and the books still
balance (a trial balance, and the ledger's own verifier)."""

from __future__ import annotations

from colony.ledger.verify import verify
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import SHOP, operator_headers
from tests.api.test_wallet_api import auth, open_wallet

ALICE = "+6591110001"


def test_a_wallet_gives_to_a_cause_and_the_books_balance(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    operator = operator_headers(ctx)
    registered = post(
        client, "/v1/causes", operator, "c-1", {"name": "Food Bank", "currency": "SGD"}
    )
    assert registered.status_code == 201, registered.text
    cause = registered.json()
    assert cause["id"].startswith("cau_") and cause["raised"]["amount_minor"] == 0
    again = post(client, "/v1/causes", operator, "c-1", {"name": "Food Bank", "currency": "SGD"})
    assert again.json() == cause  # the same key registers it once
    wallet = open_wallet(client, ALICE)
    assert ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"

    path = f"/v1/causes/{cause['id']}/donations"
    given = post(client, path, auth(wallet), "d-1", {"amount_minor": 2_500})
    assert given.status_code == 201, given.text
    assert given.json()["amount"]["formatted"] == "SGD25.00"
    assert post(client, path, auth(wallet), "d-1", {"amount_minor": 2_500}).json() == given.json()
    assert post(client, path, auth(wallet), "d-2", {"amount_minor": 1_000}).status_code == 201
    too_much = post(client, path, auth(wallet), "d-3", {"amount_minor": 1_000_000})
    assert too_much.status_code == 402
    assert too_much.json()["error"]["code"] == "insufficient_funds"
    missing = post(
        client, "/v1/causes/cau_none/donations", auth(wallet), "d-4", {"amount_minor": 1}
    )
    assert missing.status_code == 404

    # Anyone signed in reads the causes: a wallet, a merchant, the operator; nobody else.
    shop = post(client, "/v1/merchants", operator, "m-1", SHOP).json()
    for headers in (auth(wallet), {"Authorization": f"Bearer {shop['api_key']}"}, operator):
        one = client.get(f"/v1/causes/{cause['id']}", headers=headers)
        assert one.status_code == 200 and one.json()["raised"]["amount_minor"] == 3_500
        listed = client.get("/v1/causes", headers=headers).json()["data"]
        assert [c["id"] for c in listed] == [cause["id"]]
    assert client.get("/v1/causes").status_code == 401
    assert client.get("/v1/causes/cau_none", headers=operator).status_code == 404
    # Only the operator registers causes.
    as_wallet = post(client, "/v1/causes", auth(wallet), "c-2", {"name": "X", "currency": "SGD"})
    assert as_wallet.status_code == 401

    me = client.get("/v1/wallets/me", headers=auth(wallet)).json()
    assert me["balance"]["amount_minor"] == 10_001 - 3_500
    accounts = list(ctx.ledger.all_accounts())
    assert sum(a.debits_posted for a in accounts) == sum(a.credits_posted for a in accounts)
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
