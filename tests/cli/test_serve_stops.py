"""`colony serve` stopped by SIGTERM (a service manager's, a container's stop) closes its
ledger and stores before it ends, as Ctrl-C does: uvicorn raises a SIGTERM again once its
server has stopped, with the default handler, which ends the process at once, before any
`finally` or `atexit` (docs/adr/0103)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.cli.demo_server import demo_server


def test_a_sigterm_stops_a_lone_server_with_its_ledger_closed(tmp_path: Path) -> None:
    with demo_server(tmp_path / "colony.db") as server:
        os.kill(server.pid, signal.SIGTERM)
        printed = server.printed_until_it_ends()
    assert "Colony has stopped: its ledger and stores are closed." in printed, printed


@pytest.mark.slow
def test_a_sigterm_stops_every_worker_with_its_ledger_closed(tmp_path: Path) -> None:
    with demo_server(tmp_path / "colony.db", "--workers", "2") as server:
        server.printed_later("All 2 workers are serving.")
        os.kill(server.pid, signal.SIGTERM)  # the supervisor's: it stops each worker so
        printed = server.printed_until_it_ends()
    stopped = [line for line in printed if line.startswith("A worker has stopped")]
    assert len(stopped) == 2, printed
