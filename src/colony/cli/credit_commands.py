"""`colony credit ...`: repayment schedules (the rules every loan and instalment plan uses,
credit/schedule.py), and training a credit scorecard on recorded outcomes (docs/adr/0046)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from colony.cli import line_commands
from colony.cli.ledger_commands import DatabaseOption, date_option, fail, training_time
from colony.cli.output_files import writable, write_file
from colony.credit import (
    Method,
    Model,
    ScheduleResult,
    Subject,
    annual_rate_bps_max,
    instalments_max,
    model_text,
    open_score_store,
    principal_minor_max,
    schedule,
    train_model,
    training_rows,
)
from colony.disputes import open_complaint_store
from colony.kernel.errors import ColonyError
from colony.kernel.money import scale_of
from colony.merchants import open_merchant_store
from colony.storage.open import database_url_from_env, open_ledger
from colony.wallets import open_wallet_store

app = typer.Typer(no_args_is_help=True, help="Credit: repayment schedules, scorecards.")
app.add_typer(line_commands.app, name="line")

# What published scorecards reach on public data, for comparison with a trained model's AUC.
AUC_ANCHORS = "German Credit about 0.70-0.75, Home Credit 0.77-0.79"

# What each refusal says, naming the option at fault.
_REFUSALS = {
    ScheduleResult.principal_must_be_positive: "--principal-minor must be above zero",
    ScheduleResult.principal_too_large: f"--principal-minor must be at most {principal_minor_max}",
    ScheduleResult.instalments_out_of_range: f"--instalments must be 1 to {instalments_max}",
    ScheduleResult.rate_out_of_range: f"--annual-rate-bps must be 0 to {annual_rate_bps_max}",
    ScheduleResult.last_due_too_late: "--first-due is too late: the last instalment would fall "
    "past 9999-12-31",
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
    first = date_option(first_due, "--first-due")
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


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="Where to write the model's JSON")],
    database: DatabaseOption = None,
    trained_at: Annotated[
        str | None,
        typer.Option(help="The training time to record, ISO 8601 (default: now, UTC)"),
    ] = None,
) -> None:
    """Train a scorecard for people and for merchants on the database's recorded loan
    outcomes (a market simulated with --credit writes them), each subject's characteristics
    as they stood at its loan's decision; print AUC and KS on the held-out subjects."""
    writable(out, "--out")  # before the training
    url = database_url_from_env(database)
    when = training_time(trained_at)
    try:
        model = _trained(url, when)
    except ModuleNotFoundError as exc:
        raise fail(f"{exc.name} is missing: install Colony with its train extra") from None
    except (ColonyError, ValueError) as exc:
        raise fail(str(exc)) from None
    write_file(out, model_text(model), "--out")
    print(f"model {model.version}, trained {model.trained_at}, written to {out}")
    for subject, measured in model.metrics.items():
        ceiling = measured["true_pd_auc"]
        auc, ks = ("n/a" if measured[m] is None else f"{measured[m]:.3f}" for m in ("auc", "ks"))
        print(
            f"{subject}: AUC {auc}, KS {ks} on "
            f"{measured['test_rows']:,} held out (fitted on {measured['train_rows']:,}; "
            f"defaulted {measured['test_default_rate']:.1%} of held out)"
            + (f"; the simulator's own probabilities reach AUC {ceiling:.3f}" if ceiling else "")
        )
    print(f"for comparison, published scorecards: {AUC_ANCHORS}")


def _trained(url: str, trained_at: str) -> Model:
    ledger = open_ledger(url)
    scores, wallets = open_score_store(url), open_wallet_store(url)
    merchants, complaints = open_merchant_store(url), open_complaint_store(url)
    try:
        rows = {}
        for subject in Subject:
            outcomes = scores.outcomes(subject)
            if outcomes:
                rows[subject] = training_rows(
                    ledger, outcomes, wallets.by_id, merchants.by_id, complaints.count_received
                )
        if not rows:
            raise ValueError(
                "no loan outcomes recorded: simulate a market with --credit, or record outcomes"
            )
        training = {
            "outcomes": {str(s): len(r) for s, r in rows.items()},
            "database": "postgresql" if url.startswith("postgres") else "sqlite",
        }
        return train_model(rows, trained_at, training)
    finally:
        scores.close()
        wallets.close()
        merchants.close()
        complaints.close()
        ledger.close()
