"""The operator console's home (`/console`), the audit log and the SMS and email outboxes:
pages that read.

The lists page newest first by id (`?before=<id>`: the last id of the page before), as the
API's lists do, so a page holds the same entries however many are written meanwhile.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.disputes import ComplaintService
from colony.phones import PhoneProofService, email_address
from colony.staff import (
    ROLE_PERMISSIONS,
    AuditAction,
    Permission,
    StaffMember,
    StaffService,
    audit_page_entries,
)
from colony.web.console_access import (
    console_page,
    permitted,
    signed_in_staff,
)
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_phone

router = pages_router()

# What each permission lets a staff member do, as the home page lists it.
PERMISSION_TEXTS = {
    Permission.read: N_("Read wallets and the audit log"),
    Permission.read_sms_outbox: N_("Read the SMS and email outboxes"),
    Permission.freeze_wallets: N_("Freeze and unfreeze wallets"),
    Permission.onboard_merchants: N_("Onboard merchants"),
    Permission.refund_payments: N_("Refund payments on a merchant's behalf"),
    Permission.retry_webhooks: N_("Retry failed webhook deliveries"),
    Permission.pay_out_merchants: N_("Pay merchants' days out to their banks"),
    Permission.manage_staff: N_("Add staff, change their roles, disable them, reset their TOTP"),
    Permission.handle_complaints: N_("Handle complaints, goodwill credits and disputes"),
    Permission.manage_risk: N_("Decide payments held for risk review and edit risk rules"),
    Permission.score_merchants: N_("Ask for merchants' credit scores"),
    Permission.suspend_merchants: N_("Suspend and reinstate merchants"),
}
# Texts (or mails) of an outbox shown per page.
outbox_page_messages = 50
_AUDIT_ID = re.compile(r"aud_[0-9a-f]{32}")
_SMS_ID = re.compile(r"sms_[0-9a-f]{32}")
_EMAIL_ID = re.compile(r"eml_[0-9a-f]{32}")


def _cursor(before: str | None, pattern: re.Pattern[str]) -> str | None:
    if before is not None and not pattern.fullmatch(before):
        raise Refused(400, "before: an id the previous page gave")
    return before


@router.get("/console")
def home(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    permissions = [PERMISSION_TEXTS[p] for p in Permission if p in ROLE_PERMISSIONS[member.role]]
    overdue = ctx.service(ComplaintService).overdue_count()
    return console_page(
        shell, request, member, "staff/home.html", permissions=permissions, overdue=overdue
    )


@router.get("/console/audit")
def audit(request: Request, ctx: Ctx, before: str | None = None) -> Response:
    shell = ctx.service(Shell)
    staff = ctx.service(StaffService)
    member = signed_in_staff(shell, request, staff)
    entries = staff.audit(_cursor(before, _AUDIT_ID), audit_page_entries)
    names = {e.staff_id: staff.by_id(e.staff_id) for e in entries if e.staff_id}
    older = entries[-1].id if len(entries) == audit_page_entries else None
    return console_page(
        shell, request, member, "staff/audit.html", entries=entries, names=names, older=older
    )


@router.get("/console/sms")
def sms_outbox(request: Request, ctx: Ctx, phone: str = "", before: str | None = None) -> Response:
    shell = ctx.service(Shell)
    member = permitted(shell, request, ctx.service(StaffService), Permission.read_sms_outbox)
    number = typed_phone(phone) if phone.strip() else None
    _viewed(ctx, member, number or "*", "sms_outbox")
    outbox = ctx.service(PhoneProofService)
    messages = outbox.outbox(_cursor(before, _SMS_ID), outbox_page_messages, number)
    older = messages[-1].id if len(messages) == outbox_page_messages else None
    return console_page(
        shell, request, member, "staff/sms.html", messages=messages, phone=phone, number=number,
        older=older,
    )  # fmt: skip


@router.get("/console/email")
def email_outbox(
    request: Request, ctx: Ctx, address: str = "", before: str | None = None
) -> Response:
    shell = ctx.service(Shell)
    member = permitted(shell, request, ctx.service(StaffService), Permission.read_sms_outbox)
    # An address that cannot be one matches nothing, as a number that is nobody's does.
    wanted = (email_address(address) or address.strip()) if address.strip() else None
    _viewed(ctx, member, wanted or "*", "email_outbox")
    outbox = ctx.service(PhoneProofService)
    messages = outbox.email_outbox(_cursor(before, _EMAIL_ID), outbox_page_messages, wanted)
    older = messages[-1].id if len(messages) == outbox_page_messages else None
    return console_page(
        shell, request, member, "staff/email.html", messages=messages, address=address,
        wanted=wanted, older=older,
    )  # fmt: skip


def _viewed(ctx: Ctx, member: StaffMember, whose: str, page: str) -> None:
    """Write down that `member` read a person's messages (`*`: everyone's newest)."""
    ctx.service(StaffService).record(
        member.id, AuditAction.personal_data_viewed, whose, "", page=page
    )
