"""Scoped API keys over real HTTP: every merchant, partner and operator route needs its scope,
merchants make restricted keys (never more than their own key holds), list them without
secrets and revoke them.

A product declares the scopes of its own routes in its tests folder: `MERCHANT_ROUTES`,
`OPERATOR_ROUTES` or `PARTNER_ROUTES` in `tests/<product>/api_access.py` (tests/contributions.py);
a product's routes that only a wallet's token may call (which holds no scopes) in its
`WALLET_ROUTES`.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from typer.testing import CliRunner

from colony.api import auth as api_auth
from colony.api import scopes
from colony.api.context import ApiContext
from colony.api.sql_store import open_api_store
from colony.cli.main import app as cli
from tests.api.test_access import BODIES, PUBLIC, SIGNED_IN
from tests.api.test_funding_api import ALICE, Served, post
from tests.api.test_partner_api import GCASH
from tests.api.test_payment_api import SHOP, operator_headers, static_code
from tests.api.test_wallet_api import auth, open_wallet
from tests.contributions import declared, each_once

Shop = tuple[httpx.Client, ApiContext, dict[str, object], dict[str, object]]

# The scope each route needs from a merchant key.
_MERCHANT_ROUTES = {
    ("GET", "/v1/merchants/me"): scopes.PAYMENTS_READ,
    ("GET", "/v1/merchants/me/qr_code"): scopes.PAYMENTS_READ,
    ("GET", "/v1/merchants/me/qr_code.{kind}"): scopes.PAYMENTS_READ,
    ("GET", "/v1/payments"): scopes.PAYMENTS_READ,
    ("GET", "/v1/payments/{payment_id}"): scopes.PAYMENTS_READ,
    ("POST", "/v1/payments/code"): scopes.PAYMENTS_WRITE,
    ("POST", "/v1/payments/{payment_id}/capture"): scopes.PAYMENTS_WRITE,
    ("POST", "/v1/payments/{payment_id}/void"): scopes.PAYMENTS_WRITE,
    ("POST", "/v1/payments/{payment_id}/refunds"): scopes.REFUNDS_WRITE,
    ("POST", "/v1/merchants/me/webhook_endpoint"): scopes.WEBHOOKS_WRITE,
    ("GET", "/v1/merchants/me/webhook_endpoint"): scopes.WEBHOOKS_READ,
    ("GET", "/v1/merchants/me/webhook_events"): scopes.WEBHOOKS_READ,
    ("POST", "/v1/merchants/me/api_keys"): scopes.KEYS_WRITE,
    ("GET", "/v1/merchants/me/api_keys"): scopes.KEYS_READ,
    ("POST", "/v1/merchants/me/api_keys/{key_id}/revoke"): scopes.KEYS_WRITE,
}
MERCHANT_ROUTES = each_once([_MERCHANT_ROUTES, *declared("api_access", "MERCHANT_ROUTES")])
# Routes only wallets call (FX quotes are a wallet's own).
WALLET_PATHS = ("/v1/wallets", "/v1/fx/")
# Settlement routes serve the operator (every partner) and partners (their own lines).
SETTLEMENT_ROUTES = {
    ("GET", "/v1/settlements"): scopes.SETTLEMENTS_READ,
    ("GET", "/v1/settlements/{window}.csv"): scopes.SETTLEMENTS_READ,
    ("POST", "/v1/settlements/{window}/reconciliations"): scopes.SETTLEMENTS_READ,
}
# The scope each route needs from an operator key.
_OPERATOR_ROUTES = {
    ("POST", "/v1/merchants"): scopes.MERCHANTS_WRITE,
    ("POST", "/v1/funding_partners"): scopes.FUNDING_WRITE,
    ("GET", "/v1/funding_partners"): scopes.FUNDING_READ,
    ("POST", "/v1/top_ups/{top_up_id}/confirm"): scopes.FUNDING_WRITE,
    ("POST", "/v1/top_ups/{top_up_id}/decline"): scopes.FUNDING_WRITE,
    ("POST", "/v1/withdrawals/{withdrawal_id}/confirm"): scopes.FUNDING_WRITE,
    ("POST", "/v1/withdrawals/{withdrawal_id}/fail"): scopes.FUNDING_WRITE,
    ("POST", "/v1/ledger/accounts/batch"): scopes.LEDGER_WRITE,
    ("POST", "/v1/ledger/transfers/batch"): scopes.LEDGER_WRITE,
    ("POST", "/v1/partners"): scopes.PARTNERS_WRITE,
    ("GET", "/v1/partners"): scopes.PARTNERS_READ,
    ("POST", "/v1/partners/{partner_id}/keys"): scopes.PARTNERS_WRITE,
    ("POST", "/v1/partners/{partner_id}/keys/{key_id}/revoke"): scopes.PARTNERS_WRITE,
    ("GET", "/v1/treasury/positions"): scopes.TREASURY_READ,
    **SETTLEMENT_ROUTES,
}
OPERATOR_ROUTES = each_once([_OPERATOR_ROUTES, *declared("api_access", "OPERATOR_ROUTES")])
# The scope each route needs from a partner key.
_PARTNER_ROUTES = {
    ("POST", "/v1/partner/wallets"): scopes.WALLETS_WRITE,
    ("GET", "/v1/partner/wallets"): scopes.WALLETS_READ,
    ("GET", "/v1/partner/wallets/{wallet_id}"): scopes.WALLETS_READ,
    ("POST", "/v1/partner/merchants"): scopes.MERCHANTS_WRITE,
    ("GET", "/v1/partner/merchants"): scopes.MERCHANTS_READ,
    ("GET", "/v1/partner/merchants/{merchant_id}"): scopes.MERCHANTS_READ,
    ("GET", "/v1/partner/payments"): scopes.PAYMENTS_READ,
    ("GET", "/v1/partner/payments/{payment_id}"): scopes.PAYMENTS_READ,
    **SETTLEMENT_ROUTES,
}
PARTNER_ROUTES = each_once([_PARTNER_ROUTES, *declared("api_access", "PARTNER_ROUTES")])


def bearer(key: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_key(
    client: httpx.Client, headers: dict[str, str], name: str, held: list[str]
) -> dict[str, object]:
    response = post(client, "/v1/merchants/me/api_keys", headers, f"key-{name}", {
        "name": name, "scopes": held,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# The bodies of test_access, but a key whose scope (keys:read) a keys:write key may give.
BODIES_HERE = BODIES | {"/v1/merchants/me/api_keys": {"name": "x", "scopes": [scopes.KEYS_READ]}}


def call(
    client: httpx.Client, method: str, path: str, template: str, headers: dict[str, str], n: int
) -> httpx.Response:
    if method == "GET":
        return client.get(path, headers=headers)
    return post(client, path, headers, f"call-{n}", BODIES_HERE[template])


def without(kind: str, needed: str) -> list[str]:
    """Every scope of the kind but `needed` and any that would allow it."""
    return [s for s in scopes.SCOPES_BY_KIND[kind] if not scopes.allows([s], needed)]


def balance(ctx: ApiContext, wallet: dict[str, object]) -> int:
    found = ctx.wallet_store.by_id(str(wallet["id"]))
    assert found is not None
    return ctx.wallets.balance(found)


def assert_missing_scope(response: httpx.Response, needed: str, what: str) -> None:
    assert response.status_code == 403, f"{what}: {response.status_code} {response.text}"
    assert response.json() == {
        "error": {
            "type": "permission_error",
            "code": "missing_scope",
            "message": f"this key lacks the scope {needed}",
            "param": None,
        }
    }


def test_every_route_needs_its_scope(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    shop = post(client, "/v1/merchants", operator_headers(ctx), "m", SHOP).json()
    standard = bearer(shop["api_key"])
    open_wallet(client, ALICE)
    assert ctx.wallets.cash_in(ALICE, "SGD", 20_000).result.name == "ok"
    qr = static_code(client, shop)
    wallet = auth(open_wallet(client, "+6590000001"))
    assert ctx.wallets.cash_in("+6590000001", "SGD", 20_000).result.name == "ok"
    paid = post(client, "/v1/payments", wallet, "p", {"payload": qr, "amount_minor": 5_000})
    spare = make_key(client, standard, "spare", [scopes.KEYS_READ])
    partner = post(client, "/v1/partners", operator_headers(ctx), "ptn", GCASH).json()
    params = {
        "kind": "svg",
        "payment_id": str(paid.json()["id"]),
        "key_id": str(spare["id"]),
        "top_up_id": "tu_0",
        "withdrawal_id": "wd_0",
        "partner_id": str(partner["id"]),
        "wallet_id": "wal_0",
        "merchant_id": str(shop["id"]),
        "window": "2026-01-01",
        "complaint_id": "cmp_0",  # none: a 404 shows the scope let the call in
        "dispute_id": "dsp_0",
        "loan_id": "mln_0",
    }
    spec = client.get("/openapi.json").json()
    routes = {(m.upper(), t) for t, ops in spec["paths"].items() for m in ops}
    # Wallet tokens hold no scopes: a wallet may do all a wallet may, to itself.
    wallet_only = {r for r in routes if r[1].startswith(WALLET_PATHS)} | {("POST", "/v1/payments")}
    wallet_only |= set().union(*declared("api_access", "WALLET_ROUTES"))
    unscoped = routes - set(MERCHANT_ROUTES) - set(OPERATOR_ROUTES) - set(PARTNER_ROUTES)
    unscoped -= wallet_only | PUBLIC | SIGNED_IN
    assert not unscoped, (
        f"say which scope these need (a product's: in tests/<product>/api_access.py): {unscoped}"
    )

    checked = 0
    tables = (("merchant", MERCHANT_ROUTES), ("operator", OPERATOR_ROUTES))
    for kind, table in (*tables, ("partner", PARTNER_ROUTES)):
        for (method, template), needed in table.items():
            if kind == "merchant":
                lacking = bearer(make_key(client, standard, f"no {needed} {method}{template}",
                                          without(kind, needed))["secret"])  # fmt: skip
                holding = bearer(make_key(client, standard, f"{needed} {method}{template}",
                                          [needed])["secret"])  # fmt: skip
            else:
                prefix = api_auth.KEY_PREFIX_BY_KIND[kind]
                keys = [api_auth.new_secret(ctx, prefix) for _ in "ab"]
                owner = "operator" if kind == "operator" else str(partner["id"])
                now = ctx.clock.now_ns()
                for key, held in zip(keys, (without(kind, needed), [needed]), strict=True):
                    ctx.api_store.add_key(api_auth.digest(key), kind, owner, now, None, tuple(held))
                lacking, holding = bearer(keys[0]), bearer(keys[1])
            path = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], template)
            what = f"{method} {path} without {needed}"
            assert_missing_scope(
                call(client, method, path, template, lacking, checked), needed, what
            )
            allowed = call(client, method, path, template, holding, checked + 1)
            assert allowed.status_code not in (401, 403), f"{what}: {allowed.text}"
            checked += 2
    assert checked == 2 * (len(MERCHANT_ROUTES) + len(OPERATOR_ROUTES) + len(PARTNER_ROUTES))


def test_a_till_key_charges_but_cannot_refund(shop: Shop) -> None:
    client, ctx, merchant, alice = shop
    standard = bearer(merchant["api_key"])
    till = make_key(client, standard, "till 3", [scopes.PAYMENTS_WRITE])
    assert till["type"] == "restricted" and till["scopes"] == [scopes.PAYMENTS_WRITE]
    assert str(till["secret"]).startswith(api_auth.MERCHANT_KEY_PREFIX)
    qr = static_code(client, merchant)
    paid = post(client, "/v1/payments", auth(alice), "p1", {"payload": qr, "amount_minor": 900})
    assert paid.status_code == 201
    held = post(client, "/v1/payments", auth(alice), "p2", {
        "payload": qr, "amount_minor": 800, "capture": False,
    }).json()  # fmt: skip
    till_key = bearer(till["secret"])
    captured = post(client, f"/v1/payments/{held['id']}/capture", till_key, "c", {})
    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "succeeded"
    # Its write scope lets it read the payments it takes.
    seen = client.get(f"/v1/payments/{paid.json()['id']}", headers=till_key)
    assert seen.status_code == 200
    before = balance(ctx, alice)
    refused = post(client, f"/v1/payments/{paid.json()['id']}/refunds", till_key, "r", {})
    assert_missing_scope(refused, scopes.REFUNDS_WRITE, "refund with a till key")
    assert balance(ctx, alice) == before
    assert client.get("/v1/payments", headers=till_key).json()["data"] != []
    refunded = post(client, f"/v1/payments/{paid.json()['id']}/refunds", standard, "r", {})
    assert refunded.status_code == 201, refunded.text


def test_a_key_gives_only_scopes_it_holds(shop: Shop) -> None:
    client, _, merchant, _ = shop
    standard = bearer(merchant["api_key"])
    manager = make_key(client, standard, "manager", [scopes.KEYS_WRITE, scopes.PAYMENTS_READ])
    as_manager = bearer(manager["secret"])
    wider = post(client, "/v1/merchants/me/api_keys", as_manager, "w", {
        "name": "wider", "scopes": [scopes.PAYMENTS_READ, scopes.REFUNDS_WRITE],
    })  # fmt: skip
    assert wider.status_code == 403
    assert wider.json()["error"] == {
        "type": "permission_error",
        "code": "missing_scope",
        "message": f"this key lacks the scope {scopes.REFUNDS_WRITE}",
        "param": "scopes",
    }
    # What it holds, and the read scopes its write scopes allow, it may give.
    narrower = make_key(client, as_manager, "reader", [scopes.PAYMENTS_READ, scopes.KEYS_READ])
    assert narrower["scopes"] == [scopes.KEYS_READ, scopes.PAYMENTS_READ]
    for body, code in (
        ({"name": "x", "scopes": ["payments:everything"]}, "scope_unknown"),
        ({"name": "x", "scopes": [scopes.LEDGER_WRITE]}, "scope_unknown"),
        ({"name": "x", "scopes": []}, "parameter_invalid"),
        ({"name": "", "scopes": [scopes.PAYMENTS_READ]}, "parameter_invalid"),
    ):
        refused = post(client, "/v1/merchants/me/api_keys", standard, f"bad-{body}", body)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == code
    # A key without keys:write makes no keys.
    as_reader = bearer(narrower["secret"])
    made = post(client, "/v1/merchants/me/api_keys", as_reader, "r", {
        "name": "y", "scopes": [scopes.PAYMENTS_READ],
    })  # fmt: skip
    assert_missing_scope(made, scopes.KEYS_WRITE, "keys:read making a key")
    # Nor may a key revoke one holding more than it does.
    standard_id = client.get("/v1/merchants/me/api_keys", headers=standard).json()["data"][0]
    assert standard_id["type"] == "standard"
    revoked = post(client, f"/v1/merchants/me/api_keys/{standard_id['id']}/revoke", as_manager, "x")
    assert revoked.status_code == 403 and revoked.json()["error"]["param"] == "key_id"
    assert client.get("/v1/merchants/me/qr_code", headers=standard).status_code == 200


def test_keys_are_listed_without_secrets(shop: Shop) -> None:
    client, ctx, merchant, _ = shop
    standard = bearer(merchant["api_key"])
    till = make_key(client, standard, "till 3", [scopes.PAYMENTS_WRITE])
    replay = post(client, "/v1/merchants/me/api_keys", standard, "key-till 3", {
        "name": "till 3", "scopes": [scopes.PAYMENTS_WRITE],
    })  # fmt: skip
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "secret" not in replay.json() and replay.json()["id"] == till["id"]
    listed = client.get("/v1/merchants/me/api_keys", headers=standard)
    assert listed.status_code == 200
    data = listed.json()["data"]
    assert [(k["name"], k["type"], k["revoked"]) for k in data] == [
        (None, "standard", None),
        ("till 3", "restricted", None),
    ]
    assert data[0]["scopes"] == list(scopes.MERCHANT_SCOPES)
    assert data[1] == {k: v for k, v in till.items() if k != "secret"}
    assert data[0]["id"] == "key_" + api_auth.digest(str(merchant["api_key"]))[:16]
    assert data[1]["id"] == "key_" + api_auth.digest(str(till["secret"]))[:16]
    for secret in (merchant["api_key"], till["secret"]):
        assert str(secret) not in listed.text
        assert str(secret)[len(api_auth.MERCHANT_KEY_PREFIX) :] not in listed.text
    # Nor does the database hold them.
    stored = ctx.api_store.keys_of("merchant", str(merchant["id"]))
    assert {k.key_sha256 for k in stored} == {
        api_auth.digest(str(merchant["api_key"])),
        api_auth.digest(str(till["secret"])),
    }


def test_a_revoked_key_is_refused_and_others_cannot_revoke(shop: Shop) -> None:
    client, ctx, merchant, _ = shop
    standard = bearer(merchant["api_key"])
    till = make_key(client, standard, "till 3", [scopes.PAYMENTS_WRITE])
    as_till = bearer(till["secret"])
    rival = post(client, "/v1/merchants", operator_headers(ctx), "m-rival", SHOP).json()
    as_rival = bearer(rival["api_key"])
    for key_id in (till["id"], "key_0000000000000000", "key_nothex", "../../x"):
        stolen = post(client, f"/v1/merchants/me/api_keys/{key_id}/revoke", as_rival, f"s{key_id}")
        assert stolen.status_code == 404, stolen.text
        assert stolen.json()["error"]["code"] == "resource_missing"
    assert client.get("/v1/merchants/me/qr_code", headers=as_till).status_code == 200
    rivals = client.get("/v1/merchants/me/api_keys", headers=as_rival).json()["data"]
    assert [k["id"] for k in rivals] == ["key_" + api_auth.digest(str(rival["api_key"]))[:16]]

    own = client.get("/v1/merchants/me/api_keys", headers=standard).json()["data"][0]
    itself = post(client, f"/v1/merchants/me/api_keys/{own['id']}/revoke", standard, "self")
    assert itself.status_code == 400 and itself.json()["error"]["code"] == "key_is_caller"

    revoked = post(client, f"/v1/merchants/me/api_keys/{till['id']}/revoke", standard, "rv")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"] is not None and revoked.json()["id"] == till["id"]
    for response in (
        client.get("/v1/merchants/me/qr_code", headers=as_till),
        client.get("/v1/payments", headers=as_till),
        post(client, "/v1/payments/code", as_till, "c", BODIES["/v1/payments/code"]),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["type"] == "authentication_error"
    again = post(client, f"/v1/merchants/me/api_keys/{till['id']}/revoke", standard, "rv2")
    assert again.status_code == 200 and again.json()["revoked"] == revoked.json()["revoked"]
    listed = client.get("/v1/merchants/me/api_keys", headers=standard).json()["data"]
    assert [k["revoked"] is not None for k in listed] == [False, True]
    assert client.get("/v1/merchants/me/qr_code", headers=standard).status_code == 200


def test_operator_keys_with_scopes_from_the_cli(store_url: str) -> None:
    """On each backend: `colony keys create-operator --database postgresql://...` too."""
    url = store_url
    runner = CliRunner()
    restricted = runner.invoke(cli, [
        "keys", "create-operator", "--scope", "funding:write", "--scope", "funding:read",
        "--database", url,
    ])  # fmt: skip
    standard = runner.invoke(cli, ["keys", "create-operator", "--database", url])
    assert restricted.exit_code == 0 and standard.exit_code == 0, restricted.output
    refused = runner.invoke(
        cli, ["keys", "create-operator", "--scope", "payments:write", "--database", url]
    )
    assert refused.exit_code == 2 and "no operator scope payments:write" in refused.output
    store = open_api_store(url)
    made = store.key(api_auth.digest(restricted.stdout.strip()))
    full = store.key(api_auth.digest(standard.stdout.strip()))
    assert made is not None and made.scopes == ("funding:read", "funding:write")
    assert full is not None and full.scopes is None
    assert scopes.held("operator", full.scopes) == tuple(scopes.OPERATOR_SCOPES)
    store.close()


def test_keys_made_before_scopes_hold_every_scope(tmp_path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE api_keys (key_sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL,"
        " owner_id TEXT NOT NULL, created_at_ns INTEGER NOT NULL, rate_limit_per_s INTEGER)"
    )
    db.execute("INSERT INTO api_keys VALUES ('old', 'merchant', 'm_1', 1, 9)")
    db.commit()
    db.close()
    store = open_api_store(f"sqlite:///{tmp_path / 'old.db'}")
    old = store.key("old")
    assert old is not None and (old.scopes, old.name, old.revoked_at_ns) == (None, None, None)
    assert store.key_rate_limit("old") == 9
    store.revoke_key("old", 5)
    assert store.key_owner("old") is None and store.key_rate_limit("old") is None
    store.close()
