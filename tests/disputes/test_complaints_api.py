"""Complaints over HTTP on each backend: a person files about their own payment (another's,
or one that does not exist, is 404), adds photos (an oversized one, or one whose bytes are
not what it says, is refused naming the problem), the merchant is told by webhook, reads and
answers through the API, refunding as it resolves; the books still balance."""

from __future__ import annotations

import json

from colony.ledger.verify import verify
from colony.webhooks import Endpoint
from tests.api.test_funding_api import Served, post
from tests.api.test_payment_api import onboard, operator_headers, static_code
from tests.api.test_wallet_api import auth, open_wallet

MEI, RAJ = "+6591110011", "+6591110012"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200


def photo(client: object, path: str, headers: dict[str, str], key: str, data: bytes,
          content_type: str) -> object:  # fmt: skip
    return client.post(  # type: ignore[attr-defined]
        path, content=data, headers=headers | {"Idempotency-Key": key, "Content-Type": content_type}
    )


def error_of(response: object) -> tuple[int, str, str | None]:
    body = response.json()["error"]  # type: ignore[attr-defined]
    return response.status_code, body["code"], body["param"]  # type: ignore[attr-defined]


def test_a_complaint_over_http_from_filing_to_a_refund(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    shop = onboard(client, ctx)
    shop_key = {"Authorization": f"Bearer {shop['api_key']}"}
    endpoint = Endpoint(str(shop["id"]), "https://shop.example/hooks", "whsec_x", 0, 0)
    ctx.webhook_store.set_endpoint(endpoint)  # a host that resolves is not needed to queue
    mei, raj = open_wallet(client, MEI), open_wallet(client, RAJ)
    for phone in (MEI, RAJ):
        assert ctx.wallets.cash_in(phone, "SGD", 100_00).result.name == "ok"
    qr = static_code(client, shop)
    paid = post(client, "/v1/payments", auth(mei), "pay", {"payload": qr, "amount_minor": 30_00})
    assert paid.status_code == 201, paid.text
    payment = paid.json()["id"]

    # Bad input: each refusal names what is wrong.
    about = {"category": "charged_wrongly", "text": "Charged 30, menu says 18"}
    cases = [
        (auth(raj), about | {"payment": payment}, (404, "unknown_payment", "payment")),
        (auth(mei), about | {"payment": f"pay_{1:032x}"}, (404, "unknown_payment", "payment")),
        (auth(mei), about | {"payment": "nonsense"}, (404, "unknown_payment", "payment")),
        (auth(mei), about | {"merchant": "mer_none"}, (404, "unknown_merchant", "merchant")),
        (auth(mei), about, (400, "parameter_invalid", "payment")),
        (auth(mei), about | {"payment": payment, "category": "vibes"},
         (400, "invalid_category", "category")),
        (auth(mei), about | {"payment": payment, "text": " "}, (400, "text_required", "text")),
    ]  # fmt: skip
    for n, (headers, body, expected) in enumerate(cases):
        assert error_of(post(client, "/v1/complaints", headers, f"bad-{n}", body)) == expected
    too_long = post(client, "/v1/complaints", auth(mei), "long", about | {"text": "x" * 2_001})
    assert too_long.status_code == 400 and too_long.json()["error"]["param"] == "text"

    filed = post(client, "/v1/complaints", auth(mei), "c-1", about | {"payment": payment})
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert (complaint["status"], complaint["payment"], complaint["overdue"]) == (
        "open", payment, False,
    )  # fmt: skip
    assert post(
        client, "/v1/complaints", auth(mei), "c-1", about | {"payment": payment}
    ).json() == (complaint)  # the same key files once
    cid = complaint["id"]

    # Photos: JPEG or PNG by their bytes, within the size; someone else's complaint is none.
    photos = f"/v1/complaints/{cid}/attachments"
    kept = photo(client, photos, auth(mei), "ph-1", PNG, "image/png")
    assert kept.status_code == 201 and kept.json()["number"] == 1, kept.text
    refused = [
        (photo(client, photos, auth(mei), "ph-2", b"\xff" * 600_000, "image/jpeg"),
         (413, "attachment_too_large", "body")),
        (photo(client, photos, auth(mei), "ph-3", b"GIF89a....", "image/gif"),
         (400, "attachment_type_not_allowed", "Content-Type")),
        (photo(client, photos, auth(mei), "ph-4", PNG, "image/jpeg"),
         (400, "attachment_not_what_it_says", "body")),
        (photo(client, photos, auth(raj), "ph-5", PNG, "image/png"),
         (404, "complaint_not_found", "complaint_id")),
    ]  # fmt: skip
    for response, expected in refused:
        assert error_of(response) == expected
    assert "524,288 bytes" in refused[0][0].json()["error"]["message"]  # type: ignore[attr-defined]
    huge = photo(client, photos, auth(mei), "ph-6", b"\xff" * (17 << 20), "image/jpeg")
    assert huge.status_code == 413  # past even the upload route's cap: refused unread
    assert client.get(f"/v1/complaints/{cid}", headers=auth(raj)).status_code == 404
    mine = client.get("/v1/complaints", headers=auth(mei)).json()["data"]
    assert [c["id"] for c in mine] == [cid] and mine[0]["attachments"] == 1

    # The merchant was told, reads it, and answers through the API.
    events, _ = ctx.webhook_store.events(str(shop["id"]), 10, None)
    created = [json.loads(e.body) for e in events if e.type == "complaint.created"]
    assert [e["data"]["object"]["id"] for e in created] == [cid]
    listed = client.get("/v1/merchants/me/complaints", headers=shop_key).json()["data"]
    assert [c["id"] for c in listed] == [cid]
    other = onboard(client, ctx, "Other Stall")
    other_key = {"Authorization": f"Bearer {other['api_key']}"}
    assert client.get(f"/v1/merchants/me/complaints/{cid}", headers=other_key).status_code == 404
    answers = f"/v1/merchants/me/complaints/{cid}/answers"
    ack = post(client, answers, shop_key, "a-1", {"action": "acknowledge", "message": "Looking"})
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged", ack.text
    wrong = post(client, answers, shop_key, "a-2", {"action": "reject", "message": ""})
    assert error_of(wrong) == (400, "text_required", "text")
    stray = post(client, answers, shop_key, "a-3",
                 {"action": "reject", "message": "no", "refund_minor": 1})  # fmt: skip
    assert error_of(stray) == (400, "parameter_invalid", "refund_minor")
    too_much = post(client, answers, shop_key, "a-4",
                    {"action": "resolve", "message": "sorry", "refund_minor": 40_00})  # fmt: skip
    assert error_of(too_much) == (402, "refund_exceeds_payment", "refund_minor")
    refund = {"action": "resolve", "message": "Overcharged: 12 back", "refund_minor": 12_00}
    resolved = post(client, answers, shop_key, "a-5", refund)
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved"
    assert [h["to_status"] for h in body["history"]] == ["open", "acknowledged", "resolved"]
    again = post(client, answers, shop_key, "a-6", {"action": "reject", "message": "no"})
    assert error_of(again) == (409, "not_allowed_now", None)

    me = client.get("/v1/wallets/me", headers=auth(mei)).json()
    assert me["balance"]["amount_minor"] == 100_01 - 30_00 + 12_00
    # A rejection may be taken to support staff by the person; here it was resolved.
    late = post(client, f"/v1/complaints/{cid}/escalations", auth(mei), "e-1", {"reason": "x"})
    assert error_of(late) == (409, "not_allowed_now", None)
    accounts = list(ctx.ledger.all_accounts())
    assert sum(a.debits_posted for a in accounts) == sum(a.credits_posted for a in accounts)
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_the_operator_disputes_charges_back_and_credits_goodwill_over_http(
    served_at_each_backend: Served,
) -> None:
    client, ctx, _ = served_at_each_backend
    operator = operator_headers(ctx)
    shop = onboard(client, ctx)
    shop_key = {"Authorization": f"Bearer {shop['api_key']}"}
    mei = open_wallet(client, MEI)
    assert ctx.wallets.cash_in(MEI, "SGD", 100_00).result.name == "ok"
    qr = static_code(client, shop)
    paid = post(client, "/v1/payments", auth(mei), "pay", {"payload": qr, "amount_minor": 9_00})
    payment = paid.json()["id"]
    blank = post(client, "/v1/disputes", operator, "d-0", {"payment": payment, "reason": " "})
    assert error_of(blank) == (400, "text_required", "reason")
    unknown = post(client, "/v1/disputes", operator, "d-1", {"payment": "pay_x", "reason": "x"})
    assert error_of(unknown) == (404, "unknown_payment", "payment")
    opened = post(
        client, "/v1/disputes", operator, "d-2", {"payment": payment, "reason": "Not mine"}
    )
    assert opened.status_code == 201, opened.text
    dispute = opened.json()
    again = post(client, "/v1/disputes", operator, "d-3", {"payment": payment, "reason": "x"})
    assert error_of(again) == (409, "dispute_open_already", "payment")
    listed = client.get("/v1/merchants/me/disputes", headers=shop_key).json()["data"]
    assert [(d["id"], d["status"]) for d in listed] == [(dispute["id"], "needs_response")]
    path = f"/v1/merchants/me/disputes/{dispute['id']}/evidence"
    sent = post(client, path, shop_key, "ev-1", {"evidence": "Signed receipt"})
    assert sent.status_code == 200 and sent.json()["status"] == "under_review", sent.text
    twice = post(client, path, shop_key, "ev-2", {"evidence": "More"})
    assert error_of(twice) == (409, "evidence_already_submitted", "evidence")
    decision = f"/v1/disputes/{dispute['id']}/decision"
    decided = post(client, decision, operator, "dd-1", {"outcome": "lost", "note": "Forged"})
    assert decided.status_code == 200 and decided.json()["status"] == "lost", decided.text
    none = post(client, "/v1/disputes/dsp_x/decision", operator, "dd-2",
                {"outcome": "won", "note": "x"})  # fmt: skip
    assert error_of(none) == (404, "dispute_not_found", "dispute_id")
    me = client.get("/v1/wallets/me", headers=auth(mei)).json()
    assert me["balance"]["amount_minor"] == 100_01  # paid 9.00, charged back 9.00

    filed = post(client, "/v1/complaints", auth(mei), "c-1",
                 {"merchant": shop["id"], "category": "service", "text": "Rude"})  # fmt: skip
    credits = f"/v1/complaints/{filed.json()['id']}/goodwill_credits"
    given = post(client, credits, operator, "g-1", {"amount_minor": 3_00, "reason": "Sorry"})
    assert given.status_code == 201, given.text
    more = post(client, credits, operator, "g-2", {"amount_minor": 4_00, "reason": "More"})
    assert error_of(more) == (409, "id_reused_differently", None)  # one credit per complaint
    bare = post(client, credits, operator, "g-3", {"amount_minor": 3_00, "reason": " "})
    assert error_of(bare) == (400, "text_required", "reason")
    me = client.get("/v1/wallets/me", headers=auth(mei)).json()
    assert me["balance"]["amount_minor"] == 100_01 + 3_00
    accounts = list(ctx.ledger.all_accounts())
    assert sum(a.debits_posted for a in accounts) == sum(a.credits_posted for a in accounts)
    assert verify(*ctx.ledger.snapshot_for_verify()).ok
