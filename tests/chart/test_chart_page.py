"""docs/chart-of-accounts.md is what the chart renders: never edited by hand, never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from colony.chart import AccountCode, IdPrefix, Slots, TransferCode
from colony.chart.markdown import REGENERATE, render
from colony.chart.slots import SLOTS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "chart-of-accounts.md"


def test_the_committed_page_is_what_the_chart_renders() -> None:
    assert PAGE.read_text() == render(), f"docs/chart-of-accounts.md is stale: run {REGENERATE}"


def test_the_page_names_every_entry() -> None:
    page = render()
    names = [*AccountCode, *TransferCode, *IdPrefix]
    assert all(f"`{entry.name}`" in page for entry in names)
    assert all(f"`{slot.name}`" in page for slot in SLOTS) and Slots.clearing_leg in SLOTS


def test_the_module_prints_the_page_and_checks_the_chart() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "colony.chart", "--markdown"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert printed.stdout == render()
    checked = subprocess.run(
        [sys.executable, "-m", "colony.chart", "--check"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0 and checked.stderr == ""
