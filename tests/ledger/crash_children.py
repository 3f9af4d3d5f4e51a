"""Running a child process that is meant to die by SIGKILL part-way, for the crash tests."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

# How long a crash child may run before the test gives up on it, in seconds.
child_timeout_s = 120


def run_until_killed(module: str, *args: str) -> str:
    """Run `python -m module args...` from the repository root; it must die by SIGKILL.
    Returns what it printed."""
    child = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=child_timeout_s,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    return child.stdout
