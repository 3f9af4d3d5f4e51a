"""Cash loans over HTTP (docs/adr/0051): the loans offered, a wallet's applications, loans and
repayments (its own, by its token), and for the operator the lenders and the portfolio report
(JSON, or CSV with `?format=csv`).

A loan's ids derive from the Idempotency-Key, scoped to the wallet, so a retried application
lends once; a repayment's transfer id does too, so a retry repays once.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, WalletCaller, operator
from colony.api.errors import ApiError
from colony.api.input_limits import AmountMinor, RequestBody
from colony.api.wallet_views import AmountObject, amount_json
from colony.credit import LineService
from colony.kernel.clock import date_of_day, utc_from_ns
from colony.kernel.money import scale_of
from colony.loans import (
    LOAN_PRODUCTS,
    InterestMethod,
    LenderBalance,
    Loan,
    LoanResult,
    LoanService,
    Portfolio,
    Repayment,
    csv_lines,
    plan,
)
from colony.loans.refusals import REFUSALS

# Reading lenders and the portfolio: an operator key needs this.
LOANS_READ = "loans:read"
router = product_router(
    "loans", operator_scopes={LOANS_READ: "read lenders' capital and the loan portfolio"}
)


def refusal(result: LoanResult) -> ApiError:
    status, type_, param = REFUSALS[result]
    return ApiError(status, result.name, result.name.replace("_", " "), type_=type_, param=param)


class Apply(RequestBody):
    product: str = Field(min_length=1, max_length=20, description="cash_3m, cash_6m or cash_12m")
    method: Literal["schedule", "daily"] = Field(
        description="schedule: a monthly annuity; daily: interest each day on what is owed"
    )
    amount_minor: AmountMinor = Field(description="integer minor units: 100000 is 1,000.00 SGD")


class LoanRepayment(RequestBody):
    amount_minor: AmountMinor = Field(description="integer minor units, interest first")


class InstalmentObject(BaseModel):
    """One instalment of a schedule."""

    number: int
    due_date: str
    principal: AmountObject
    interest: AmountObject
    total: AmountObject


class LoanProductObject(BaseModel):
    """A loan offered: its term, rate, the amounts it lends and an example schedule."""

    object: Literal["loan_product"]
    id: str
    months: int
    annual_rate_bps: int
    methods: list[str]
    amount_min: AmountObject
    amount_max: AmountObject
    example: list[InstalmentObject]


class LoanProductList(BaseModel):
    """The loans offered in the wallet's currency."""

    object: Literal["list"]
    data: list[LoanProductObject]


class LoanObject(BaseModel):
    """A loan: its terms and schedule, and what it owes today, read from the ledger."""

    object: Literal["loan"]
    id: str
    status: str
    product: str
    method: str
    annual_rate_bps: int
    principal: AmountObject
    disbursed_on: str
    principal_outstanding: AmountObject
    interest_owed: AmountObject
    due_now: AmountObject
    still_owed: AmountObject
    days_overdue: int
    next_due_date: str | None
    schedule: list[InstalmentObject]


class LoanList(BaseModel):
    """The wallet's loans, newest first."""

    object: Literal["list"]
    data: list[LoanObject]


class RepaymentObject(BaseModel):
    """A repayment: interest first, then principal; on a loan written off, a recovery."""

    object: Literal["loan_repayment"]
    id: str
    loan: str
    amount: AmountObject
    interest: AmountObject
    principal: AmountObject
    recovery: bool
    automatic: bool
    created_at: str


class LenderObject(BaseModel):
    """A lender: its share of interest, who bears charge-offs, its capital and what it may
    still lend (from the ledger)."""

    object: Literal["lender"]
    name: str
    currency: str
    income_share_bps: int
    bears_charge_offs: str
    capital: AmountObject
    available: AmountObject


class LenderList(BaseModel):
    """Every lender, by currency and name."""

    object: Literal["list"]
    data: list[LenderObject]


class BookObject(BaseModel):
    """One product in one currency: outstanding, at risk and expected to be lost."""

    product: str
    currency: str
    loans: int
    principal_outstanding: AmountObject
    interest_owed: AmountObject
    par30: str
    par90: str
    expected_loss: AmountObject
    by_bucket: dict[str, AmountObject]
    principal_parts: dict[str, AmountObject] = Field(
        description="the credit line's principal: billed, unbilled, instalment_plans"
    )


class LossesObject(BaseModel):
    """One product's losses in a currency: written off, recovered since, and the loss
    provision the ledger holds."""

    product: str
    currency: str
    charged_off: AmountObject
    recovered: AmountObject
    provision: AmountObject


class VintageObject(BaseModel):
    """One product's loans made (lines opened) in one month: the share of what was lent (a
    line's limit) 30+ days overdue (or written off) at the end of each month on book, from 0."""

    product: str
    month: str
    currency: str
    lent: AmountObject
    shares_30_plus: list[str]


