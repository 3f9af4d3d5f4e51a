"""Delivering one webhook over HTTP, to the address the URL's check resolved."""

from __future__ import annotations

import http

import httpx

from colony.webhooks.dispatcher import Answer, delivery_timeout_s
from colony.webhooks.targets import TargetRefused, WebhookTargets


def status_reason(status_code: int) -> str:
    """The standard reason for a status, never the endpoint's own words: what an endpoint
    answers is not repeated into the delivery log (a URL pointed at an internal service
    would otherwise read that service out to the merchant)."""
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return "non-standard status"


class HttpSender:
    """Posts each delivery to the address its URL resolved to when checked, just before.

    The connection goes to the checked address (the URL's host is kept as the Host header and
    the TLS server name, so certificates are checked against the name), so a DNS answer that
    changes between the check and the connection cannot move a delivery onto an internal
    address. Connections are not kept alive: a pooled connection is keyed by address, and one
    opened for another host name at the same address must not carry this one's delivery.
    Redirects are not followed (the URL is the contract).
    """

    def __init__(
        self, targets: WebhookTargets | None = None, timeout_s: float = delivery_timeout_s
    ) -> None:
        self._targets = targets or WebhookTargets()
        self._client = httpx.Client(
            timeout=timeout_s,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            target = self._targets.check(url)
        except TargetRefused as refused:
            return Answer(None, f"refused: {refused}")
        at_address = httpx.URL(url).copy_with(host=str(target.address))
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            response = self._client.post(
                at_address,
                content=body,
                headers=headers | {"Host": httpx.URL(url).netloc.decode("ascii")},
                extensions=extensions,
            )
        except httpx.HTTPError as exc:
            # The kind of failure only: a protocol error's message can quote what was read.
            return Answer(None, type(exc).__name__)
        if 200 <= response.status_code < 300:
            return Answer(response.status_code)
        code = response.status_code
        return Answer(code, f"endpoint answered {code} {status_reason(code)}")

    def close(self) -> None:
        self._client.close()
