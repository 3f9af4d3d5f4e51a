"""`colony bench ...`: benchmarks that print their figures and the machine they ran on."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar, cast

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from colony.api.app import served_app
from colony.api.context import ApiContext
from colony.api.gather import payment_gather_s
from colony.bench import (
    accrual_bench,
    api_bench,
    credit_bench,
    festival_bench,
    in_process_bench,
    ledger_bench,
    restart_bench,
    risk_bench,
    screens_bench,
    statement_bench,
)
from colony.cli.finite import finite
from colony.cli.fx_commands import MAX_AGE_ENV
from colony.cli.serve import build_context, payment_gather_ms_max, serving_alone, workers_max
from colony.cli.simulate_commands import rates_age_days_for
from colony.credit import default_model, load_model
from colony.kernel import heap
from colony.kernel.errors import ColonyError
from colony.ledger import ArchivePolicy, batch_events_max
from colony.ledger.checkpoint import NO_CHECKPOINTS
from colony.ledger.native import engine_name
from colony.ledger.verify import verify
from colony.loans import open_loan_store
from colony.risk import open_assessment_store
from colony.storage.open import open_ledger
from colony.wallets import open_wallet_store

app = typer.Typer(no_args_is_help=True, help="Benchmarks (figures, not pass/fail tests).")
# The highest rate `bench festival` takes, operations a second.
_rate_max = 1_000_000
# The served app's payment gate, milliseconds (`colony serve --payment-gather-ms`).
PaymentGatherMs = Annotated[
    float,
    typer.Option(
        callback=finite,
        min=0,
        max=payment_gather_ms_max,
        help="The payment gate, as `colony serve`'s.",
    ),
]


@app.command("ledger")
def bench_ledger(
    accounts: Annotated[int, typer.Option(min=2, help="Accounts to open.")] = 100_000,
    transfers: Annotated[int, typer.Option(min=1, help="Transfers per mix.")] = 1_000_000,
    hot: Annotated[
        float,
        typer.Option(
            callback=finite, min=0.0, max=1.0, help="Share of transfers crediting one hot merchant."
        ),
    ] = 0.9,
    in_flight: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Batches queued at once, as concurrent API workers would."
        ),
    ] = 2,
    mix: Annotated[str, typer.Option(help="uniform, hot or both.", case_sensitive=False)] = "both",
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="sqlite:///path/bench.db: each mix gets a new file beside it (bench-uniform.db); "
            "postgresql://USER@HOST/DB: each mix gets a new database on that server, dropped "
            "after; default: a temporary folder. Existing files are refused, never overwritten.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated workload.")] = 1,
    window: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Keep this many of the newest transfers in memory and older history on disk "
            "(docs/adr/0036); default: COLONY_LEDGER_WINDOW_TRANSFERS, else 250,000 "
            "(COLONY_LEDGER_WINDOW_TRANSFERS=all: every transfer in memory).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Durable ledger throughput on a fresh database (SQLite or PostgreSQL), batches of 8,190."""
    mixes = {"both": ["uniform", "hot"], "uniform": ["uniform"], "hot": ["hot"]}.get(mix.lower())
    if mixes is None:
        raise typer.BadParameter(f"mix must be uniform, hot or both, not {mix!r}")
    err = Console(stderr=True)
    machine = ledger_bench.machine_description()
    backend = ledger_bench.backend_description(database)
    results = []
    for name in mixes:
        try:
            url, holder = ledger_bench.fresh_database_url(database, name)
        except ColonyError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        try:
            with Progress(
                TextColumn(f"{name:8}"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,} transfers"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as progress:
                task = progress.add_task(name, total=transfers)

                def advance(n: int, task: TaskID = task) -> None:
                    progress.advance(task, n)

                result = ledger_bench.run_mix(
                    name,
                    database_url=url,
                    accounts=accounts,
                    transfers=transfers,
                    hot_fraction=hot if name == "hot" else 0.0,
                    in_flight=in_flight,
                    seed=seed,
                    progress=advance,
                    history=None if window is None else ArchivePolicy.for_window(window),
                )
        finally:
            if holder is not None:
                holder.cleanup()
        results.append(result)
    _print_table(results, machine, hot, backend["title"])
    if as_json:
        summary = {
            "benchmark": "ledger",
            "backend": backend["backend"],
            "synchronous": backend["synchronous"],
            # Which path applied the transfers: the C hot path or Python alone (ADR 0069).
            "engine": engine_name(),
            "machine": machine,
            "mixes": [ledger_bench.as_dict(r) for r in results],
            "transfers_per_second": results[0].transfers_per_second,
            "p99_batch_ms": results[0].p99_batch_ms,
            "first_tenth_per_second": results[0].first_tenth_per_second,
            "last_tenth_per_second": results[0].last_tenth_per_second,
            "cpu_ms_per_1000_transfers": results[0].cpu_ms_per_1000_transfers,
            # The ledger's process's peak over every mix run (the workloads are made elsewhere).
            "peak_rss_mb": ledger_bench.peak_rss_mb(),
        }
        if len(results) == 2:
            summary["hot_vs_uniform"] = round(
                results[1].transfers_per_second / results[0].transfers_per_second, 3
            )
        print(json.dumps(summary))


def _tenths_table(r: ledger_bench.MixResult) -> Table:
    """The run in tenths: whether a later tenth is slower for more work (CPU) or for waiting."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        title=f"{r.mix}: the run in tenths",
        caption="ms per batch: decode, apply, commit, archive jobs and waits for the archive "
        "(writer), their writes and merges (archiving thread); slices merged while a job waited",
    )
    for column in (
        "tenth",
        "per s",
        "CPU/1k",
        "decode",
        "apply",
        "commit",
        "jobs",
        "wait",
        "writes",
        "merges",
        "first",
    ):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for i, t in enumerate(r.tenths, 1):
        table.add_row(
            str(i),
            f"{t.per_second:,.0f}",
            f"{t.cpu_ms_per_1000_transfers:.2f}",
            f"{t.pack_ms_per_batch:.1f}",
            f"{t.apply_ms_per_batch:.1f}",
            f"{t.commit_ms_per_batch:.1f}",
            f"{t.archive_ms_per_batch:.1f}",
            f"{t.archive_wait_ms_per_batch:.1f}",
            f"{t.archive_write_ms_per_batch:.1f}",
            f"{t.archive_compact_ms_per_batch:.1f}",
            f"{t.archive_merge_slices_first:,}",
        )
    return table


def _print_table(
    results: list[ledger_bench.MixResult], machine: dict[str, object], hot: float, backend: str
) -> None:
    out = Console()
    table = Table(title=f"Ledger benchmark: {backend}, batches of 8,190")
    for column in (
        "mix",
        "transfers",
        "seconds",
        "transfers/s",
        "p50 batch ms",
        "p99 batch ms",
        "failed",
        "refused by limit",
        "limits exact",
    ):
        table.add_column(column, justify="right")
    for r in results:
        label = f"hot {hot:.0%}" if r.mix == "hot" else r.mix
        table.add_row(
            label,
            f"{r.transfers:,}",
            f"{r.seconds:.2f}",
            f"{r.transfers_per_second:,}",
            f"{r.p50_batch_ms:.1f}",
            f"{r.p99_batch_ms:.1f}",
            f"{r.failed_transfers:,}",
            f"{r.refused_by_limit:,}",
            "yes" if r.limits_exact else "NO",
        )
    out.print(table)
    for r in results:
        out.print(
            f"{r.mix}: per batch of 8,190, decode {r.pack_ms_per_batch:.1f} ms (submitter), "
            f"apply {r.apply_ms_per_batch:.1f} ms (writer), commit {r.commit_ms_per_batch:.1f} ms "
            f"(committer, overlapping the next apply), {r.group_commits} group commits"
        )
        out.print(
            f"{r.mix}: first tenth {r.first_tenth_per_second:,.0f}/s, last tenth "
            f"{r.last_tenth_per_second:,.0f}/s; CPU {r.cpu_ms_per_1000_transfers:.1f} ms per "
            f"1,000 transfers (the workload's process: {r.workload_cpu_ms_per_1000_transfers:.1f} "
            f"ms more); peak RSS {r.peak_rss_mb:,.0f} MB"
            + ("" if r.written_mb is None else f"; {r.written_mb:,.0f} MB written")
        )
    for r in results:
        out.print(_tenths_table(r))
    out.print(
        f"machine: {_machine_named(machine)}, {machine['system']}; the ledger's "
        f"{engine_name()} path; its speed at the "
        f"start: a reference loop of {machine['reference_loop_ms']} ms"
    )


@app.command("restart")
def bench_restart(
    transfers: Annotated[int, typer.Option(min=1, help="Transfers the ledger holds.")] = 500_000,
    accounts: Annotated[int, typer.Option(min=2, help="Accounts to open.")] = 100_000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="sqlite:///path/bench.db: a new file beside it (bench-restart.db), kept; "
            "postgresql://USER@HOST/DB: a new database on that server, dropped after; "
            "default: a temporary folder.",
        ),
    ] = None,
    reuse: Annotated[
        bool,
        typer.Option(
            "--reuse",
            help="Use --database itself, not a new one beside it: a ledger already in it is "
            "measured as it is (no build; the probe adds one transfer), an empty one is built "
            "first. Nothing is deleted after.",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated workload.")] = 1,
    crash: Annotated[
        bool,
        typer.Option(
            "--crash",
            help="Build in a process killed (SIGKILL) once its last batch is acknowledged and "
            "its periodic checkpoints written: the open after a crash, from the newest "
            "periodic checkpoint, not the one a clean close writes.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Time to open a ledger holding N transfers (ready to accept one), and the open's memory."""
    err = Console(stderr=True)
    if reuse and database is None:
        err.print("[red]error:[/red] --reuse needs --database", highlight=False)
        raise typer.Exit(2)
    machine = ledger_bench.machine_description()
    backend = ledger_bench.backend_description(database)
    holder = None
    try:
        if reuse:
            assert database is not None
            url = database
        else:
            url, holder = ledger_bench.fresh_database_url(database, "restart")
        build = not reuse or restart_bench.journal_is_empty(url)
        build_s = (
            restart_bench.build(url, accounts=accounts, transfers=transfers, seed=seed, crash=crash)
            if build
            else 0.0
        )
        result = restart_bench.measure(
            url, funding_account=accounts + 1, built=build, build_s=build_s, crashed=crash and build
        )
    except ColonyError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        if holder is not None:
            holder.cleanup()
    print(
        f"restart: {result.transfers:,} transfers ({result.journal_entries:,} journal entries) "
        f"opened in {result.restart_s:.2f} s, peak RSS {result.open_peak_rss_mb:,.0f} MB "
        f"({result.baseline_rss_mb:,.0f} MB before the open); first transfer "
        f"{result.first_transfer_ms:.1f} ms ({result.first_transfer_result}); opened from "
        f"{_opened_from(result.opened_from_checkpoint, result.replayed_entries)}; "
        f"{backend['title']}; {_machine_named(machine)}"
    )
    if as_json:
        summary = {
            "benchmark": "restart",
            "backend": backend["backend"],
            "machine": machine,
            **restart_bench.as_dict(result),
        }
        print(json.dumps(summary))


def _opened_from(checkpoint_seq: int, replayed: int) -> str:
    if checkpoint_seq:
        return f"the checkpoint at entry {checkpoint_seq:,} and {replayed:,} entries after it"
    return f"a replay of all {replayed:,} entries"


@app.command("api")
def bench_api(
    rate: Annotated[
        float, typer.Option(callback=finite, min=1, help="Payments offered a second.")
    ] = 1000,
    duration: Annotated[
        float, typer.Option(callback=finite, min=0.1, help="Seconds measured.")
    ] = 10,
    warmup: Annotated[
        float, typer.Option(callback=finite, min=0, help="Seconds sent first, not counted.")
    ] = 1,
    wallets: Annotated[
        int,
        typer.Option(
            min=1,
            max=api_bench.wallets_max,
            help="Wallets paying, in turn (each token is held to 100 requests/s, as any caller).",
        ),
    ] = 200,
    connections: Annotated[
        int, typer.Option(min=1, max=1024, help="Keep-alive connections of the load generator.")
    ] = 64,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk", help="Measure transfers/s through the ledger's batch endpoint instead."
        ),
    ] = False,
    batch: Annotated[
        int, typer.Option(min=1, max=batch_events_max, help="Transfers per bulk request.")
    ] = batch_events_max,
    in_flight: Annotated[
        int, typer.Option(min=1, max=64, help="Bulk requests outstanding at once.")
    ] = 2,
    workers: Annotated[
        int, typer.Option(min=1, max=workers_max, help="API worker processes of the server.")
    ] = 1,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="postgresql://USER@HOST/DB: a new database on that server, dropped after; "
            "sqlite:///path/bench.db: a new file beside it (bench-api.db); default: a "
            "temporary folder.",
        ),
    ] = None,
    payment_gather_ms: PaymentGatherMs = payment_gather_s * 1000,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Payments over HTTP: `colony serve` on loopback, driven open-loop from another process."""
    machine = ledger_bench.machine_description()
    with (
        _served_failures_said(),
        api_bench.temporary_folder() as folder,
        contextlib.ExitStack() as after,
    ):
        url = _served_database(database, folder, "api", after)
        seeded = _seeded(url, lambda ctx: api_bench.seed(ctx, 1 if bulk else wallets))
        gather = ("--payment-gather-ms", str(payment_gather_ms))
        server = api_bench.Server(url, Path(folder), workers, options=gather)
        try:
            common = {"host": "127.0.0.1", "port": server.port, "duration_s": duration}
            if bulk:
                plan = common | {
                    "mode": "bulk",
                    "operator_key": seeded.operator_key,
                    "ledger": api_bench.bulk_ledger,
                    "accounts": 10_000,
                    "batch": batch,
                    "in_flight": in_flight,
                    "seed": 1,
                }
            else:
                plan = common | {
                    "mode": "payments",
                    "rate": rate,
                    "warmup_s": warmup,
                    "connections": connections,
                    "wallet_tokens": seeded.wallet_tokens,
                    "payload": seeded.payload,
                    "amount_minor": api_bench.payment_minor,
                }
            cpu_before = server.cpu_seconds()
            summary = api_bench.drive(plan)
            cpu_after = server.cpu_seconds()
            if cpu_before is not None and cpu_after is not None:
                summary["server_cpu_s"] = round(cpu_after - cpu_before, 2)
                if not bulk:
                    # The warm-up's payments are served inside the same CPU window; the
                    # measured ones are those the generator sent and saw answered or fail.
                    served = int(rate * warmup) + cast(int, summary["requests"])
                    summary["server_cpu_ms_per_payment"] = round(
                        1000 * (cpu_after - cpu_before) / served, 3
                    )
        finally:
            server.stop()
    if bulk:
        print(
            f"bulk: {summary['transfers']:,} transfers in {summary['seconds']} s, "
            f"{summary['transfers_per_second']:,} transfers/s over HTTP "
            f"({batch:,} a request, {in_flight} in flight); per request p50 "
            f"{summary['p50_ms']} ms, p99 {summary['p99_ms']} ms; errors {summary['errors']}"
        )
    else:
        print(
            f"payments: offered {rate:g}/s, achieved {summary['achieved_rate']}/s; "
            f"latency p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
            f"max {summary['max_ms']} ms; errors {summary['errors']} of {summary['requests']}; "
            f"{workers} API worker(s)"
        )
    summary["workers"] = workers
    summary["payment_gather_ms"] = payment_gather_ms
    per_payment = summary.get("server_cpu_ms_per_payment")
    print(
        f"server CPU {summary.get('server_cpu_s', '?')} s"
        f"{'' if per_payment is None else f' ({per_payment} ms a payment)'}, load generator CPU "
        f"{summary['load_generator_cpu_s']} s; machine: {_machine_named(machine)}"
    )
    if as_json:
        print(
            json.dumps(
                {"benchmark": "api_bulk" if bulk else "api_payments", **summary, "machine": machine}
            )
        )


@app.command("in-process")
def bench_in_process(
    payments: Annotated[int, typer.Option(min=1, max=1_000_000, help="Payments measured.")] = 5_000,
    warmup: Annotated[
        int, typer.Option(min=0, max=1_000_000, help="Payments sent first, not counted.")
    ] = 1_000,
    rate: Annotated[
        float,
        typer.Option(
            callback=finite, min=0, max=_rate_max, help="Payments sent a second; 0: saturated."
        ),
    ] = 0,
    burst: Annotated[
        int,
        typer.Option(min=1, max=1_000, help="Paced payments sent together (the rate kept)."),
    ] = 1,
    in_flight: Annotated[
        int, typer.Option(min=1, max=1_024, help="Payments outstanding at once, at most.")
    ] = 64,
    wallets: Annotated[
        int, typer.Option(min=1, max=api_bench.wallets_max, help="Wallets paying, in turn.")
    ] = 200,
    payment_gather_ms: PaymentGatherMs = payment_gather_s * 1000,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Payments through the app's ASGI callable in this process (no HTTP): Colony's own CPU a
    payment, every thread and the event loop's alone, saturated or paced, alone or in bursts."""
    machine = ledger_bench.machine_description()
    with _served_failures_said(), api_bench.temporary_folder() as folder:
        ctx = build_context(f"sqlite:///{folder}/bench.db")
        try:
            serving_alone(ctx, api_bench.bench_address_rate_per_s, payment_gather_ms)
            seeded = api_bench.seed(ctx, wallets)
            edge = served_app(ctx)
            with heap.settled():  # as `colony serve` settles its heap once started
                result = in_process_bench.run(
                    edge,
                    seeded,
                    payments=payments,
                    warmup=warmup,
                    in_flight=in_flight,
                    rate=rate,
                    burst=burst,
                )
        finally:
            ctx.ledger.close()
            ctx.close_stores()
    offered = "saturated" if rate == 0 else f"{rate:g}/s offered in bursts of {burst}"
    print(
        f"payments in process ({offered}): {result.payments:,} in {result.seconds:.2f} s, "
        f"{result.rate:,.1f}/s, answers {result.statuses}; CPU {result.cpu_ms_per_payment:.3f} "
        f"ms a payment, of which the event loop's thread {result.loop_cpu_ms_per_payment:.3f}"
        f" ms; machine: {_machine_named(machine)}"
    )
    if as_json:
        print(
            json.dumps({"benchmark": "in_process_payments", **result.as_json(), "machine": machine})
        )


