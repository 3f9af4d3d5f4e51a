"""`colony credit line ...`: the pay-later credit line's nightly run (docs/adr/0052)."""

from __future__ import annotations

from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption, date_option, fail
from colony.cli.serve import build_context
from colony.credit import LineService
from colony.kernel.errors import ColonyError
from colony.storage.open import database_url_from_env

app = typer.Typer(no_args_is_help=True, help="The pay-later credit line.")


@app.command("run")
def run(
    day: Annotated[
        str, typer.Option(help="The UTC day starting, YYYY-MM-DD: the day before it is over.")
    ],
    database: DatabaseOption = None,
) -> None:
    """Close every line's days before DAY by the bill's rules (interest, penalty, the bill on
    the 1st, overdue, charge-off) and, on a due day, repay from the wallet what the bill still
    asks. Running a day again moves nothing twice."""
    chosen = date_option(day, "--day")
    try:
        ctx = build_context(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        service = ctx.service(LineService)
        if not service.has_begun(chosen):
            raise fail(f"--day {day} has not begun yet (UTC)")
        count = service.run_day(chosen)
    finally:
        ctx.ledger.close()
        ctx.close_stores()
    print(f"credit lines {chosen.isoformat()}: {count} run")
