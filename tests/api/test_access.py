"""Nobody can read or move another's money: every endpoint of the OpenAPI spec, attacked.

The victim (a wallet and a merchant, both partner B's) owns one of everything: a payment, an
authorisation, a phone, a top-up, a withdrawal. An attacker with its own real wallet (partner
A's) and merchant (the house's), partner A's own key, no credential, or forged ones, calls
every route aimed at the victim's things. Every answer
must be 401 or 404, never a success, and afterwards the ledger and the victim's things are
exactly as they were. A new route fails this test until it is added to the tables below, or,
for a product's route, to the same tables in its tests folder: `tests/<product>/api_access.py`
may declare `PUBLIC`, `SIGNED_IN` and `BODIES`, and `victims(client, ctx, operator_headers)`,
the victim's ids for its routes' path parameters (tests/contributions.py).
"""

from __future__ import annotations

import re

from colony.api import auth as api_auth
from colony.api.context import ApiContext
from tests.api.test_funding_api import ALICE, BOB, Served, post
from tests.api.test_partner_api import (
    ACQUIRER_SG,
    GCASH,
    create_partner,
    partner_merchant,
    partner_wallet,
)
from tests.api.test_payment_api import SHOP, operator_headers
from tests.api.test_wallet_api import auth
from tests.contributions import declared, each_once

# Routes anyone may call: they act on nothing that belongs to someone.
PUBLIC = {("POST", "/v1/wallets"), ("POST", "/v1/qr/decode")}.union(
    *declared("api_access", "PUBLIC")
)
# Routes any signed-in caller may call, on things nobody owns (a cause wallets give to):
# here, only callers without a valid credential must be refused.
SIGNED_IN: set[tuple[str, str]] = set().union(*declared("api_access", "SIGNED_IN"))
# A well-formed body per POST route, so that an answer is about access, not about the body.
_BODIES: dict[str, object] = {
    "/v1/wallets/{wallet_id}/transfers": {"to_phone": BOB, "amount_minor": 100},
    "/v1/merchants": SHOP | {"display_name": "Rogue"},
    "/v1/payments": {"payload": "", "amount_minor": 100},  # the victim's QR, set below
    "/v1/payments/{payment_id}/capture": {"amount_minor": 100},
    "/v1/payments/{payment_id}/void": {},
    "/v1/payments/{payment_id}/refunds": {"amount_minor": 100},
    "/v1/payments/code": {"code": "280000000000000000", "amount_minor": 100},
    "/v1/merchants/me/webhook_endpoint": {"url": "https://attacker.example/hooks"},
    "/v1/wallets/me/devices": {},
    "/v1/wallets/me/devices/{number}/revoke": {},
    "/v1/funding_partners": {"name": "evil", "kind": "bank", "currency": "SGD"},
    "/v1/wallets/{wallet_id}/top_ups": {"partner": "dbs", "amount_minor": 100},
    "/v1/wallets/{wallet_id}/withdrawals": {"partner": "dbs", "amount_minor": 100},
    "/v1/top_ups/{top_up_id}/confirm": {},
    "/v1/top_ups/{top_up_id}/decline": {},
    "/v1/withdrawals/{withdrawal_id}/confirm": {},
    "/v1/withdrawals/{withdrawal_id}/fail": {},
    "/v1/ledger/accounts/batch": {"accounts": [{"id": 77, "ledger": 702, "code": 1}]},
    "/v1/ledger/transfers/batch": {"transfers": []},
    "/v1/merchants/me/api_keys": {"name": "rogue till", "scopes": ["payments:write"]},
    "/v1/merchants/me/api_keys/{key_id}/revoke": {},
    "/v1/fx/quotes": {"sell_currency": "SGD", "buy_currency": "USD", "sell_amount_minor": 100},
    "/v1/partners": GCASH | {"name": "Rogue Wallet"},
    "/v1/partners/{partner_id}/keys": {"name": "rogue"},
    "/v1/partners/{partner_id}/keys/{key_id}/revoke": {},
    "/v1/wallets/me/tokens/revoke": {"all": True},
    "/v1/partner/wallets": {"phone": "+6590000001", "name": "Rogue", "currency": "SGD"},
    "/v1/partner/merchants": SHOP | {"display_name": "Rogue"},
    "/v1/settlements/{window}/reconciliations": "id,amount_minor,currency\n",
}
BODIES = each_once([_BODIES, *declared("api_access", "BODIES")])
_THEIRS = "(for a product's route: in tests/<product>/api_access.py)"
# Callers acting on their own things on routes that name nothing ("me" routes).
_OWNERS = ("another wallet", "another merchant", "another partner")


