"""Credit scores over HTTP on both backends: no score without consent; consent recorded with
its time and the model's version; a score with its reasons, band and limit, recorded once
however often the request is retried; withdrawal stops scoring and is recorded, and the
history stays; the operator scores a merchant."""

from __future__ import annotations

from colony.credit import CreditScores, default_model
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import SHOP, operator_headers
from tests.api.test_wallet_api import auth, open_wallet

PHONE = "+6591110001"


def test_a_person_consents_is_scored_and_withdraws(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    wallet = open_wallet(client, PHONE)
    me = auth(wallet)
    assert ctx.wallets.cash_in(PHONE, "SGD", 50_000).result.name == "ok"
    clock.advance(3_600)

    consent = client.get("/v1/credit/consent", headers=me).json()
    assert (consent["status"], consent["events"]) == ("none", [])
    refused = post(client, "/v1/credit/score", me, "s-0")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "consent_required"
    assert client.get("/v1/credit/scores", headers=me).json()["data"] == []

    given = post(client, "/v1/credit/consent", me, "c-1")
    assert given.status_code == 201, given.text
    version = default_model().version
    assert given.json()["status"] == "given"
    assert given.json()["events"] == [
        {"action": "given", "at": clock.now_ns() // 10**9, "model_version": version}
    ]
    assert post(client, "/v1/credit/consent", me, "c-2").json()["events"] == given.json()["events"]

    scored = post(client, "/v1/credit/score", me, "s-1")
    assert scored.status_code == 201, scored.text
    score = scored.json()
    assert 350 <= score["score"] <= 950 and (score["score_min"], score["score_max"]) == (350, 950)
    assert score["subject"] == "person" and score["subject_id"] == wallet["id"]
    assert score["model_version"] == version and 1 <= len(score["reasons"]) <= 4
    lost = [r["points_lost"] for r in score["reasons"]]
    assert lost == sorted(lost, reverse=True) and min(lost) > 0
    assert all(r["text"].endswith(".") and r["code"].startswith("P") for r in score["reasons"])
    assert score["limit"]["currency"] == "SGD" and score["band"] in ("A", "B", "C", "D", "declined")
    # The same request again answers the same score, recorded once.
    assert post(client, "/v1/credit/score", me, "s-1").json() == score
    assert [s["id"] for s in client.get("/v1/credit/scores", headers=me).json()["data"]] == [
        score["id"]
    ]

    clock.advance(60)
    withdrawn = post(client, "/v1/credit/consent/withdraw", me, "w-1")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["action"] for e in withdrawn.json()["events"]] == ["given", "withdrawn"]
    after = post(client, "/v1/credit/score", me, "s-2")
    assert after.status_code == 409 and after.json()["error"]["code"] == "consent_required"
    again = post(client, "/v1/credit/consent/withdraw", me, "w-2")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_consented"
    history = client.get("/v1/credit/scores", headers=me).json()["data"]
    assert [s["id"] for s in history] == [score["id"]]  # the score given stays listed
    # Consent again: scoring resumes, the history grows, newest first.
    post(client, "/v1/credit/consent", me, "c-3")
    clock.advance(60)
    newer = post(client, "/v1/credit/score", me, "s-3").json()
    listed = client.get("/v1/credit/scores", headers=me).json()["data"]
    assert [s["id"] for s in listed] == [newer["id"], score["id"]]
    events = ctx.service(CreditScores).consents(str(wallet["id"]))
    assert [str(e.action) for e in events] == ["given", "withdrawn", "given"]


def test_the_operator_scores_a_merchant(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    operator = operator_headers(ctx)
    shop = post(client, "/v1/merchants", operator, "m-1", SHOP).json()
    path = f"/v1/credit/merchants/{shop['id']}"
    scored = post(client, f"{path}/score", operator, "ms-1")
    assert scored.status_code == 201, scored.text
    assert scored.json()["subject"] == "merchant" and 350 <= scored.json()["score"] <= 950
    assert all(r["code"].startswith("M") for r in scored.json()["reasons"])
    # A shop with no sales yet has nothing to lend against.
    assert scored.json()["limit"]["amount_minor"] == 0
    listed = client.get(f"{path}/scores", headers=operator).json()["data"]
    assert [s["id"] for s in listed] == [scored.json()["id"]]
    unknown = post(client, "/v1/credit/merchants/mer_nobody/score", operator, "ms-2")
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "merchant_id"
    missing = client.get("/v1/credit/merchants/mer_nobody/scores", headers=operator)
    assert missing.status_code == 404
