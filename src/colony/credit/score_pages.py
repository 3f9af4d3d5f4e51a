"""The wallet app's Credit screen (`/app/credit`, docs/adr/0046): what a score is made from
and the consent form; with consent, the score, the reasons it is not higher in the person's
own language, the limit its band allows, and every score given so far. Withdrawing consent
stops scoring; the scores given stay listed.

The pay-later credit line on the same screen (docs/adr/0052): opening it with a chosen due
day, its limit, what is available and owed, the latest bill and its due day, repaying from
the balance and splitting a purchase into instalments. A repayment's or plan's form carries a
one-time id made when the screen is drawn, from which its id derives: sent twice, it acts
once.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.credit import (
    DECLINED,
    REASON_TEXTS,
    CreditLineResult,
    CreditScores,
    LineService,
    PlanOf,
    ScoreResult,
    Subject,
    line_figures,
)
from colony.credit.billing import DUE_DAYS, PLAN_FEE_BPS
from colony.wallets import Wallet
from colony.web.i18n import N_
from colony.web.shell import Refused, Shell, pages_router, typed_count
from colony.web.wallet_access import app_page, signed_in_wallet, typed_amount

router = pages_router()

# How a band reads beside a score.
BAND_NAMES = {
    "A": N_("Excellent"),
    "B": N_("Good"),
    "C": N_("Fair"),
    "D": N_("Limited"),
    DECLINED: N_("Not offered credit now"),
}


# Bytes of randomness in a form's one-time id.
form_id_bytes = 16
# The most digits read from the due day (of a month) and the plan's instalments; more is
# no day and no plan, refused by the service as any wrong choice is.
day_digits_max = 2
instalments_digits_max = 2

# What each refusal of the line tells the person.
LINE_REFUSALS = {
    CreditLineResult.consent_required: N_("Agree to be scored first: your limit comes from it."),
    CreditLineResult.declined: N_("Your score does not offer a credit line now."),
    CreditLineResult.invalid_due_day: N_("Choose the 8th, 9th or 10th."),
    CreditLineResult.no_line: N_("You have no credit line."),
    CreditLineResult.amount_must_be_positive: N_("Type an amount above zero, such as 12.50."),
    CreditLineResult.more_than_owed: N_("That is more than you owe."),
    CreditLineResult.nothing_owed: N_("You owe nothing."),
    CreditLineResult.insufficient_funds: N_("Not enough money in your wallet."),
    CreditLineResult.daily_outflow_cap_exceeded: N_("That is over today's limit for your tier."),
    CreditLineResult.id_reused_differently: N_("This form was sent already: open it again."),
    CreditLineResult.refused_before: N_("This form was sent already: open it again."),
    CreditLineResult.plan_not_offered: N_("Choose 3, 6 or 12 instalments."),
    CreditLineResult.line_frozen: N_("Your credit line is frozen while a bill is overdue."),
    CreditLineResult.wallet_frozen: N_(
        "This wallet is frozen: money cannot leave it. Ask Colony's support why."
    ),
    CreditLineResult.nothing_to_split: N_("There is no bill to split now."),
}


@router.get("/app/credit")
def credit_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    return _screen(ctx, shell, request, wallet)


def _screen(
    ctx: Ctx,
    shell: Shell,
    request: Request,
    wallet: Wallet,
    refused: CreditLineResult | None = None,
) -> Response:
    scores = ctx.service(CreditScores)
    history = scores.history(Subject.person, wallet.id)
    consent = scores.consent_in_force(wallet.id)
    error = None if refused is None else shell.texts(request)(LINE_REFUSALS[refused])
    return app_page(
        shell, request, "credit/score.html", status=200 if refused is None else 400,
        wallet=wallet, consent=consent,
        latest=history[0] if history and consent else None, history=history,
        reason_texts=REASON_TEXTS, band_names=BAND_NAMES, scaling=scores.model.scaling,
        events=scores.consents(wallet.id), due_days=DUE_DAYS, plan_fees=PLAN_FEE_BPS,
        form_id=shell.token_bytes(form_id_bytes).hex(), line_error=error,
        **line_figures(ctx.service(LineService), wallet),
    )  # fmt: skip


def _posted(request: Request, ctx: Ctx) -> tuple[Shell, Wallet, CreditScores]:
    """A form of this screen, its CSRF checked, from the signed-in wallet."""
    shell = ctx.service(Shell)
    shell.form(request)
    return shell, signed_in_wallet(shell, request, ctx.wallet_store), ctx.service(CreditScores)


@router.post("/app/credit/consent")
def give_consent(request: Request, ctx: Ctx) -> Response:
    """Consent, then the first score at once."""
    shell, wallet, scores = _posted(request, ctx)
    scores.give_consent(wallet)
    scores.score_wallet(wallet)
    return shell.redirect("/app/credit")


@router.post("/app/credit/score")
def score_again(request: Request, ctx: Ctx) -> Response:
    shell, wallet, scores = _posted(request, ctx)
    result, record = scores.score_wallet(wallet)
    # Without consent (withdrawn in another tab) the screen shows the consent form again.
    assert result in (ScoreResult.ok, ScoreResult.consent_required), result
    if record is not None:
        ctx.service(LineService).rescore(wallet, record)  # the line's limit follows the score
    return shell.redirect("/app/credit")


@router.post("/app/credit/withdraw")
def withdraw(request: Request, ctx: Ctx) -> Response:
    shell, wallet, scores = _posted(request, ctx)
    scores.withdraw_consent(wallet)
    return shell.redirect("/app/credit")


def _line_form(request: Request, ctx: Ctx) -> tuple[Shell, Wallet, dict[str, str]]:
    shell = ctx.service(Shell)
    form = shell.form(request)
    return shell, signed_in_wallet(shell, request, ctx.wallet_store), form


def _line_done(
    ctx: Ctx, shell: Shell, request: Request, wallet: Wallet, result: CreditLineResult
) -> Response:
    if result is CreditLineResult.ok:
        return shell.redirect("/app/credit")
    return _screen(ctx, shell, request, wallet, result)


@router.post("/app/credit/line")
def open_line(request: Request, ctx: Ctx) -> Response:
    shell, wallet, form = _line_form(request, ctx)
    day = form.get("due_day", "")
    due_day = typed_count(day, day_digits_max) or 0
    result, _ = ctx.service(LineService).open(wallet, due_day)
    return _line_done(ctx, shell, request, wallet, result)


def _form_id(form: dict[str, str], wallet: Wallet) -> int:
    sent = form.get("form_id", "")
    if len(sent) != form_id_bytes * 2:
        raise Refused(400, "This form is missing its id: open it again.", home="/app/credit")
    return transfer_id_for(f"web:{wallet.id}:credit_line", sent)


@router.post("/app/credit/line/repay")
def repay(request: Request, ctx: Ctx) -> Response:
    shell, wallet, form = _line_form(request, ctx)
    tid = _form_id(form, wallet)
    amount = typed_amount(form.get("amount", ""), wallet.currency)
    if amount is None:
        result = CreditLineResult.amount_must_be_positive
    else:
        result = ctx.service(LineService).repay(wallet, amount, tid)
    return _line_done(ctx, shell, request, wallet, result)


@router.post("/app/credit/line/plan")
def split(request: Request, ctx: Ctx) -> Response:
    shell, wallet, form = _line_form(request, ctx)
    pid = _form_id(form, wallet)
    amount = typed_amount(form.get("amount", ""), wallet.currency)
    count = form.get("instalments", "")
    instalments = typed_count(count, instalments_digits_max) or 0
    lines = ctx.service(LineService)
    if form.get("what") == "bill":
        result, _ = lines.ask_plan(wallet, 0, instalments, pid, PlanOf.bill)
    elif amount is None:
        result = CreditLineResult.amount_must_be_positive
    else:
        result, _ = lines.ask_plan(wallet, amount, instalments, pid)
    return _line_done(ctx, shell, request, wallet, result)
