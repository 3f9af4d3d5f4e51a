"""`colony serve --workers N` listens on a socket of each worker's own at one address
(docs/adr/0097), all but the writer's (docs/adr/0101): the address as the workers receive it,
a writer leaving it, and a server's followers each taking a share of new connections, counted
from the kernel's own tables."""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import httpx
import pytest

from colony.bench.api_bench import TCP_ESTABLISHED, TCP_LISTEN, tcp_sockets
from colony.cli import serve_workers
from colony.cli.serve_workers import port_for_workers
from colony.kernel.clock import ManualClock
from colony.workers import ElectedLedger, http_workers
from tests.cli.demo_server import child_pids, demo_server, ledger_writer, sockets_held

# Connections opened to a server of two followers; each must take at least
# `connections_each_min` (the kernel spreads them by their addresses: fewer than 5 of 40 to
# one of two happens about once in ten million servers).
connections_opened = 40
connections_each_min = 5


@pytest.fixture
def own_sockets(monkeypatch: pytest.MonkeyPatch) -> list[socket.socket]:
    """This process's public sockets as a worker's (module state), kept apart per test."""
    received: list[socket.socket] = []
    monkeypatch.setattr(serve_workers, "_public_sockets", received)
    return received


def _as_a_worker_receives_it(sock: socket.socket) -> socket.socket:
    received = pickle.loads(ForkingPickler.dumps(sock))
    assert isinstance(received, socket.socket)
    return received


def test_each_worker_receives_a_socket_of_its_own_at_the_address(
    own_sockets: list[socket.socket],
) -> None:
    address = port_for_workers("127.0.0.1", 0)
    first = second = None
    try:
        first, second = _as_a_worker_receives_it(address), _as_a_worker_receives_it(address)
        assert first.getsockname() == second.getsockname() == address.getsockname()
        assert len({address.fileno(), first.fileno(), second.fileno()}) == 3
        assert own_sockets == [first, second]  # each worker's, as that worker holds them
        for sock in (address, first, second):
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        # Both listen, as two workers do; the address itself never does (nothing waits in a
        # backlog nobody accepts from).
        first.listen()
        second.listen()
        assert address.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0
        with socket.create_connection(address.getsockname(), timeout=5):
            pass
    finally:
        for sock in (address, first, second):
            if sock is not None:
                sock.close()


def test_an_address_in_use_is_refused() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            port_for_workers("127.0.0.1", taken.getsockname()[1])


def _tcp_sockets(port: int, state: str) -> set[str]:
    found = tcp_sockets(port, state)
    assert found is not None, "no /proc/net/tcp: the kernel's table is read to count sockets"
    return found


@pytest.mark.slow
def test_the_followers_each_listen_and_take_a_share_the_writer_none(tmp_path: Path) -> None:
    """Three workers: the two followers listen at the address and share its connections; the
    writer, whose process is the ceiling among workers, serves no HTTP (docs/adr/0101)."""
    with demo_server(tmp_path / "colony.db", "--workers", "3") as server:
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        # The URL is printed once every worker serves, then the line that says so: each
        # follower already listens on a socket of its own.
        server.printed_later("All 3 workers are serving.")
        writer = ledger_writer(server)
        listening = _tcp_sockets(port, TCP_LISTEN)
        assert len(listening) == http_workers(3) == 2
        held = {pid: len(sockets_held(pid) & listening) for pid in child_pids(server)}
        followers = [pid for pid, count in held.items() if count]
        assert sorted(held[pid] for pid in followers) == [1, 1]
        assert writer not in followers
        clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(connections_opened)]
        try:
            for client in clients:
                assert client.get("/").status_code == 200  # accepted, answered, kept alive
            open_now = _tcp_sockets(port, TCP_ESTABLISHED)
            shares = [len(sockets_held(pid) & open_now) for pid in followers]
            assert sum(shares) == connections_opened, shares
            assert min(shares) >= connections_each_min, shares
            assert not sockets_held(writer) & open_now
        finally:
            for client in clients:
                client.close()


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_socket_that_cannot_bind_is_closed(own_sockets: list[socket.socket]) -> None:
    with socket.socket() as taken:  # without SO_REUSEPORT: nobody may join it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        before = _open_descriptors()
        with pytest.raises(OSError):
            serve_workers._own_socket_at(socket.AF_INET, taken.getsockname())
        assert _open_descriptors() == before and own_sockets == []