_Seeded = TypeVar("_Seeded")


def _seeded(url: str, seed: Callable[[ApiContext], _Seeded]) -> _Seeded:
    """The benchmark's database seeded through the services, closed before it is served."""
    ctx = build_context(url)
    try:
        return seed(ctx)
    finally:
        try:
            ctx.ledger.close()
        finally:
            ctx.close_stores()  # every store's connection, not the API's alone


@contextlib.contextmanager
def _served_failures_said() -> Iterator[None]:
    """A refused setting exits 2, a server or load generator that failed exits 1: saying
    why, on standard error."""
    try:
        yield
    except ColonyError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except RuntimeError as exc:  # the server or the load generator failed: say how
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command("statement")
def bench_statement(
    wallets: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Wallets in the store.")
    ] = statement_bench.wallets_default,
    statements: Annotated[
        int, typer.Option(min=1, max=10_000_000, help="One-wallet pages to read and time.")
    ] = statement_bench.statements_default,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="sqlite:///path/bench.db (a new file beside it) or postgresql://USER@HOST/DB "
            "(a new database there, dropped after); default: a temporary folder.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the read order.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """The cost of one product-store statement (a one-wallet page), in microseconds."""
    machine = ledger_bench.machine_description()
    backend = ledger_bench.backend_description(database)
    try:
        url, holder = ledger_bench.fresh_database_url(database, "statement")
    except ColonyError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        result = statement_bench.run(
            url, backend["backend"], wallets=wallets, statements=statements, seed=seed
        )
    finally:
        if holder is not None:
            holder.cleanup()
    table = Table(title=f"Store statement benchmark: {backend['title']}")
    for column in ("wallets", "statements", "wall µs/statement", "CPU µs/statement"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{result.wallets:,}",
        f"{result.statements:,}",
        f"{result.wall_us_per_statement:.1f}",
        f"{result.cpu_us_per_statement:.1f}",
    )
    Console().print(table)
    Console().print(f"machine: {machine}", highlight=False, soft_wrap=True)
    if as_json:
        summary = {"benchmark": "statement", "machine": machine, **statement_bench.as_dict(result)}
        print(json.dumps(summary))


def _served_database(
    database: str | None, folder: str, name: str, after: contextlib.ExitStack
) -> str:
    """Where a served benchmark keeps its data: a file in `folder`, or a new database
    beside `database`, dropped as `after` closes (after the ledger is verified, or on any
    failure, seeding's and the server's included)."""
    if database is None:
        return f"sqlite:///{folder}/bench.db"
    url, holder = ledger_bench.fresh_database_url(database, name)
    if holder is not None:
        after.callback(holder.cleanup)
    return url


@app.command("festival")
def bench_festival(
    start_rate: Annotated[
        float,
        typer.Option(
            callback=finite, min=1, max=_rate_max, help="Operations a second in the first step."
        ),
    ] = 200,
    increment: Annotated[
        float,
        typer.Option(
            callback=finite, min=1, max=_rate_max, help="Operations a second added each step."
        ),
    ] = 200,
    max_rate: Annotated[
        float,
        typer.Option(
            callback=finite, min=1, max=_rate_max, help="The last step's rate at most, a second."
        ),
    ] = 4_000,
    step_seconds: Annotated[
        float, typer.Option(callback=finite, min=0.1, max=3_600, help="Seconds each step lasts.")
    ] = 10,
    warmup: Annotated[
        float,
        typer.Option(
            callback=finite,
            min=0,
            max=3_600,
            help="Seconds sent at the start rate first, not counted.",
        ),
    ] = 2,
    wallets: Annotated[
        int,
        typer.Option(
            min=2,
            max=100_000,
            help="Wallets paying, in turn (each token is held to 100 requests/s).",
        ),
    ] = 200,
    connections: Annotated[
        int, typer.Option(min=1, max=1024, help="Keep-alive connections of the load generator.")
    ] = festival_bench.connections_default,
    workers: Annotated[
        int, typer.Option(min=1, max=workers_max, help="API worker processes of the server.")
    ] = 1,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="postgresql://USER@HOST/DB: a new database on that server, dropped after; "
            "sqlite:///path/bench.db: a new file beside it (bench-festival.db); default: a "
            "temporary folder.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """The simulated market's payment mix, open-loop at a rising rate (a festival's peak),
    until a step's p99 passes 50 ms or it has errors; then the ledger is verified."""
    if max_rate < start_rate:
        raise typer.BadParameter(
            f"--max-rate ({max_rate:g}) must be at least --start-rate ({start_rate:g})"
        )
    staircase = festival_bench.Staircase(start_rate, increment, max_rate, step_seconds, warmup)
    machine = ledger_bench.machine_description()
    # The shipped ECB rates may be older than a quote allows today: allow the newest of them.
    environment = {MAX_AGE_ENV: str(rates_age_days_for(dt.datetime.now(dt.UTC).date()))}
    backend = ledger_bench.backend_description(database)
    with (
        _served_failures_said(),
        api_bench.temporary_folder() as folder,
        contextlib.ExitStack() as after,
    ):
        url = _served_database(database, folder, "festival", after)
        seeded = _seeded(url, lambda ctx: festival_bench.seed(ctx, wallets))
        server = api_bench.Server(url, Path(folder), workers, environment)
        try:
            climbed = festival_bench.climb(server, seeded, staircase, connections)
        finally:
            server.stop()
        with contextlib.closing(open_ledger(url, checkpoints=NO_CHECKPOINTS)) as ledger:
            report = verify(*ledger.verify_view())
    steps, best = climbed.steps, climbed.best
    _print_festival(steps, best, report.ok, workers, machine)
    if as_json:
        summary: dict[str, object] = {
            "benchmark": "festival",
            "highest_rate_held": None if best is None else best["offered_rate"],
            "p50_ms": None if best is None else best["p50_ms"],
            "p99_ms": None if best is None else best["p99_ms"],
            "errors": None if best is None else best["errors"],
            "server_cpu_ms_per_payment": None
            if best is None
            else best.get("server_cpu_ms_per_payment"),
            "p99_bar_ms": festival_bench.p99_bar_ms,
            "stopped_by": _stopped_by(steps, staircase),
            "mix": festival_bench.mix_shares(),
            "mix_notes": festival_bench.mix_notes,
            "steps": steps,
            "warmup": climbed.warmup,
            "ledger_verified": report.ok,
            "ledger_transfers": report.transfers,
            "workers": workers,
            "backend": backend["backend"],
            "machine": machine,
        }
        print(json.dumps(summary))
    if not report.ok:
        raise typer.Exit(1)


