"""Delivering one webhook over HTTP."""

from __future__ import annotations

import httpx

from colony.webhooks.dispatcher import Answer, delivery_timeout_s

# How much of an endpoint's error answer is kept in the delivery log, in characters.
error_excerpt_max = 200


class HttpSender:
    """Posts with one pooled client; redirects are not followed (the URL is the contract)."""

    def __init__(self, timeout_s: float = delivery_timeout_s) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:error_excerpt_max])
        if 200 <= response.status_code < 300:
            return Answer(response.status_code)
        excerpt = response.text[:error_excerpt_max]
        return Answer(response.status_code, f"endpoint answered {response.status_code}: {excerpt}")

    def close(self) -> None:
        self._client.close()
