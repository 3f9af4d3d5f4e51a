"""The pay-later credit line over HTTP (docs/adr/0052): a wallet opens its line (the limit from
its score, with consent), reads its limit, what is available and owed and its latest bill,
repays from its balance any time, and splits a purchase into 3, 6 or 12 instalments. It pays
a merchant with the line through `POST /v1/payments` with `funding_source: credit_line`.

Every POST takes an Idempotency-Key; a repayment's transfer id comes from it, so a retried
request repays once.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, WalletCaller, operator
from colony.api.errors import ApiError
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.wallet_views import AmountObject, amount_json
from colony.credit.billing import DUE_DAYS, PLAN_FEE_BPS
from colony.credit.line_records import CreditLine, PlanOf, PlanRequest
from colony.credit.line_results import CreditLineResult
from colony.credit.line_service import LineService
from colony.credit.line_views import bill_unpaid
from colony.wallets import Wallet

# Running the lines' night moves money (interest, repayments, charge-offs): an operator key
# needs this.
CREDIT_LINES_RUN = "credit_lines:run"
router = product_router(
    "line",
    operator_scopes={CREDIT_LINES_RUN: "run the credit lines' night for a day (money moves)"},
)

# Each refusal's status, error type and the parameter it names (ok is not one).
_REFUSALS: dict[CreditLineResult, tuple[int, str, str | None]] = {
    CreditLineResult.consent_required: (409, "invalid_request_error", None),
    CreditLineResult.declined: (402, "payment_error", None),
    CreditLineResult.invalid_due_day: (400, "invalid_request_error", "due_day"),
    CreditLineResult.no_line: (404, "invalid_request_error", None),
    CreditLineResult.amount_must_be_positive: (400, "invalid_request_error", "amount_minor"),
    CreditLineResult.more_than_owed: (400, "invalid_request_error", "amount_minor"),
    CreditLineResult.nothing_owed: (409, "invalid_request_error", "amount_minor"),
    CreditLineResult.insufficient_funds: (402, "payment_error", "amount_minor"),
    CreditLineResult.daily_outflow_cap_exceeded: (402, "payment_error", "amount_minor"),
    CreditLineResult.id_reused_differently: (409, "invalid_request_error", None),
    CreditLineResult.refused_before: (409, "payment_error", None),
    CreditLineResult.plan_not_offered: (400, "invalid_request_error", "instalments"),
    CreditLineResult.line_frozen: (409, "invalid_request_error", None),
    CreditLineResult.wallet_frozen: (409, "payment_error", None),
    CreditLineResult.nothing_to_split: (409, "invalid_request_error", "what"),
}


def refusal(result: CreditLineResult) -> ApiError:
    status, type_, param = _REFUSALS[result]
    return ApiError(status, result.name, result.name.replace("_", " "), type_=type_, param=param)


class OpenLine(RequestBody):
    due_day: int = Field(description=f"the day of the month bills fall due: one of {DUE_DAYS}")


class Repay(RequestBody):
    amount_minor: AmountMinor


class AskPlan(RequestBody):
    what: Literal["purchase", "bill"] = Field(
        default="purchase",
        description="a purchase not billed yet, or what the latest bill still asks of its "
        "purchases (by its due day)",
    )
    amount_minor: AmountMinor | None = Field(
        default=None, description="of what was bought since the last bill (a purchase's only)"
    )
    instalments: int = Field(description=f"one of {tuple(PLAN_FEE_BPS)}")


class RunDay(RequestBody):
    day: str = Field(min_length=10, max_length=10, description="the UTC day starting, YYYY-MM-DD")


class LineRunObject(BaseModel):
    """A night's run: every line's days closed up to the day's start."""

    object: Literal["credit_line_run"]
    day: str
    lines: int


class BillObject(BaseModel):
    """The latest bill: what it asked, and what of it and of its minimum is still unpaid."""

    billed: str  # YYYY-MM-DD
    due: str
    purchases: AmountObject
    instalments: AmountObject
    fees: AmountObject
    interest: AmountObject
    penalty: AmountObject
    carried: AmountObject
    overdue: AmountObject
    total: AmountObject
    minimum: AmountObject
    unpaid: AmountObject
    minimum_unpaid: AmountObject


class CreditLineObject(BaseModel):
    """A wallet's credit line: its limit, what may still be spent and what is owed (from the
    ledger), its standing and its latest bill (as of the last night's run)."""

    object: Literal["credit_line"]
    id: str
    state: Literal["open", "frozen", "charged_off"]
    overdue_bucket: Literal["current", "1-30", "31-60", "61-90", "90+"]
    days_overdue: int
    due_day: int
    limit: AmountObject
    available: AmountObject
    owed: AmountObject
    bill: BillObject | None


class RepaymentObject(BaseModel):
    object: Literal["credit_line_repayment"]
    id: str
    amount: AmountObject
    line: CreditLineObject


class PlanObject(BaseModel):
    """An instalment plan asked for: made by the night's run, after the day's purchases."""

    object: Literal["credit_line_plan"]
    id: str
    what: Literal["purchase", "bill"]
    amount: AmountObject | None  # the bill's: what it still asks when the plan is made
    instalments: int
    status: Literal["asked", "made", "refused"]


def lines(ctx: ApiContext) -> LineService:
    return ctx.service(LineService)