class PortfolioObject(BaseModel):
    """Every credit product's portfolio (cash loans, `sme`, the `line`) as of a day."""

    object: Literal["loan_portfolio"]
    as_of: str
    books: list[BookObject]
    losses: list[LossesObject]
    vintages: list[VintageObject]


def loans(ctx: ApiContext) -> LoanService:
    """The server's cash loans (build_context provides them)."""
    return ctx.service(LoanService)


def _instalments(
    due: tuple[str, ...], principal: tuple[int, ...], interest: tuple[int, ...], currency: str
) -> list[dict[str, object]]:
    return [
        {
            "number": n,
            "due_date": d,
            "principal": amount_json(p, currency),
            "interest": amount_json(i, currency),
            "total": amount_json(p + i, currency),
        }
        for n, (d, p, i) in enumerate(zip(due, principal, interest, strict=True), start=1)
    ]


def product_json(ctx: ApiContext, code: str, currency: str) -> dict[str, object]:
    product = next(p for p in LOAN_PRODUCTS if p.code == code)
    least, most = product.amount_bounds(scale_of(currency))
    example = plan(product, InterestMethod.schedule, 1_000 * 10 ** scale_of(currency),
                   date_of_day(loans(ctx).today()))  # fmt: skip
    rows = example.instalments
    return {
        "object": "loan_product",
        "id": product.code,
        "months": product.months,
        "annual_rate_bps": product.annual_rate_bps,
        "methods": [m.value for m in InterestMethod],
        "amount_min": amount_json(least, currency),
        "amount_max": amount_json(most, currency),
        "example": _instalments(
            tuple(i.due_date.isoformat() for i in rows),
            tuple(i.principal_minor for i in rows),
            tuple(i.interest_minor for i in rows),
            currency,
        ),
    }


def loan_json(ctx: ApiContext, loan: Loan) -> dict[str, object]:
    state = loans(ctx).state(loan)
    c = loan.currency
    return {
        "object": "loan",
        "id": loan.id,
        "status": loan.status.value,
        "product": loan.product,
        "method": loan.method.value,
        "annual_rate_bps": loan.annual_rate_bps,
        "principal": amount_json(loan.principal_minor, c),
        "disbursed_on": date_of_day(loan.disbursed_day).isoformat(),
        "principal_outstanding": amount_json(state.principal_outstanding, c),
        "interest_owed": amount_json(state.interest_owed, c),
        "due_now": amount_json(state.due_now, c),
        "still_owed": amount_json(state.still_owed, c),
        "days_overdue": state.days_overdue,
        "next_due_date": None
        if state.next_due_day is None
        else date_of_day(state.next_due_day).isoformat(),
        "schedule": _instalments(
            tuple(date_of_day(d).isoformat() for d in loan.due_days),
            loan.principal_parts,
            loan.interest_parts,
            c,
        ),
    }


def repayment_json(r: Repayment, currency: str) -> dict[str, object]:
    return {
        "object": "loan_repayment",
        "id": r.id,
        "loan": r.loan_id,
        "amount": amount_json(r.amount_minor, currency),
        "interest": amount_json(r.interest_minor, currency),
        "principal": amount_json(r.principal_minor, currency),
        "recovery": r.recovery,
        "automatic": r.automatic,
        "created_at": utc_from_ns(r.created_at_ns).isoformat(),
    }


def lender_json(b: LenderBalance) -> dict[str, object]:
    x = b.lender
    return {
        "object": "lender",
        "name": x.name,
        "currency": x.currency,
        "income_share_bps": x.income_share_bps,
        "bears_charge_offs": x.bears_charge_offs.value,
        "capital": amount_json(b.capital_minor, x.currency),
        "available": amount_json(b.available_minor, x.currency),
    }


def portfolio_json(report: Portfolio) -> dict[str, object]:
    return {
        "object": "loan_portfolio",
        "as_of": date_of_day(report.day).isoformat(),
        "books": [
            {
                "product": b.product,
                "currency": b.currency,
                "loans": b.loans,
                "principal_outstanding": amount_json(b.principal_outstanding_minor, b.currency),
                "interest_owed": amount_json(b.interest_owed_minor, b.currency),
                "par30": str(b.share(b.par30_minor)),
                "par90": str(b.share(b.par90_minor)),
                "expected_loss": amount_json(b.expected_loss_minor, b.currency),
                "by_bucket": {k: amount_json(v, b.currency) for k, v in b.by_bucket_minor.items()},
                "principal_parts": {
                    k: amount_json(v, b.currency) for k, v in b.parts_minor.items()
                },
            }
            for b in report.books
        ],
        "losses": [
            {
                "product": x.product,
                "currency": x.currency,
                "charged_off": amount_json(x.charged_off_minor, x.currency),
                "recovered": amount_json(x.recovered_minor, x.currency),
                "provision": amount_json(x.provision_minor, x.currency),
            }
            for x in report.losses
        ],
        "vintages": [
            {
                "product": v.product,
                "month": v.month,
                "currency": v.currency,
                "lent": amount_json(v.lent_minor, v.currency),
                "shares_30_plus": [str(s) for s in v.shares()],
            }
            for v in report.vintages
        ],
    }