def _stopped_by(steps: list[dict[str, object]], staircase: festival_bench.Staircase) -> str:
    last = steps[-1]
    if last["held"]:
        return f"max_rate ({staircase.max_per_s:g}/s held)"
    return "errors" if last["errors"] else f"p99 over {festival_bench.p99_bar_ms:g} ms"


def _print_festival(
    steps: list[dict[str, object]],
    best: dict[str, object] | None,
    verified: bool,
    workers: int,
    machine: dict[str, object],
) -> None:
    table = Table(title="Festival: the simulated market's mix at a rising rate")
    for column in ("offered/s", "achieved/s", "p50 ms", "p99 ms", "errors", "CPU ms/op", "held"):
        table.add_column(column, justify="right")
    for s in steps:
        table.add_row(
            f"{s['offered_rate']:g}",
            f"{s['achieved_rate']}",
            f"{s['p50_ms']}",
            f"{s['p99_ms']}",
            f"{s['errors']}",
            f"{s.get('server_cpu_ms_per_payment', '?')}",
            "yes" if s["held"] else "NO",
        )
    out = Console()
    out.print(table)
    shares = ", ".join(f"{k} {v:.1%}" for k, v in festival_bench.mix_shares().items())
    out.print(f"mix driven: {shares}", highlight=False)
    if best is None:
        out.print("highest rate held: none (the first step failed the bar)", highlight=False)
    else:
        out.print(
            f"highest rate held: {best['offered_rate']:g}/s, p50 {best['p50_ms']} ms, "
            f"p99 {best['p99_ms']} ms, errors {best['errors']}, server CPU "
            f"{best.get('server_cpu_ms_per_payment', '?')} ms per payment",
            highlight=False,
        )
        kinds = best["by_kind"]
        assert isinstance(kinds, dict)
        out.print(
            "there, by kind: "
            + ", ".join(f"{k} p50 {v['p50_ms']} / p99 {v['p99_ms']} ms" for k, v in kinds.items()),
            highlight=False,
        )
    out.print(
        f"ledger verify: {'ok' if verified else 'FAILED'}; {workers} API worker(s); machine: "
        f"{_machine_named(machine)}",
        highlight=False,
    )


