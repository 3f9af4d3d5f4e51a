"""A QR payment through the served app (`served_app`) in process, as a loopback client's."""

from __future__ import annotations

from typing import Any

from colony.bench import in_process_bench


async def answer(
    edge: Any,
    body: bytes,
    token: str,
    key: str,
    receive: Any = None,
    headers: dict[bytes, bytes | None] | None = None,
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """`POST /v1/payments` with `body` through `edge`, paid by the wallet of `token` under
    Idempotency-Key `key`: the answer's status, headers and body. `receive`: the request's
    ASGI `receive` (by default the body whole, then a client that stays); `headers`: request
    headers set instead (None: left out)."""
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        else:
            chunks.append(message.get("body", b""))

    scope = in_process_bench.payment_scope(body, token, key, 40_000)
    if headers:
        kept = [(k, v) for k, v in scope["headers"] if k not in headers]
        scope["headers"] = kept + [(k, v) for k, v in headers.items() if v is not None]
    await edge(scope, receive or in_process_bench.body_once(body), send)
    return int(started["status"]), list(started["headers"]), b"".join(chunks)
