"""`colony risk train`: the fraud model trained on a simulated market's earlier months and
measured on its last, held-out month (docs/adr/0059)."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from colony.cli.ledger_commands import date_option, fail, training_time
from colony.cli.output_files import writable, write_file
from colony.fx import EcbProvider, RateResult, ReferenceRates, rate_age_max_days
from colony.risk import (
    FraudModel,
    Measured,
    fit,
    measure,
    replay,
    review_rate_bps,
    split,
    usd_units_rows,
)
from colony.risk import fraud_model_text as model_text
from colony.simulator import StreamConfig, market_stream

app = typer.Typer(no_args_is_help=True, help="Risk control: the fraud model (docs/adr/0059).")

# The first simulated day when none is given: fixed, so a seed alone gives the same model.
FIRST_DAY = dt.date(2026, 1, 5)
# The largest seed: the trees' random_state, which scikit-learn holds to 32 unsigned bits.
# Checked with the options, so that a seed out of range is named before minutes of simulating.
seed_max = 2**32 - 1


def trained(
    config: StreamConfig, month_days: int, trained_at: str
) -> tuple[FraudModel, Measured, dict[str, float]]:
    """The model fitted on every month but the last, and its figures on the last."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    items = market_stream(config)
    seconds["simulate"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    rows = replay(items)
    seconds["features"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    train_rows, test_rows = split(rows, config.day_start_ns(config.days - month_days))
    model = fit(train_rows, config.seed, f"seed-{config.seed}", trained_at)
    seconds["fit"] = round(time.perf_counter() - started, 1)
    measured = measure(test_rows, model)
    training = {
        **model.training,
        "people": config.people,
        "merchants": config.merchants,
        "months": config.days // month_days,
        "month_days": month_days,
        "first_day": config.first_day.isoformat(),
        "held_out": measured.as_json(),
    }
    model = FraudModel(model.version, model.trained_at, model.baseline, model.trees, training)
    return model, measured, seconds


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="Where to write the model's JSON")],
    people: Annotated[int, typer.Option(min=50, max=200_000, help="People in the market")] = 2_000,
    merchants: Annotated[int, typer.Option(min=20, max=20_000, help="Merchants")] = 300,
    months: Annotated[
        int, typer.Option(min=2, max=24, help="Months simulated; the last is held out")
    ] = 3,
    month_days: Annotated[int, typer.Option(min=7, max=31, help="Days a month")] = 30,
    seed: Annotated[
        int,
        typer.Option(min=0, max=seed_max, help="Seed of the market, its fraud and the trees"),
    ] = 1,
    trained_at: Annotated[
        str | None,
        typer.Option(help="The training time to record, ISO 8601 (default: now, UTC)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Simulate a market with fraud and its ground truth, train gradient-boosted trees on
    every month but the last, and print on the last, held out: recall at a 1% review rate,
    PR-AUC, and fraud's loss in basis points of volume with nothing, the rules, and the
    model and the rules acting."""
    writable(out, "--out")  # before the minutes of simulating and fitting
    when = training_time(trained_at)
    config = StreamConfig(people, merchants, months * month_days, seed, FIRST_DAY)
    try:
        model, measured, seconds = trained(config, month_days, when)
    except ModuleNotFoundError as exc:
        raise fail(f"{exc.name} is missing: install Colony with its train extra") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    write_file(out, model_text(model), "--out")
    m = measured
    print(f"model {model.version} ({len(model.trees)} trees), trained {when}, written to {out}")
    print(
        f"held-out month: {m.events:,} events, {m.fraud_events:,} fraud; recall at a "
        f"{review_rate_bps / 100:g}% review rate {m.recall_at_review_rate:.1%}, "
        f"PR-AUC {m.pr_auc:.3f}"
    )
    print(
        f"fraud loss, bps of volume: {m.loss_bps_none} with nothing acting, "
        f"{m.loss_bps_rules} with the rules, {m.loss_bps_model_and_rules} with the model and "
        f"the rules; clean events reviewed or blocked {m.clean_stopped_bps} bps, blocked "
        f"{m.clean_blocked_bps} bps"
    )
    flagged = ", ".join(f"{k} {v:.0%}" for k, v in m.flagged_by_kind.items())
    print(f"flagged (not allowed) by kind: {flagged}")
    print(f"seconds: {seconds}")
    if as_json:
        print(json.dumps({"out": str(out), "seconds": seconds, **m.as_json()}))


@app.command("usd-units")
def usd_units(
    out: Annotated[Path, typer.Option("--out", help="Where to write the table's CSV")],
    on: Annotated[
        str | None,
        typer.Option(help="The rates' day, YYYY-MM-DD (default: the newest shipped)"),
    ] = None,
) -> None:
    """Write the table risk control reads amounts through (docs/adr/0066): for each
    currency the reference rates know, the minor units one US dollar bought on the day."""
    writable(out, "--out")
    provider = EcbProvider()
    day = date_option(on, "--on") if on else provider.newest_date()
    rates = ReferenceRates(provider, max_age_days=rate_age_max_days)

    def per_usd(currency: str) -> Decimal | None:
        answer = rates.rate("USD", currency, day)  # stale (a currency gone) or unknown: none
        return answer.rate.rate if answer.result is RateResult.ok and answer.rate else None

    text = usd_units_rows(provider.currencies(), per_usd, day.isoformat())
    currencies = text.count("\n") - 1
    if currencies == 0:
        # A header alone would be a table risk control reads every amount through, with
        # nothing in it: a day before the rates (or long after them) is a mistake, said so.
        raise fail(f"--on {day}: the reference rates give no currency a rate on that day")
    write_file(out, text, "--out")
    print(f"{currencies} currencies as of {day}, written to {out}")
