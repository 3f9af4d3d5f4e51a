"""The `colony` command: sub-commands live in one module each."""

import typer

from colony.cli import (
    audit_commands,
    bench_commands,
    chart_commands,
    credit_commands,
    db_commands,
    demo,
    fx_commands,
    key_commands,
    ledger_commands,
    loans_commands,
    merchant_commands,
    qr_commands,
    risk_commands,
    serve,
    settlement_commands,
    simulate_commands,
    staff_commands,
)

app = typer.Typer(no_args_is_help=True, help="Colony: payments on a durable double-entry ledger.")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(ledger_commands.app, name="ledger")
app.add_typer(qr_commands.app, name="qr")
app.add_typer(key_commands.app, name="keys")
app.add_typer(merchant_commands.app, name="merchants")
app.add_typer(bench_commands.app, name="bench")
app.add_typer(db_commands.app, name="db")
app.add_typer(fx_commands.app, name="fx")
app.add_typer(settlement_commands.app, name="settlement")
app.add_typer(chart_commands.app, name="chart")
app.add_typer(simulate_commands.app, name="simulate")
app.add_typer(staff_commands.app, name="staff")
app.add_typer(credit_commands.app, name="credit")
app.add_typer(loans_commands.app, name="loans")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(risk_commands.app, name="risk")
