"""The FastAPI application: the error shape, the rate limits in front, and every product's
router (`<product>/router.py`), in the order their routes are matched."""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colony import __version__
from colony.api import auth, errors, page
from colony.api.admission import PaymentsInFlight, server_busy
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.forwarded_payments import run_forward_timeout_s
from colony.api.forwarded_requests import WRITE_METHODS, forwarded
from colony.api.gather import PaymentGate, forwarded_gather_max, payment_gather_max
from colony.api.idempotency import idempotency_key_chars_max
from colony.api.openapi import describe
from colony.api.rate_limit import RateLimiter, address_share, rate_limit_burst, rate_limit_per_s
from colony.credit import line_router as credit_lines
from colony.credit import score_pages as credit_score_pages
from colony.credit import scores_router as credit_scores
from colony.disputes import app_pages as complaint_app_pages
from colony.disputes import console_pages as complaint_console_pages
from colony.disputes import portal_pages as complaint_portal_pages
from colony.disputes import router as disputes
from colony.donations import router as donations
from colony.fx import router as fx
from colony.fx import treasury_router as treasury
from colony.ledger import router as ledger
from colony.loans import console_pages as loans_console_pages
from colony.loans import merchant_loans_router as merchant_loans
from colony.loans import merchant_pages as merchant_loan_pages
from colony.loans import pages as loans_pages
from colony.loans import router as loans
from colony.merchants import developer_pages as merchant_developer_pages
from colony.merchants import pages as merchant_pages
from colony.merchants import payment_pages as merchant_payment_pages
from colony.merchants import report_pages as merchant_report_pages
from colony.merchants import router as merchants
from colony.merchants import signin_pages as merchant_signin_pages
from colony.merchants import staff_pages as merchant_staff_pages
from colony.merchants import till_pages as merchant_till_pages
from colony.partners import router as partners
from colony.payments import pages as payment_pages
from colony.payments import router as payments
from colony.phones import router as phones
from colony.risk import console_pages as risk_console_pages
from colony.settlement import router as settlement
from colony.settlement import statement_bytes_max
from colony.staff import console_pages, live_pages, money_pages, signin_pages
from colony.staff import merchant_pages as console_merchant_pages
from colony.staff import partner_pages as console_partner_pages
from colony.staff import payment_pages as console_payment_pages
from colony.staff import settlement_pages as console_settlement_pages
from colony.staff import setup_pages as console_setup_pages
from colony.staff import staff_pages as console_staff_pages
from colony.staff import wallet_pages as console_wallet_pages
from colony.staff import webhook_pages as console_webhook_pages
from colony.wallets import funding_router as funding
from colony.wallets import pages as wallet_pages
from colony.wallets import router as wallets
from colony.web import app_pages, shell
from colony.web.guard import HEADERS_ADDED, SecurityHeaders
from colony.webhooks import router as webhooks

# The largest request body a route takes, in bytes: a payment's is a few hundred, and the
# largest model (a merchant's onboarding) a few kilobytes.
request_bytes_max = 64 * 1024
# The largest body a batch route takes, in bytes: a settlement statement file (its own
# limit), or 8,190 ledger events (well under 1 KiB each as JSON).
batch_request_bytes_max = statement_bytes_max

# Every product's routes, in the order they are matched (and listed in the OpenAPI
# description): payments first, the hot path, so a payment is matched against the fewest
# routes. No two routers' paths overlap. A new product adds its router here; the app's own
# page (`/`) comes last.
ROUTERS: tuple[APIRouter, ...] = (
    payments.router,
    wallets.router,
    merchants.router,
    webhooks.router,
    funding.router,
    ledger.router,
    fx.router,
    partners.router,
    treasury.router,
    settlement.router,
    donations.router,
    disputes.router,
    phones.router,
    credit_scores.router,
    loans.router,
    credit_lines.router,
    merchant_loans.router,
    page.router,
)
# The screens (docs/adr/0038), after the API's routes: the wallet app's way in, then each
# product's pages (`<product>/pages.py`). A product with screens adds its pages here.
PAGES: tuple[APIRouter, ...] = (
    app_pages.router,
    wallet_pages.router,
    payment_pages.router,
    complaint_app_pages.router,
    signin_pages.router,
    console_pages.router,
    console_wallet_pages.router,
    live_pages.router,
    money_pages.router,
    console_merchant_pages.router,
    console_partner_pages.router,
    console_payment_pages.router,
    console_webhook_pages.router,
    complaint_console_pages.router,
    risk_console_pages.router,
    console_settlement_pages.router,
    console_staff_pages.router,
    console_setup_pages.router,
    merchant_signin_pages.router,
    merchant_pages.router,
    merchant_payment_pages.router,
    merchant_till_pages.router,
    merchant_report_pages.router,
    merchant_developer_pages.router,
    merchant_staff_pages.router,
    complaint_portal_pages.router,
    credit_score_pages.router,
    loans_pages.router,
    loans_console_pages.router,
    merchant_loan_pages.router,
)


