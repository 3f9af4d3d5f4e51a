"""Partners as tenants over real HTTP: the operator creates them and their keys, a partner's
key opens wallets and onboards merchants, and a payment across two partners books what one
owes the other in the ledger.

The worked example: a Manila user of "GCash-like" (partner A, PH, PHP) holds an SGD wallet
and pays a Singapore hawker that "Acquirer SG" (partner B, SG, SGD) acquired, 25.00 SGD, by
scanning B's QR code; then 10.00 more, of which the hawker refunds 4.00.

    A's clearing account (SGD)   debits 25.00 + 10.00, credits 4.00   net -31.00: A owes
    B's clearing account (SGD)   credits 25.00 + 10.00, debits 4.00   net +31.00: B is owed
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.money import ledger_of
from colony.ledger.verify import verify
from colony.partners.clearing import (
    TRANSFER_PARTNER_CLEARING,
    clearing_account_id,
    clearing_leg_id,
)
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import SHOP, operator_headers, static_code
from tests.api.test_wallet_api import auth, proof_of

GCASH = {"name": "GCash-like Inc", "brand": "GPay", "country": "PH", "currency": "PHP"}
ACQUIRER_SG = {"name": "Acquirer SG Pte Ltd", "brand": "AcqSG", "country": "SG", "currency": "SGD"}
MANILA = "+639171234567"
SGD = ledger_of("SGD")


def create_partner(
    client: httpx.Client, ctx: ApiContext, body: dict[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """A partner made by the operator, and headers carrying its new key."""
    operator = operator_headers(ctx)
    made = post(client, "/v1/partners", operator, f"ptn-{body['name']}", body)
    assert made.status_code == 201, made.text
    partner = made.json()
    path = f"/v1/partners/{partner['id']}/keys"
    key = post(client, path, operator, f"k-{partner['id']}", {"name": "backend"})
    assert key.status_code == 201, key.text
    assert str(key.json()["secret"]).startswith("ptk_")
    return partner, {"Authorization": f"Bearer {key.json()['secret']}"}


def partner_wallet(
    client: httpx.Client, headers: dict[str, str], phone: str, currency: str = "SGD"
) -> dict[str, object]:
    body = {"phone": phone, "name": "Partner User", "currency": currency}
    opened = post(client, "/v1/partner/wallets", headers, f"w-{phone}-{currency}", body)
    assert opened.status_code == 201, opened.text
    return opened.json()  # type: ignore[no-any-return]


def partner_merchant(
    client: httpx.Client, headers: dict[str, str], name: str, **extra: object
) -> dict[str, object]:
    body = SHOP | {"display_name": name} | extra
    onboarded = post(client, "/v1/partner/merchants", headers, f"m-{name}", body)
    assert onboarded.status_code == 201, onboarded.text
    return onboarded.json()  # type: ignore[no-any-return]


def clearing(ctx: ApiContext, partner_id: str) -> tuple[int, int]:
    """(debits, credits) posted on a partner's SGD clearing account."""
    found = ctx.ledger.lookup_accounts([clearing_account_id(partner_id, SGD)])
    return (found[0].debits_posted, found[0].credits_posted) if found else (0, 0)


def test_partners_are_created_listed_and_validated(served_at: Served) -> None:
    client, ctx, _ = served_at
    operator = operator_headers(ctx)
    gcash, _ = create_partner(client, ctx, GCASH)
    assert gcash | {"id": None, "created": None} == {
        "object": "partner", "id": None, "name": "GCash-like Inc", "brand": "GPay",
        "country": "PH", "currency": "PHP", "created": None,
    }  # fmt: skip
    assert str(gcash["id"]).startswith("ptn_")
    again = post(client, "/v1/partners", operator, f"ptn-{GCASH['name']}", GCASH)
    assert again.status_code == 201 and again.json() == gcash  # the same key: replayed
    acquirer, _ = create_partner(client, ctx, ACQUIRER_SG)
    listed = client.get("/v1/partners", headers=operator, params={"limit": 1}).json()
    assert [p["id"] for p in listed["data"]] == [gcash["id"]] and listed["has_more"]
    rest = client.get(
        "/v1/partners", headers=operator, params={"starting_after": listed["next_cursor"]}
    ).json()
    assert [p["id"] for p in rest["data"]] == [acquirer["id"]] and not rest["has_more"]
    for bad, code in [
        ({"country": "XX"}, "unknown_country"),
        ({"currency": "XYZ"}, "unknown_currency"),
        ({"currency": "XXX"}, "unknown_currency"),  # no minor unit: no money is held in it
        ({"name": "   "}, "invalid_name"),
        ({"brand": " "}, "invalid_brand"),
    ]:
        refused = post(client, "/v1/partners", operator, f"bad-{code}-{bad}", GCASH | bad)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == code
        assert refused.json()["error"]["param"] == next(iter(bad))
    unknown = post(client, "/v1/partners/ptn_none/keys", operator, "k-none", {"name": "x"})
    assert unknown.status_code == 404


