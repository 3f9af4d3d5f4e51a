"""Complaints through the service, on each backend: filed about one's own payment (never
another's), announced to the merchant's webhook, clocked in Singapore's business days, moved
only by the steps the table allows and by whom, each step an appended event; photos checked
by their bytes; the queue with the overdue first; the rule on repeated complaints."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from colony.disputes import (
    Actor,
    ComplaintResult,
    Status,
    attachment_bytes_max,
    repeat_threshold,
)
from colony.kernel.clock import NS_PER_S
from colony.webhooks import Endpoint
from tests.api.test_funding_api import _served_at
from tests.disputes.market import Market, market

R = ComplaintResult
served = contextmanager(_served_at)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
DAY_NS = 86_400 * NS_PER_S


@contextmanager
def stall_market(url: str) -> Iterator[Market]:
    with served(url) as (_, ctx, clock):
        yield market(ctx, clock)


def utc_ns(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * NS_PER_S


def test_a_complaint_is_filed_announced_and_clocked(store_url: str) -> None:
    with stall_market(store_url) as m:
        endpoint = Endpoint(m.stall.id, "https://shop.example/hooks", "whsec_x", 0, 0)
        m.ctx.webhook_store.set_endpoint(endpoint)
        lunch = m.pay(m.mei, 12_00)
        # 2026-01-01 08:00 in Singapore, New Year's Day: Friday 2nd and Monday 5th count.
        result, complaint = m.complaints.file(
            m.mei, "not_as_described", "  Cold noodles  ", payment_id=lunch
        )
        assert result is R.ok and complaint is not None
        assert (complaint.merchant_id, complaint.text, complaint.status) == (
            m.stall.id, "Cold noodles", Status.open,
        )  # fmt: skip
        assert complaint.due_ns == utc_ns("2026-01-05T16:00")  # Monday's end in Singapore
        # 15 business days: January less New Year's Day, to Thursday the 22nd.
        assert complaint.answer_due_ns == utc_ns("2026-01-22T16:00")
        events, _ = m.ctx.webhook_store.events(m.stall.id, 10, None)
        assert [e.type for e in events] == ["complaint.created"]
        body = json.loads(events[0].body)["data"]["object"]
        assert body["id"] == complaint.id and body["category"] == "not_as_described"
        m.complaints.announce(complaint)  # again: the same event, once
        assert len(m.ctx.webhook_store.events(m.stall.id, 10, None)[0]) == 1


def test_only_ones_own_payment_and_a_real_merchant_can_be_complained_of(store_url: str) -> None:
    with stall_market(store_url) as m:
        meis = m.pay(m.mei, 5_00)
        cases = [
            ({"payment_id": meis}, m.raj, R.unknown_payment),  # another's payment
            ({"payment_id": 12345}, m.mei, R.unknown_payment),
            ({"merchant_id": "mer_none"}, m.mei, R.unknown_merchant),
            ({"merchant_id": m.stall.id}, m.raj, R.ok),
        ]
        for about, wallet, expected in cases:
            result, _ = m.complaints.file(wallet, "service", "Rude", **about)  # type: ignore[arg-type]
            assert result is expected, about
        assert m.complaints.file(m.mei, "bad_kind", "x", payment_id=meis)[0] is R.invalid_category
        assert m.complaints.file(m.mei, "other", "   ", payment_id=meis)[0] is R.text_required
        too_long = "x" * 2_001
        assert m.complaints.file(m.mei, "other", too_long, payment_id=meis)[0] is R.text_too_long
        assert [c.wallet_id for c in m.complaints.store.of_wallet(m.mei.id, 10)] == []


def test_the_steps_follow_the_table_and_leave_events(store_url: str) -> None:
    with stall_market(store_url) as m:
        _, c = m.complaints.file(m.mei, "not_received", "Never came", merchant_id=m.stall.id)
        assert c is not None
        cs = m.complaints
        assert cs.step(c, Actor.person, m.mei.id, Status.acknowledged, "")[0] is (
            R.not_yours_to_take
        )
        assert cs.step(c, Actor.merchant, "mus_1", Status.open, "")[0] is R.not_allowed_now
        result, c = cs.step(c, Actor.merchant, "mus_1", Status.acknowledged, "On it")
        assert result is R.ok and c.due_ns == c.answer_due_ns
        assert cs.step(c, Actor.merchant, "mus_1", Status.holding, " ")[0] is R.text_required
        result, c = cs.step(c, Actor.merchant, "mus_1", Status.holding, "Courier inquiry")
        assert result is R.ok
        # 35 business days from New Year's Day: to 19 February, less Chinese New Year's two.
        assert c.answer_due_ns == utc_ns("2026-02-23T16:00")
        result, c = cs.step(c, Actor.person, m.mei.id, Status.escalated, "Too slow")
        assert result is R.ok
        assert cs.step(c, Actor.merchant, "mus_1", Status.resolved, "")[0] is R.not_yours_to_take
        result, c = cs.step(c, Actor.staff, "stf_1", Status.resolved, "Courier lost it")
        assert result is R.ok and c.status is Status.resolved
        history = [(e.seq, e.actor, e.from_status, e.to_status) for e in cs.store.events_of(c.id)]
        assert history == [
            (1, Actor.person, "", "open"),
            (2, Actor.merchant, "open", "acknowledged"),
            (3, Actor.merchant, "acknowledged", "holding"),
            (4, Actor.person, "holding", "escalated"),
            (5, Actor.staff, "escalated", "resolved"),
        ]
        assert cs.store.events_of(c.id)[2].note == "Courier inquiry"


def test_a_step_on_a_stale_read_is_refused(store_url: str) -> None:
    with stall_market(store_url) as m:
        _, c = m.complaints.file(m.mei, "service", "Rude", merchant_id=m.stall.id)
        assert c is not None
        m.clock.advance(1)
        assert m.complaints.step(c, Actor.merchant, "a", Status.acknowledged, "")[0] is R.ok
        stale = m.complaints.step(c, Actor.merchant, "b", Status.rejected, "No")
        assert stale[0] is R.not_allowed_now


def test_the_events_cannot_be_rewritten(tmp_path: object) -> None:
    with stall_market(f"sqlite:///{tmp_path}/x.db") as m:
        _, c = m.complaints.file(m.mei, "service", "Rude", merchant_id=m.stall.id)
        assert c is not None
        tables = m.complaints.store._tables  # the store's own connection
        with pytest.raises(Exception, match="append-only"), tables.session() as db:
            db.execute("UPDATE case_events SET note = 'nothing'")
        with pytest.raises(Exception, match="append-only"), tables.session() as db:
            db.execute("DELETE FROM case_events")


ATTACHMENTS = [
    ("image/png", PNG, R.ok),
    ("image/jpeg; charset=binary", JPEG, R.ok),
    ("image/gif", b"GIF89a" + b"\0" * 10, R.attachment_type_not_allowed),
    ("image/jpeg", PNG, R.attachment_not_what_it_says),
    ("image/png", b"<svg/>", R.attachment_not_what_it_says),
    ("image/png", b"", R.attachment_empty),
    ("image/png", PNG[:8] + b"\0" * attachment_bytes_max, R.attachment_too_large),
    ("application/octet-stream", b"GIF89a" + b"\0" * 10, R.attachment_type_not_allowed),
    ("application/octet-stream", PNG, R.ok),  # known by its bytes
    ("image/png", PNG, R.too_many_attachments),  # the fourth
]


def test_photos_are_checked_by_their_bytes_and_counted(store_url: str) -> None:
    with stall_market(store_url) as m:
        _, c = m.complaints.file(m.mei, "not_as_described", "See", merchant_id=m.stall.id)
        assert c is not None
        for declared, data, expected in ATTACHMENTS:
            assert m.complaints.add_attachment(c, declared, data)[0] is expected, declared
        kept = m.complaints.store.attachments_of(c.id)
        assert [(a.number, a.content_type) for a in kept] == [
            (1, "image/png"), (2, "image/jpeg"), (3, "image/png"),
        ]  # fmt: skip
        assert m.complaints.store.attachment_data(c.id, 2) == JPEG


def test_the_queue_puts_the_overdue_first_and_counts_them(store_url: str) -> None:
    with stall_market(store_url) as m:
        filed = []
        for day in range(3):  # Thu 1, Fri 2, Sat 3 January (UTC mornings)
            m.clock.set_ns(utc_ns(f"2026-01-0{day + 1}T02:00"))
            _, c = m.complaints.file(m.mei, "service", f"Day {day}", merchant_id=m.stall.id)
            assert c is not None
            filed.append(c)
        first, second, third = filed
        result, first = m.complaints.step(first, Actor.merchant, "m", Status.acknowledged, "")
        assert result is R.ok
        # Tuesday 6 January, evening in Singapore: the second's acknowledgement (due Tuesday's
        # end) is not late yet, the third's neither; the first is acknowledged (due the 22nd).
        m.clock.set_ns(utc_ns("2026-01-06T10:00"))
        assert m.complaints.overdue_count() == 0
        assert [c.id for c in m.complaints.queue()] == [second.id, third.id, first.id]
        m.clock.set_ns(utc_ns("2026-01-07T10:00"))  # Wednesday: both unacknowledged are late
        assert m.complaints.overdue_count() == 2
        assert [c.overdue(m.clock.now_ns()) for c in m.complaints.queue()] == [True, True, False]
        m.complaints.step(second, Actor.merchant, "m", Status.rejected, "Not us")
        assert [c.id for c in m.complaints.queue()] == [third.id, first.id]
        assert m.complaints.overdue_count() == 1


def test_repeated_complaints_of_one_kind_put_the_merchant_under_review(store_url: str) -> None:
    with stall_market(store_url) as m:
        for n in range(repeat_threshold):
            m.clock.advance(3_600)
            kind = "not_received" if n != 1 else "service"
            m.complaints.file(m.mei, kind, f"Again {n}", merchant_id=m.stall.id)
        assert m.complaints.store.reviews(10) == []  # two of a kind, one of another
        m.complaints.file(m.raj, "not_received", "Me too", merchant_id=m.stall.id)
        (review,) = m.complaints.store.reviews(10)
        assert (review.merchant_id, review.category.value, review.complaints) == (
            m.stall.id, "not_received", repeat_threshold,
        )  # fmt: skip
        assert "placed under review" in review.action
        m.complaints.file(m.raj, "not_received", "Once more", merchant_id=m.stall.id)
        assert len(m.complaints.store.reviews(10)) == 1  # once per kind and window
        m.clock.advance(31 * 86_400)
        for n in range(repeat_threshold):
            m.complaints.file(m.raj, "not_received", f"Later {n}", merchant_id=m.stall.id)
        assert len(m.complaints.store.reviews(10)) == 2


def test_a_complaint_left_unannounced_by_a_crash_is_announced_by_the_next_writer(
    store_url: str,
) -> None:
    with stall_market(store_url) as m:
        # The complaint is stored, then the process dies before its event: none recorded.
        _, c = m.complaints.file(m.mei, "service", "Rude", merchant_id=m.stall.id)
        assert c is not None
        endpoint = Endpoint(m.stall.id, "https://shop.example/hooks", "whsec_x", 0, 0)
        m.ctx.webhook_store.set_endpoint(endpoint)
        assert m.ctx.webhook_store.events(m.stall.id, 10, None)[0] == []
        assert m.complaints.announce_again() == 1
        assert m.complaints.announce_again() == 1  # again: still one event
        events, _ = m.ctx.webhook_store.events(m.stall.id, 10, None)
        assert [json.loads(e.body)["data"]["object"]["id"] for e in events] == [c.id]
        m.clock.advance(86_401)
        assert m.complaints.announce_again() == 0  # only the last day's
