"""The console's complaints over real HTTP on loopback, without script: the queue with the
overdue first and their count on the home page; support staff answer an escalated complaint,
credit goodwill (once, in the ledger, in the audit log), open a dispute and charge it back;
the figures page; and a role without the permission refused with nothing moved."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import httpx

from colony.api.context import ApiContext
from colony.disputes import (
    Actor,
    ComplaintService,
    DisputeService,
    Status,
    goodwill_account_id,
)
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.staff import AuditAction, Role, StaffService
from tests.disputes.market import market
from tests.web.test_console_pages import _signed_in, _staff

Served = tuple[httpx.Client, ApiContext, ManualClock]


def _at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * NS_PER_S


def _actions(ctx: ApiContext) -> list[AuditAction]:
    entries = reversed(ctx.service(StaffService).audit(None, 500))
    return [e.action for e in entries if e.action is not AuditAction.personal_data_viewed]


def test_staff_work_the_queue_credit_goodwill_and_charge_back(served_at: Served) -> None:
    api, ctx, clock = served_at
    m = market(ctx, clock)
    lunch = m.pay(m.mei, 30_00)
    clock.set_ns(_at("2026-01-02T02:00"))
    complaints = ctx.service(ComplaintService)
    _, late = complaints.file(m.raj, "service", "Shouted at me", merchant_id=m.stall.id)
    clock.set_ns(_at("2026-01-05T02:00"))
    _, fresh = complaints.file(m.mei, "not_received", "Cold and late", payment_id=lunch)
    assert late is not None and fresh is not None
    _, fresh = complaints.step(fresh, Actor.person, m.mei.id, Status.escalated, "No answer")
    clock.set_ns(_at("2026-01-07T02:00"))  # the first's acknowledgement ran out on Tuesday
    member = _staff(ctx)
    staff = _signed_in(api, clock, member)
    assert "1 overdue" in staff.text("/console")
    queue = staff.text("/console/complaints")
    assert queue.index(late.id[:16]) < queue.index(fresh.id[:16])
    assert "Overdue" in queue

    page = f"/console/complaints/{fresh.id}"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert complaints.add_attachment(fresh, "image/png", png)[0].name == "ok"
    photo = staff.get(f"{page}/photos/1")
    assert (photo.status_code, photo.content) == (200, png)
    assert staff.get(f"{page}/photos/2").status_code == 404
    assert "Cold and late" in staff.text(page)
    audit = ctx.service(StaffService).audit(None, 500)
    views = [e for e in audit if e.action is AuditAction.personal_data_viewed
             and e.detail.get("page") == "complaint"]  # fmt: skip
    assert (
        views and views[0].target == m.mei.id
    )  # the read of Mei's complaint is logged and "No answer" in staff.text(page)
    credited = staff.post(f"{page}/goodwill", {"amount": "5.00", "reason": "our late rider"},
                          form_at=page)  # fmt: skip
    assert credited.headers["location"] == page, credited.text[:300]
    again = staff.post(f"{page}/goodwill", {"amount": "5.00", "reason": "our late rider"},
                       form_at=page)  # fmt: skip
    assert again.headers["location"] == page  # the same credit: moved once
    assert m.balance(goodwill_account_id(m.mei.ledger)) == -5_00
    bad = staff.post(f"{page}/goodwill", {"amount": "-1", "reason": "x"}, form_at=page)
    assert bad.headers["location"].endswith("error=amount_must_be_positive")
    resolved = staff.post(f"{page}/answer", {"action": "resolve", "note": "Sorry: 5.00 back"},
                          form_at=page)  # fmt: skip
    assert resolved.headers["location"] == page
    assert complaints.by_id(fresh.id).status is Status.resolved  # type: ignore[union-attr]

    opened_ = staff.post(f"{page}/dispute", {"reason": "never delivered"}, form_at=page)
    dispute_page = opened_.headers["location"]
    assert dispute_page.startswith("/console/disputes/dsp_"), opened_.text[:300]
    early = staff.post(f"{dispute_page}/decision", {"outcome": "lost", "note": "x"},
                       form_at=dispute_page)  # fmt: skip
    assert early.headers["location"].endswith("error=not_allowed_now")  # evidence is due first
    clock.advance(15 * 86_400)  # past the merchant's deadline, without evidence
    staff = _signed_in(api, clock, member)  # a console session lasts a working day
    lost = staff.post(f"{dispute_page}/decision", {"outcome": "lost", "note": "no evidence"},
                      form_at=dispute_page)  # fmt: skip
    assert lost.headers["location"] == dispute_page
    assert "Lost" in staff.text(dispute_page)
    assert m.balance(m.stall.account_id) == 30_00 - 45 - 30_00
    assert "Hawker Chan" in staff.text("/console/complaints/figures")
    kinds = {AuditAction.goodwill_credited, AuditAction.complaint_answered,
             AuditAction.dispute_opened, AuditAction.dispute_decided}  # fmt: skip
    assert [a for a in _actions(ctx) if a in kinds] == [
        AuditAction.goodwill_credited, AuditAction.complaint_answered,
        AuditAction.dispute_opened, AuditAction.dispute_decided,
    ]  # fmt: skip


def test_a_role_without_the_permission_is_refused(served_at: Served) -> None:
    api, ctx, clock = served_at
    m = market(ctx, clock)
    _, c = ctx.service(ComplaintService).file(m.mei, "service", "Rude", merchant_id=m.stall.id)
    assert c is not None
    risk = _signed_in(api, clock, _staff(ctx, Role.risk))
    page = f"/console/complaints/{c.id}"
    assert "Goodwill credit" not in risk.text(page)
    refused = risk.post(f"{page}/goodwill", {"amount": "5", "reason": "x"}, form_at=page)
    assert refused.status_code == 403
    assert ctx.ledger.lookup_accounts([goodwill_account_id(m.mei.ledger)]) == []  # none opened
    assert risk.get("/console/complaints/cmp_nope").status_code == 404


# What a stranger's link would put on the page as Colony's words.
SPOOF = "your session expired. Sign in again at https://colony-console.example/signin"


def test_a_link_shows_only_a_refusal_the_pages_own_forms_send(served_at: Served) -> None:
    api, ctx, clock = served_at
    m = market(ctx, clock)
    lunch = m.pay(m.mei, 30_00)
    _, filed = ctx.service(ComplaintService).file(m.mei, "not_received", "Cold", payment_id=lunch)
    assert filed is not None
    member = _staff(ctx)
    staff = _signed_in(api, clock, member)
    _, dispute = ctx.service(DisputeService).open(lunch, "never came", member.id)
    assert dispute is not None
    for page in (f"/console/complaints/{filed.id}", f"/console/disputes/{dispute.id}"):
        assert "Not done: not_allowed_now" in staff.text(f"{page}?error=not_allowed_now")
        spoofed = staff.text(f"{page}?{urlencode({'error': SPOOF})}")
        assert "colony-console.example" not in spoofed and "Not done" not in spoofed
