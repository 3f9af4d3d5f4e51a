"""The wallet app's screens behind sign-in (`/app`): home (balance, limits, recent activity),
activity with its receipts, sending money by phone number, topping up and withdrawing
through a funding partner.

Every form that moves money carries `op`, a random id drawn when the form was drawn: the
ledger transfer id is derived from it (as an API request's from its Idempotency-Key), so a
form sent twice (a double tap, a retried POST) moves the money once. Sending and withdrawing
ask for the PIN every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.chart import Slots, TransferCode
from colony.credentials import CredentialResult, CredentialService
from colony.ledger import Transfer, TransferFlags, TransferPendingStatus
from colony.phones import is_phone_number
from colony.wallets import MoneyRequest, MoneyRequests, MovementKind, Tier, Wallet, WalletResult
from colony.wallets.funding import MovementStatus, movement_id
from colony.wallets.requests import requests_to_one_payer_max
from colony.web.i18n import N_, Texts
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import (
    RISK_STOPPED,
    app_page,
    pin_refusal,
    pin_subject,
    signed_in_wallet,
    typed_amount,
    typed_phone,
)

router = pages_router()

# Activity lines per page (the home screen shows the first page; scrolling loads the next).
activity_page_lines = 20
# Random bytes in a form's `op` (its idempotency key).
op_bytes = 16

# How each kind of movement reads in a person's activity, by the chart's transfer code.
ACTIVITY_LABELS = {
    TransferCode.opening_deposit: N_("Cash in"),  # the opening coin's line says so itself
    TransferCode.p2p: N_("Money sent"),  # or received, by the direction
    TransferCode.top_up: N_("Top-up"),
    TransferCode.withdrawal: N_("Withdrawal"),
    TransferCode.payment: N_("Payment"),
    TransferCode.fx_payer: N_("Payment abroad"),
    TransferCode.refund: N_("Refund"),
    TransferCode.donation: N_("Donation"),
    TransferCode.fx_spread: N_("Refund"),  # the exchange margin given back with a refund
    TransferCode.disbursement: N_("Loan paid out"),
    TransferCode.repayment: N_("Loan repayment"),
    TransferCode.goodwill_credit: N_("Goodwill credit"),
    TransferCode.chargeback: N_("Chargeback"),
}
OPENED = N_("Wallet opened")
OTHER, RECEIVED = N_("Other"), N_("Money received")
# A line's state as shown beside it (none when done).
STATE_NAMES = {"pending": N_("pending"), "declined": N_("declined"), "expired": N_("expired")}
_HOLD_STATES = {
    TransferPendingStatus.pending: "pending",
    TransferPendingStatus.voided: "declined",
    TransferPendingStatus.expired: "expired",
}
_SETTLES = TransferFlags.post_pending_transfer | TransferFlags.void_pending_transfer
TIER_NAMES = {Tier.phone_only: N_("Phone only"), Tier.identity_verified: N_("Identity verified")}
STATUS_NAMES = {
    MovementStatus.pending: N_("Waiting for the bank"),
    MovementStatus.succeeded: N_("Done"),
    MovementStatus.failed: N_("Declined"),
    MovementStatus.expired: N_("Expired: the bank did not answer"),
}
REQUEST_STATES = (N_("open"), N_("paid"), N_("declined"), N_("cancelled"))
PARTNER_KINDS = {"bank": N_("bank"), "card_issuer": N_("card issuer")}
# What a person whose wallet the operator froze is told when money would leave it.
FROZEN = N_("This wallet is frozen: money cannot leave it. Ask Colony's support why.")


_CODES = {int(code): code for code in TransferCode}
_NAMING_THEIR_PAYMENT = (TransferCode.fx_payer, TransferCode.refund)
# The movements a funding partner confirms, by the transfer's code.
_MOVEMENT_KINDS = {
    int(TransferCode.top_up): MovementKind.top_up,
    int(TransferCode.withdrawal): MovementKind.withdrawal,
}


@dataclass(frozen=True)
class ActivityItem:
    transfer_hex: str
    label: str
    amount_minor: int  # signed: money in is positive
    timestamp: int
    state: str  # done | pending | declined | expired (STATE_NAMES)
    href: str  # its receipt


def _activity(
    ctx: Ctx, wallet: Wallet, before: int | None
) -> tuple[list[ActivityItem], int | None]:
    page = ctx.ledger.statement(
        wallet.account_id, before_timestamp=before, limit=activity_page_lines, reverse=True
    )
    items = [
        _item(wallet, line.transfer, line.timestamp, _state(ctx, line.transfer))
        for line in page.lines
        # A hold's posting, voiding or expiry is shown as the state of the hold's own line;
        # a line of nothing (a repayment's part that owed nothing) is not shown at all.
        if line.kind == "transfer" and not line.transfer.flags & _SETTLES and line.transfer.amount
    ]
    return items, page.next_cursor


def _state(ctx: Ctx, transfer: Transfer) -> str:
    """What became of the money: "done", or a hold's "pending", "declined", "expired"."""
    if not transfer.flags & TransferFlags.pending:
        return "done"
    found = ctx.ledger.pending_status(transfer.id)
    return _HOLD_STATES.get(found or TransferPendingStatus.none, "done")


