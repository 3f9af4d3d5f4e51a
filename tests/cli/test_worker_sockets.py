"""`colony serve --workers N` listens on a socket of each worker's own at one address
(docs/adr/0097): the address as the workers receive it, and a server's workers each taking a
share of new connections, counted from the kernel's own tables."""

from __future__ import annotations

import os
import pickle
import re
import socket
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import httpx
import pytest

from colony.bench.api_bench import TCP_ESTABLISHED, TCP_LISTEN, tcp_sockets
from colony.cli.serve_workers import port_for_workers
from tests.cli.demo_server import demo_server

# Connections opened to a server of two workers; each worker must take at least
# `connections_each_min` (the kernel spreads them by their addresses: fewer than 5 of 40 to
# one worker happens about once in ten million servers).
connections_opened = 40
connections_each_min = 5


def _as_a_worker_receives_it(sock: socket.socket) -> socket.socket:
    received = pickle.loads(ForkingPickler.dumps(sock))
    assert isinstance(received, socket.socket)
    return received


def test_each_worker_receives_a_socket_of_its_own_at_the_address() -> None:
    address = port_for_workers("127.0.0.1", 0)
    first = second = None
    try:
        first, second = _as_a_worker_receives_it(address), _as_a_worker_receives_it(address)
        assert first.getsockname() == second.getsockname() == address.getsockname()
        assert len({address.fileno(), first.fileno(), second.fileno()}) == 3
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


def _held_by(pid: int, inodes: set[str]) -> int:
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        held += bool(match and match.group(1) in inodes)
    return held


@pytest.mark.slow
def test_two_workers_each_listen_and_each_take_a_share_of_connections(tmp_path: Path) -> None:
    with demo_server(tmp_path / "colony.db", "--workers", "2") as server:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        # The URL is printed once both serve, then the line that says so: each already
        # listens on a socket of its own.
        server.printed_later("All 2 workers are serving.")
        listening = _tcp_sockets(port, TCP_LISTEN)
        assert len(listening) == 2
        held = {int(pid): _held_by(int(pid), listening) for pid in children}
        workers = [pid for pid, count in held.items() if count]
        assert sorted(held[pid] for pid in workers) == [1, 1]
        clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(connections_opened)]
        try:
            for client in clients:
                assert client.get("/").status_code == 200  # accepted, answered, kept alive
            open_now = _tcp_sockets(port, TCP_ESTABLISHED)
            shares = [_held_by(pid, open_now) for pid in workers]
            assert sum(shares) == connections_opened, shares
            assert min(shares) >= connections_each_min, shares
        finally:
            for client in clients:
                client.close()