def _elected(tmp_path: Path, folder: str) -> ElectedLedger:
    return ElectedLedger(
        f"sqlite:///{tmp_path}/journal.db",
        ManualClock(),
        address=os.path.join(folder, "ledger.sock"),
        authkey=b"s" * 32,
    )


def test_a_follower_keeps_its_sockets(tmp_path: Path, own_sockets: list[socket.socket]) -> None:
    """A worker that is not the writer when asked (one that stepped down a moment before)
    keeps serving at the address."""
    public = serve_workers._own_socket_at(socket.AF_INET, ("127.0.0.1", 0))
    address = public.getsockname()
    folder = tempfile.mkdtemp(prefix="colony-test-")  # a Unix socket's path is short
    writer = _elected(tmp_path, folder)
    follower = _elected(tmp_path, folder)
    try:
        assert writer.is_writer and not follower.is_writer
        serve_workers._writer_serves_no_http(follower)
        assert public.getsockname() == address
    finally:
        follower.close()
        writer.close()
        public.close()
        shutil.rmtree(folder, ignore_errors=True)


# A writer that left the address, in a process of its own (it may signal itself): closed, or
# its ledger's storage broken under it.
_LEAVES = """
import signal, socket, sys, threading, time
from colony.cli import serve_workers
from colony.kernel.clock import ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.ledger import Account
from colony.workers import ElectedLedger
from tests.ledger.test_journal_faults import _break_storage

url, address, how = sys.argv[1:]
ended = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: ended.set())  # in a worker, uvicorn's server stops
public = serve_workers._own_socket_at(socket.AF_INET, ("127.0.0.1", 0))
port = public.getsockname()[1]
ledger = ElectedLedger(url, ManualClock(), address=address, authkey=b"s" * 32)
assert ledger.is_writer
serve_workers._writer_serves_no_http(ledger)
host, now = public.getsockname()  # the same descriptor, another socket
print("moved" if host == "127.0.0.1" and now != port else "stayed", flush=True)
with socket.socket() as other:
    other.bind(("127.0.0.1", port))  # raises while anything here holds the public port
if how == "break":
    _break_storage(ledger._hold.ledger)
    try:
        ledger.create_accounts([Account(1, 1, 1)])
    except StorageUnavailable:
        pass  # the watcher steps the writer down
    print("ended" if ended.wait(30) else "running", flush=True)
    time.sleep(1.5)  # three of the watcher's rounds: it must not stand again
    successor = ElectedLedger(url, ManualClock(), address=None)  # raises if the lock is held
    print("retired writes:", ledger.is_writer, "successor writes:", successor.is_writer, flush=True)
    successor.close()
else:
    ledger.close()
    print("ended" if ended.wait(2) else "running", flush=True)
ledger.close()
"""


@pytest.mark.parametrize(
    ("how", "printed"),
    [
        ("close", ["moved", "running"]),
        (
            "break",
            [
                "moved",
                "ended",
                "retired writes: False successor writes: True",
            ],
        ),
    ],
)
def test_a_writer_that_left_the_address_retires_when_it_steps_down(
    tmp_path: Path, how: str, printed: list[str]
) -> None:
    """As a follower it would serve nothing: stepping down, it ends (SIGTERM; once its
    ledger is closed and its lock given up, tests/workers/test_elected_ledger.py) instead of
    standing again, and the supervisor starts a worker in its place; closed, it sends
    nothing."""
    folder = tempfile.mkdtemp(prefix="colony-test-")
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                _LEAVES,
                f"sqlite:///{tmp_path}/journal.db",
                os.path.join(folder, "ledger.sock"),
                how,
            ],
            cwd=Path(__file__).parents[2],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == printed, run.stderr
