"""Fuzzing the HTTP API from its own OpenAPI spec: whatever it is sent, it never answers 5xx,
and every answer it gives matches the schema the spec declares for its status.

schemathesis generates requests from /openapi.json and sends them over loopback to a live
server; a wallet token, a merchant key or the operator's key is supplied so that each kind's
routes are exercised past their 401, and Idempotency-Key values are generated too. The
number of examples and the seed are fixed, so a failure replays.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from tests.api.test_payment_api import onboard, operator_headers
from tests.api.test_wallet_api import open_wallet

# Among the suite's longest files: started first (tests/conftest.py)
pytestmark = pytest.mark.slow

examples_per_operation = 25
SEED = 20261124
# The longest the fuzzing run may take, in seconds.
fuzz_timeout_s = 300


@pytest.mark.parametrize("caller", ["wallet", "merchant", "operator"])
def test_no_request_makes_the_api_fail(
    served: tuple[httpx.Client, ApiContext], tmp_path: Path, caller: str
) -> None:
    """Once per kind of caller, so each kind's routes are fuzzed past their 401."""
    client, ctx = served
    wallet = open_wallet(client, "+6591234567")
    ctx.wallets.cash_in("+6591234567", "SGD", 10_000)
    merchant = onboard(client, ctx)
    credential = {
        "wallet": str(wallet["token"]),
        "merchant": str(merchant["api_key"]),
        "operator": operator_headers(ctx)["Authorization"].removeprefix("Bearer "),
    }[caller]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{str(client.base_url).rstrip('/')}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            str(examples_per_operation),
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--workers",
            "1",
            "-H",
            f"Authorization: Bearer {credential}",
        ],
        capture_output=True,
        text=True,
        timeout=fuzz_timeout_s,
        cwd=tmp_path,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
