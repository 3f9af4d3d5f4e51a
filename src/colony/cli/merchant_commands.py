"""`colony merchants ...`: the operator's way to give a merchant its first portal user (its
owner), who then adds cashiers in the portal (`/merchant/staff`)."""

from __future__ import annotations

import random
from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption, fail
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.merchants import (
    MerchantUserService,
    Role,
    UserResult,
    open_merchant_store,
    open_merchant_user_store,
)
from colony.storage.open import database_url_from_env

app = typer.Typer(no_args_is_help=True, help="Merchants' portal users.")


@app.command("add-user")
def add_user(
    merchant: Annotated[str, typer.Option(help="The merchant's id, mer_...")],
    phone: Annotated[str, typer.Option(help="E.164, e.g. +6591234567: sign-in texts it")],
    name: Annotated[str, typer.Option(help="The user's name")],
    role: Annotated[Role, typer.Option(help="owner or cashier")] = Role.owner,
    email: Annotated[str | None, typer.Option(help="Optional")] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user to a merchant's portal; they set their password at their first sign-in."""
    url = database_url_from_env(database)
    try:
        merchants, users = open_merchant_store(url), open_merchant_user_store(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    clock = SystemClock()
    service = MerchantUserService(
        users, merchants.by_id, clock, IdGenerator(clock, random.SystemRandom())
    )
    try:
        result, user = service.add(merchant, phone, name, role.value, email)
    finally:
        merchants.close()
        users.close()
    if result is not UserResult.ok or user is None:
        raise fail(f"not added: {result.name.replace('_', ' ')}")
    print(f"{user.id} {user.role.value} {user.phone}: sign in at /merchant/signin")
