"""What the complaint pages share: a deadline shows in the viewer's time zone (the one the
shell's script keeps in a cookie), UTC until it is known; a merchant is named by its display
name, or by its id once it is gone. Over real HTTP on loopback."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from babel.dates import format_date

from colony.disputes import ComplaintService
from colony.disputes.page_parts import merchant_name
from colony.kernel.clock import utc_from_ns
from colony.web.i18n import ZONE_COOKIE
from tests.web.test_app_pages import _funded
from tests.web.test_merchant_pages import Shop, shop
from tests.web.visitor import signed_up

__all__ = ["shop"]  # the fixture, used by name
MEI = "+6581230001"
SINGAPORE = ZoneInfo("Asia/Singapore")


def _due(page: str) -> str:
    found = re.search(r'data-testid="due">([^<]*)<', page)
    assert found is not None, page[:500]
    return found.group(1)


def test_a_deadline_shows_in_the_viewers_time_zone(shop: Shop) -> None:
    mei = shop.visitor()
    signed_up(mei, shop.api, MEI)
    _funded(shop.api, shop.ctx, mei, "40")
    paid = shop.ctx.payments.pay_by_qr(MEI, "SGD", shop.ctx.payments.merchant_qr(shop.merchant),
                                       12_00)  # fmt: skip
    assert paid.payment_id is not None
    new = f"/app/complaints/new?payment={paid.payment_id:032x}"
    fields = {"payment": f"{paid.payment_id:032x}", "text": "Cold", "category": "not_as_described"}
    where = mei.post("/app/complaints", fields, form_at=new).headers["location"]
    complaint = shop.ctx.service(ComplaintService).by_id(where.rsplit("/", 1)[1])
    assert complaint is not None
    # The clock runs in the merchant's business days: it ends at midnight in Singapore.
    last = utc_from_ns(complaint.due_ns - 1)
    sg_day = last.astimezone(SINGAPORE).date()
    assert last.astimezone(SINGAPORE).time() >= dt.time(23, 59)

    assert _due(mei.get(where).text) == f"{format_date(last.date(), 'medium', 'en')}, 3:59\u202fPM"
    mei.client.cookies.set(ZONE_COOKIE, "Asia/Singapore")
    assert _due(mei.get(where).text) == f"{format_date(sg_day, 'medium', 'en')}, 11:59\u202fPM"
    # In Tokyo, an hour ahead of Singapore, the same moment is early on the next day.
    mei.client.cookies.set(ZONE_COOKIE, "Asia/Tokyo")
    next_day = format_date(sg_day + dt.timedelta(days=1), "medium", "en")
    assert _due(mei.get(where).text) == f"{next_day}, 12:59\u202fAM"


def test_a_merchant_is_named_by_its_display_name_else_its_id(shop: Shop) -> None:
    assert merchant_name(shop.ctx.merchants, shop.merchant.id) == "Hawker Chan"
    assert merchant_name(shop.ctx.merchants, "mer_gone") == "mer_gone"
