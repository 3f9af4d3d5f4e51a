"""`colony serve`: the HTTP API and web page, on the embedded default or a named database."""

from __future__ import annotations

import random
from typing import Annotated

import typer
import uvicorn

from colony.api.app import create_app
from colony.api.context import ApiContext
from colony.api.rate_limit import RateLimiter, address_share, rate_limit_per_s
from colony.cli.ledger_commands import DatabaseOption, fail
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.merchants.service import MerchantService
from colony.payments.service import PaymentService
from colony.storage.open import database_url_from_env, open_ledger, sqlite_path
from colony.storage.sqlite_api import SqliteApiStore
from colony.storage.sqlite_merchants import SqliteMerchantStore
from colony.storage.sqlite_wallets import SqliteWalletStore
from colony.wallets.service import WalletService


def build_context(database_url: str) -> ApiContext:
    """Open every store the API needs on one database (SQLite for now)."""
    clock = SystemClock()
    ledger = open_ledger(database_url, clock=clock)
    path = sqlite_path(database_url)
    wallet_store = SqliteWalletStore(path)
    ids = IdGenerator(clock, random.SystemRandom())
    wallets = WalletService(ledger, wallet_store, clock, ids)
    wallets.reconcile()  # finish whatever a crash interrupted before serving anyone
    merchants = MerchantService(ledger, SqliteMerchantStore(path), clock, ids)
    payments = PaymentService(ledger, wallets, wallet_store, merchants, ids)
    return ApiContext(
        ledger, wallets, wallet_store, SqliteApiStore(path), clock, merchants, payments
    )


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
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
    ctx.address_limiter = RateLimiter(ctx.clock, address_rate_limit, 2 * address_rate_limit)
    typer.echo(f"Colony is serving on http://{host}:{port}/ (API docs at /docs)")
    try:
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="warning")
    finally:
        ctx.ledger.close()
        ctx.api_store.close()
