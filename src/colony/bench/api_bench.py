"""`colony bench api`: `colony serve` in one process, the load generator in another.

The database is new, in a temporary folder, seeded through the domain services before the
server starts: one merchant, wallets that are identity-verified (so their caps do not end the
run early) with money in them, and an operator key given a high rate limit for the bulk run.
The server is started exactly as an operator would start it, with its per-address limit
raised, since every request of a benchmark comes from one loopback address.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from colony.api import auth
from colony.api.context import ApiContext
from colony.workers import http_workers

# The states of a TCP socket as Linux's table writes them.
TCP_LISTEN, TCP_ESTABLISHED = "0A", "01"
# Each wallet's money at the start, in minor units: more than a long run spends.
wallet_float_minor = 50_000_000
# Wallets a run seeds at most: each has a phone number of seven digits after +659, and
# seeding takes about a millisecond a wallet.
wallets_max = 100_000
# What each payment pays, in minor units (10.00).
payment_minor = 1_000
# How long the server may take to answer its first request, in seconds.
server_start_timeout_s = 60.0
# The operator key's own rate limit for the bulk run, in requests a second.
bench_operator_rate_per_s = 1_000_000
# Requests a second allowed from one address while benchmarking (all come from loopback).
bench_address_rate_per_s = 10_000_000
# The ledger the bulk run's accounts are opened on: none of Colony's currencies uses it.
bulk_ledger = 60_001


@dataclass(frozen=True)
class Seeded:
    wallet_tokens: list[str]
    payload: str  # the merchant's static QR code
    operator_key: str
    merchant_key: str  # the merchant's API key (refunds)
    phones: list[str]  # of the wallets, in the order of their tokens


def seed(ctx: ApiContext, wallets: int) -> Seeded:
    """A merchant with its static code, `wallets` funded wallets, and a fast operator key."""
    result, merchant = ctx.merchants.onboard(
        "Bench Hawker Pte Ltd", "Bench Hawker", "5812", "SG", "Singapore", "SGD", 150
    )
    if merchant is None:
        raise RuntimeError(f"could not onboard the merchant: {result.name}")
    now = ctx.clock.now_ns
    merchant_key = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
    ctx.api_store.add_key(auth.digest(merchant_key), "merchant", merchant.id, now())
    tokens, phones = [], []
    for n in range(wallets):
        phone = f"+659{n:07d}"
        opened, wallet = ctx.wallets.open_wallet(phone, f"Bench Wallet {n}", "SGD")
        if wallet is None:
            raise RuntimeError(f"could not open a wallet: {opened.name}")
        ctx.wallets.verify_identity(wallet.id)
        cashed = ctx.wallets.cash_in(phone, "SGD", wallet_float_minor)
        if cashed.result.name != "ok":
            raise RuntimeError(f"could not fund a wallet: {cashed.result.name}")
        token = auth.new_secret(ctx, auth.WALLET_TOKEN_PREFIX)
        ctx.api_store.add_token(auth.digest(token), wallet.id, now())
        tokens.append(token)
        phones.append(phone)
    operator_key = auth.new_secret(ctx, auth.OPERATOR_KEY_PREFIX)
    ctx.api_store.add_key(
        auth.digest(operator_key), "operator", "operator", now(), bench_operator_rate_per_s
    )
    return Seeded(tokens, ctx.payments.merchant_qr(merchant), operator_key, merchant_key, phones)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`colony serve` on a free loopback port, as a child process."""

    def __init__(
        self,
        database_url: str,
        folder: Path,
        workers: int = 1,
        environment: dict[str, str] | None = None,
        start_timeout_s: float = server_start_timeout_s,
        options: tuple[str, ...] = (),
    ) -> None:
        """`options`: more of `colony serve`'s."""
        self.port = free_port()
        self._log = (folder / "server.log").open("w")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from colony.cli.main import app; app()",
                "serve",
                "--database",
                database_url,
                "--port",
                str(self.port),
                "--address-rate-limit",
                str(bench_address_rate_per_s),
                "--workers",
                str(workers),
                *options,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(environment or {})},
        )
        # Serving once the page answers, every worker that serves HTTP listens (each on a
        # socket of its own, docs/adr/0097; the writer among workers on none, 0101) and the
        # supervisor says every worker serves (the writer, which nobody's connection shows,
        # among them): the load's connections are kept alive, so a worker still starting
        # would get none of them.
        deadline = time.monotonic() + start_timeout_s
        log = folder / "server.log"
        all_serving = f"All {workers} workers are serving." if workers > 1 else ""
        while (
            not self._answers()
            or _listening(self.port) < http_workers(workers)
            or all_serving not in log.read_text()
        ):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not start: " + log.read_text()[-2000:])
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                return True
        except OSError:
            return False

    def cpu_seconds(self) -> float | None:
        """CPU time the server and its worker processes have used so far (Linux), or None."""
        pid = self._process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        used = [_cpu_seconds(p) for p in [pid, *map(int, children)]]
        return None if used[0] is None else sum(u for u in used if u is not None)

    def thread_cpu_ns(self) -> dict[int, int]:
        """Each thread's CPU time so far, in nanoseconds, the server's and its workers' (Linux's
        schedstat, exact where the process's tick count is not; empty elsewhere). A thread
        that ends between two readings drops out of the second: compare thread by thread."""
        pid = self._process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        used: dict[int, int] = {}
        for process in (pid, *map(int, children)):
            try:
                threads = [int(t.name) for t in Path(f"/proc/{process}/task").iterdir()]
            except OSError:
                continue
            for tid in threads:
                try:
                    used[tid] = int(
                        Path(f"/proc/{process}/task/{tid}/schedstat").read_text().split()[0]
                    )
                except (OSError, IndexError, ValueError):
                    continue  # the thread ended meanwhile
        return used

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


def tcp_sockets(port: int, state: str) -> set[str] | None:
    """The inodes of this machine's IPv4 TCP sockets on local `port` in `state` (Linux's
    table: `TCP_LISTEN`, `TCP_ESTABLISHED`); None where there is no such table."""
    try:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    return {
        fields[9]
        for line in table
        if (fields := line.split())[3] == state and int(fields[1].split(":")[1], 16) == port
    }


def _listening(port: int) -> int:
    """Sockets listening on `port`; as many as asked for where that cannot be read."""
    listening = tcp_sockets(port, TCP_LISTEN)
    return sys.maxsize if listening is None else len(listening)


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(plan: dict[str, object], generator: str = "colony.bench.api_load") -> dict[str, object]:
    """Run the load generator (a module) as its own process; its JSON summary, with its CPU
    seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", generator],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr[-2000:]}")
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    summary["load_generator_cpu_s"] = round(used, 2)
    return summary


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="colony-bench-api-")
