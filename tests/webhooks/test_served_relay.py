"""The relay inside a real `colony serve` process delivers on its own, signed."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from colony.merchants.webhook_signature import HEADER, verify
from tests.cli.demo_server import demo_server
from tests.webhooks.receiver import receiver

# How long the background relay may take to deliver on a busy machine, in seconds.
delivery_wait_s = 30.0


def test_colony_serve_delivers_webhooks_by_itself(tmp_path: Path) -> None:
    with (
        demo_server(tmp_path / "demo.db", "--allow-loopback-webhooks") as server,
        receiver() as got,
    ):
        merchant = {"Authorization": f"Bearer {server.secret('mk_')}"}
        wallet = {"Authorization": f"Bearer {server.secret('wtok_')}"}
        with httpx.Client(base_url=server.url, timeout=30) as http:
            hook = http.post(
                "/v1/merchants/me/webhook_endpoint",
                json={"url": got.url},
                headers=merchant | {"Idempotency-Key": "hook"},
            )
            assert hook.status_code == 201, hook.text
            secret = hook.json()["secret"].encode()
            code = http.get("/v1/merchants/me/qr_code", headers=merchant).json()["payload"]
            paid = http.post(
                "/v1/payments",
                json={"payload": code, "amount_minor": 350},
                headers=wallet | {"Idempotency-Key": "pay"},
            )
            assert paid.status_code == 201, paid.text
            deadline = time.monotonic() + delivery_wait_s
            while not got.bodies and time.monotonic() < deadline:
                time.sleep(0.1)
            assert got.bodies, "no webhook arrived"
            assert paid.json()["id"].encode() in got.bodies[0]
            verify(got.bodies[0], got.headers[0][HEADER], secret, int(time.time()))
            log = http.get("/v1/merchants/me/webhook_events", headers=merchant).json()
            assert log["data"][0]["type"] == "payment.succeeded"
