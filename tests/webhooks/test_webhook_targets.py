"""Webhook URLs reach public addresses only: checked after DNS, at setting and at delivery.

The resolver is passed in, so a name can be made to resolve anywhere, and to change its
answer between the check at setting and the delivery (DNS rebinding), without a network.
"""

from __future__ import annotations

import httpx
import pytest

from colony.api.context import ApiContext
from colony.cli.serve import webhook_dispatcher
from colony.webhooks.http_sender import HttpSender
from colony.webhooks.targets import TargetRefused, WebhookTargets
from tests.api.test_payment_api import merchant_headers, onboard
from tests.webhooks.receiver import receiver
from tests.webhooks.test_webhook_delivery import pay, shop_and_payer, static_code

Served = tuple[httpx.Client, ApiContext]
PUBLIC = "93.184.216.34"


def resolving_to(*addresses: str) -> WebhookTargets:
    return WebhookTargets(resolve=lambda host, port: list(addresses))


@pytest.mark.parametrize(
    ("addresses", "why"),
    [
        (["127.0.0.1"], "loopback"),
        (["127.8.9.10"], "loopback"),
        (["::1"], "loopback"),
        (["::ffff:127.0.0.1"], "loopback"),  # IPv4 inside IPv6
        (["10.1.2.3"], "private"),
        (["172.16.0.9"], "private"),
        (["192.168.1.1"], "private"),
        (["fd00:ec2::254"], "private"),  # the EC2 metadata service over IPv6
        (["169.254.169.254"], "link-local"),  # the cloud metadata service
        (["fe80::1"], "link-local"),
        (["100.64.0.1"], "not public"),  # carrier-grade NAT
        (["0.0.0.0"], "private"),
        (["224.0.0.1"], "reserved"),
        ([PUBLIC, "10.0.0.1"], "private"),  # every address is checked, not just the first
    ],
)
def test_internal_addresses_are_refused(addresses: list[str], why: str) -> None:
    with pytest.raises(TargetRefused, match=why) as refused:
        resolving_to(*addresses).check("https://hooks.shop.example/in")
    assert refused.value.code == "url_forbidden"


def test_a_public_address_is_taken_and_loopback_only_when_allowed() -> None:
    target = resolving_to(PUBLIC).check("https://hooks.shop.example:8443/in")
    assert (target.host, target.port, str(target.address)) == ("hooks.shop.example", 8443, PUBLIC)
    with pytest.raises(TargetRefused, match="does not resolve"):
        WebhookTargets(resolve=lambda host, port: []).check("https://nowhere.example/")
    allowed = WebhookTargets(allow_loopback=True, resolve=lambda host, port: ["127.0.0.1"])
    assert str(allowed.check("http://localhost:9/in").address) == "127.0.0.1"
    with pytest.raises(TargetRefused, match="private"):
        WebhookTargets(allow_loopback=True, resolve=lambda h, p: ["10.0.0.1"]).check(
            "https://intranet.example/"
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost:5432/hooks",  # resolved by the system: /etc/hosts
        "http://[::1]:8080/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/hooks",
        "https://[::ffff:7f00:1]/hooks",
    ],
)
def test_setting_an_internal_url_is_refused(served: Served, url: str) -> None:
    client, ctx = served
    ctx.webhook_targets = WebhookTargets()  # as `colony serve` makes it, by default
    shop = onboard(client, ctx)
    response = client.post(
        "/v1/merchants/me/webhook_endpoint",
        json={"url": url},
        headers=merchant_headers(shop, "hook"),
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "url_forbidden"
    assert response.json()["error"]["param"] == "url"
    assert ctx.webhook_store.endpoint(str(shop["id"])) is None


def test_a_name_that_rebinds_to_loopback_after_setting_gets_nothing(served: Served) -> None:
    client, ctx = served
    merchant, alice = shop_and_payer(client, ctx)
    answers = [PUBLIC]  # what the name resolves to now
    ctx.webhook_targets = WebhookTargets(resolve=lambda host, port: list(answers))
    with receiver() as got:
        port = got.url.rsplit(":", 1)[1].split("/")[0]
        response = client.post(
            "/v1/merchants/me/webhook_endpoint",
            json={"url": f"https://rebind.example:{port}/hooks"},
            headers=merchant_headers(merchant, "hook"),
        )
        assert response.status_code == 201, response.text
        answers[:] = ["127.0.0.1"]  # the attacker's DNS now points at the server itself
        pay(client, alice, static_code(client, merchant), "p1")
        sender = HttpSender(ctx.webhook_targets, timeout_s=5)
        try:
            assert webhook_dispatcher(ctx, sender).run_once() == (1, 0)
        finally:
            sender.close()
    assert got.bodies == []
    (event,) = ctx.webhook_store.events(str(merchant["id"]), 10, None)[0]
    (attempt,) = ctx.webhook_store.attempts_of([event.id])[event.id]
    assert attempt.status_code is None and "loopback" in attempt.error


def test_delivery_connects_to_the_checked_address_under_the_urls_name() -> None:
    resolved: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]  # the system resolver knows no such name

    sender = HttpSender(WebhookTargets(allow_loopback=True, resolve=resolve), timeout_s=5)
    try:
        with receiver() as got:
            port = got.url.rsplit(":", 1)[1].split("/")[0]
            answer = sender(f"http://hooks.shop.example:{port}/hooks", b"{}", {})
    finally:
        sender.close()
    assert answer.status_code == 200
    assert resolved == ["hooks.shop.example"]  # resolved once, by the check
    assert got.headers[0]["Host"] == f"hooks.shop.example:{port}"


def test_an_endpoints_answer_is_never_repeated_into_the_log() -> None:
    sender = HttpSender(WebhookTargets(allow_loopback=True), timeout_s=5)
    try:
        with receiver([500], answer=b'{"AccessKeyId":"ASIA-internal-secret"}') as got:
            answer = sender(got.url, b"{}", {})
    finally:
        sender.close()
    assert answer.status_code == 500
    assert answer.error == "endpoint answered 500 Internal Server Error"
    assert "secret" not in answer.error
