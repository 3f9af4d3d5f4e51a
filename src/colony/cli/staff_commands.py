"""`colony staff ...`: add a staff member of the operator console (the first one, before
anyone can sign in to add others)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from colony.cli.ledger_commands import DatabaseOption, database_url, fail
from colony.credentials import CredentialService, argon2_hasher, open_credential_store
from colony.kernel.clock import SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.staff import Role, StaffResult, StaffService, open_staff_store, totp

app = typer.Typer(no_args_is_help=True, help="Staff of the operator console.")


@contextmanager
def staff_service(database: str | None, *, only_reads: bool = False) -> Iterator[StaffService]:
    """The staff service over the database's stores, closed after; for a command that
    `only_reads`, over a database already Colony's (docs/adr/0111)."""
    url = database_url(database, only_reads=only_reads)
    try:
        staff_store, credential_store = open_staff_store(url), open_credential_store(url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    clock = SystemClock()
    credentials = CredentialService(credential_store, clock, argon2_hasher())
    try:
        yield StaffService(
            staff_store, credentials, clock, IdGenerator(clock, random.SystemRandom())
        )
    finally:
        staff_store.close()
        credential_store.close()


# What to tell the person at the command line when a staff member is not added.
_REFUSALS = {
    StaffResult.invalid_email: "that is not an email address",
    StaffResult.invalid_name: "give a name of 1 to 100 characters",
    StaffResult.email_taken: "a staff member has that email already",
    StaffResult.malformed_password: "a password is 10 to 128 characters",
    StaffResult.weak_password: "that password is too easy to guess",
}


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Their email: what they sign in with.")],
    name: Annotated[str, typer.Option(help="Their name, as the audit log shows it.")],
    role: Annotated[Role, typer.Option(help="What they may do (staff/model.py).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Add a staff member; print their TOTP secret once, for their authenticator app."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with staff_service(database) as staff:
        result, member = staff.create(email, name, role, password)
    if member is None:
        raise fail(_REFUSALS.get(result, result.name))
    print(f"added {member.id} ({member.email}, {member.role})")
    print("Their TOTP secret, shown once: add it to an authenticator app now.")
    print(f"  secret: {member.totp_secret}")
    print(f"  uri:    {totp.provisioning_uri(member.totp_secret, member.email)}")
