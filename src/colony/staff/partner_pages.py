"""The operator console's partners (`/console/partners`): the wallet operators running on this
Colony, a page at a time by id. It only reads: partners are added by the operator's API."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.partners import Partner
from colony.staff import StaffService
from colony.web.console_access import a_page, console_page, signed_in_staff
from colony.web.shell import Refused, Shell, pages_router

router = pages_router()

# Partners per page of the list.
partners_page_rows = 50
_PARTNER_ID = re.compile(r"ptn_[0-9a-f]{32}")


@router.get("/console/partners")
def partners(request: Request, ctx: Ctx, after: str | None = None) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    if after is not None and not _PARTNER_ID.fullmatch(after):
        raise Refused(400, "after: an id the previous page gave")
    found: list[Partner] = []
    more = False
    if ctx.partners is not None:  # a Colony built without partners has none to show
        store = ctx.partners.store
        found, more = a_page(lambda n: store.page(after, n), partners_page_rows)
    return console_page(
        shell, request, member, "staff/partners.html", partners=found,
        next_after=found[-1].id if more else None,
    )  # fmt: skip
