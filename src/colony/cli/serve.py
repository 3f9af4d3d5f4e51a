"""`colony serve`: the HTTP API and web page, on the embedded default or a named database."""

from __future__ import annotations

import random
import socket
import threading
from typing import Annotated

import typer
import uvicorn

from colony.api.app import create_app
from colony.api.context import ApiContext
from colony.api.rate_limit import RateLimiter, address_share, rate_limit_per_s
from colony.cli import demo_data, fx_commands
from colony.cli.ledger_commands import DatabaseOption, fail
from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.merchants.service import MerchantService
from colony.payments.payment_code import PaymentCodeVerifier
from colony.payments.service import PaymentService
from colony.storage.open import database_url_from_env, open_ledger, sqlite_path
from colony.storage.sqlite_api import SqliteApiStore
from colony.storage.sqlite_devices import SqliteDeviceStore
from colony.storage.sqlite_funding import SqliteFundingStore
from colony.storage.sqlite_merchants import SqliteMerchantStore
from colony.storage.sqlite_payments import SqlitePaymentStore
from colony.storage.sqlite_wallets import SqliteWalletStore
from colony.storage.sqlite_webhooks import SqliteWebhookStore
from colony.wallets.funding_service import FundingService
from colony.wallets.service import WalletService
from colony.webhooks.dispatcher import Sender, WebhookDispatcher, delivery_timeout_s
from colony.webhooks.http_sender import HttpSender


def build_context(database_url: str, clock: Clock | None = None) -> ApiContext:
    """Open every store the API needs on one database (SQLite for now); tests pass a clock."""
    clock = clock or SystemClock()
    path = sqlite_path(database_url)  # first: refuses what is not built yet before opening
    ledger = open_ledger(database_url, clock=clock)
    wallet_store = SqliteWalletStore(path)
    ids = IdGenerator(clock, random.SystemRandom())
    wallets = WalletService(ledger, wallet_store, clock, ids)
    wallets.reconcile()  # finish whatever a crash interrupted before serving anyone
    merchants = MerchantService(ledger, SqliteMerchantStore(path), clock, ids)
    records = SqlitePaymentStore(path)
    payments = PaymentService(ledger, wallets, wallet_store, merchants, ids, records, clock)
    ctx = ApiContext(
        ledger,
        wallets,
        wallet_store,
        SqliteApiStore(path),
        clock,
        merchants,
        payments,
        SqliteWebhookStore(path),
    )
    ctx.code_verifier = PaymentCodeVerifier(SqliteDeviceStore(path))
    ctx.funding = FundingService(ledger, wallets, SqliteFundingStore(path), clock, ids)
    ctx.funding.reconcile()
    ctx.fx = fx_commands.quote_service(database_url, clock)  # rates: $COLONY_FX_RATES_FILE
    return ctx


def webhook_dispatcher(ctx: ApiContext, sender: Sender) -> WebhookDispatcher:
    """The outbox relay for this context's ledger and webhook store."""
    return WebhookDispatcher(ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, ctx.clock, sender)


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before the URL is printed: port 0 gets a free port, and the
    printed URL answers at once (connections wait in the backlog while uvicorn starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Seed demo data (once per database); print credentials to try it."
        ),
    ] = False,
    address_rate_limit: Annotated[
        int,
        typer.Option(
            min=1,
            help="Requests/s allowed from one client address, burst twice it (a load "
            "generator on loopback needs more).",
        ),
    ] = rate_limit_per_s * address_share,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web page."""
    try:
        ctx = build_context(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    sender = HttpSender()
    stop_relay = threading.Event()
    relay = webhook_dispatcher(ctx, sender).run_in_background(stop_relay)
    ctx.address_limiter = RateLimiter(ctx.clock, address_rate_limit, 2 * address_rate_limit)
    try:
        seeded = demo_data.seed(ctx) if demo else None
        try:
            sock = listening_socket(host, port)
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{sock.getsockname()[1]}"
        if seeded is not None:
            typer.echo(demo_data.instructions(seeded, url) + "\n")
        typer.echo(f"Colony is serving on {url}/ (API docs at {url}/docs); Ctrl-C stops it.")
        config = uvicorn.Config(create_app(ctx), log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        stop_relay.set()
        relay.join(timeout=delivery_timeout_s * 2)
        sender.close()
        ctx.ledger.close()
        ctx.api_store.close()