def test_a_partner_sees_only_its_own(served_at: Served) -> None:
    client, ctx, _ = served_at
    gcash, as_gcash = create_partner(client, ctx, GCASH)
    _, as_acquirer = create_partner(client, ctx, ACQUIRER_SG)
    wallet = partner_wallet(client, as_gcash, MANILA)
    assert wallet["partner"] == gcash["id"] and str(wallet["token"]).startswith("wtok_")
    me = client.get("/v1/wallets/me", headers=auth(wallet))
    assert me.status_code == 200  # the user's own token works on the wallet routes
    hawker = partner_merchant(client, as_acquirer, "Hawker Chan")
    mine = client.get("/v1/partner/wallets", headers=as_gcash).json()["data"]
    assert [w["id"] for w in mine] == [wallet["id"]]
    assert client.get("/v1/partner/wallets", headers=as_acquirer).json()["data"] == []
    assert client.get("/v1/partner/merchants", headers=as_gcash).json()["data"] == []
    theirs = client.get("/v1/partner/merchants", headers=as_acquirer).json()["data"]
    assert [m["id"] for m in theirs] == [hawker["id"]]
    for path, owner in [
        (f"/v1/partner/wallets/{wallet['id']}", as_gcash),
        (f"/v1/partner/merchants/{hawker['id']}", as_acquirer),
    ]:
        assert client.get(path, headers=owner).status_code == 200
        other = as_acquirer if owner is as_gcash else as_gcash
        assert client.get(path, headers=other).status_code == 404
    assert ctx.partners is not None
    assert ctx.partners.owns(HOUSE_PARTNER_ID, MemberKind.wallet, "wal_opened_by_nobody")
    read_only = client.get("/v1/partner/wallets", headers={"Authorization": "Bearer ptk_x"})
    assert read_only.status_code == 401


@dataclass(frozen=True)
class AcrossPartners:
    """A wallet of one partner (GCash) with 100.00 SGD, and a merchant of another (a
    Singapore acquirer's hawker) with its static code; each partner's key."""

    wallet: dict[str, object]
    hawker: dict[str, object]
    code: str
    gcash: tuple[dict[str, object], dict[str, str]]
    acquirer: tuple[dict[str, object], dict[str, str]]


def across_partners(client: httpx.Client, ctx: ApiContext) -> AcrossPartners:
    gcash = create_partner(client, ctx, GCASH)
    acquirer = create_partner(client, ctx, ACQUIRER_SG)
    wallet = partner_wallet(client, gcash[1], MANILA)
    assert ctx.wallets.cash_in(MANILA, "SGD", 100_00).result.name == "ok"
    hawker = partner_merchant(client, acquirer[1], "Hawker Chan")
    return AcrossPartners(wallet, hawker, static_code(client, hawker), gcash, acquirer)


