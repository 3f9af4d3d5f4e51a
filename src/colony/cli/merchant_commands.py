"""`colony merchants ...`: the operator's way to give a merchant its first portal user (its
owner), who then adds cashiers in the portal (`/merchant/staff`), and the daily payout run
(`colony merchants payout --day YYYY-MM-DD --partner NAME`, docs/adr/0041)."""

from __future__ import annotations

import random
from collections import Counter
from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption, fail
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError, InvalidInput
from colony.kernel.ids import IdGenerator
from colony.merchants import (
    MerchantUserService,
    Payout,
    PayoutResult,
    PayoutService,
    Role,
    UserResult,
    day_named,
    every_merchant,
    open_merchant_store,
    open_merchant_user_store,
    payout_reference,
)
from colony.storage.open import database_url_from_env, try_open_writer
from colony.wallets import FundingPartner, open_funding_store

app = typer.Typer(no_args_is_help=True, help="Merchants' portal users and payouts.")


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


@app.command("payout")
def payout(
    day: Annotated[str, typer.Option(help="The UTC day paid out, YYYY-MM-DD: over already.")],
    partner: Annotated[
        list[str],
        typer.Option(help="A funding partner (bank) paying out its currencies' merchants."),
    ],
    merchant: Annotated[str | None, typer.Option(help="Only this merchant, mer_...")] = None,
    database: DatabaseOption = None,
) -> None:
    """Pay each merchant its balance at the end of DAY through the partner registered in its
    currency (docs/adr/0041). Running a day again pays nothing twice. Exits 1 when a payout
    was refused, 2 when nothing could run."""
    try:
        day_ns = day_named(day)
    except InvalidInput as exc:
        raise fail(str(exc)) from None
    payouts = _run(database_url_from_env(database), day_ns, partner, merchant)
    for made in payouts:
        paid = made.result in (PayoutResult.ok, PayoutResult.already_paid)
        reference = payout_reference(made.transfer_id) if paid else "-"
        print(
            f"{made.merchant_id} {day} {made.result.name} {made.currency} "
            f"amount_minor={made.amount_minor} {reference}"
        )
    counts = Counter(made.result.name for made in payouts)
    print(f"payouts {day}: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"))
    if any(made.result not in _RAN for made in payouts):
        raise typer.Exit(1)


# The results of a payout that ran as it should: paid, paid before, or nothing to pay.
_RAN = {PayoutResult.ok, PayoutResult.already_paid, PayoutResult.nothing_to_pay}


def _run(url: str, day_ns: int, partners: list[str], merchant: str | None) -> list[Payout]:
    """The day's run. The ledger is opened as its writer or not at all: while `colony serve`
    writes it, money moves through the server only."""
    clock = SystemClock()
    try:
        merchants, funding = open_merchant_store(url), open_funding_store(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    try:
        by_currency = _partners_by_currency(funding.partners(), partners)
        chosen = every_merchant(merchants.page)
        if merchant is not None:
            found = merchants.by_id(merchant)
            if found is None:
                raise fail(f"no merchant {merchant}")
            chosen = iter([found])
        try:
            writer = try_open_writer(url, clock)
        except ColonyError as exc:
            raise fail(str(exc)) from None
        if writer is None:
            raise fail("another process (colony serve) writes this ledger: stop it first")
        try:
            return list(
                PayoutService(writer.ledger, clock).pay_out_day(chosen, day_ns, by_currency)
            )
        finally:
            writer.ledger.close()
            writer.release()
    finally:
        merchants.close()
        funding.close()


def _partners_by_currency(registered: list[FundingPartner], names: list[str]) -> dict[str, str]:
    """Which partner pays out each currency: every currency a named partner is registered in;
    two partners for one currency is a mistake, refused."""
    by_currency: dict[str, str] = {}
    for name in names:
        found = [p for p in registered if p.name == name]
        if not found:
            raise fail(f"no funding partner {name}")
        for each in found:
            if by_currency.setdefault(each.currency, name) != name:
                raise fail(f"{each.currency}: both {by_currency[each.currency]} and {name}")
    return by_currency
