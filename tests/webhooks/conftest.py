"""The loopback API server and the payments fixture, shared with the API and payments tests.

Webhook tests deliver to a receiver on loopback, so their server allows loopback webhooks
(the development setting), and names under `.example` resolve to a public address without
a network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.webhooks.targets import WebhookTargets, system_resolver
from tests.api.test_wallet_api import on_loopback
from tests.payments.test_qr_payment import shop

__all__ = ["LOOPBACK_TARGETS", "served", "shop"]

# A public address (example.com's) that the test names resolve to; nothing is sent there.
EXAMPLE_ADDRESS = "93.184.216.34"


def _resolve(host: str, port: int) -> list[str]:
    if host.endswith(".example") or host.endswith("example.com"):
        return [EXAMPLE_ADDRESS]
    return system_resolver(host, port)


LOOPBACK_TARGETS = WebhookTargets(allow_loopback=True, resolve=_resolve)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[httpx.Client, ApiContext]]:
    ctx = build_context(f"sqlite:///{tmp_path}/api.db")
    ctx.webhook_targets = LOOPBACK_TARGETS
    with on_loopback(ctx) as client:
        yield client, ctx
