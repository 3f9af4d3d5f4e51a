"""`colony serve --workers N`: several API processes on one database, one ledger writer.

The parent process binds the listening socket, seeds demo data if asked, and hands the socket
to N uvicorn worker processes, which it supervises (a worker that dies is started again).
Each worker builds its own API context around an `ElectedLedger`: one wins the election and
writes; the others send it their ledger calls over a Unix socket in a private directory,
authenticated with a secret only this parent's children know.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import tempfile
from dataclasses import dataclass

import uvicorn
from uvicorn.supervisors import Multiprocess

from colony.api.app import PaymentsEdge, served_app
from colony.api.rate_limit import RateLimiter, rate_limit_burst, rate_limit_per_s
from colony.cli import demo_data
from colony.cli.coalesced_writes import CoalescedWritesProtocol
from colony.cli.fx_commands import MAX_AGE_ENV
from colony.cli.serve import announce, build_context, server_duties
from colony.kernel import heap
from colony.kernel.clock import SystemClock
from colony.workers import ElectedLedger

# What the parent tells its workers, through their environment (spawned children inherit it).
_ENV_DATABASE = "COLONY_WORKER_DATABASE_URL"
_ENV_SOCKET = "COLONY_WORKER_LEDGER_SOCKET"
_ENV_SECRET = "COLONY_WORKER_LEDGER_SECRET"
_ENV_WORKERS = "COLONY_WORKER_COUNT"
_ENV_ADDRESS_RATE = "COLONY_WORKER_ADDRESS_RATE_LIMIT"
_ENV_GATHER_MS = "COLONY_WORKER_PAYMENT_GATHER_MS"


@dataclass(frozen=True)
class WorkerSettings:
    database_url: str
    ledger_socket: str
    secret: bytes
    workers: int
    address_rate_limit: int
    payment_gather_ms: float

    @classmethod
    def from_env(cls) -> WorkerSettings:
        env = os.environ
        return cls(
            env[_ENV_DATABASE],
            env[_ENV_SOCKET],
            bytes.fromhex(env[_ENV_SECRET]),
            int(env[_ENV_WORKERS]),
            int(env[_ENV_ADDRESS_RATE]),
            float(env[_ENV_GATHER_MS]),
        )


def run(
    database_url: str,
    sock: socket.socket,
    url: str,
    workers: int,
    demo: bool,
    address_rate_limit: int,
    payment_gather_ms: float,
) -> None:
    """Seed (once), announce, then supervise the workers until Ctrl-C or SIGTERM."""
    if demo:
        ctx = build_context(database_url)
        try:
            seeded = demo_data.seed(ctx)
        finally:
            ctx.ledger.close()
            ctx.close_stores()
    else:
        seeded = None
    if seeded is not None and seeded.rate_age_days is not None:
        os.environ[MAX_AGE_ENV] = str(seeded.rate_age_days)  # the workers quote as the seed did
    private = tempfile.mkdtemp(prefix="colony-serve-")  # 0700: only this user may enter
    try:
        os.environ.update(
            {
                _ENV_DATABASE: database_url,
                _ENV_SOCKET: os.path.join(private, "ledger.sock"),
                _ENV_SECRET: secrets.token_hex(32),
                _ENV_WORKERS: str(workers),
                _ENV_ADDRESS_RATE: str(address_rate_limit),
                _ENV_GATHER_MS: str(payment_gather_ms),
            }
        )
        announce(url, seeded)
        config = uvicorn.Config(
            "colony.cli.serve_workers:worker_app",
            factory=True,
            workers=workers,
            log_level="warning",
            access_log=False,
            http=CoalescedWritesProtocol,
        )
        Multiprocess(config, sockets=[sock]).run()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def worker_app() -> PaymentsEdge:
    """One worker's app (uvicorn calls this in each worker process)."""
    settings = WorkerSettings.from_env()
    clock = SystemClock()
    ledger = ElectedLedger(
        settings.database_url, clock, address=settings.ledger_socket, authkey=settings.secret
    )
    ctx = build_context(settings.database_url, clock, ledger=ledger)
    server_duties(ctx, ledger)
    # Each limit is the whole server's: every worker enforces its share of it.
    n = settings.workers
    ctx.limiter = RateLimiter(clock, rate_limit_per_s, rate_limit_burst, processes=n)
    rate = settings.address_rate_limit
    ctx.address_limiter = RateLimiter(clock, rate, 2 * rate, processes=n)
    ctx.payment_gather_s = settings.payment_gather_ms / 1000

    def close() -> None:
        ledger.close()
        ctx.close_stores()

    atexit.register(close)
    edge = served_app(ctx)
    heap.settle()  # started: what the heap holds now stays (kernel/heap.py)
    return edge