@pytest.mark.parametrize("capture", [True, False], ids=["paid", "authorised-then-captured"])
def test_a_manila_user_pays_a_singapore_merchant_of_another_partner(
    served_at_each_backend: Served, capture: bool
) -> None:
    client, ctx, _ = served_at_each_backend
    across = across_partners(client, ctx)
    (gcash, as_gcash), (acquirer, as_acquirer) = across.gcash, across.acquirer
    wallet, hawker, code = across.wallet, across.hawker, across.code  # B's QR, A's user
    body = {"payload": code, "amount_minor": 25_00, "capture": capture}
    paid = post(client, "/v1/payments", auth(wallet), "p1", body)
    assert paid.status_code == 201, paid.text
    if not capture:
        assert clearing(ctx, str(gcash["id"])) == (0, 0)  # held, not owed yet
        merchant_key = {"Authorization": f"Bearer {hawker['api_key']}"}
        captured = post(client, f"/v1/payments/{paid.json()['id']}/capture", merchant_key, "c", {})
        assert captured.status_code == 200, captured.text
    assert clearing(ctx, str(gcash["id"])) == (25_00, 0)
    assert clearing(ctx, str(acquirer["id"])) == (0, 25_00)
    more = post(
        client, "/v1/payments", auth(wallet), "p2", {"payload": code, "amount_minor": 10_00}
    )
    assert more.status_code == 201, more.text
    refund = post(
        client,
        f"/v1/payments/{more.json()['id']}/refunds",
        {"Authorization": f"Bearer {hawker['api_key']}"},
        "r1",
        {"amount_minor": 4_00},
    )
    assert refund.status_code == 201, refund.text
    assert clearing(ctx, str(gcash["id"])) == (35_00, 4_00)  # A owes B 31.00 SGD
    assert clearing(ctx, str(acquirer["id"])) == (4_00, 35_00)
    assert ctx.payments.clearing is not None
    assert ctx.payments.clearing.net_minor(str(gcash["id"]), SGD) == -31_00
    assert ctx.payments.clearing.net_minor(str(acquirer["id"]), SGD) == 31_00
    legs = [t for t in ctx.ledger.all_transfers() if t.code == TRANSFER_PARTNER_CLEARING]
    assert {t.id for t in legs} >= {clearing_leg_id(int(str(paid.json()["id"])[4:], 16))}
    # Both partners see the payments; a third sees none of them.
    for headers in (as_gcash, as_acquirer):
        seen = client.get("/v1/partner/payments", headers=headers).json()["data"]
        assert [p["id"] for p in seen] == [more.json()["id"], paid.json()["id"]]
    _, as_other = create_partner(client, ctx, GCASH | {"name": "Other Wallet"})
    assert client.get("/v1/partner/payments", headers=as_other).json()["data"] == []
    path = f"/v1/partner/payments/{paid.json()['id']}"
    assert client.get(path, headers=as_other).status_code == 404
    assert client.get(path, headers=as_gcash).json()["amount_captured_minor"] == 25_00
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_a_payment_within_one_partner_has_no_clearing_leg(served_at: Served) -> None:
    client, ctx, _ = served_at
    gcash, as_gcash = create_partner(client, ctx, GCASH)
    wallet = partner_wallet(client, as_gcash, MANILA)
    assert ctx.wallets.cash_in(MANILA, "SGD", 100_00).result.name == "ok"
    shop = partner_merchant(client, as_gcash, "Sari-sari")
    body = {"payload": static_code(client, shop), "amount_minor": 5_00}
    assert post(client, "/v1/payments", auth(wallet), "p", body).status_code == 201
    assert clearing(ctx, str(gcash["id"])) == (0, 0)
    assert not [t for t in ctx.ledger.all_transfers() if t.code == TRANSFER_PARTNER_CLEARING]


def test_a_house_wallet_paying_a_partner_merchant_clears_with_the_house(
    served_at: Served,
) -> None:
    client, ctx, _ = served_at
    acquirer, as_acquirer = create_partner(client, ctx, ACQUIRER_SG)
    opened = post(
        client,
        "/v1/wallets",
        {},
        "open",
        {"phone": "+6591234567", "name": "Alice", "currency": "SGD"}
        | proof_of(client, "+6591234567"),
    )
    assert ctx.wallets.cash_in("+6591234567", "SGD", 100_00).result.name == "ok"
    hawker = partner_merchant(client, as_acquirer, "Hawker Chan")
    body = {"payload": static_code(client, hawker), "amount_minor": 7_00}
    assert post(client, "/v1/payments", auth(opened.json()), "p", body).status_code == 201
    assert clearing(ctx, HOUSE_PARTNER_ID) == (7_00, 0)
    assert clearing(ctx, str(acquirer["id"])) == (0, 7_00)


def test_a_crash_after_the_wallet_is_made_leaves_it_the_partners(
    served_at: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partner's wallet is enrolled before it is opened: a crash after opening it (here,
    writing its token fails) never leaves it counted as the house's in clearing."""
    client, ctx, _ = served_at
    gcash, as_gcash = create_partner(client, ctx, GCASH)

    def storage_gone(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(ctx.api_store, "add_token", storage_gone)
    body = {"phone": MANILA, "name": "Partner User", "currency": "SGD"}
    failed = post(client, "/v1/partner/wallets", as_gcash, "w-crash", body)
    assert failed.status_code == 500
    opened = ctx.wallet_store.by_phone(MANILA, "SGD")
    assert opened is not None  # the wallet was made before the failure
    assert ctx.partners is not None
    assert ctx.partners.store.partner_of(MemberKind.wallet, opened.id) == gcash["id"]
    # A refused wallet (its phone now taken) leaves no member in the partner's list.
    monkeypatch.undo()
    # A new connection: the server closes the one a 500 went out on (Starlette re-raises).
    with httpx.Client(base_url=client.base_url, timeout=10) as fresh:
        again = post(fresh, "/v1/partner/wallets", as_gcash, "w-again", body)
        assert again.status_code == 409, again.text
        listed = fresh.get("/v1/partner/wallets", headers=as_gcash).json()["data"]
    assert [w["id"] for w in listed] == [opened.id]