# FastAPI's own OpenTelemetry, off: Colony configures no provider, and FastAPI asked the
# global ones on every request whether one had been set since (the environment read for
# each of three providers), about 4 % of the server's time under load.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class RequestTooLarge(StarletteHTTPException):
    """A body streamed past its route's limit: raised from `receive`, where FastAPI passes an
    HTTPException on unchanged, and answered 413 in Colony's shape (api/errors.py)."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(413, f"the request body is larger than {limit_bytes:,} bytes")


def _batch(path: str) -> bool:
    """The routes that take a batch: ledger events (`/v1/ledger/*/batch`), a settlement
    statement file (`/v1/settlements/*/reconciliations`), a complaint's photo
    (`/v1/complaints/*/attachments`, the app's `/app/complaints/*/photos`, held to its own
    limit). Most paths fail the first test."""
    return path.endswith(("/batch", "/reconciliations", "/attachments", "/photos")) and (
        path.startswith(("/v1/ledger/", "/v1/settlements/", "/v1/complaints/", "/app/complaints/"))
    )


class BodyLimited:
    """Every request body is capped (`request_bytes_max`, the batch routes'
    `batch_request_bytes_max`) before any of it is held: one past its Content-Length is refused
    413 at once, unread, and one streamed without a length is counted as it arrives. Without
    a cap, an 11 MB body cost the server 250 MB of memory to parse."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = batch_request_bytes_max if _batch(scope["path"]) else request_bytes_max
        length = b""
        for name, value in scope["headers"]:  # a plain loop: the cheapest on the hot path
            if name == b"content-length":
                length = value
                break
        if length.isdigit():
            # The server holds a body to its Content-Length, so this is the whole check.
            if int(length) <= limit:
                await self._app(scope, receive, send)
                return
            error = ApiError(413, "request_too_large", RequestTooLarge(limit).detail)
            await error.response()(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestTooLarge(limit)
            return message

        await self._app(scope, counted, send)


# Where a follower's writes cross to the writer whole (`_crosses`): the API, and the wallet
# app's forms that change a credit line (the line's service makes one change at a time under
# a lock of its process, so every change to a line is made in the writer's). The other forms
# stay where they arrive: their handlers' work (a PIN's or a password's Argon2 check, reads)
# would take the writer's CPU from its payments.
CROSSING_PREFIXES = ("/v1/", "/app/credit/")
# The writes that run over many records, waited for `run_forward_timeout_s`, not a payment's
# limit.
LONG_RUNS = frozenset({"/v1/credit_lines/runs"})

# Set in a request's scope once its rate limit is taken (`PaymentsEdge`), so the app's own
# `RateLimited` does not take it twice.
RATE_TAKEN = "colony.rate_taken"


class RateLimited:
    """Every request draws on its address's bucket, and a credentialed one on the
    credential's too: made-up tokens sprayed from one place are still throttled there. A key
    the operator gave its own rate is vouched for: it draws on its own bucket only.

    Plain ASGI rather than `@app.middleware("http")`, whose wrapping of every request in
    streams and a task group was a tenth of the server's time per payment."""

    def __init__(self, app: ASGIApp, ctx: ApiContext) -> None:
        self._app, self._ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = self._ctx
        if (
            scope["type"] != "http"
            or ctx.limiter is None
            or ctx.address_limiter is None
            or RATE_TAKEN in scope
        ):
            await self._app(scope, receive, send)
            return
        client = scope.get("client")
        address = f"addr:{client[0] if client else '?'}"
        credential = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        own_rate = auth.own_rate_limit(ctx, credential)
        wait_s = 0 if own_rate else ctx.address_limiter.take(address)
        if not wait_s and credential:
            # Keyed on the credential as parsed, not the header as written: another spelling
            # of one token (more spaces) is the same caller with the same bucket.
            presented = auth.presented_digest(credential)
            scope[auth.PRESENTED_DIGEST] = (credential, presented)
            wait_s = ctx.limiter.take(presented, own_rate)
        if not wait_s:
            await self._app(scope, receive, send)
            return
        error = ApiError(
            429,
            "rate_limited",
            f"too many requests: retry in {wait_s} s",
            type_="rate_limit_error",
            retry_after_s=wait_s,
        )
        await error.response()(scope, receive, send)


class PaymentsFirst:
    """`POST /v1/payments`, the route every QR payment takes, served without FastAPI's
    routing and request machinery: the body read, parsed and validated as FastAPI would
    (`json.loads`, then the route's model), and the route's own function called. About a
    quarter of a payment's CPU was FastAPI's and Starlette's layers (docs/adr/0033).

    Anything the fast path is not sure of (a body that does not parse or validate, another
    content type, a root path) goes to FastAPI with the body as read, so every refusal is
    answered exactly as the route declared: the path only shortens a request FastAPI would
    serve. Exceptions the route raises are answered by the app's own handlers. A payment
    takes a place among those in flight once its body is whole, whichever way it is then
    served, or is turned away `server_busy` when none is free (`PaymentsInFlight`,
    docs/adr/0108)."""

    def __init__(self, app: ASGIApp, in_flight: PaymentsInFlight) -> None:
        self._app = app
        self._in_flight = in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_payment(scope):
            await self._app(scope, receive, send)
            return
        request = Request(scope)
        try:
            body = await _whole_body(receive)  # a body past its limit raises here (413)
        except ClientDisconnect:
            return  # nobody to answer, and nothing begun
        except Exception as exc:
            await (await _answer_to_error(request, exc))(scope, receive, send)
            return
        # Whole: the payment takes a place among those in flight, whichever way it is
        # served (a body handed on to FastAPI is served by the same route), or is turned
        # away at once, nothing begun (docs/adr/0108).
        if not self._in_flight.enter():
            await server_busy().response()(scope, receive, send)
            return
        try:
            await self._served(scope, receive, send, request, body)
        finally:  # answered, refused, raised or cancelled (its client gone)
            self._in_flight.leave()

    async def _served(
        self, scope: Scope, receive: Receive, send: Send, request: Request, body: bytes
    ) -> None:
        parsed = _payment_body(scope, body)
        if parsed is None:
            await self._app(scope, _replayed(body, receive), send)
            return
        try:
            response = await payments.create_payment(parsed, request)
        except ClientDisconnect:
            return  # nobody to answer
        except Exception as exc:
            response = await _answer_to_error(request, exc)
        await response(scope, receive, send)


async def _answer_to_error(request: Request, exc: Exception) -> Response:
    """The app's own answer to `exc`; `exc` raised again where only the server-error layer
    answers it (a bug: answered outside, by `PaymentsEdge` or the app's server-error layer)."""
    handler = _handler_for(request.scope["app"], exc)
    if handler is None:
        raise exc
    response: Response = await handler(request, exc)
    return response


def _is_payment(scope: Scope) -> bool:
    """`POST /v1/payments`, the request the fast path serves (with no root path to mind)."""
    return (
        scope["type"] == "http"
        and scope["path"] == "/v1/payments"
        and scope["method"] == "POST"
        and not scope.get("root_path")
    )


async def _whole_body(receive: Receive) -> bytes:
    """The request's body (BodyLimited, outside, holds it to its limit); `ClientDisconnect`
    if the client left before sending all of it (a part is never served as the whole)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _payment_body(scope: Scope, body: bytes) -> payments.PayByQr | None:
    """The body as the route's model, when FastAPI would have parsed it so; else None."""
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), None)
    if content_type is None or content_type.split(b";")[0].strip() != b"application/json":
        return None
    try:
        return payments.PayByQr.model_validate(json.loads(body))
    except (ValueError, RecursionError):  # ValidationError and JSONDecodeError among them
        return None