@app.command("screens")
def bench_screens(
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="A market to load the screens on: the database `colony simulate market` built.",
        ),
    ],
    sample: Annotated[int, typer.Option(min=1, max=500, help="People signed in.")] = 20,
    rounds: Annotated[
        int, typer.Option(min=1, max=100, help="Times each person's screens are read.")
    ] = 5,
    seed: Annotated[int, typer.Option(help="Chooses the people.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Every screen of the wallet app, the operator console and the merchant portal on a
    market of real size: load time per screen (p50, p99) and the server's CPU per screen.
    Each audience signs in as a person would: people through the app (the PIN this benchmark
    sets), a staff member through the console, the busiest merchant's owner (whom this
    benchmark adds, with a busy today) through the portal. Changes the database: use a copy."""
    machine = ledger_bench.machine_description()
    with _served_failures_said(), api_bench.temporary_folder() as folder:
        ctx = build_context(database)
        try:
            prepared = screens_bench.prepare(ctx, sample, seed)
        finally:
            ctx.ledger.close()
            ctx.close_stores()
        server = api_bench.Server(
            database, Path(folder), start_timeout_s=screens_bench.market_server_start_timeout_s
        )
        err = Console(stderr=True)
        try:
            with Progress(
                TextColumn("screens"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,} people's rounds"),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as progress:
                task = progress.add_task("screens", total=sample * rounds)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                figures = screens_bench.measure(server, prepared, rounds, advance)
        finally:
            server.stop()
    figures = {"machine": machine, **figures}
    _print_screens(figures, prepared.wallets)
    if as_json:
        print(json.dumps(figures))


@app.command("merchant-loans")
def bench_merchant_loans(
    merchants: Annotated[
        int, typer.Option(min=1, max=10_000, help="Merchants that sell, then apply once each.")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Chooses each merchant's daily sales.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """A merchant's loan application to its answer (takings read, score decided and recorded,
    loan paid out), timed one at a time on a fresh SQLite database: p50, p99, max."""
    from colony.cli import merchant_loan_bench

    machine = ledger_bench.machine_description()
    with api_bench.temporary_folder() as folder:
        figures = merchant_loan_bench.measure(Path(folder), merchants, seed)
    Console().print(
        f"{figures.applications:,} applications ({figures.granted:,} granted): "
        f"p50 {figures.p50_ms} ms, p99 {figures.p99_ms} ms, max {figures.max_ms} ms",
        highlight=False,
    )
    Console().print(f"machine: {machine}", highlight=False)
    if as_json:
        print(json.dumps({"machine": machine, **figures.as_json()}))


@app.command("credit")
def bench_credit(
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="A market to decide on: the database `colony simulate market` built.",
        ),
    ],
    decisions: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Decisions made, one at a time.")
    ] = 2_000,
    seed: Annotated[int, typer.Option(help="Chooses the wallets.")] = 1,
    model_path: Annotated[
        Path | None,
        typer.Option("--model", help="A scorecard's JSON (default: the one Colony ships)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Credit decisions (a person's history read from the ledger, score with reasons, limit)
    on a market of real size: wall time per decision (p50, p99), CPU per decision, and what
    recording a score costs."""
    machine = ledger_bench.machine_description()
    model = load_model(model_path) if model_path else default_model()
    ledger = open_ledger(database)
    store = open_wallet_store(database)
    try:
        with api_bench.temporary_folder() as folder:
            figures = credit_bench.measure(ledger, store, model, decisions, seed, Path(folder))
    finally:
        store.close()
        ledger.close()
    console = Console()
    console.print(
        f"{figures.decisions:,} credit decisions over {figures.wallets:,} wallets "
        f"(about {figures.lines_per_decision:g} statement lines each): p50 {figures.p50_ms} ms, "
        f"p99 {figures.p99_ms} ms, max {figures.max_ms} ms; CPU {figures.cpu_ms_per_decision} ms "
        f"per decision; recording a score: p50 {figures.record_p50_ms} ms, p99 "
        f"{figures.record_p99_ms} ms; model {model.version}",
        highlight=False,
    )
    console.print(f"machine: {machine}", highlight=False)
    if as_json:
        print(json.dumps({"machine": machine, "model": model.version, **figures.as_json()}))


