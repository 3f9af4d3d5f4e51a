"""The app's and the portal's complaint screens over real HTTP on loopback, without script:
a person complains about their own payment from its receipt (another's is not found, a form
without a kind is refused saying so); the stall's owner resolves it with a refund, once
however often the form is sent; a cashier may answer but not refund."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from colony.disputes import ComplaintService, Status
from colony.merchants import MerchantUserService
from tests.web.test_app_pages import _funded
from tests.web.test_merchant_pages import CASHIER, Shop, shop, signed_in
from tests.web.visitor import signed_up

__all__ = ["shop"]  # the fixture, used by name
MEI, ALI = "+6581230001", "+6581230002"


def _balance(shop: Shop, phone: str) -> int:
    wallet = shop.ctx.wallet_store.by_phone(phone, "SGD")
    assert wallet is not None
    (account,) = shop.ctx.ledger.lookup_accounts([wallet.account_id])
    return account.credits_posted - account.debits_posted


def test_a_complaint_from_the_receipt_resolved_with_a_refund(shop: Shop) -> None:
    mei, ali = shop.visitor(), shop.visitor()
    signed_up(mei, shop.api, MEI)
    signed_up(ali, shop.api, ALI, name="Ali Rahman", pin="730194")
    _funded(shop.api, shop.ctx, mei, "40")
    paid = shop.ctx.payments.pay_by_qr(MEI, "SGD", shop.ctx.payments.merchant_qr(shop.merchant),
                                       12_00)  # fmt: skip
    assert paid.payment_id is not None
    receipt = f"/app/payments/{paid.payment_id:032x}"
    new = f"/app/complaints/new?payment={paid.payment_id:032x}"
    assert "Complain about this payment" in mei.text(receipt)
    assert ali.get(new).status_code == 404
    assert mei.get("/app/complaints/new?payment=nothex").status_code == 404
    fields = {"payment": f"{paid.payment_id:032x}", "text": "Only half a portion"}
    unsorted = mei.post("/app/complaints", fields, form_at=new)
    assert unsorted.status_code == 400 and "Choose what the complaint is about." in unsorted.text
    filed = mei.post("/app/complaints", fields | {"category": "not_as_described"}, form_at=new)
    where = filed.headers["location"]
    assert re.fullmatch(r"/app/complaints/cmp_[0-9a-f]{32}", where), filed.text[:300]
    assert "Waiting for the merchant" in mei.text(where)
    assert ali.get(where).status_code == 404
    assert "Hawker Chan Not as described" in mei.text("/app/complaints")

    complaint_id = where.rsplit("/", 1)[1]
    users = shop.ctx.service(MerchantUserService)
    assert users.add(shop.merchant.id, CASHIER, "Lim Ah Kow", "cashier")[0].name == "ok"
    cashier = signed_in(shop, CASHIER)
    page = f"/merchant/complaints/{complaint_id}"
    assert "Only half a portion" in cashier.text("/merchant/complaints")
    refused = cashier.post(f"{page}/answer", {"action": "resolve", "message": "x", "refund": "1"},
                           form_at=page)  # fmt: skip
    assert refused.status_code == 403
    acknowledged = cashier.post(f"{page}/answer", {"action": "acknowledge", "message": "Seen"},
                                form_at=page)  # fmt: skip
    assert acknowledged.headers["location"] == page

    owner = signed_in(shop)
    before = _balance(shop, MEI)
    shown = owner.get(page)
    op = re.search(r'name="op" value="([0-9a-f]+)"', shown.text)
    csrf = re.search(r'name="(csrf[^"]*)" value="([^"]*)"', shown.text)
    assert op is not None and csrf is not None
    form = {csrf.group(1): csrf.group(2), "op": op.group(1), "action": "resolve",
            "message": "Sorry: half back", "refund": "6.00"}  # fmt: skip
    done = owner.client.post(f"{page}/answer", data=form)
    assert done.headers["location"] == page, done.text[:300]
    twice = owner.client.post(f"{page}/answer", data=form)  # the same form again
    assert twice.headers["location"].endswith("error=not_allowed_now")
    assert _balance(shop, MEI) == before + 6_00  # refunded once
    complaint = shop.ctx.service(ComplaintService).by_id(complaint_id)
    assert complaint is not None and complaint.status is Status.resolved
    assert "half back" in mei.text(where)


def test_the_apps_photos_need_the_forms_token_and_are_checked(shop: Shop) -> None:
    mei = shop.visitor()
    signed_up(mei, shop.api, MEI)
    wallet = shop.ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    _, complaint = shop.ctx.service(ComplaintService).file(
        wallet, "service", "Rude", merchant_id=shop.merchant.id
    )
    assert complaint is not None
    page = f"/app/complaints/{complaint.id}"
    shown = mei.get(page)
    token = re.search(r'data-csrf="([^"]+)"', shown.text)
    assert token is not None
    photos = f"{page}/photos"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

    def send(data: bytes, kind: str, csrf: str | None) -> tuple[int, str]:
        headers = {"Content-Type": kind} | ({"X-CSRF-Token": csrf} if csrf else {})
        answer = mei.client.post(photos, content=data, headers=headers)
        return answer.status_code, answer.text

    assert send(png, "image/png", None)[0] == 403
    assert send(png, "image/png", "forged")[0] == 403
    assert send(b"GIF89a", "image/gif", token.group(1)) == (
        400, '{"error":"A photo must be a JPEG or PNG picture."}'
    )  # fmt: skip
    assert send(b"\xff\xd8\xff" + b"\0" * 600_000, "image/jpeg", token.group(1)) == (
        413, '{"error":"A photo may be at most 512 KiB."}'
    )  # fmt: skip
    assert send(png, "image/png", token.group(1))[0] == 201
    got = mei.get(f"{photos}/1")
    assert (got.status_code, got.headers["content-type"], got.content) == (200, "image/png", png)
    assert got.headers["x-content-type-options"] == "nosniff"
    stranger = shop.visitor()
    signed_up(stranger, shop.api, ALI, name="Ali Rahman", pin="730194")
    assert stranger.get(f"{photos}/1").status_code == 404


def test_a_link_shows_only_a_refusal_the_pages_own_forms_send(shop: Shop) -> None:
    """A complaint's id is known to the person and the merchant: a link to its page must not
    carry words of theirs onto the other's screen as Colony's."""
    mei = shop.visitor()
    signed_up(mei, shop.api, MEI)
    wallet = shop.ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    complaints = shop.ctx.service(ComplaintService)
    _, filed = complaints.file(wallet, "service", "Rude", merchant_id=shop.merchant.id)
    assert filed is not None
    spoof = urlencode({"error": "call +65 6000 0000 at once to keep your account"})
    owner = signed_in(shop)
    for visitor, page in ((mei, f"/app/complaints/{filed.id}"),
                          (owner, f"/merchant/complaints/{filed.id}")):  # fmt: skip
        assert "Not done: not_allowed_now" in visitor.text(f"{page}?error=not_allowed_now")
        spoofed = visitor.text(f"{page}?{spoof}")
        assert "6000" not in spoofed and "Not done" not in spoofed