def _replayed(body: bytes, receive: Receive) -> Receive:
    """`receive` giving the body already read, then what the connection says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _handler_for(app: FastAPI, exc: Exception) -> Any:
    """The app's handler for `exc`, as its ExceptionMiddleware finds one (by class, most
    specific first); None for what only the server-error handler answers."""
    for kind in type(exc).__mro__:
        if kind is Exception:
            return None
        handler = app.exception_handlers.get(kind)
        if handler is not None:
            return handler
    return None


class PaymentsEdge:
    """What the server serves: `POST /v1/payments` taken straight through its rate limit,
    the payment gate, its body limit and fast path (`RateLimited`, `Gathered`, `BodyLimited`,
    then `PaymentsFirst`; the limits as the app's own stack has them), without FastAPI's
    and Starlette's outer layers (FastAPI's and Starlette's calls, the server-error layer,
    FastAPI's telemetry and body-limit layers): about a thirtieth of a payment's CPU.
    While this worker follows the ledger's writer, its other API writes are taken through
    their rate and body limits and sent to the writer whole (`_crossed`, docs/adr/0106).
    Every other request goes to the app, whole.

    A body the fast path is not sure of goes on to the app, marked as rate-limited already
    (`RATE_TAKEN`), and is answered as any request is (a bug there by the app's own
    server-error layer). A bug's exception on the fast path is answered as that layer
    answers one: by the app's handler for `Exception` (a 500 in the API's shape) unless the
    answer has begun, then raised on for the server to log. A layer added to the app's stack
    is not crossed by payments unless it is added here too (docs/adr/0084)."""

    def __init__(self, app: FastAPI, ctx: ApiContext) -> None:
        self.app = app  # the whole app: every other request, and its OpenAPI description
        # Held at the gate once through the rate limit (a refusal is not held), then served
        # with the payments arriving now (docs/adr/0089), their stored answers looked up
        # together (docs/adr/0092).
        ahead = partial(_look_ahead, ctx)
        gate = PaymentGate(
            ctx.payment_gather_s,
            together_s=ctx.payment_together_s,
            on_open=ahead,
            gather_max_now=partial(_gather_max_now, ctx),
        )
        # A payment whose body is whole is let in only while fewer than the bound are in
        # flight; the others are answered at once, nothing begun (docs/adr/0108).
        self._payments = RateLimited(
            Gathered(BodyLimited(PaymentsFirst(self._marked, ctx.payments_in_flight)), gate), ctx
        )
        self._forwarding = ctx.forwarding
        # The follower's security headers on pages' answers (the writer adds none to a
        # crossed request's), its rate and body limits, then the crossing.
        self._writes = SecurityHeaders(RateLimited(BodyLimited(self._crossed), ctx))
        self._bug = app.exception_handlers[Exception]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served: ASGIApp
        if _is_payment(scope):
            served = self._payments
        elif self._forwarding is not None and _crosses(scope) and self._forwarding.follows:
            served = self._writes
        else:
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await served(scope, receive, tracked)
        except Exception as exc:
            # Begun: by the app's own server-error layer (a body handed on), or by an answer
            # that failed midway; a second answer would break the protocol.
            if not started:
                answer = self._bug(Request(scope), exc)
                response = await answer if inspect.isawaitable(answer) else answer
                # A page's answer carries the pages' headers, a bug's too (a crossed form's:
                # the follower's `SecurityHeaders` never saw it start); others pass as they are.
                await SecurityHeaders(response)(scope, receive, send)
            raise

    async def _marked(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RATE_TAKEN] = True
        await self.app(scope, receive, send)

    async def _crossed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A write served by the ledger's writer, whole: its answer relayed unchanged. The
        writer takes no second rate limit (`RATE_TAKEN`), knows the credential's hash the
        limit took, and adds no security headers (the follower's `SecurityHeaders` does). A
        lost link or a writer that does not answer in time is a 503, the outcome unknown
        (retry with the same Idempotency-Key), as for a payment."""
        assert self._forwarding is not None
        marks: dict[str, object] = {RATE_TAKEN: True, HEADERS_ADDED: True}
        if (presented := scope.get(auth.PRESENTED_DIGEST)) is not None:
            marks[auth.PRESENTED_DIGEST] = presented
        # A run over many records waits longer than one write.
        timeout_s = run_forward_timeout_s if scope["path"] in LONG_RUNS else None
        try:
            body = await _whole_body(receive)  # a body past its limit raises here (413)
            crossing = forwarded(scope, body, marks)
            response = await self._forwarding.request(crossing, timeout_s)
        except ClientDisconnect:
            return  # nobody to answer, and nothing sent
        except Exception as exc:
            # A bug is raised again: answered as the fast path's are (`__call__`).
            response = await _answer_to_error(Request(scope), exc)
        await response(scope, receive, send)


