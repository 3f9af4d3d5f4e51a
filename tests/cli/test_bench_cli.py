"""`colony bench ledger` runs end to end and ends with its JSON summary (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.ledger.native import engine_name
from tests.simulator.market_helpers import run_market

runner = CliRunner()


def test_bench_ledger_prints_its_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    args = ["bench", "ledger", "--accounts", "500", "--transfers", "20000", "--database", url]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["transfers_per_second"] > 0 and summary["p99_batch_ms"] > 0
    assert [m["mix"] for m in summary["mixes"]] == ["uniform", "hot"]
    assert all(m["failed_transfers"] == 0 and m["transfers"] == 20000 for m in summary["mixes"])
    assert all(m["limits_exact"] for m in summary["mixes"])
    assert summary["machine"]["cores"] >= 1
    assert summary["machine"]["reference_loop_ms"] > 0
    assert summary["engine"] == engine_name()
    # A benchmark never reuses (or deletes) an existing database.
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "needs a fresh database" in again.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_bench_api_drives_payments_and_prints_its_figures(workers: int) -> None:
    args = ["bench", "api", "--rate", "20", "--duration", "1", "--warmup", "0", "--wallets", "3"]
    result = runner.invoke(app, [*args, "--workers", str(workers), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"offered_rate", "achieved_rate", "p50_ms", "p99_ms", "errors"} <= set(summary)
    assert summary["offered_rate"] == 20 and summary["errors"] == 0
    assert summary["statuses"] == {"201": 20}  # every payment was made, none refused
    assert 0 < summary["p50_ms"] <= summary["p99_ms"] and summary["achieved_rate"] > 0
    assert summary["workers"] == workers and summary["server_cpu_s"] > 0
    # 20 payments served in the window the CPU was read over.
    assert summary["server_cpu_ms_per_payment"] == pytest.approx(
        1000 * summary["server_cpu_s"] / 20, rel=0.05, abs=0.5
    )


def test_bench_api_bulk_moves_transfers_through_the_batch_endpoint() -> None:
    args = ["bench", "api", "--bulk", "--duration", "0.5", "--batch", "500", "--in-flight", "1"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 0 and summary["transfers"] >= 500
    assert summary["transfers"] % 500 == 0  # every transfer of every batch was ok
    assert summary["transfers_per_second"] > 0 and summary["batch"] == 500


def test_bench_statement_reads_pages_and_prints_its_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    args = ["bench", "statement", "--wallets", "20", "--statements", "200", "--database", url]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["backend"], summary["wallets"], summary["statements"]) == ("sqlite", 20, 200)
    assert summary["wall_us_per_statement"] > 0 and summary["cpu_us_per_statement"] > 0
    assert (tmp_path / "bench-statement.db").exists()
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "needs a fresh database" in again.stderr


def test_bench_ledger_reports_memory_cpu_and_the_rate_as_history_grows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    args = ["bench", "ledger", "--accounts", "100", "--transfers", "30000", "--mix", "uniform"]
    result = runner.invoke(app, [*args, "--database", url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    (mix,) = summary["mixes"]
    # Linux counts each thread's pages in batches before the process total, so two readings
    # of the peak may be a page or two apart even in order: within 1 MB.
    assert 10 < summary["peak_rss_mb"] < 100_000
    assert mix["peak_rss_mb"] <= summary["peak_rss_mb"] + 1
    assert summary["first_tenth_per_second"] > 0 and summary["last_tenth_per_second"] > 0
    assert summary["cpu_ms_per_1000_transfers"] > 0
    assert summary["first_tenth_per_second"] == mix["first_tenth_per_second"]
    # 30,000 transfers are four batches: a "tenth" each.
    assert len(mix["tenths"]) == mix["batches"] == 4 and mix["tenths"][0]["apply_ms_per_batch"] > 0
    assert "the run in tenths" in result.stdout
    if Path("/proc/self/io").exists():  # Linux counts what a process writes
        assert mix["written_mb"] > 0  # 30,000 transfers of 128 bytes in the journal at least
        assert "MB written" in result.stdout


def test_bench_ledger_with_history_on_disk_keeps_memory_to_its_window(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    args = ["bench", "ledger", "--accounts", "100", "--transfers", "150000", "--mix", "uniform"]
    result = runner.invoke(app, [*args, "--window", "1000", "--database", url, "--json"])
    assert result.exit_code == 0, result.output
    (mix,) = json.loads(result.stdout.strip().splitlines()[-1])["mixes"]
    assert mix["limits_exact"] and mix["failed_transfers"] == 0
    assert mix["archive_runs"] >= 2  # at least one job's ids and account lines
    # The window, plus at most the jobs the archive may lag behind (docs/adr/0034), each of
    # a quarter of the window or 16,384 transfers.
    assert mix["transfers_in_memory"] <= 1000 + 5 * 16_384 < 150_000 - mix["refused_by_limit"]
    assert mix["archive_write_ms_per_batch"] > 0
    default = runner.invoke(
        app,
        [*args, "--database", f"sqlite:///{tmp_path}/all.db", "--json"],
        env={"COLONY_LEDGER_WINDOW_TRANSFERS": "all"},
    )
    (everything,) = json.loads(default.stdout.strip().splitlines()[-1])["mixes"]
    # With "all", every stored transfer stays in memory (those refused are not stored).
    assert everything["transfers_in_memory"] >= 150_000 - everything["refused_by_limit"]


def test_bench_restart_builds_a_ledger_then_times_its_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    args = ["bench", "restart", "--accounts", "50", "--transfers", "3000", "--json"]
    result = runner.invoke(app, [*args, "--database", url])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["benchmark"] == "restart" and summary["built"] is True
    # The opening balances (one per account) and the probe's own transfer come on top; some
    # payers run short (every account has a balance limit), so not all 3,000 are there.
    held = summary["transfers"]
    assert 2000 < held <= 3000 + 50 + 1
    assert 0 < summary["restart_s"] < 600 and summary["first_transfer_result"] == "ok"
    assert 0 < summary["baseline_rss_mb"] <= summary["open_peak_rss_mb"] < 100_000
    # Too few events for a checkpoint on the builder's close: the whole journal is replayed.
    assert summary["opened_from_checkpoint"] == 0 and summary["replayed_entries"] > 0
    kept = tmp_path / "bench-restart.db"
    assert kept.exists()
    # Reused as it is: nothing built, the probe's transfer added.
    again = runner.invoke(app, [*args, "--database", f"sqlite:///{kept}", "--reuse"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["built"] is False and summary["transfers"] == held + 1


def test_bench_restart_after_a_crash_opens_from_a_periodic_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--crash: the builder is killed once its last batch is acknowledged, so no checkpoint
    is written on a close; the open starts from the newest periodic one (every 1,000 events
    here) and replays only the entries after it."""
    monkeypatch.setenv("COLONY_LEDGER_CHECKPOINT_EVERY_EVENTS", "1000")
    args = ["bench", "restart", "--accounts", "50", "--transfers", "3000", "--crash", "--json"]
    result = runner.invoke(app, [*args, "--database", f"sqlite:///{tmp_path}/bench.db"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["crashed"] is True and summary["first_transfer_result"] == "ok"
    assert summary["opened_from_checkpoint"] > 0
    assert summary["opened_from_checkpoint"] + summary["replayed_entries"] == (
        summary["journal_entries"] - 1  # the probe's own entry comes after the open
    )


def test_bench_restart_on_postgresql(postgres_url: str) -> None:
    args = ["bench", "restart", "--accounts", "20", "--transfers", "500", "--json"]
    result = runner.invoke(app, [*args, "--database", postgres_url])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["backend"] == "postgresql" and 300 < summary["transfers"] <= 500 + 20 + 1
    assert summary["restart_s"] > 0


def test_bench_restart_reuse_needs_a_database() -> None:
    result = runner.invoke(app, ["bench", "restart", "--reuse"])
    assert result.exit_code == 2 and "--reuse needs --database" in result.stderr


def test_bench_festival_climbs_the_market_mix_and_verifies_the_ledger() -> None:
    args = ["bench", "festival", "--start-rate", "20", "--increment", "20", "--max-rate", "40"]
    short = ["--step-seconds", "1", "--warmup", "0.5", "--wallets", "4", "--connections", "8"]
    result = runner.invoke(app, [*args, *short, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["benchmark"] == "festival" and summary["ledger_verified"] is True
    assert summary["backend"] == "sqlite"
    assert summary["ledger_transfers"] > 0
    steps = summary["steps"]
    assert [s["offered_rate"] for s in steps] == [20, 40][: len(steps)]
    assert all(s["errors"] == 0 and s["requests"] == s["offered_rate"] for s in steps)
    assert all(s["server_cpu_ms_per_payment"] > 0 for s in steps)
    for step in steps:  # every operation driven is counted under its kind, none failed
        kinds = step["by_kind"].values()
        assert sum(k["operations"] for k in kinds) == step["requests"]
        assert all(set(k["statuses"]) <= {"200", "201"} for k in kinds)
    # Whatever this shared machine's latency, the highest rate held is the last step that held.
    held = [s for s in steps if s["held"]]
    assert summary["highest_rate_held"] == (held[-1]["offered_rate"] if held else None)
    assert set(summary["mix"]) == {
        "qr_payment",
        "cross_border_payment",
        "p2p_transfer",
        "top_up",
        "refund",
    }
    assert abs(sum(summary["mix"].values()) - 1) < 1e-3
    assert summary["warmup"]["errors"] == 0 and summary["p99_bar_ms"] == 50


def test_bench_festival_on_postgresql_with_two_workers(postgres_url: str) -> None:
    """The mix on PostgreSQL, a follower's writes crossing to the writer (docs/adr/0106);
    the database made for it is dropped after."""
    args = ["bench", "festival", "--start-rate", "20", "--max-rate", "20", "--workers", "2"]
    short = ["--step-seconds", "1", "--warmup", "0.5", "--wallets", "4", "--connections", "8"]
    result = runner.invoke(app, [*args, *short, "--database", postgres_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["backend"] == "postgresql" and summary["ledger_verified"] is True
    assert summary["workers"] == 2 and summary["steps"][0]["errors"] == 0
    with psycopg.connect(postgres_url) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'colony_bench_%'")
        assert left.fetchall() == []


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--start-rate", "0", "--start-rate"),
        ("--step-seconds", "-1", "--step-seconds"),
        ("--max-rate", "10", "--max-rate"),
        ("--wallets", "1", "--wallets"),
        ("--increment", "many", "--increment"),
    ],
)
def test_bench_festival_names_a_bad_option(option: str, value: str, named: str) -> None:
    result = runner.invoke(app, ["bench", "festival", option, value])
    assert result.exit_code == 2
    assert named in result.output


@pytest.mark.parametrize("command", ["api", "in-process"])
def test_bench_payments_refuse_more_wallets_than_phone_numbers_seed(command: str) -> None:
    """Seeded wallets have seven-digit numbers (+659...): a count past the bound is refused
    before anything is seeded, naming the option."""
    result = runner.invoke(app, ["bench", command, "--wallets", "100001"])
    assert result.exit_code == 2
    assert "--wallets" in result.output and "100000" in result.output


def test_bench_screens_signs_each_audience_in_and_times_every_screen(tmp_path: Path) -> None:
    run_market(tmp_path / "m.db", people=30, merchants=4, days=1, seed=2)
    args = ["bench", "screens", "--database", f"sqlite:///{tmp_path / 'm.db'}"]
    result = runner.invoke(app, [*args, "--sample", "2", "--rounds", "1", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["wallets_in_database"] == 30 and figures["people_signed_in"] == 2
    screens = figures["screens"]
    assert {row["audience"] for row in screens.values()} == {"app", "console", "portal"}
    assert {"app: home", "app: pay", "console: wallet", "console: live", "portal: home",
            "portal: payments CSV", "portal: reports", "console: webhook deliveries",
            "portal: home's live takings, first event"} <= set(screens)  # fmt: skip
    assert all(row["p99_ms"] > 0 and row["cpu_ms"] >= 0 for row in screens.values())
    # The busiest merchant was paid today as on its busiest day, found by its reference.
    shop = figures["merchant"]
    assert shop["paid_today"] > 0 and shop["reference_found"] == "BENCH-00000"
    # Every screen asked for is timed, or named as a page this tiny market does not have.
    assert "portal: payments, page 2" in [*screens, *figures["not_in_market"]]
    assert figures["requests"] == sum(row["samples"] for row in screens.values())


def test_bench_api_passes_the_payment_gate_to_the_server() -> None:
    args = ["bench", "api", "--rate", "20", "--duration", "0.5", "--warmup", "0", "--wallets", "2"]
    result = runner.invoke(app, [*args, "--payment-gather-ms", "0", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["payment_gather_ms"] == 0 and summary["statuses"] == {"201": 10}
    refused = runner.invoke(app, [*args, "--payment-gather-ms", "51"])
    assert refused.exit_code == 2 and "--payment-gather-ms" in refused.output


@pytest.mark.parametrize(("rate", "burst"), [("0", "1"), ("400", "4")])
def test_bench_in_process_pays_through_the_app_and_prints_its_figures(
    rate: str, burst: str
) -> None:
    args = ["bench", "in-process", "--payments", "40", "--warmup", "8", "--wallets", "3"]
    result = runner.invoke(app, [*args, "--rate", rate, "--burst", burst, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["benchmark"] == "in_process_payments"
    assert summary["payments"] == 40 and summary["statuses"] == {"201": 40}
    assert 0 < summary["loop_cpu_ms_per_payment"] <= summary["cpu_ms_per_payment"]
    assert summary["rate"] > 0 and summary["machine"]["cores"] >= 1
    if rate != "0":  # paced: 40 payments at 400/s take about a tenth of a second
        assert summary["seconds"] >= 0.09
