"""Credit scores that explain themselves (docs/adr/0046): a wallet's holder consents to be
scored (and may withdraw), asks for a score, and reads it with up to four reasons, each the
points it cost and a sentence saying why, and the limit its band allows; the operator scores a
merchant. Every score is recorded with the model's version, and a person's with the consent
it was given under.

Consenting, withdrawing and scoring take an Idempotency-Key: a retried request answers what
the first did and records nothing twice.
"""

from __future__ import annotations

from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, WalletCaller, operator
from colony.api.errors import ApiError
from colony.api.wallet_views import AmountObject, amount_json
from colony.credit import (
    REASON_TEXTS,
    ConsentAction,
    ConsentEvent,
    CreditScores,
    LineService,
    ScoreRecord,
    ScoreResult,
    Subject,
)
from colony.kernel.clock import NS_PER_S

# Scoring a merchant records a score: an operator key needs this; reading them, the other.
CREDIT_SCORE = "credit:score"
CREDIT_READ = "credit:read"
router = product_router(
    "scores",
    operator_scopes={
        CREDIT_SCORE: "score a merchant for credit (the score is recorded)",
        CREDIT_READ: "read a merchant's credit scores",
    },
)

_REFUSALS: dict[ScoreResult, tuple[int, str]] = {
    ScoreResult.consent_required: (409, "the wallet's holder has not consented to be scored"),
    ScoreResult.not_consented: (409, "there is no consent in force to withdraw"),
    ScoreResult.merchant_not_found: (404, "no such merchant"),
}


def refusal(result: ScoreResult) -> ApiError:
    status, message = _REFUSALS[result]
    param = "merchant_id" if result is ScoreResult.merchant_not_found else None
    return ApiError(status, result.name, message, param=param)


class ConsentEventObject(BaseModel):
    """A consent given or withdrawn, under a model version."""

    action: Literal["given", "withdrawn"]
    at: int  # Unix seconds
    model_version: str


class ConsentObject(BaseModel):
    """Whether the wallet's holder consents to be scored now, and every consent given and
    withdrawn, oldest first."""

    object: Literal["credit_consent"]
    wallet: str
    status: Literal["none", "given", "withdrawn"]
    events: list[ConsentEventObject]


class ReasonObject(BaseModel):
    """What cost the score points, with a sentence for the person."""

    code: str
    text: str
    points_lost: int


class CreditScoreObject(BaseModel):
    """A credit score (350 to 950), the reasons it is not higher (most points lost first, at
    most four), and the band and limit decided from it."""

    object: Literal["credit_score"]
    id: str
    subject: Literal["person", "merchant"]
    subject_id: str
    score: int
    score_min: int
    score_max: int
    reasons: list[ReasonObject]
    band: str
    limit: AmountObject
    scored_at: int  # Unix seconds
    model_version: str


class CreditScoreList(BaseModel):
    """Scores given, newest first."""

    object: Literal["list"]
    data: list[CreditScoreObject]


def scores(ctx: ApiContext) -> CreditScores:
    """The server's credit scores (build_context provides them)."""
    return ctx.service(CreditScores)


