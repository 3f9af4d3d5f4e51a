"""`colony serve`: the HTTP API and web page, on the embedded default or a named database."""

from __future__ import annotations

import random
import threading
from typing import Annotated

import typer
import uvicorn

from colony.api.app import create_app
from colony.api.context import ApiContext
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
    ledger = open_ledger(database_url, clock=clock)
    path = sqlite_path(database_url)
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
    return ctx


def webhook_dispatcher(ctx: ApiContext, sender: Sender) -> WebhookDispatcher:
    """The outbox relay for this context's ledger and webhook store."""
    return WebhookDispatcher(ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, ctx.clock, sender)


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web page."""
    try:
        ctx = build_context(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Colony is serving on http://{host}:{port}/ (API docs at /docs)")
    sender = HttpSender()
    stop_relay = threading.Event()
    relay = webhook_dispatcher(ctx, sender).run_in_background(stop_relay)
    try:
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="warning")
    finally:
        stop_relay.set()
        relay.join(timeout=delivery_timeout_s * 2)
        sender.close()
        ctx.ledger.close()
        ctx.api_store.close()
