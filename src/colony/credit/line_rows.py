"""How credit lines and plan requests map to table rows, the same on every backend."""

from __future__ import annotations

from colony.credit.line_records import (
    CreditLine,
    PlanOf,
    PlanRequest,
    PlanStatus,
    model_json,
    model_of,
)

LINE_COLUMNS = (
    "id, wallet_id, currency, ledger, principal_account_id, due_day, lender, opened_at_ns, "
    "limit_changes, model"
)
PLAN_COLUMNS = "id, line_id, amount_minor, instalments, asked_at_ns, status, what"


def line_row(line: CreditLine) -> tuple[object, ...]:
    # The ledger's u128 account id does not fit a 64-bit column: kept as decimal text.
    return (
        line.id, line.wallet_id, line.currency, line.ledger, str(line.principal_account_id),
        line.due_day, line.lender, line.opened_at_ns, line.limit_changes, model_json(line.model),
    )  # fmt: skip


def line_of(row: tuple[object, ...]) -> CreditLine:
    lid, wallet, currency, ledger, principal, due_day, lender, opened, changes, model = row
    return CreditLine(
        str(lid), str(wallet), str(currency), int(str(ledger)), int(str(principal)),
        int(str(due_day)), str(lender), int(str(opened)), int(str(changes)), model_of(str(model)),
    )  # fmt: skip


def plan_row(plan: PlanRequest) -> tuple[object, ...]:
    return (
        plan.id, plan.line_id, plan.amount_minor, plan.instalments, plan.asked_at_ns,
        str(plan.status), str(plan.what),
    )  # fmt: skip


def plan_of(row: tuple[object, ...]) -> PlanRequest:
    pid, line_id, amount, instalments, asked, status, what = row
    return PlanRequest(
        str(pid), str(line_id), int(str(amount)), int(str(instalments)), int(str(asked)),
        PlanStatus(str(status)), PlanOf(str(what)),
    )  # fmt: skip