def consent_json(wallet_id: str, events: list[ConsentEvent]) -> dict[str, object]:
    status = "none" if not events else str(events[-1].action)
    return {
        "object": "credit_consent",
        "wallet": wallet_id,
        "status": status,
        "events": [
            {"action": str(e.action), "at": e.at_ns // NS_PER_S, "model_version": e.model_version}
            for e in events
        ],
    }


def score_json(ctx: ApiContext, record: ScoreRecord) -> dict[str, object]:
    scaling = scores(ctx).model.scaling
    return {
        "object": "credit_score",
        "id": record.id,
        "subject": str(record.subject),
        "subject_id": record.subject_id,
        "score": record.score,
        "score_min": scaling.score_min,
        "score_max": scaling.score_max,
        "reasons": [
            {"code": r.code, "text": REASON_TEXTS.get(r.code, r.code), "points_lost": r.points_lost}
            for r in record.reasons
        ],
        "band": record.band,
        "limit": amount_json(record.limit_minor, record.currency),
        "scored_at": record.scored_at_ns // NS_PER_S,
        "model_version": record.model_version,
    }


@router.get("/v1/credit/consent", responses=answers(200, ConsentObject))
def get_consent(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """Whether the caller consents to be scored, and every consent given and withdrawn."""
    return consent_json(wallet.id, scores(ctx).consents(wallet.id))


@router.post("/v1/credit/consent", status_code=201, responses=answers(201, ConsentObject))
def give_consent(ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Consent to be scored from the wallet's own history in Colony, under the model in use;
    recorded with its time and the model's version. Given already, that consent stands."""

    def handle() -> tuple[int, dict[str, object]]:
        scores(ctx).give_consent(wallet)
        return 201, consent_json(wallet.id, scores(ctx).consents(wallet.id))

    return key.run(wallet.id, {"credit_consent": str(ConsentAction.given)}, handle)


@router.post("/v1/credit/consent/withdraw", responses=answers(200, ConsentObject, 409))
def withdraw_consent(ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Withdraw consent: no score is computed from now on (recorded, with its time). The
    scores given before stay in the caller's history."""

    def handle() -> tuple[int, dict[str, object]]:
        result, _ = scores(ctx).withdraw_consent(wallet)
        if result is not ScoreResult.ok:
            raise refusal(result)
        return 200, consent_json(wallet.id, scores(ctx).consents(wallet.id))

    return key.run(wallet.id, {"credit_consent": str(ConsentAction.withdrawn)}, handle)


@router.post("/v1/credit/score", status_code=201, responses=answers(201, CreditScoreObject, 409))
def score_me(ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """The caller's credit score now, from its own history in Colony, with the reasons it is
    not higher and the limit its band allows; recorded in the caller's history. Only with
    the caller's consent (409 `consent_required` without). A credit line's limit follows
    it (unless the line is frozen)."""

    def handle() -> tuple[int, dict[str, object]]:
        result, record = scores(ctx).score_wallet(wallet)
        if record is None:
            raise refusal(result)
        ctx.service(LineService).rescore(wallet, record)  # a credit line's limit follows it
        return 201, score_json(ctx, record)

    return key.run(wallet.id, {"credit_score": True}, handle)


@router.get("/v1/credit/scores", responses=answers(200, CreditScoreList))
def list_my_scores(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The caller's scores, newest first (the latest 50)."""
    found = scores(ctx).history(Subject.person, wallet.id)
    return {"object": "list", "data": [score_json(ctx, r) for r in found]}


@router.post(
    "/v1/credit/merchants/{merchant_id}/score",
    status_code=201,
    dependencies=[operator(CREDIT_SCORE)],
    responses=answers(201, CreditScoreObject, 404),
)
def score_merchant(merchant_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """A merchant's credit score now (operator only), from its sales and refunds in Colony,
    with reasons and the limit its band allows; recorded in the merchant's history."""

    def handle() -> tuple[int, dict[str, object]]:
        merchant = ctx.merchants.by_id(merchant_id)
        if merchant is None:
            raise refusal(ScoreResult.merchant_not_found)
        return 201, score_json(ctx, scores(ctx).score_merchant(merchant))

    return key.run("operator", {"credit_score": merchant_id}, handle)


@router.get(
    "/v1/credit/merchants/{merchant_id}/scores",
    dependencies=[operator(CREDIT_READ)],
    responses=answers(200, CreditScoreList, 404),
)
def list_merchant_scores(merchant_id: str, ctx: Ctx) -> dict[str, object]:
    """A merchant's scores, newest first (the latest 50; operator only)."""
    if ctx.merchants.by_id(merchant_id) is None:
        raise refusal(ScoreResult.merchant_not_found)
    found = scores(ctx).history(Subject.merchant, merchant_id)
    return {"object": "list", "data": [score_json(ctx, r) for r in found]}