def _crosses(scope: Scope) -> bool:
    """A write a follower sends the writer whole (docs/adr/0106): any request but a read, to
    the API (`/v1/`) or a credit line's form (`/app/credit/`), except a batch (its body up
    to megabytes, served where it arrives)."""
    return (
        scope["type"] == "http"
        and scope["method"] in WRITE_METHODS
        and scope["path"].startswith(CROSSING_PREFIXES)
        and not _batch(scope["path"])
        and not scope.get("root_path")
    )


class Gathered:
    """Payments held at `gate` until their gathering opens (api/gather.py)."""

    def __init__(self, app: ASGIApp, gate: PaymentGate) -> None:
        self._app, self._gate = app, gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._gate.enter(scope)
        await self._app(scope, receive, send)


def _gather_max_now(ctx: ApiContext) -> int:
    """How many payments fill a gathering starting now: fewer while this worker's payments
    are served by the ledger's writer (docs/adr/0104)."""
    forwarding = ctx.forwarding
    if forwarding is not None and forwarding.follows:
        return forwarded_gather_max
    return payment_gather_max


def _look_ahead(ctx: ApiContext, scopes: Sequence[Scope]) -> None:
    """Whether the gathered payments' Idempotency-Keys have stored answers, in one read
    (docs/adr/0092): each payment's (wallet, key) as its route will find them, for those
    whose wallet token the rate limit hashed. One not found here reads for itself. Only
    where the store looks ahead now (a worker looks ahead while it is the ledger's writer,
    docs/adr/0099)."""
    if not ctx.api_store.looks_ahead:
        return
    keys = []
    for scope in scopes:
        presented = scope.get(auth.PRESENTED_DIGEST)
        key = next((v for k, v in scope["headers"] if k == b"idempotency-key"), None)
        if presented is None or not key or len(key) > idempotency_key_chars_max:
            continue
        wallet_id = auth.wallet_id_of(ctx, presented[0], presented)
        if wallet_id is not None:
            keys.append((wallet_id, key.decode("latin-1")))
    if keys:
        ctx.api_store.look_ahead(keys)


