"""The wallet app's "Your credit score" screen (`/app/credit`, docs/adr/0046): what a score is
made from and the consent form; with consent, the score, the reasons it is not higher in the
person's own language, the limit its band allows, and every score given so far. Withdrawing
consent stops scoring; the scores given stay listed.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credit import DECLINED, REASON_TEXTS, CreditScores, ScoreResult, Subject
from colony.wallets import Wallet
from colony.web.i18n import N_
from colony.web.shell import Shell
from colony.web.wallet_access import app_page, signed_in_wallet

router = APIRouter(include_in_schema=False)

# How a band reads beside a score.
BAND_NAMES = {
    "A": N_("Excellent"),
    "B": N_("Good"),
    "C": N_("Fair"),
    "D": N_("Limited"),
    DECLINED: N_("Not offered credit now"),
}


@router.get("/app/credit")
def credit_page(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    wallet = signed_in_wallet(shell, request, ctx.wallet_store)
    scores = ctx.service(CreditScores)
    history = scores.history(Subject.person, wallet.id)
    consent = scores.consent_in_force(wallet.id)
    return app_page(
        shell, request, "credit/score.html", wallet=wallet, consent=consent,
        latest=history[0] if history and consent else None, history=history,
        reason_texts=REASON_TEXTS, band_names=BAND_NAMES, scaling=scores.model.scaling,
        events=scores.consents(wallet.id),
    )  # fmt: skip


async def _posted(request: Request, ctx: Ctx) -> tuple[Shell, Wallet, CreditScores]:
    """A form of this screen, its CSRF checked, from the signed-in wallet."""
    shell = ctx.service(Shell)
    await shell.form(request)
    return shell, signed_in_wallet(shell, request, ctx.wallet_store), ctx.service(CreditScores)


@router.post("/app/credit/consent")
async def give_consent(request: Request, ctx: Ctx) -> Response:
    """Consent, then the first score at once."""
    shell, wallet, scores = await _posted(request, ctx)
    scores.give_consent(wallet)
    scores.score_wallet(wallet)
    return shell.redirect("/app/credit")


@router.post("/app/credit/score")
async def score_again(request: Request, ctx: Ctx) -> Response:
    shell, wallet, scores = await _posted(request, ctx)
    result, _ = scores.score_wallet(wallet)
    # Without consent (withdrawn in another tab) the screen shows the consent form again.
    assert result in (ScoreResult.ok, ScoreResult.consent_required), result
    return shell.redirect("/app/credit")


@router.post("/app/credit/withdraw")
async def withdraw(request: Request, ctx: Ctx) -> Response:
    shell, wallet, scores = await _posted(request, ctx)
    scores.withdraw_consent(wallet)
    return shell.redirect("/app/credit")
