"""The operator console's wallets (`/console/wallets`): finding one by phone number or id, its
details and recent activity, and freezing or unfreezing it with a reason.

Freezing is the wallets product's (`WalletService.freeze`); the console checks the role
first (a role that may not answers 403 and changes nothing), signs the wallet's holder out
of the app on every wallet of the number, and writes the audit entry after the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.chart import TransferCode
from colony.credit import REASON_TEXTS, CreditScores, LineService, Subject, line_figures
from colony.ledger import TransferFlags
from colony.staff import AuditAction, Permission, StaffMember, StaffService, may
from colony.wallets import Wallet, WalletResult, freeze_reason_chars_max
from colony.web.console_access import console_page, permitted_form, signed_in_staff
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_phone

router = pages_router()

# Ledger lines of a wallet's recent activity shown on its page.
console_activity_lines = 20
# The wallet app's sessions: a freeze ends them.
APP_AUDIENCE = "app"
_CODES = {int(code): code for code in TransferCode}
REFUSALS = {
    WalletResult.invalid_reason: N_("Give a reason (up to {chars} characters): the log keeps it."),
    WalletResult.already_frozen: N_("This wallet is frozen already."),
    WalletResult.not_frozen: N_("This wallet is not frozen."),
}


@dataclass(frozen=True)
class Line:
    """One ledger movement of the wallet, as the console lists it."""

    transfer_hex: str
    kind: str  # the chart's name of its transfer code
    amount_minor: int  # signed: money in is positive
    timestamp: int
    pending: bool


def _wallet(ctx: Ctx, wallet_id: str) -> Wallet:
    wallet = ctx.wallet_store.by_id(wallet_id)
    if wallet is None:
        raise Refused(404, "No such wallet.")
    return wallet


def _lines(ctx: Ctx, wallet: Wallet) -> list[Line]:
    page = ctx.ledger.statement(wallet.account_id, reverse=True, limit=console_activity_lines)
    lines = []
    for line in page.lines:
        transfer = line.transfer
        code = _CODES.get(transfer.code)
        incoming = transfer.credit_account_id == wallet.account_id
        amount = transfer.amount if incoming != (line.kind == "expiry") else -transfer.amount
        pending = bool(transfer.flags & TransferFlags.pending) and line.kind != "expiry"
        kind = code.name if code is not None else str(transfer.code)
        lines.append(Line(f"{transfer.id:032x}", kind, amount, line.timestamp, pending))
    return lines


@router.get("/console/wallets")
def find(request: Request, ctx: Ctx, q: str = "") -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    found: list[Wallet] = []
    error = None
    if q.strip():
        asked = q.strip()
        if asked.startswith("wal_"):
            by_id = ctx.wallet_store.by_id(asked)
            found = [by_id] if by_id is not None else []
        else:
            found = ctx.wallet_store.of_phone(typed_phone(asked))
        if len(found) == 1:
            return shell.redirect(f"/console/wallets/{found[0].id}")
        if not found:
            error = shell.texts(request)("No wallet has that number or id.")
    return console_page(
        shell, request, member, "staff/wallets.html", status=404 if error else 200, q=q,
        found=found, error=error,
    )  # fmt: skip


def credit_view(scores: CreditScores, wallet: Wallet) -> dict[str, Any]:
    """The wallet's latest credit score and whether its holder consents (nothing computed)."""
    history = scores.history(Subject.person, wallet.id)
    return {
        "credit_latest": history[0] if history else None,
        "credit_consent": scores.consent_in_force(wallet.id),
        "credit_reason_texts": REASON_TEXTS,
    }


def _wallet_page(
    ctx: Ctx, shell: Shell, request: Request, member: StaffMember, wallet: Wallet, *,
    status: int = 200, error: str | None = None, reason: str = "",
) -> Response:  # fmt: skip
    balance, available = ctx.wallets.balances(wallet)
    values: dict[str, Any] = {
        "wallet": wallet, "balance": balance, "available": available,
        "freeze": ctx.wallets.freeze_of(wallet.id), "lines": _lines(ctx, wallet),
        "may_freeze": may(member.role, Permission.freeze_wallets), "error": error,
        "reason": reason,
    }  # fmt: skip
    values |= credit_view(ctx.service(CreditScores), wallet)
    values |= line_figures(ctx.service(LineService), wallet)
    return console_page(shell, request, member, "staff/wallet.html", status=status, **values)


@router.get("/console/wallets/{wallet_id}")
def wallet_page(wallet_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    staff = ctx.service(StaffService)
    member = signed_in_staff(shell, request, staff)
    wallet = _wallet(ctx, wallet_id)
    staff.record(member.id, AuditAction.personal_data_viewed, wallet.id, "", page="wallet")
    return _wallet_page(ctx, shell, request, member, wallet)


@router.post("/console/wallets/{wallet_id}/freeze")
def freeze(wallet_id: str, request: Request, ctx: Ctx) -> Response:
    return _change(wallet_id, request, ctx, frozen=True)


@router.post("/console/wallets/{wallet_id}/unfreeze")
def unfreeze(wallet_id: str, request: Request, ctx: Ctx) -> Response:
    return _change(wallet_id, request, ctx, frozen=False)


def _change(wallet_id: str, request: Request, ctx: Ctx, *, frozen: bool) -> Response:
    shell, staff = ctx.service(Shell), ctx.service(StaffService)
    member, form = permitted_form(shell, request, staff, Permission.freeze_wallets)
    wallet = _wallet(ctx, wallet_id)
    reason = form.get("reason", "")
    act = ctx.wallets.freeze if frozen else ctx.wallets.unfreeze
    result = act(wallet.id, reason)
    if result is not WalletResult.ok:
        error = shell.texts(request)(REFUSALS[result], chars=freeze_reason_chars_max)
        return _wallet_page(
            ctx, shell, request, member, wallet, status=400, error=error, reason=reason
        )
    ended = 0
    if frozen:  # the holder is signed out of the app, on every wallet of the number
        for held in ctx.wallet_store.of_phone(wallet.phone):
            ended += shell.sessions.end_all(APP_AUDIENCE, held.id)
    action = AuditAction.wallet_frozen if frozen else AuditAction.wallet_unfrozen
    staff.record(
        member.id, action, wallet.id, reason.strip(), phone=wallet.phone, sessions_ended=ended
    )
    return shell.redirect(f"/console/wallets/{wallet.id}")