def served_app(ctx: ApiContext) -> PaymentsEdge:
    """What a server serves for `ctx`: the app (`create_app`) behind its `PaymentsEdge`."""
    return PaymentsEdge(create_app(ctx), ctx)


def create_app(ctx: ApiContext) -> FastAPI:
    # Swagger UI and ReDoc served from the package itself, not a CDN: /docs works offline.
    app = FastAPIOffline(
        title="Colony",
        version=__version__,
        description="Payments on a durable double-entry ledger.",
        telemetry=NO_TELEMETRY,
    )
    app.state.colony = ctx  # what the `Ctx` dependency hands every route (api/deps.py)
    errors.install(app)
    shell.install(app)
    if ctx.limiter is None:
        ctx.limiter = RateLimiter(ctx.clock)
    if ctx.address_limiter is None:
        ctx.address_limiter = RateLimiter(
            ctx.clock, rate_limit_per_s * address_share, rate_limit_burst * address_share
        )
    # The rate limits outermost: an oversized request still draws on its caller's bucket.
    # Then the body limit. The payment route's fast path (`PaymentsFirst`) is the edge's
    # (`PaymentsEdge`, the only way the app is served): a payment reaches the app only when
    # the fast path has read it and handed it on, to be served by its route here.
    app.add_middleware(BodyLimited)
    app.add_middleware(RateLimited, ctx=ctx)
    app.add_middleware(SecurityHeaders)
    for router in (*ROUTERS, *PAGES):
        # The routes themselves, as `@app.post` would add them: an included router is
        # matched again on every request, a cost the hot path does not need to pay.
        app.router.routes.extend(router.routes)
    # The screens' files: Colony's own and the vendored libraries, from the package.
    app.mount("/static", StaticFiles(packages=[("colony.web", "static")]), name="static")
    describe(app, ROUTERS)
    if ctx.forwarding is not None:
        # While this process writes the ledger, it serves the followers' payments whole.
        ctx.forwarding.serve_here(
            app,
            partial(payments.serve_forwarded, ctx),
            partial(_handler_for, app),
            ctx.api_store.look_ahead,
        )
    return app