def _own_loan(ctx: ApiContext, wallet_id: str, loan_id: str) -> Loan:
    loan = loans(ctx).loan(loan_id)
    if loan is None or loan.wallet_id != wallet_id or loan.status.value in ("pending", "refused"):
        raise refusal(LoanResult.loan_not_found)
    return loan


@router.get("/v1/loan_products", responses=answers(200, LoanProductList))
def list_loan_products(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The loans offered in the calling wallet's currency, each with the schedule of 1,000
    units of it on the monthly schedule, made today."""
    data = [product_json(ctx, p.code, wallet.currency) for p in LOAN_PRODUCTS]
    return {"object": "list", "data": data}


@router.post(
    "/v1/wallets/me/loans", status_code=201, responses=answers(201, LoanObject, 400, 402, 409)
)
def apply_for_loan(body: Apply, ctx: Ctx, wallet: WalletCaller, key: Idempotent) -> JSONResponse:
    """Apply for a loan: decided from the holder's credit score (consent needed), paid into
    the wallet at once when granted."""
    loan_account_id = key.transfer_id(wallet.id)

    def handle() -> tuple[int, dict[str, object]]:
        result, loan = loans(ctx).apply(
            wallet, body.product, body.method, body.amount_minor, loan_account_id
        )
        if loan is None:
            raise refusal(result)
        return 201, loan_json(ctx, loan)

    return key.run(wallet.id, {"loan": body.model_dump()}, handle)


@router.get("/v1/wallets/me/loans", responses=answers(200, LoanList))
def list_loans(ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """The calling wallet's loans, newest first, each with what it owes today."""
    return {"object": "list", "data": [loan_json(ctx, x) for x in loans(ctx).loans_of(wallet)]}


@router.get("/v1/wallets/me/loans/{loan_id}", responses=answers(200, LoanObject, 404))
def get_loan(loan_id: str, ctx: Ctx, wallet: WalletCaller) -> dict[str, object]:
    """One of the wallet's loans: its schedule and what is due."""
    return loan_json(ctx, _own_loan(ctx, wallet.id, loan_id))


@router.post(
    "/v1/wallets/me/loans/{loan_id}/repayments",
    status_code=201,
    responses=answers(201, RepaymentObject, 400, 402, 404, 409),
)
def repay_loan(
    loan_id: str, body: LoanRepayment, ctx: Ctx, wallet: WalletCaller, key: Idempotent
) -> JSONResponse:
    """Repay some or all of a loan from the wallet, early or late: interest accrued to date
    first, then principal."""
    transfer_id = key.transfer_id(wallet.id)

    def handle() -> tuple[int, dict[str, object]]:
        loan = _own_loan(ctx, wallet.id, loan_id)
        result, made = loans(ctx).repay(wallet, loan.id, body.amount_minor, transfer_id)
        if made is None:
            raise refusal(result)
        return 201, repayment_json(made, loan.currency)

    return key.run(wallet.id, {"loan": loan_id} | body.model_dump(), handle)


@router.get("/v1/lenders", dependencies=[operator(LOANS_READ)], responses=answers(200, LenderList))
def list_lenders(ctx: Ctx) -> dict[str, object]:
    """Every lender with its capital and what it may still lend."""
    return {"object": "list", "data": [lender_json(b) for b in loans(ctx).lenders.lenders()]}


_PORTFOLIO_ANSWERS = answers(200, PortfolioObject)
_PORTFOLIO_ANSWERS[200]["content"] = {"text/csv": {"schema": {"type": "string"}}}


@router.get("/v1/loan_portfolio", dependencies=[operator(LOANS_READ)], responses=_PORTFOLIO_ANSWERS)
def get_loan_portfolio(
    ctx: Ctx,
    format: Literal["json", "csv"] = Query("json", description="json, or csv with a header"),
) -> Response:
    """Outstanding per product (cash loans, `sme`, the credit `line`) and currency, PAR30 and
    PAR90, expected loss, losses and the provision, and vintage curves, as of today."""
    report = loans(ctx).portfolio(lines=ctx.service(LineService).store)
    if format == "csv":
        text = "\n".join(",".join(row) for row in csv_lines(report)) + "\n"
        return Response(text, media_type="text/csv")
    return JSONResponse(portfolio_json(report))
