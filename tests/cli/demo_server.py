"""`colony serve --demo` as a newcomer runs it: a real process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

# How long the server may take to seed and start on a busy machine, in seconds.
server_start_timeout_s = 120.0
# How long it may take to stop after Ctrl-C, in seconds.
server_stop_timeout_s = 30.0
_READY = re.compile(r"Colony is serving on (http://127\.0\.0\.1:\d+)/")


@dataclass(frozen=True)
class DemoServer:
    url: str
    output: str  # everything printed up to and including the "serving" line
    database_url: str
    pid: int  # the `colony serve` process
    later: queue.Queue[str | None]  # what it prints afterwards, line by line (None: it ended)

    def printed_later(self, line: str, timeout_s: float = server_start_timeout_s) -> None:
        """Wait for `line` among what the server prints after the "serving" line."""
        seen: list[str] = []
        while (printed := self._next_line(seen, timeout_s, f"{line!r} not printed")) != line:
            assert printed is not None, f"colony serve exited before printing {line!r}: {seen}"
            seen.append(printed)

    def printed_until_it_ends(self, timeout_s: float = server_stop_timeout_s) -> list[str]:
        """What the server prints from now until it ends."""
        seen: list[str] = []
        while (printed := self._next_line(seen, timeout_s, "colony serve did not end")) is not None:
            seen.append(printed)
        return seen

    def _next_line(self, seen: list[str], timeout_s: float, late: str) -> str | None:
        try:
            printed = self.later.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError(f"{late} in time, only {seen}") from None
        return None if printed is None else printed.rstrip("\n")

    def secret(self, prefix: str) -> str:
        found = re.search(rf"\b{prefix}[0-9a-f]{{64}}\b", self.output)
        assert found, f"no {prefix}... printed:\n{self.output}"
        return found.group(0)

    def curl_commands(self) -> list[str]:
        return [line.strip() for line in self.output.splitlines() if line.startswith("  curl ")]


def colony_command() -> str:
    return str(Path(sys.executable).with_name("colony"))


@contextlib.contextmanager
def demo_server(database: Path | str, *options: str) -> Iterator[DemoServer]:
    """`database`: a SQLite file, or a database URL; `options`: more `colony serve` options."""
    database_url = database if isinstance(database, str) else f"sqlite:///{database}"
    process = subprocess.Popen(
        [colony_command(), "serve", "--demo", "--port", "0", "--database", database_url, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    try:
        printed: list[str] = []
        while True:
            try:
                line = lines.get(timeout=server_start_timeout_s)
            except queue.Empty:
                raise AssertionError("colony serve printed nothing in time") from None
            assert line is not None, "colony serve exited:\n" + "".join(printed)
            printed.append(line)
            ready = _READY.search(line)
            if ready:
                break
        server = DemoServer(ready.group(1), "".join(printed), database_url, process.pid, lines)
        # The socket listens before the line is printed: the first request must answer,
        # within the start-up allowance (its first page is rendered cold; under a load of 9
        # on 2 cores it once took over 30 s).
        first = httpx.get(server.url + "/", timeout=server_start_timeout_s)
        assert first.status_code == 200
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn stops, the ledger closes
        try:
            process.wait(timeout=server_stop_timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError("colony serve did not stop on Ctrl-C") from None
        finally:
            pumping.join(timeout=server_stop_timeout_s)
            assert process.stdout is not None
            process.stdout.close()


# How long `colony serve --workers N` may take to start its worker processes, in seconds.
workers_start_timeout_s = 60.0


def child_pids(server: DemoServer) -> list[int]:
    """The child processes of a `colony serve --workers N`: its workers, and the resource
    tracker of Python's multiprocessing."""
    found = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(child) for child in found]


def wait_for_workers(server: DemoServer, count: int) -> None:
    deadline = time.monotonic() + workers_start_timeout_s
    while len(child_pids(server)) < count:  # at least: the tracker is one
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)


def sockets_held(pid: int) -> set[str]:
    """The inodes of the sockets process `pid` holds open (as /proc/net's tables name them)."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if match := re.fullmatch(r"socket:\[(\d+)\]", target):
            held.add(match.group(1))
    return held


def ledger_writer(server: DemoServer) -> int:
    """The worker serving the ledger: the one holding the listening `ledger.sock`."""
    listening = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[7].endswith("/ledger.sock") and fields[3] == "00010000":
            listening.add(fields[6])
    for child in child_pids(server):
        if sockets_held(child) & listening:
            return child
    raise AssertionError("no worker serves the ledger")
