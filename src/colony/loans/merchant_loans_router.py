"""Loans to merchants over HTTP (docs/adr/0051): the merchant's offer with its reason, taking
it (decided at once, paid into its account), and its loans with what is repaid, what is
left, and this 30-day period's minimum with what has been collected against it.

A loan's id derives from the Idempotency-Key (required), scoped to the merchant, so a retried
application lends once; another merchant's loan is not found.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, merchant
from colony.api.errors import ApiError
from colony.api.wallet_views import AmountObject, amount_json
from colony.kernel.clock import date_of_day, utc_from_ns
from colony.loans.merchant_loans import MerchantLoans
from colony.loans.merchant_terms import Offer
from colony.loans.model import LoanStatus, MerchantLoan
from colony.loans.refusals import REFUSALS
from colony.loans.results import LoanResult
from colony.merchants import Merchant

LOANS_READ = "loans:read"
LOANS_WRITE = "loans:write"
router = product_router(
    "merchant_loans",
    merchant_scopes={
        LOANS_READ: "read the merchant's loan offer and its loans",
        LOANS_WRITE: "take the merchant's loan offer",
    },
)
LoansReader = Annotated[Merchant, merchant(LOANS_READ)]
LoansWriter = Annotated[Merchant, merchant(LOANS_WRITE)]


def refusal(result: LoanResult) -> ApiError:
    status, type_, param = REFUSALS[result]
    return ApiError(status, result.name, result.name.replace("_", " "), type_=type_, param=param)


class LoanOfferObject(BaseModel):
    """What the merchant may borrow now, or why not (`result` and `reason`)."""

    object: Literal["merchant_loan_offer"]
    result: str
    reason: str
    principal: AmountObject
    fee: AmountObject
    repayment_share_bps: int
    delinquent_share_bps: int
    period_days: int
    periods: int
    period_minimum: AmountObject
    monthly_sales: AmountObject


class PeriodObject(BaseModel):
    """This 30-day period: what it must bring the collections to, and what it has collected."""

    number: int
    first_date: str
    last_date: str
    minimum: AmountObject
    paid: AmountObject


class MerchantLoanObject(BaseModel):
    """A loan to the merchant and where it stands today."""

    object: Literal["merchant_loan"]
    id: str
    status: str
    principal: AmountObject
    fee: AmountObject
    repayment_share_bps: int
    made_on: str
    created_at: str
    repaid: AmountObject
    left: AmountObject
    delinquent: bool
    arrears: AmountObject
    days_overdue: int
    period: PeriodObject


class MerchantLoanList(BaseModel):
    object: Literal["list"]
    data: list[MerchantLoanObject]


def merchant_loans(ctx: ApiContext) -> MerchantLoans:
    """The server's loans to merchants (build_context provides them)."""
    return ctx.service(MerchantLoans)


def offer_json(offer: Offer, currency: str) -> dict[str, object]:
    return {
        "object": "merchant_loan_offer",
        "result": offer.result.name,
        "reason": offer.reason.value,
        "principal": amount_json(offer.principal_minor, currency),
        "fee": amount_json(offer.fee_minor, currency),
        "repayment_share_bps": offer.share_bps,
        "delinquent_share_bps": offer.delinquent_share_bps,
        "period_days": 30,
        "periods": offer.periods,
        "period_minimum": amount_json(offer.period_minimum_minor, currency),
        "monthly_sales": amount_json(offer.monthly_sales_minor, currency),
    }


def merchant_loan_json(ctx: ApiContext, loan: MerchantLoan) -> dict[str, object]:
    service = merchant_loans(ctx)
    c = loan.currency
    left = service.left(loan)
    today = service.today()
    s = service.standing(loan, today)
    return {
        "object": "merchant_loan",
        "id": loan.id,
        "status": loan.status.value,
        "principal": amount_json(loan.principal_minor, c),
        "fee": amount_json(loan.fee_minor, c),
        "repayment_share_bps": loan.share_bps,
        "made_on": date_of_day(loan.made_day).isoformat(),
        "created_at": utc_from_ns(loan.created_at_ns).isoformat(),
        "repaid": amount_json(loan.principal_minor + loan.fee_minor - left, c),
        "left": amount_json(left, c),
        "delinquent": s.delinquent,
        "arrears": amount_json(s.arrears_minor, c),
        "days_overdue": s.days_overdue,
        "period": {
            "number": s.period,
            "first_date": date_of_day(s.period_first_day).isoformat(),
            "last_date": date_of_day(s.period_last_day).isoformat(),
            "minimum": amount_json(s.period_due_minor, c),
            "paid": amount_json(s.period_paid_minor, c),
        },
    }


def _shown(loan: MerchantLoan) -> bool:
    return loan.status not in (LoanStatus.pending, LoanStatus.refused)


@router.get("/v1/merchants/me/loan_offer", responses=answers(200, LoanOfferObject))
def get_loan_offer(ctx: Ctx, shop: LoansReader) -> dict[str, object]:
    """What the merchant may borrow now, decided from its credit score and the last 90 days'
    net sales; a refusal says why (`result`, `reason`)."""
    return offer_json(merchant_loans(ctx).offer(shop), shop.currency)


@router.post(
    "/v1/merchants/me/loans",
    status_code=201,
    responses=answers(201, MerchantLoanObject, 400, 402, 409),
)
def take_loan(ctx: Ctx, shop: LoansWriter, key: Idempotent) -> JSONResponse:
    """Take the offer now: decided at once and paid into the merchant's account; repaid from
    a share of each day's net sales before the day's payout."""
    if not key.key:
        raise ApiError(
            400, "idempotency_key_required", "a loan needs an Idempotency-Key header",
            param="Idempotency-Key",
        )  # fmt: skip
    loan_account_id = key.transfer_id(shop.id)

    def handle() -> tuple[int, dict[str, object]]:
        result, loan, _ = merchant_loans(ctx).apply(shop, loan_account_id)
        if loan is None:
            raise refusal(result)
        return 201, merchant_loan_json(ctx, loan)

    return key.run(shop.id, {"merchant_loan": shop.id}, handle)


@router.get("/v1/merchants/me/loans", responses=answers(200, MerchantLoanList))
def list_merchant_loans(ctx: Ctx, shop: LoansReader) -> dict[str, object]:
    """The merchant's loans, newest first, each with what is repaid and left."""
    found = merchant_loans(ctx).loans_of(shop)
    return {"object": "list", "data": [merchant_loan_json(ctx, x) for x in found if _shown(x)]}


@router.get("/v1/merchants/me/loans/{loan_id}", responses=answers(200, MerchantLoanObject, 404))
def get_merchant_loan(loan_id: str, ctx: Ctx, shop: LoansReader) -> dict[str, object]:
    """One of the merchant's loans; another merchant's is not found."""
    loan = merchant_loans(ctx).loan(loan_id)
    if loan is None or loan.merchant_id != shop.id or not _shown(loan):
        raise refusal(LoanResult.loan_not_found)
    return merchant_loan_json(ctx, loan)