def _item(wallet: Wallet, transfer: Transfer, timestamp: int, state: str) -> ActivityItem:
    incoming = transfer.credit_account_id == wallet.account_id
    code = _CODES.get(transfer.code)
    label = ACTIVITY_LABELS.get(code, OTHER) if code is not None else OTHER
    if code is TransferCode.p2p and incoming:
        label = RECEIVED
    if code is TransferCode.fx_payer and incoming:
        label = ACTIVITY_LABELS[TransferCode.refund]  # a payment abroad's money coming back
    if code is TransferCode.opening_deposit and transfer.id == Slots.opening_deposit.of(
        wallet.account_id
    ):
        label = OPENED  # the coin that opened it, not a later cash-in
    amount = transfer.amount if incoming else -transfer.amount
    href = f"/app/activity/{transfer.id:032x}"
    # A payment has its own receipt, with the merchant's name, its rate and its refunds:
    # opened from its own line, a payment abroad's line and a refund's line, which name the
    # payment in user_data_128.
    if code is TransferCode.payment and not incoming:
        href = f"/app/payments/{transfer.id:032x}"
    elif code in _NAMING_THEIR_PAYMENT and transfer.user_data_128:
        href = f"/app/payments/{transfer.user_data_128:032x}"
    return ActivityItem(f"{transfer.id:032x}", label, amount, timestamp, state, href)


def _op(shell: Shell) -> str:
    return shell.token_bytes(op_bytes).hex()


