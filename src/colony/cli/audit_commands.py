"""`colony audit ...`: the operator console's audit log, checked as a hash chain
(staff/audit_chain.py, docs/adr/0049)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption
from colony.cli.staff_commands import staff_service

app = typer.Typer(no_args_is_help=True, help="The audit log of staff actions.")


@app.command("verify")
def verify(
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Recompute every hash of the audit chain; exit 1 at the first entry that was edited,
    removed or moved, naming it."""
    with staff_service(database, only_reads=True) as staff:
        verdict = staff.verify_audit()
    if as_json:
        print(json.dumps({
            "intact": verdict.intact, "checked": verdict.checked,
            "unchained": verdict.unchained, "fault": verdict.fault.value,
            "at_seq": verdict.at_seq, "entry_id": verdict.entry_id,
        }))  # fmt: skip
    elif verdict.intact:
        print(f"audit chain intact: {verdict.checked} entries checked"
              f" ({verdict.unchained} written before the chain began)")  # fmt: skip
    else:
        print(f"audit chain broken at entry {verdict.at_seq} ({verdict.entry_id}):"
              f" {verdict.fault.value.replace('_', ' ')}; {verdict.checked} entries before it"
              " hold")  # fmt: skip
    if not verdict.intact:
        raise typer.Exit(1)
