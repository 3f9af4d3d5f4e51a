"""A follower's API writes served whole by the ledger's writer (docs/adr/0106).

Under `colony serve --workers N` a follower used to serve every route but the QR payment
itself, and each of a route's writes crossed to the writer one by one: the Idempotency-Key's
claim and release, every ledger call, and on SQLite every table write waited for the file
another process was committing to. With two workers the market's mix (`colony bench
festival`) held half what one worker did. Now a follower sends the writer a write (`POST`,
`PUT`, `PATCH` or `DELETE` to the API or a credit line's form, but a batch) as one request, once
its rate limit and body limit are taken, and relays the answer; the writer serves it with
its own app, as it would a request of its own. Reads stay where they arrive.

This module is the request's trip: what crosses (`ForwardedRequest`, plain values that
pickle), and how the writer's app answers it in process (`answered`). A route's background
tasks (Colony has none) would run before the answer is gathered, and delay it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple

from starlette.types import ASGIApp, Message, Scope

# A response as it crosses the socket: status, raw headers, body.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]

# The methods that change something; a request with any other is served where it arrives.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger(__name__)


class ForwardedRequest(NamedTuple):
    """An HTTP request as the follower's server parsed it, and its whole body."""

    method: str
    scheme: str
    path: str
    raw_path: bytes | None
    query_string: bytes
    headers: list[tuple[bytes, bytes]]
    client: tuple[str, int] | None
    server: tuple[str, int | None] | None
    http_version: str
    body: bytes
    # Set in the scope at the writer: what the follower's rate limit already took and
    # found (api/app.py's RATE_TAKEN, api/auth.py's PRESENTED_DIGEST), so it is not taken
    # twice.
    marks: dict[str, object]


def forwarded(scope: Scope, body: bytes, marks: dict[str, object]) -> ForwardedRequest:
    client, server = scope.get("client"), scope.get("server")
    return ForwardedRequest(
        method=scope["method"],
        scheme=scope.get("scheme", "http"),
        path=scope["path"],
        raw_path=scope.get("raw_path"),
        query_string=scope.get("query_string", b""),
        headers=list(scope["headers"]),
        client=tuple(client) if client else None,
        server=tuple(server) if server else None,
        http_version=scope.get("http_version", "1.1"),
        body=body,
        marks=marks,
    )


def scope_of(request: ForwardedRequest) -> Scope:
    """The request as the writer's app is given it: the follower's connection's view."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": request.http_version,
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.raw_path,
        "root_path": "",
        "query_string": request.query_string,
        "headers": request.headers,
        "client": request.client,
        "server": request.server,
        "state": {},
    }
    scope.update(request.marks)
    return scope


class NoAnswer(RuntimeError):
    """The writer's app returned without a whole response: a bug."""


async def answered(app: ASGIApp, request: ForwardedRequest) -> Answer:
    """`request` served by `app` in this process, its response gathered whole. A bug the
    app answered (its server-error layer answers 500, then raises) is logged here and its
    answer returned; one it did not answer is raised on."""
    status = 0
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    done = False
    body_sent = False

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        # Asked again only by a response that listens for the client leaving (a stream):
        # the follower's client is still there until the answer has crossed, so this waits
        # until the response is done and cancels it.
        return await asyncio.get_running_loop().create_future()  # type: ignore[no-any-return]

    async def send(message: Message) -> None:
        nonlocal status, headers, done
        if message["type"] == "http.response.start":
            status = int(message["status"])
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            done = not message.get("more_body", False)

    try:
        await app(scope_of(request), receive, send)
    except Exception:
        if not done:
            raise
        log.exception("a follower's %s %s failed at the writer", request.method, request.path)
    if not done:
        raise NoAnswer(f"{request.method} {request.path} returned without a whole response")
    return status, headers, b"".join(chunks)
