"""`colony bench risk` ends with one JSON object naming the check's p99 and the rate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from colony.bench.risk_bench import stream
from colony.cli.main import app as cli


def test_the_stream_replays_from_its_seed() -> None:
    assert stream(3, 200, 1_000) == stream(3, 200, 1_000)
    assert stream(3, 200, 1_000) != stream(4, 200, 1_000)


def test_the_last_line_is_one_json_object(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/risk.db"
    args = ["bench", "risk", "--checks", "300", "--rate", "20000", "--json", "--database", url]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["checks"] == 300
    assert figures["p99_ms"] > 0 and figures["payments_per_second"] > 0