def _print_screens(figures: dict[str, object], wallets: int) -> None:
    """One table per audience: each screen's load time and the server's CPU for it."""
    screens = figures["screens"]
    assert isinstance(screens, dict)
    console = Console()
    for audience in dict.fromkeys(row["audience"] for row in screens.values()):
        table = Table(title=f"{audience}: screens over {wallets:,} wallets (ms)")
        for column in ("screen", "p50", "p99", "max", "CPU"):
            table.add_column(column, justify="right" if column != "screen" else "left")
        for name, row in screens.items():
            if row["audience"] == audience:
                cells = (row["p50_ms"], row["p99_ms"], row["max_ms"], row["cpu_ms"])
                table.add_row(name.split(": ", 1)[1], *map(str, cells))
        console.print(table)
    console.print(
        f"server CPU per screen: {figures['server_cpu_ms_per_screen']} ms; not in this market: "
        f"{', '.join(figures['not_in_market']) or 'none'}; {figures['machine']}"  # type: ignore[arg-type]
    )


@app.command("accrual")
def bench_accrual(
    loans: Annotated[int, typer.Option(min=1, max=10_000_000, help="Loans seeded.")] = 100_000,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="A new database: sqlite:///path/bench.db (refused if the file exists) or "
            "postgresql://...; default: a temporary folder.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the loans' ids, amounts and days.")] = 1,
) -> None:
    """Cash loans' daily run (docs/adr/0051) over N loans seeded in bulk: seconds, loans a
    second and CPU per loan for one day, and the same day run again (moving nothing)."""
    machine = ledger_bench.machine_description()
    with api_bench.temporary_folder() as folder:
        url = database or f"sqlite:///{folder}/accrual.db"
        if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists():
            raise typer.BadParameter(f"{url} exists: the benchmark seeds a new database")
        ledger = open_ledger(url)
        wallet_store, store = open_wallet_store(url), open_loan_store(url)
        try:
            figures = accrual_bench.measure(ledger, wallet_store, store, loans, seed)
        finally:
            store.close()
            wallet_store.close()
            ledger.close()
    r = figures.report
    console = Console()
    console.print(
        f"{figures.loans:,} loans seeded in {figures.seed_seconds:.1f} s; one day's run: "
        f"{figures.seconds:.2f} s, {figures.loans_per_s:,.0f} loans/s, CPU "
        f"{figures.cpu_ms_per_loan:.3f} ms per loan; collected {r.collected:,}, not collected "
        f"{r.not_collected:,}, interest SGD {sum(r.accrued_minor.values()) / 100:,.2f}; "
        f"the same day again: {figures.again_seconds:.3f} s, "
        + ("answered from its record" if figures.again_recorded else "walked again"),
        highlight=False,
    )
    console.print(f"machine: {machine}", highlight=False)