@router.get("/app")
def home(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    balance, available = ctx.wallets.balances(wallet)
    limits, spent_today = ctx.wallets.limits_today(wallet)
    items, cursor = _activity(ctx, wallet, None)
    return app_page(shell,
        request, "wallets/home.html", wallet=wallet, balance=balance, available=available,
        limits=limits, spent_today=spent_today, items=items, cursor=cursor,
        tier_name=TIER_NAMES[wallet.tier], asking=len(ctx.service(MoneyRequests).to_pay(wallet)),
        state_names=STATE_NAMES,
    )  # fmt: skip


@router.get("/app/activity")
def activity(request: Request, ctx: Ctx, before: int | None = None, part: int = 0) -> Response:
    """A page of older activity: the whole screen, or (`part=1`) just its lines, which the
    home screen's script appends as the person scrolls."""
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    if before is not None and before <= 0:
        raise Refused(400, "before: a cursor the previous page gave")
    items, cursor = _activity(ctx, wallet, before)
    template = "wallets/activity_lines.html" if part else "wallets/activity.html"
    response = app_page(
        shell, request, template, wallet=wallet, items=items, cursor=cursor,
        state_names=STATE_NAMES,
    )  # fmt: skip
    if part and cursor:
        response.headers["x-next-cursor"] = str(cursor)
    return response


@router.get("/app/activity/{transfer_hex}")
def receipt(transfer_hex: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    try:
        transfer_id = int(transfer_hex, 16) if len(transfer_hex) == 32 else -1
    except ValueError:
        transfer_id = -1
    found = ctx.ledger.lookup_transfers([transfer_id]) if transfer_id >= 0 else []
    mine = [t for t in found if wallet.account_id in (t.debit_account_id, t.credit_account_id)]
    if not mine:
        raise Refused(404, "No such receipt in this wallet.")
    item = _item(wallet, mine[0], mine[0].timestamp, _state(ctx, mine[0]))
    movement, status = None, None
    kind = _MOVEMENT_KINDS.get(mine[0].code)
    if kind is not None and ctx.funding is not None:
        movement = ctx.funding.movement(movement_id(kind, mine[0].id))
        status = ctx.funding.status(movement) if movement is not None else None
    return app_page(
        shell, request, "wallets/receipt.html", wallet=wallet, item=item, movement=movement,
        movement_status=STATUS_NAMES[status] if status is not None else None,
        state_names=STATE_NAMES,
    )  # fmt: skip


def _pin_ok(ctx: Ctx, shell: Shell, request: Request, wallet: Wallet, pin: str) -> str | None:
    """None when the PIN is right; else what to tell the person."""
    checked = ctx.service(CredentialService).check(pin_subject(wallet.phone), pin)
    return None if checked.result is CredentialResult.ok else pin_refusal(shell, request, checked)


@router.get("/app/send")
def send_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    return app_page(shell,
        request, "wallets/send.html", wallet=wallet, op=_op(shell), to_phone="", amount="",
        error=None,
    )  # fmt: skip


@router.post("/app/send")
def send(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    to_phone = typed_phone(form.get("to_phone", ""))
    amount_minor = typed_amount(form.get("amount", ""), wallet.currency)
    op = form.get("op", "")
    error = None
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open Send again.")
    if not is_phone_number(to_phone):
        # Said as what it is, before the PIN is asked: not a wallet nobody holds.
        error = t(NOT_A_NUMBER)
    elif amount_minor is None:
        error = t("Type an amount above zero, such as 12.50.")
    else:
        error = _pin_ok(ctx, shell, request, wallet, form.get("pin", ""))
    if error is None and amount_minor is not None:
        transfer_id = transfer_id_for(f"web:{wallet.id}", op)
        # The PIN was checked above: it answers a challenge of risk control's too.
        outcome = ctx.wallets.p2p(
            wallet.phone, to_phone, wallet.currency, amount_minor, transfer_id=transfer_id,
            stepped_up=True,
        )  # fmt: skip
        if outcome.result is WalletResult.ok:
            return shell.redirect(f"/app/activity/{transfer_id:032x}")
        error = _send_refusal(t, outcome.result, wallet)
    return app_page(shell,
        request, "wallets/send.html", status=400, wallet=wallet, op=op,
        to_phone=form.get("to_phone", ""), amount=form.get("amount", ""), error=error,
    )  # fmt: skip


_SEND_REFUSALS = {
    WalletResult.unknown_wallet: N_("Nobody with that number has a {currency} wallet."),
    WalletResult.same_wallet: N_("That is your own number."),
    WalletResult.insufficient_funds: N_("Not enough money in your wallet."),
    WalletResult.daily_outflow_cap_exceeded: N_("That is over today's limit for your tier."),
    WalletResult.balance_cap_exceeded: N_("The receiver's wallet cannot hold that much."),
    WalletResult.wallet_frozen: FROZEN,
    WalletResult.risk_blocked: RISK_STOPPED,
}
# What the Top up and Withdraw screens say for a refusal of Colony's own (money out in the
# Send screen's words); the rest are the bank's.
_FUNDING_REFUSALS = {
    MovementKind.top_up: {
        WalletResult.wallet_frozen: FROZEN,
        # The wallet's own tier caps it: Colony's limit, not the bank's refusal.
        WalletResult.balance_cap_exceeded: N_(
            "Your wallet cannot hold that much: verify your identity."
        ),
    },
    MovementKind.withdrawal: {
        result: _SEND_REFUSALS[result]
        for result in (
            WalletResult.insufficient_funds,
            WalletResult.daily_outflow_cap_exceeded,
            WalletResult.wallet_frozen,
            WalletResult.risk_blocked,
        )
    },
}
OTHER_SEND_REFUSAL = N_("The money was not sent: {reason}.")
NOT_A_NUMBER = N_("Type the number with its country code, such as +65 8123 4567.")


def _send_refusal(t: Texts, result: WalletResult, wallet: Wallet) -> str:
    message = _SEND_REFUSALS.get(result, OTHER_SEND_REFUSAL)
    return t(message, currency=wallet.currency, reason=result.name)


@router.get("/app/topup")
def top_up_page(request: Request, ctx: Ctx) -> Response:
    return _funding_page(request, ctx, MovementKind.top_up)


@router.get("/app/withdraw")
def withdraw_page(request: Request, ctx: Ctx) -> Response:
    return _funding_page(request, ctx, MovementKind.withdrawal)


def _funding_page(
    request: Request, ctx: Ctx, kind: MovementKind, *, status: int = 200, error: str | None = None,
    amount: str = "", op: str | None = None,
) -> Response:  # fmt: skip
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    assert ctx.funding is not None
    partners = ctx.funding.partners(wallet.currency)
    return app_page(shell,
        request, "wallets/funding.html", status=status, wallet=wallet, kind=str(kind),
        partners=partners, op=op or _op(shell), amount=amount, error=error,
        partner_kinds=PARTNER_KINDS,
    )  # fmt: skip


@router.post("/app/topup")
def top_up(request: Request, ctx: Ctx) -> Response:
    return _move(request, ctx, MovementKind.top_up)


@router.post("/app/withdraw")
def withdraw(request: Request, ctx: Ctx) -> Response:
    return _move(request, ctx, MovementKind.withdrawal)


def _move(request: Request, ctx: Ctx, kind: MovementKind) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    assert ctx.funding is not None
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open the page again.")
    amount_minor = typed_amount(form.get("amount", ""), wallet.currency)
    error = None
    if amount_minor is None:
        error = t("Type an amount above zero, such as 12.50.")
    elif kind is MovementKind.withdrawal:
        error = _pin_ok(ctx, shell, request, wallet, form.get("pin", ""))
    if error is None and amount_minor is not None:
        partner = form.get("partner", "")
        transfer_id = transfer_id_for(f"web:{wallet.id}", op)
        if kind is MovementKind.top_up:
            outcome = ctx.funding.top_up(wallet, partner, amount_minor, transfer_id=transfer_id)
        else:
            # The PIN was checked above: it answers a challenge of risk control's too, as on
            # the Send screen (docs/adr/0063).
            outcome = ctx.funding.withdraw(
                wallet, partner, amount_minor, transfer_id=transfer_id, stepped_up=True
            )
        if outcome.movement is not None:
            return shell.redirect(f"/app/activity/{transfer_id:032x}")
        refused = outcome.result
        ours = _FUNDING_REFUSALS[kind].get(refused)
        error = t(ours) if ours else t("The bank refused it: {reason}.", reason=refused.name)
    return _funding_page(
        request, ctx, kind, status=400, error=error, amount=form.get("amount", ""), op=op
    )


REQUEST_REFUSALS = {
    WalletResult.unknown_wallet: N_("Nobody with that number has a {currency} wallet."),
    WalletResult.same_wallet: N_("That is your own number."),
    WalletResult.amount_must_be_positive: N_("Type an amount above zero, such as 12.50."),
    WalletResult.invalid_note: N_("A note is at most 100 characters."),
    WalletResult.too_many_open_requests: N_("You have 50 requests waiting: cancel some first."),
    WalletResult.too_many_requests_to_payer: N_(
        "You have asked this number {requests} times in 24 hours: try again later."
    ),
    WalletResult.request_not_found: N_("No such request."),
    WalletResult.request_closed: N_("That request was settled already."),
}


def _requests_page(
    ctx: Ctx, shell: Shell, request: Request, wallet: Wallet, *, status: int = 200,
    error: str | None = None, to_phone: str = "", amount: str = "", note: str = "",
) -> Response:  # fmt: skip
    asks = ctx.service(MoneyRequests)
    to_pay = asks.to_pay(wallet)
    return app_page(
        shell, request, "wallets/requests.html", status=status, wallet=wallet,
        to_pay=to_pay, asked=asks.asked_by(wallet), error=error,
        to_phone=to_phone, amount=amount, note=note, names=_names(ctx, to_pay),
    )  # fmt: skip


def _names(ctx: Ctx, requests: list[MoneyRequest]) -> dict[str, str]:
    """Who asked each request to pay (the asker's name, as a P2P receiver sees it)."""
    names = {}
    for asked in requests:
        asker = ctx.wallet_store.by_id(asked.requester_wallet)
        names[asked.id] = f"{asker.name} ({asker.phone})" if asker else asked.requester_wallet
    return names


@router.get("/app/requests")
def requests_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    return _requests_page(ctx, shell, request, wallet)


@router.post("/app/requests")
def ask(request: Request, ctx: Ctx) -> Response:
    """Ask a phone number for money."""
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    amount_minor = typed_amount(form.get("amount", ""), wallet.currency)
    result, _ = ctx.service(MoneyRequests).ask(
        wallet, typed_phone(form.get("to_phone", "")), amount_minor or 0, form.get("note", "")
    )
    if result is WalletResult.ok:
        return shell.redirect("/app/requests")
    return _requests_page(
        ctx, shell, request, wallet, status=400,
        error=t(REQUEST_REFUSALS.get(result, OTHER_SEND_REFUSAL),
                currency=wallet.currency, reason=result.name,
                requests=requests_to_one_payer_max),
        to_phone=form.get("to_phone", ""), amount=form.get("amount", ""),
        note=form.get("note", ""),
    )  # fmt: skip


@router.post("/app/requests/{request_id}/{action}")
def settle_request(request_id: str, action: str, request: Request, ctx: Ctx) -> Response:
    """Pay (with the PIN) or decline a request to this wallet; cancel one it asked."""
    shell = ctx.service(Shell)
    form = shell.form(request)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    t = shell.texts(request)
    asks = ctx.service(MoneyRequests)
    if action == "pay":
        error = _pin_ok(ctx, shell, request, wallet, form.get("pin", ""))
        if error is not None:
            return _requests_page(ctx, shell, request, wallet, status=400, error=error)
        result = asks.pay(request_id, wallet)
    elif action == "decline":
        result = asks.decline(request_id, wallet)
    elif action == "cancel":
        result = asks.cancel(request_id, wallet)
    else:
        raise Refused(404, "No such action on a request.")
    if result is WalletResult.ok:
        return shell.redirect("/app/requests")
    message = REQUEST_REFUSALS.get(result) or _SEND_REFUSALS.get(result, OTHER_SEND_REFUSAL)
    error = t(message, currency=wallet.currency, reason=result.name)
    return _requests_page(ctx, shell, request, wallet, status=400, error=error)
