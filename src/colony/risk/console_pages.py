"""The operator console's risk page (`/console/risk`, docs/adr/0055): the payments held for
review, with approve (captured) and decline (voided, the money back to the payer); the recent
assessments that did more than allow or that a shadow rule would have changed, with their
reasons; and the rules, whose threshold and mode staff with `manage_risk` change, each
change a new version kept with who made it. Every decision and change is in the audit log."""

from __future__ import annotations

import dataclasses

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.kernel.clock import NS_PER_S
from colony.payments import PayResult, review_hold_s
from colony.risk import (
    DECISION_TEXTS,
    MODE_TEXTS,
    THRESHOLD_UNITS,
    Decision,
    Mode,
    Reason,
    RiskCheck,
    RiskEvent,
)
from colony.staff import AuditAction, Permission, StaffService, may
from colony.web.console_access import console_page, permitted_form, signed_in_staff
from colony.web.shell import Refused, Shell, pages_router, typed_count

router = pages_router()
# Assessments the page lists, newest first.
assessments_listed_max = 100
# The largest threshold a rule takes from the form (any unit), and a note's length.
threshold_max = 10**12
threshold_digits_max = len(str(threshold_max))
note_chars_max = 500
_HOME = "/console/risk"
# The refusals this page is sent back to with `?error=` (by its own forms): only these are
# shown. Any other text is dropped, so a link cannot put its words on the page as Colony's.
_ERROR_NAMES = frozenset(
    {"threshold_invalid", "mode_invalid", "changed_meanwhile", "already_decided"}
    | set(PayResult.__members__)
) - {PayResult.ok.name}


def _check(ctx: Ctx) -> RiskCheck:
    return ctx.service(RiskCheck)


def where(event: RiskEvent) -> str:
    """Where a payment was, as an analyst reads it: the place in degrees and the payer's
    offset from UTC there; a dash when the event had neither (P2P, an unknown city)."""
    parts = []
    if event.place is not None:
        lat, lon = event.place.lat_micro / 1_000_000, event.place.lon_micro / 1_000_000
        parts.append(f"{lat:.4f}, {lon:.4f}")
    if event.utc_offset_min is not None:
        sign = "+" if event.utc_offset_min >= 0 else "-"
        hours, minutes = divmod(abs(event.utc_offset_min), 60)
        parts.append(f"UTC{sign}{hours:02d}:{minutes:02d}")
    return " ".join(parts) or "—"


@router.get("/console/risk")
def risk_page(request: Request, ctx: Ctx, error: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    check = _check(ctx)
    check.look_for_rule_changes(now=True)  # the rules as every worker has them now
    kept = check.store.recent(assessments_listed_max) if check.store is not None else []
    # A hold left undecided past `review_hold_s` went back to the payer by itself. Asked of
    # the store apart from `kept`: a busy hour's shadow assessments would push holds off it.
    since_ns = ctx.clock.now_ns() - review_hold_s * NS_PER_S
    queue = check.store.held(since_ns, assessments_listed_max) if check.store is not None else []
    changes = check.store.rule_changes()[::-1] if check.store is not None else []
    shown_error = error if error in _ERROR_NAMES else ""
    return console_page(
        shell, request, member, "risk/console_risk.html", queue=queue, kept=kept,
        rules=check.rules, changes=changes, units=THRESHOLD_UNITS, decisions=DECISION_TEXTS,
        modes=MODE_TEXTS, error=shown_error, fallbacks=check.fallbacks, where=where,
        may_manage=may(member.role, Permission.manage_risk),
    )  # fmt: skip


def _back(error: str = "") -> str:
    return f"{_HOME}?error={error}" if error else _HOME


@router.post("/console/risk/reviews/{payment_id}")
def decide_review(payment_id: int, request: Request, ctx: Ctx) -> Response:
    """Approve (capture the held payment) or decline (void it: the money back to the payer)."""
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.manage_risk)
    action = form.get("action", "")
    if action not in ("approve", "decline"):
        raise Refused(400, "action: approve or decline", home=_HOME)
    check = _check(ctx)
    held = check.store.by_payment(payment_id) if check.store is not None else None
    if held is None or held.assessment.decision is not Decision.review:
        raise Refused(404, "No such payment under review.", home=_HOME)
    if held.review_outcome is not None:
        return shell.redirect(_back("already_decided"))
    settle = ctx.payments.capture if action == "approve" else ctx.payments.void
    result = settle(payment_id).result
    if result is not PayResult.ok:
        return shell.redirect(_back(result.name))
    assert check.store is not None
    if check.store.decide(payment_id, action + "d", member.id, ctx.clock.now_ns()):
        audited = (AuditAction.risk_review_approved if action == "approve"
                   else AuditAction.risk_review_declined)  # fmt: skip
        staff.record(member.id, audited, str(payment_id), form.get("note", "")[:note_chars_max])
    return shell.redirect(_back())


@router.post("/console/risk/rules/{reason}")
def change_rule(reason: str, request: Request, ctx: Ctx) -> Response:
    """A rule's threshold and mode changed: the next version of the rules, in the log."""
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.manage_risk)
    check = _check(ctx)
    named = Reason.__members__.get(reason)
    rule = check.rules.rule(named) if named is not None else None
    if rule is None:
        raise Refused(404, "No such rule.", home=_HOME)
    typed = form.get("threshold", "").strip()
    mode = Mode.__members__.get(form.get("mode", ""))
    threshold = typed_count(typed, threshold_digits_max)
    if threshold is None or threshold > threshold_max:
        return shell.redirect(_back("threshold_invalid"))
    if mode is None:
        return shell.redirect(_back("mode_invalid"))
    changed = dataclasses.replace(rule, threshold=threshold, mode=mode)
    if changed == rule:
        return shell.redirect(_back())
    note = form.get("note", "")[:note_chars_max]
    if not check.change_rule(changed, member.id, note, ctx.clock.now_ns()):
        return shell.redirect(_back("changed_meanwhile"))
    staff.record(
        member.id, AuditAction.risk_rule_changed, reason, note, threshold=str(changed.threshold),
        mode=mode.value, version=str(check.rules.version),
    )  # fmt: skip
    return shell.redirect(_back())