@app.command("risk")
def bench_risk(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Keep the assessments worth keeping in this database (sqlite:///path or "
            "postgresql://...), written outside each check's timing; default: none kept.",
        ),
    ] = None,
    checks: Annotated[int, typer.Option(min=100, max=1_000_000, help="Payments checked.")] = 5_000,
    rate: Annotated[
        int, typer.Option(min=1, max=100_000, help="Payments offered a second (wall time).")
    ] = 1_000,
    seed: Annotated[int, typer.Option(help="Seed of the generated stream.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object.")] = False,
) -> None:
    """Risk control's check (docs/adr/0055) on a generated stream offered at a steady rate:
    p50 and p99 of the check itself, CPU per check and payments a second achieved."""
    machine = ledger_bench.machine_description()
    store = open_assessment_store(database) if database else None
    try:
        figures = risk_bench.measure(checks, rate, seed, store)
    finally:
        if store is not None:
            store.close()
    console = Console()
    console.print(
        f"{figures.checks:,} risk checks offered at {figures.rate_offered:,}/s: "
        f"{figures.payments_per_second:,.1f}/s achieved; p50 {figures.p50_ms} ms, p99 "
        f"{figures.p99_ms} ms, max {figures.max_ms} ms; CPU {figures.cpu_ms_per_check} ms per "
        f"check; {figures.not_allowed:,} not allowed (every rule active), {figures.kept:,} kept",
        highlight=False,
    )
    console.print(f"machine: {machine}", highlight=False)
    if as_json:
        print(json.dumps({"machine": machine, **figures.as_json()}))


def _machine_named(machine: dict[str, object]) -> str:
    """The machine and the interpreter's build, for a line of figures."""
    return (
        f"{machine['cores']} cores, {machine['processor']}, Python {machine['python']} "
        f"({machine['python_executable']})"
    )
