"""`colony credit ...`: repayment schedules (the rules every loan and instalment plan uses,
credit/schedule.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from colony.cli.ledger_commands import fail
from colony.credit import (
    Method,
    ScheduleResult,
    annual_rate_bps_max,
    instalments_max,
    principal_minor_max,
    schedule,
)
from colony.kernel.errors import ColonyError
from colony.kernel.money import scale_of

app = typer.Typer(no_args_is_help=True, help="Credit: repayment schedules.")

# What each refusal says, naming the option at fault.
_REFUSALS = {
    ScheduleResult.principal_must_be_positive: "--principal-minor must be above zero",
    ScheduleResult.principal_too_large: f"--principal-minor must be at most {principal_minor_max}",
    ScheduleResult.instalments_out_of_range: f"--instalments must be 1 to {instalments_max}",
    ScheduleResult.rate_out_of_range: f"--annual-rate-bps must be 0 to {annual_rate_bps_max}",
}


@app.command("schedule")
def print_schedule(
    principal_minor: Annotated[int, typer.Option(help="What is lent, in minor units")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. SGD")],
    annual_rate_bps: Annotated[int, typer.Option(help="Annual rate in basis points: 1200 = 12%")],
    instalments: Annotated[int, typer.Option(help="Monthly instalments")],
    first_due: Annotated[str, typer.Option(help="The first due date, YYYY-MM-DD")],
    method: Annotated[Method, typer.Option(help="annuity or equal_principal")] = Method.annuity,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table")] = False,
) -> None:
    """Print a loan's repayment schedule: each instalment's due date, principal, interest,
    total and the balance after it, in minor units."""
    try:
        scale = scale_of(currency)
    except ColonyError as exc:
        raise fail(f"--currency: {exc}") from None
    try:
        first = dt.date.fromisoformat(first_due)
    except ValueError:
        raise fail(f"--first-due must be a date as YYYY-MM-DD, not {first_due!r}") from None
    result, made = schedule(principal_minor, annual_rate_bps, instalments, method, first)
    if made is None:
        raise fail(_REFUSALS[result])
    if as_json:
        print(json.dumps(made.as_json(), indent=2))
        return
    header = ("#", "due", "principal", "interest", "total", "balance")
    print(_row(header))
    for i in made.instalments:
        amounts = (i.principal_minor, i.interest_minor, i.total_minor, i.balance_after_minor)
        print(_row((str(i.number), i.due_date.isoformat(), *(_major(a, scale) for a in amounts))))
    print(f"total interest {_major(made.total_interest_minor, scale)} {currency.upper()}")


def _row(cells: tuple[str, ...]) -> str:
    number, due, *amounts = cells
    return f"{number:>3}  {due:10}" + "".join(f"  {a:>16}" for a in amounts)


def _major(minor: int, scale: int) -> str:
    """Minor units as the currency writes them (integer arithmetic: 1234 SGD -> 12.34)."""
    whole, part = divmod(minor, 10**scale)
    return f"{whole:,}" if scale == 0 else f"{whole:,}.{part:0{scale}d}"
