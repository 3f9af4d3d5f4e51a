"""`colony keys ...`: make the operator's API key (shown once, stored hashed), and revoke one;
make the key that seals secrets at rest."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from colony.api import auth, scopes
from colony.api.app import ROUTERS
from colony.api.key_views import owned_key
from colony.api.rate_limit import rate_limit_per_s, rate_limit_per_s_max
from colony.api.sql_store import open_api_store
from colony.cli.ledger_commands import DatabaseOption, fail
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError
from colony.storage.open import database_url_from_env
from colony.storage.secrets_key import new_key_text

# The products' routers declare their own scopes; the app imports every one of them.
assert ROUTERS

app = typer.Typer(no_args_is_help=True, help="API keys.")


@app.command("create-operator")
def create_operator(
    database: DatabaseOption = None,
    rate_limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=rate_limit_per_s_max,
            help=f"This key's own limit in requests/s (burst twice it); "
            f"default: {rate_limit_per_s}, as every caller.",
        ),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="Make a restricted key holding only this scope (repeat for more): "
            + ", ".join(scopes.OPERATOR_SCOPES)
            + ". Default: a standard key, every scope.",
        ),
    ] = None,
) -> None:
    """Print a new operator API key. Keep it: it is not stored, only its hash is."""
    unknown = [s for s in scope or [] if s not in scopes.OPERATOR_SCOPES]
    if unknown:
        raise fail(
            f"no operator scope {unknown[0]}; there are " + ", ".join(scopes.OPERATOR_SCOPES)
        )
    held = tuple(sorted(set(scope))) if scope else None
    try:
        store = open_api_store(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    key = auth.OPERATOR_KEY_PREFIX + secrets.token_bytes(32).hex()
    store.add_key(
        auth.digest(key), "operator", "operator", SystemClock().now_ns(), rate_limit, held
    )
    store.close()
    print(key)


@app.command("revoke-operator")
def revoke_operator(
    key: Annotated[
        str, typer.Argument(help="The key's id (key_ and 16 hex digits), or the key itself.")
    ],
    database: DatabaseOption = None,
) -> None:
    """Revoke an operator API key: from now on every request made with it is answered 401."""
    try:
        store = open_api_store(database_url_from_env(database))
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        if key.startswith(auth.OPERATOR_KEY_PREFIX):
            found = store.key(auth.digest(key))
            found = found if found is not None and found.kind == "operator" else None
            shown = "that key"  # never print a secret back
        else:
            found = owned_key(store, "operator", "operator", key)
            shown = key
        if found is None:
            raise fail(f"no operator key {shown}")
        store.revoke_key(found.key_sha256, SystemClock().now_ns())
    finally:
        store.close()
    print(f"revoked {found.id}")


@app.command("create-secrets-key")
def create_secrets_key() -> None:
    """Print a new key for sealing device and webhook secrets at rest (32 random bytes,
    base64): set it as COLONY_SECRETS_KEY for every `colony serve` on the database. To rotate,
    move the old key to COLONY_SECRETS_RETIRED_KEYS (comma-separated) and set a new one."""
    print(new_key_text())