def forged(prefix: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {prefix}{'ab' * 32}"}


def ledger_picture(ctx: ApiContext) -> list[tuple[int, int, int, int, int]]:
    return [
        (a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        for a in ctx.ledger.all_accounts()
    ]


def test_every_route_refuses_everyone_but_the_owner(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    operator = operator_headers(ctx)
    partner_a, as_a = create_partner(client, ctx, GCASH)
    partner_b, as_b = create_partner(client, ctx, ACQUIRER_SG)
    victim = partner_wallet(client, as_b, ALICE)
    attacker = partner_wallet(client, as_a, BOB)
    for phone in (ALICE, BOB):
        assert ctx.wallets.cash_in(phone, "SGD", 20_000).result.name == "ok"
    shop = partner_merchant(client, as_b, SHOP["display_name"])
    rogue = post(client, "/v1/merchants", operator, "m-a", SHOP | {"display_name": "Rogue"}).json()
    shop_key = {"Authorization": f"Bearer {shop['api_key']}"}
    qr = client.get("/v1/merchants/me/qr_code", headers=shop_key).json()["payload"]
    bodies = BODIES | {"/v1/payments": {"payload": qr, "amount_minor": 100}}
    paid = post(client, "/v1/payments", auth(victim), "p", {"payload": qr, "amount_minor": 900})
    held = post(
        client,
        "/v1/payments",
        auth(victim),
        "a",
        {"payload": qr, "amount_minor": 800, "capture": False},
    )
    device = post(client, "/v1/wallets/me/devices", auth(victim), "d").json()
    till = post(
        client,
        "/v1/merchants/me/api_keys",
        shop_key,
        "k",
        {"name": "till 1", "scopes": ["payments:write"]},
    ).json()
    money = {"partner": "dbs", "amount_minor": 700}
    top_up = post(client, "/v1/wallets/me/top_ups", auth(victim), "t", money).json()
    withdrawal = post(client, "/v1/wallets/me/withdrawals", auth(victim), "w", money).json()
    fx_quote = post(client, "/v1/fx/quotes", auth(victim), "q", BODIES["/v1/fx/quotes"]).json()
    victims = {
        "wallet_id": str(victim["id"]),
        "payment_id": str(paid.json()["id"]),
        "number": str(device["number"]),
        "top_up_id": str(top_up["id"]),
        "withdrawal_id": str(withdrawal["id"]),
        "key_id": str(till["id"]),
        "quote_id": str(fx_quote["id"]),
        "partner_id": str(partner_b["id"]),
        "merchant_id": str(shop["id"]),
        "kind": "png",  # a picture of the caller's own QR code: only who may call matters
        "window": "2026-01-01",  # a settlement window: each caller sees only its own lines
    }
    theirs = [made(client, ctx, operator) for made in declared("api_access", "victims")]
    victims = each_once([victims, *theirs])
    before = ledger_picture(ctx)

    callers = {
        "nobody": {},
        "another wallet": auth(attacker),
        "another merchant": {"Authorization": f"Bearer {rogue['api_key']}"},
        "forged wallet token": forged(api_auth.WALLET_TOKEN_PREFIX),
        "forged merchant key": forged(api_auth.MERCHANT_KEY_PREFIX),
        "forged operator key": forged(api_auth.OPERATOR_KEY_PREFIX),
        "another partner": as_a,
        "forged partner key": forged(api_auth.PARTNER_KEY_PREFIX),
    }
    spec = client.get("/openapi.json").json()
    attacked = 0
    for template, operations in spec["paths"].items():
        params = re.findall(r"{(\w+)}", template)
        unknown = set(params) - set(victims)
        assert not unknown, f"{template}: add a victim's {unknown} to this test {_THEIRS}"
        for method in operations:
            if (method.upper(), template) in PUBLIC:
                continue
            path = template.format(**victims)
            for who, headers in callers.items():
                names_something = set(params) - {"kind", "window"}
                if not names_something and who in _OWNERS:
                    continue  # "me" routes: the attacker acting on its own things
                if (method.upper(), template) in SIGNED_IN and who in _OWNERS:
                    continue  # a cause is nobody's: any signed-in caller may read or give
                if method == "post":
                    assert template in bodies, f"POST {template}: add a body to BODIES {_THEIRS}"
                    response = client.post(
                        path,
                        json=bodies[template],
                        headers=headers | {"Idempotency-Key": f"attack-{attacked}"},
                    )
                else:
                    response = client.get(path, headers=headers)
                attacked += 1
                assert response.status_code in (401, 404), (
                    f"{method.upper()} {path} as {who}: {response.status_code} {response.text}"
                )
                assert response.json()["error"]["type"] in (
                    "authentication_error",
                    "invalid_request_error",
                )
    assert attacked > 120
    assert ledger_picture(ctx) == before
    # The victim's things are as they were, and the attacker's lists do not show them.
    assert (
        client.get(f"/v1/payments/{victims['payment_id']}", headers=auth(victim)).json()["status"]
        == "succeeded"
    )
    assert held.json()["status"] == "requires_capture"
    assert (
        client.get(f"/v1/payments/{held.json()['id']}", headers=shop_key).json()["status"]
        == "requires_capture"
    )
    for headers in (auth(attacker), {"Authorization": f"Bearer {rogue['api_key']}"}):
        assert client.get("/v1/payments", headers=headers).json()["data"] == []
    # Partner A's lists hold its own wallet alone; partner B still reads its own.
    assert [w["id"] for w in client.get("/v1/partner/wallets", headers=as_a).json()["data"]] == [
        attacker["id"]
    ]
    for listed in ("merchants", "payments"):
        assert client.get(f"/v1/partner/{listed}", headers=as_a).json()["data"] == []
    for path in (
        f"/v1/partner/wallets/{victims['wallet_id']}",
        f"/v1/partner/merchants/{victims['merchant_id']}",
        f"/v1/partner/payments/{victims['payment_id']}",
    ):
        assert client.get(path, headers=as_b).status_code == 200, path
    assert partner_a["id"] != partner_b["id"]
    statuses = [
        client.get(f"/v1/wallets/me/top_ups/{victims['top_up_id']}", headers=auth(victim)),
        client.get(f"/v1/wallets/me/withdrawals/{victims['withdrawal_id']}", headers=auth(victim)),
    ]
    assert [s.json()["status"] for s in statuses] == ["pending", "pending"]
    code_owner = client.post(
        f"/v1/wallets/me/devices/{victims['number']}/revoke",
        headers=auth(victim) | {"Idempotency-Key": "own-revoke"},
    )
    assert code_owner.status_code == 200  # still there to revoke: nobody else could
    keys = client.get("/v1/merchants/me/api_keys", headers=shop_key).json()["data"]
    assert [(k["id"], k["revoked"]) for k in keys if k["name"] == "till 1"] == [(till["id"], None)]
