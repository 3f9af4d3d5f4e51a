"""`colony serve --workers N`: several API processes on one database, one ledger writer.

The parent process binds the listening socket, seeds demo data if asked, and hands the socket
to N uvicorn worker processes, which it supervises (a worker that dies is started again).
Each worker builds its own API context around an `ElectedLedger`: one wins the election and
writes; the others send it their ledger calls over a Unix socket in a private directory,
authenticated with a secret only this parent's children know.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from colony.api.app import PaymentsEdge, served_app
from colony.api.rate_limit import RateLimiter, rate_limit_burst, rate_limit_per_s
from colony.cli import demo_data
from colony.cli.coalesced_writes import CoalescedWritesProtocol
from colony.cli.fx_commands import MAX_AGE_ENV
from colony.cli.serve import (
    announce,
    bound_socket,
    build_context,
    closed_as_served,
    closing_once,
    reuse_address,
    server_duties,
)
from colony.kernel import heap
from colony.kernel.clock import SystemClock
from colony.workers import ElectedLedger

log = logging.getLogger(__name__)

# What the parent tells its workers, through their environment (spawned children inherit it).
_ENV_DATABASE = "COLONY_WORKER_DATABASE_URL"
_ENV_SOCKET = "COLONY_WORKER_LEDGER_SOCKET"
_ENV_SECRET = "COLONY_WORKER_LEDGER_SECRET"
_ENV_WORKERS = "COLONY_WORKER_COUNT"
_ENV_ADDRESS_RATE = "COLONY_WORKER_ADDRESS_RATE_LIMIT"
_ENV_GATHER_MS = "COLONY_WORKER_PAYMENT_GATHER_MS"
# How long the supervisor waits for a worker to say whether it serves yet, in seconds, each
# time it looks (every half second until all do): a worker answers from its own thread.
worker_ready_ask_s = 1.0


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
    """Seed (once), then supervise the workers until Ctrl-C or SIGTERM; announce once they
    all serve. `sock`: the address, bound (`port_for_workers`), not listening."""
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
        config = uvicorn.Config(
            "colony.cli.serve_workers:worker_app",
            factory=True,
            workers=workers,
            log_level="warning",
            access_log=False,
            http=CoalescedWritesProtocol,
        )
        _Supervisor(config, [sock], partial(announce, url, seeded)).run()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def port_for_workers(host: str, port: int) -> socket.socket:
    """The workers' address, bound and not listening (port 0 gets a free port): each worker
    listens on a socket of its own at it (`_EachWorkersOwn`)."""
    return bound_socket(host, port, listen=False, kind=_EachWorkersOwn, reuse_port=True)


class _EachWorkersOwn(socket.socket):
    """The workers' address, which arrives in each worker process as a new socket of its own
    bound to it (`SO_REUSEPORT`), so the kernel spreads new connections over the workers
    evenly by their addresses. On one socket shared by every worker, the worker the kernel
    wakes first takes nearly every connection while it keeps up: 62 of a load generator's 64
    here (docs/adr/0097), and a kept-alive connection stays where it was accepted."""

    def __reduce_ex__(self, protocol: object) -> tuple[object, ...]:
        # How a worker process receives it (uvicorn hands each worker its sockets pickled).
        return (_own_socket_at, (self.family, self.getsockname()))


def _own_socket_at(family: socket.AddressFamily, address: tuple[object, ...]) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        reuse_address(sock, port_too=True)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    _public_sockets.append(sock)
    # uvicorn's server listens on it, unless this worker writes (_writer_serves_no_http).
    return sock


# This worker's sockets at the public address, as it received them (none in a lone server).
_public_sockets: list[socket.socket] = []


def _writer_serves_no_http(ledger: ElectedLedger) -> None:
    """The writer among workers leaves the public address to the others (docs/adr/0101);
    a follower keeps it.

    Among workers the writer does nearly all of every payment's work (docs/adr/0078,
    0093), its process is the ceiling, and each connection it accepted put HTTP on it too.
    Called before uvicorn's server starts: each public socket's descriptor is made a private
    socket on loopback instead (bound to a port of its own, which nobody is told), so the
    server listens there and the kernel spreads the address's connections over the followers
    alone. A follower made writer later keeps serving: its public socket is already being
    listened on, and a listening socket cannot be taken from uvicorn's loop safely.

    This writer does not outlive its term: should it step down (a storage failure), it
    neither stands again nor follows (as a follower it would serve nothing); once its ledger
    is closed and its lock given up, it sends itself SIGTERM, as the supervisor stops a
    worker, and the supervisor starts a worker in its place that follows and listens at the
    public address."""
    # Asked first, then the election looked at again: a step-down in between either retires
    # this process (it ends, its sockets untouched) or happened before (it is not the writer
    # now, and keeps its sockets).
    ledger.retire_on_step_down(partial(os.kill, os.getpid(), signal.SIGTERM))
    if not ledger.is_writer:
        ledger.retire_on_step_down(None)
        return
    private: list[socket.socket] = []
    try:
        for public in _public_sockets:
            mine = socket.socket(public.family, socket.SOCK_STREAM)
            private.append(mine)
            mine.bind(("::1" if public.family == socket.AF_INET6 else "127.0.0.1", 0))
    except OSError as exc:  # no loopback of that family: serve at the address, as before
        for mine in private:
            mine.close()
        log.warning("the ledger's writer serves HTTP too: no private socket (%s)", exc)
        ledger.retire_on_step_down(None)
        return
    for public, mine in zip(_public_sockets, private, strict=True):
        os.dup2(mine.fileno(), public.fileno(), inheritable=False)  # the public one closed
        mine.close()


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, which also says when every worker serves: `serving` at start,
    a line again once a worker started in place of one that died serves."""

    def __init__(
        self, config: uvicorn.Config, sockets: list[socket.socket], serving: Callable[[], None]
    ) -> None:
        super().__init__(config, sockets)
        self._serving = serving
        self._said_serving: frozenset[int | None] = frozenset()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()
        pids = frozenset(process.pid for process in self.processes)
        if pids == self._said_serving or self.should_exit.is_set():
            return
        # Asked on this loop's thread only: the health-check pipe takes one question at a time.
        if all(process.is_ready(timeout=worker_ready_ask_s) for process in self.processes):
            if not self._said_serving:
                self._serving()
            self._said_serving = pids
            typer.echo(f"All {len(pids)} workers are serving.")


def worker_app() -> PaymentsEdge:
    """One worker's app (uvicorn calls this in each worker process)."""
    settings = WorkerSettings.from_env()
    clock = SystemClock()
    ledger = ElectedLedger(
        settings.database_url, clock, address=settings.ledger_socket, authkey=settings.secret
    )
    ctx = build_context(settings.database_url, clock, ledger=ledger)
    server_duties(ctx, ledger)
    if settings.workers > 1:
        _writer_serves_no_http(ledger)
    # Each limit is the whole server's: every worker enforces its share of it.
    n = settings.workers
    ctx.limiter = RateLimiter(clock, rate_limit_per_s, rate_limit_burst, processes=n)
    rate = settings.address_rate_limit
    ctx.address_limiter = RateLimiter(clock, rate, 2 * rate, processes=n)
    ctx.payment_gather_s = settings.payment_gather_ms / 1000

    close = closing_once(ctx)
    atexit.register(close)  # a worker whose app never started
    edge = served_app(ctx)
    closed_as_served(edge, close, f"A worker has stopped ({os.getpid()}): its ledger is closed.")
    heap.settle()  # started: what the heap holds now stays (kernel/heap.py)
    return edge