def line_json(ctx: ApiContext, line: CreditLine) -> dict[str, object]:
    principal, interest, available = lines(ctx).balances(line)
    m, c = line.model, line.currency
    bill = m.bill
    return {
        "object": "credit_line",
        "id": line.id,
        "state": str(line.state),
        "overdue_bucket": str(line.bucket),
        "days_overdue": m.days_overdue,
        "due_day": line.due_day,
        "limit": amount_json(m.limit_minor, c),
        "available": amount_json(0 if m.frozen else max(available, 0), c),
        "owed": amount_json(max(principal, 0) + interest, c),
        "bill": None
        if bill is None
        else {
            "billed": bill.billed.isoformat(),
            "due": bill.due.isoformat(),
            **{
                name: amount_json(getattr(bill, f"{name}_minor"), c)
                for name in (
                    "purchases",
                    "instalments",
                    "fees",
                    "interest",
                    "penalty",
                    "carried",
                    "overdue",
                    "total",
                    "minimum",
                )
            },
            "unpaid": amount_json(bill_unpaid(line, max(principal, 0) + interest), c),
            "minimum_unpaid": amount_json(m.minimum_left_minor, c),
        },
    }


def plan_json(plan: PlanRequest, currency: str) -> dict[str, object]:
    return {
        "object": "credit_line_plan",
        "id": plan.id,
        "what": str(plan.what),
        "amount": None if plan.what is PlanOf.bill else amount_json(plan.amount_minor, currency),
        "instalments": plan.instalments,
        "status": str(plan.status),
    }


def _line(ctx: ApiContext, wallet: Wallet) -> CreditLine:
    found = lines(ctx).line_of(wallet)
    if found is None:
        raise refusal(CreditLineResult.no_line)
    return found


@router.get("/v1/wallets/me/credit_line", responses=answers(200, CreditLineObject, 404))
def get_line(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The caller's credit line in its wallet's currency (404 `no_line` before it opens one)."""
    return line_json(ctx, _line(ctx, wallet))


@router.post(
    "/v1/wallets/me/credit_line",
    status_code=201,
    responses=answers(201, CreditLineObject, 402, 409),
)
def open_line(body: OpenLine, ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Open a credit line, its limit from the caller's score now (409 `consent_required`
    without consent to be scored, 402 `declined` when the score gives no limit). Opened
    already, the line as it is."""

    def handle() -> tuple[int, dict[str, object]]:
        result, line = lines(ctx).open(wallet, body.due_day)
        if line is None:
            raise refusal(result)
        return 201, line_json(ctx, line)

    return key.run(wallet.id, {"credit_line": body.model_dump()}, handle)


@router.post(
    "/v1/wallets/me/credit_line/repayments",
    status_code=201,
    responses=answers(201, RepaymentObject, 402, 404, 409),
)
def repay(body: Repay, ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Repay the line from the wallet's balance, any time: interest and fees first, then
    principal, which gives the limit back (once charged off: a recovery)."""
    tid = key.transfer_id(wallet.id)

    def handle() -> tuple[int, dict[str, object]]:
        line = _line(ctx, wallet)
        result = lines(ctx).repay(wallet, body.amount_minor, tid)
        if result is not CreditLineResult.ok:
            raise refusal(result)
        return 201, {
            "object": "credit_line_repayment",
            "id": f"clr_{tid:032x}",
            "amount": amount_json(body.amount_minor, line.currency),
            "line": line_json(ctx, line),
        }

    return key.run(wallet.id, {"credit_line_repayment": body.model_dump()}, handle)


@router.post(
    "/v1/wallets/me/credit_line/plans",
    status_code=201,
    responses=answers(201, PlanObject, 404, 409),
)
def ask_plan(body: AskPlan, ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Split part of what was bought since the last bill, or what the latest bill still asks
    of its purchases (by its due day), into 3, 6 or 12 monthly instalments with the plan's
    fee (2.5%, 4.5%, 7.5%): made by the night's run."""
    pid = key.transfer_id(wallet.id)

    def handle() -> tuple[int, dict[str, object]]:
        line = _line(ctx, wallet)
        what = PlanOf(body.what)
        if what is PlanOf.purchase and body.amount_minor is None:
            raise ApiError(
                400, "parameter_missing", "a purchase's plan names its amount_minor",
                param="amount_minor",
            )  # fmt: skip
        amount = body.amount_minor or 0
        result, plan = lines(ctx).ask_plan(wallet, amount, body.instalments, pid, what)
        if plan is None:
            raise refusal(result)
        return 201, plan_json(plan, line.currency)

    return key.run(wallet.id, {"credit_line_plan": body.model_dump()}, handle)


@router.post(
    "/v1/credit_lines/runs",
    status_code=201,
    dependencies=[operator(CREDIT_LINES_RUN)],
    responses=answers(201, LineRunObject),
)
def run_day(body: RunDay, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Run the credit lines' night for a day (operator only), as `colony credit line run`
    does, on a live server: every line's days before it closed by the bill's rules, and on a
    due day the repayment from the wallet. Run again, it moves nothing twice."""
    try:
        day = dt.date.fromisoformat(body.day)
    except ValueError:
        raise ApiError(
            400, "parameter_invalid", "day must be a date as YYYY-MM-DD", param="day"
        ) from None
    if not lines(ctx).has_begun(day):
        raise ApiError(400, "parameter_invalid", "day has not begun yet (UTC)", param="day")

    def handle() -> tuple[int, dict[str, object]]:
        count = lines(ctx).run_day(day)
        return 201, {"object": "credit_line_run", "day": day.isoformat(), "lines": count}

    return key.run("operator", {"credit_line_run": body.day}, handle)
